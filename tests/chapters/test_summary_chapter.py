"""The summary chapter: headlines chosen across the chapters (each with its period, source and
chapter), the how-to-read box, and recommendations with their reasons (constructed ones, since
the rules are another module's)."""

from __future__ import annotations

import re

import pytest

from needsbook.build.chapters import CHAPTERS
from needsbook.chapters import summary
from needsbook.outcomes.findings import findings
from needsbook.recommend import Recommendation, RuleCheck, RuleResults
from needsbook.recommend.model import Concern, Trigger
from needsbook.services.findings import ServiceFinding
from needsbook.summary.headlines import MAX_HEADLINES, Headline, names_period, service_headlines


def _public_only(code: str) -> summary.SummaryChapter:
    """The summary from public data alone (no service findings), whatever the services
    chapter finds in local data: the exact headlines below are those of the public data."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("needsbook.services.findings.service_findings", lambda *a, **k: [])
        return summary.build(code, 2024)


@pytest.fixture(scope="module")
def worcs() -> summary.SummaryChapter:
    return _public_only("E10000034")


@pytest.fixture(scope="module")
def rutland() -> summary.SummaryChapter:
    return _public_only("E06000017")


def _check_period_and_source(heads: list[Headline]) -> None:
    """No number without its period and source."""
    for h in heads:
        assert h.period and h.source, h
        assert names_period(h.sentence, h.period), h.sentence
        if re.search(r"\d", h.sentence):
            assert re.search(r"\b(19|20)\d{2}\b", h.sentence), f"number with no year: {h.sentence}"
        html = summary.headline_html(h).replace("&#x27;", "'")
        # the source is said once: in the sentence, or after it
        assert (f"Source: {h.source}" in html) != (h.source in h.sentence), html


def test_worcestershire_headlines(worcs: summary.SummaryChapter) -> None:
    heads = worcs.headlines
    assert 5 <= len(heads) <= MAX_HEADLINES
    assert [h.topic for h in heads] == [
        "Population",
        "Population",
        "Deprivation",
        "Need",
        "Outcomes",
        "Outcomes",
        "Outcomes",
    ]
    assert heads[0].sentence == (
        "An estimated 132,896 children and young people aged 0-19 live in Worcestershire "
        "(mid-2024), 21.4% of its population (England 23.1%)."
    )
    assert heads[1].period == "2012 to 2024" and "rose by 4.7%" in heads[1].sentence
    assert heads[2].sentence == (
        "On the English Indices of Deprivation 2025, 43 of Worcestershire's 374 neighbourhoods "
        "(11.5%) are among England's 20% most deprived, against 46 of 364 (12.6%) on IMD 2019."
    )
    assert heads[2].period == "IoD 2025"
    assert heads[3].sentence == (
        "An estimated (modelled) 32.0% (95% interval 31.5% to 32.6%) of Worcestershire's 0-19 "
        "year olds are likely to need additional, extra or intensive preventive help (modelled "
        "for 2024 from outcomes at each age and neighbourhood deprivation)."
    )
    assert "mid-2020" not in heads[3].source  # a headline about now names no old population
    # outcomes: the most important findings, worse first, one per life stage
    assert heads[4].sentence.startswith("Children looked after (87.2 per 10,000 aged 0-17")
    assert "significantly worse than England (69.3)" in heads[4].sentence
    assert heads[5].sentence.startswith("16-17 year olds whose activity is not known (3.1%")
    assert heads[6].sentence.startswith("Infant mortality (5.4 per 1,000 live births, 2023)")
    assert [h.chapter for h in heads] == ["01_population"] * 2 + ["02_need"] * 2 + [
        "03_outcomes"
    ] * 3
    _check_period_and_source(heads)


def test_rutland_headlines(rutland: summary.SummaryChapter) -> None:
    heads = rutland.headlines
    assert len(heads) == 7
    assert "8,959 children and young people aged 0-19 live in Rutland (mid-2024)" in (
        heads[0].sentence
    )
    assert heads[2].sentence == (
        "On the English Indices of Deprivation 2025, none of Rutland's 26 neighbourhoods is "
        "among England's 20% most deprived, nor on IMD 2019."
    )
    assert heads[2].period == "IoD 2025"
    assert "22.6% (95% interval 20.5% to 24.5%) of Rutland's 0-19 year olds are likely to" in (
        heads[3].sentence
    )
    outcome = [h.sentence for h in heads if h.topic == "Outcomes"]
    assert outcome[0].startswith(
        "School readiness, children eligible for free school meals (29.4%, 2023/24)"
    )
    assert "among the worst fifth of English areas" in outcome[0]
    assert outcome[1].startswith("16-17 year olds whose activity is not known (0.6%")
    assert outcome[2].startswith("Children looked after (33.7 per 10,000")
    _check_period_and_source(heads)


def test_headline_html_links_to_its_chapter(worcs: summary.SummaryChapter) -> None:
    text = summary.headlines_html(worcs)
    for slug in ("01_population", "02_need", "03_outcomes"):
        assert f'<a href="{slug}.html">More in ' in text
    assert text.count("<li>") == len(worcs.headlines)


def test_how_to_read_box(worcs: summary.SummaryChapter) -> None:
    box = summary.how_to_read_html(worcs)
    for words in (
        "Significantly better or worse than England",
        "Fifths",
        "Trends",
        "Modelled estimates",
        "Small numbers",
        "1 to 4 children",
    ):
        assert words in box
    assert 'href="../book/glossary.html"' in box
    assert 'href="../book/data-sources.html"' in box
    assert (
        '<a href="../downloads/E10000034-data.zip" download>Download all the data in this book '
        "for Worcestershire (zip)</a>" in box
    )
    about = summary.about_html(worcs)
    assert "Worcestershire" in about and "2024" in about and "West Midlands" in about


def test_outcomes_at_a_glance_counts_every_indicator(worcs: summary.SummaryChapter) -> None:
    items = findings("E10000034", 2024)
    section = worcs.section("glance")
    assert len(section.table) == len(items) == 35
    groups = section.table["Group"].value_counts()
    assert groups["Significantly worse than England"] == 5
    assert groups["Significantly better than England"] == 6
    assert groups["In the worst fifth of areas"] == 3
    assert groups["No data"] == 1
    assert section.summary.startswith(
        "Of the 35 outcome indicators in this book, Worcestershire is significantly better "
        "than England or in the best fifth of areas on 8, and significantly worse or in the "
        "worst fifth on 8; 1 has no data"
    )
    assert section.chart is not None


def test_no_recommendations_is_said_plainly(worcs: summary.SummaryChapter) -> None:
    chapter = summary.SummaryChapter("E10000034", "Worcestershire", 2024, [])
    text = summary.recommendations_html(chapter)
    assert "makes no recommendations for Worcestershire" in text
    chapter.results = RuleResults(not_fired=[RuleCheck("r1", "Re-target", "checks x", "x ok")])
    assert "1 rules were checked" in summary.recommendations_html(chapter)


def _rec(rule: str, priority: str) -> Recommendation:
    trigger = Trigger(
        key="lait:FSP_NEW_GOODDEV",
        name="School readiness",
        value=61.2,
        comparison="significantly worse than England",
        period="2023/24",
        source="DfE EYFS profile, via DfE LAIT",
        sentence="School readiness (61.2%, 2023/24) is significantly worse than England (67.7%).",
        chapter="03_outcomes",
    )
    return Recommendation(
        rule_id=rule,
        title=f"Focus on early language ({rule})",
        text="Commission evidence-rated early language and parenting programmes.",
        priority=priority,
        triggers=(trigger,),
        evidence=("incredible_years", "not_catalogued"),
        chapter="03_outcomes",
    )


def test_recommendations_with_priority_and_reasons() -> None:
    chapter = summary.SummaryChapter("E10000034", "Worcestershire", 2024, [])
    chapter.results = RuleResults(fired=[_rec("b", "medium"), _rec("a", "high")])
    text = summary.recommendations_html(chapter)
    assert text.index("(a)") < text.index("(b)")  # highest priority first
    assert "(priority: high)" in text and "(priority: medium)" in text
    assert "School readiness (61.2%, 2023/24) is significantly worse" in text
    assert "Source: DfE EYFS profile, via DfE LAIT." in text
    assert '<a href="03_outcomes.html">See the finding</a>' in text
    # each programme with its strength as the catalogue rates it and its caveat; an unknown
    # id as it is
    assert "<li><small>Incredible Years (IY BASIC, with ADVANCE) (strength of evidence: " in text
    assert "<li><small>not_catalogued.</small></li>" in text
    link = '<a href="10_recommendations.html">'
    has_chapter = any(c.slug == "10_recommendations" for c in CHAPTERS)
    assert (link in text) == has_chapter  # never a link to a chapter the book lacks
    section = summary.recommendations_section(summary.resolve_area("E10000034"), chapter.results)
    assert list(section.table["Priority"]) == ["high", "medium"]
    assert section.table["Periods"].tolist() == ["2023/24", "2023/24"]


def test_cited_programmes_show_strength_and_caveat_exactly_as_the_catalogue() -> None:
    from needsbook.evidence.catalogue import load_catalogue
    from needsbook.evidence.strength import strengths

    cat = load_catalogue()
    progs = cat.programmes.set_index("id")
    fnp = "family_nurse_partnership"
    (cited,) = summary.programme_citations((fnp,))
    assert cited.startswith(f"{progs.loc[fnp, 'name']} (strength of evidence: ")
    assert f"(strength of evidence: {strengths(cat)[fnp]})" in cited
    caveat = str(progs.loc[fnp, "caveat"] or "")
    assert caveat and cited.endswith(f". Caveat: {caveat}")


def test_source_given_once_and_other_concerns_named() -> None:
    src = "DfE Characteristics of children in need"
    trigger = Trigger(
        key="demand:cpp",
        name="Child protection plans",
        value=43.5,
        comparison="",
        period="2025",
        source=src,
        sentence=f"Child protection plans: 43.5 per 10,000 in 2025 ({src}).",
        chapter="05_services",
    )
    rec = Recommendation("r", "Review thresholds", "Do it.", "high", (trigger,), (), "05_services")
    concern = Concern("lait:InfMort", "Infant mortality", "...", "2023", "ONS", "No rule.")
    chapter = summary.SummaryChapter("E10000034", "Worcestershire", 2024, [])
    chapter.results = RuleResults(fired=[rec], concerns=[concern])
    text = summary.recommendations_html(chapter)
    assert text.count(src) == 1
    assert "1 other outcome of concern (infant mortality) is behind no recommendation" in text
    chapter.results = RuleResults(concerns=[concern])
    assert "1 outcome of concern (infant mortality)" in summary.recommendations_html(chapter)


def _service(key: str, direction: str, rising: bool | None = None) -> ServiceFinding:
    return ServiceFinding(
        key=key,
        name=key,
        value=0.7,
        benchmark=1.0,
        benchmark_label="in proportion to need",
        direction=direction,
        period="2023/24",
        source="local data: eha_assessments.csv",
        sentence=f"{key}: 0.70 of its share of need (2023/24, local data).",
        rising=rising,
    )


def test_service_headlines_worse_first_and_capped() -> None:
    items = [
        _service("cc_reach:all", "better"),
        _service("demand:cin", "higher", rising=True),  # an outcome: its headline is there
        _service("demand:cpp_started", "higher", rising=True),
        _service("eha_targeting:most_deprived_40", "worse"),
        _service("hv_coverage:new_birth", "no data"),
    ]
    heads = service_headlines(items)
    assert [h.sentence.split(":")[0] for h in heads] == [
        "eha_targeting",
        "demand",
    ]
    assert all(h.topic == "Services" and h.chapter == "05_services" for h in heads)
    _check_period_and_source(heads)


def test_services_make_room_within_eight(monkeypatch: pytest.MonkeyPatch) -> None:
    from needsbook.summary import headlines

    items = [_service("eha_targeting:most_deprived_40", "worse"), _service("cc_reach:all", "worse")]
    monkeypatch.setattr("needsbook.services.findings.service_findings", lambda *a, **k: list(items))
    heads = headlines.load_headlines(summary.resolve_area("E10000034"), 2024)
    assert len(heads) == MAX_HEADLINES
    assert [h.topic for h in heads][-4:] == ["Outcomes", "Outcomes", "Services", "Services"]


def test_need_chapter_builds_only_the_sections_the_summary_needs() -> None:
    from needsbook.chapters import need

    full = need.build("E06000017", 2024)
    part = need.build("E06000017", 2024, only=("need_area", "deprived_areas"))
    assert [s.key for s in part.sections] == ["deprived_areas", "need_area"]  # chapter order
    for s in part.sections:
        assert s.summary == full.section(s.key).summary


@pytest.mark.parametrize("code", ["E10000034", "E06000017"])
def test_headlines_as_built_keep_period_source_and_order(code: str) -> None:
    """With whatever the services chapter supplies: 5-8 headlines in book order."""
    heads = summary.build(code, 2024).headlines
    assert 5 <= len(heads) <= MAX_HEADLINES
    order = ["Population", "Deprivation", "Need", "Outcomes", "Services"]
    assert [order.index(h.topic) for h in heads] == sorted(order.index(h.topic) for h in heads)
    assert [h.topic for h in heads][:4] == ["Population", "Population", "Deprivation", "Need"]
    assert any(h.topic == "Outcomes" for h in heads)
    _check_period_and_source(heads)
