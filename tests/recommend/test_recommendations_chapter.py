"""The recommendations chapter for Worcestershire: each recommendation with its priority, reasons
(numbers, periods, sources), chapter links and evidence links; the appendix of rules that did
not apply."""

from __future__ import annotations

import pytest

from needsbook.chapters import recommendations as rc
from needsbook.recommend.rules import load_rules


@pytest.fixture(scope="module")
def worcs() -> rc.RecommendationsChapter:
    return rc.build("E10000034", 2024)


def test_overview_and_key_findings(worcs) -> None:
    fired = worcs.results.fired
    t = worcs.section("overview").table
    applies = t[t["Applies"] == "Yes"]
    assert applies["Recommendation"].tolist() == [r.title for r in fired]
    assert applies["Priority"].tolist()[0] == "high"
    assert len(t) == len(load_rules())
    assert set(t.loc[t["Applies"] == "No", "Priority"]) == {"does not apply"}
    assert worcs.section("overview").chart is not None
    assert worcs.key_findings[0].startswith(
        f"{len(fired)} of the {len(load_rules())} recommendation rules apply to Worcestershire"
    )
    assert (
        worcs.key_findings[1]
        == f"{fired[0].title} (high priority; {len(fired[0].triggers)} findings)."
    )


def test_recommendation_html_cites_numbers_sources_and_links(worcs) -> None:
    rec = next(r for r in worcs.results.fired if r.rule_id == "school_readiness")
    html = rc.recommendation_html(3, rec, worcs.rules[rec.rule_id], worcs.names, worcs.strength)
    assert '<h3 id="rec-school_readiness">3. Focus early years support' in html
    assert "Medium priority</strong>" in html
    assert "School readiness, children eligible for free school meals (43.9%, 2023/24)" in html
    assert "(source: DfE Early years foundation stage profile results, via DfE LAIT)." in html
    assert '<a href="03_outcomes.html">Outcomes chapter</a>' in html
    assert '<a href="05_evidence.html#programme-language_rich_environments">' in html
    assert "recommendation R7" in html


def test_trigger_table_and_appendix(worcs) -> None:
    t = worcs.section("recommendations").table
    assert len(t) == sum(len(r.triggers) for r in worcs.results.fired)
    row = t[t["Finding"] == "School readiness, children eligible for free school meals"].iloc[0]
    assert (row["Value"], row["Period"]) == (43.9, "2023/24")
    appendix = worcs.section("not_fired").table
    assert len(appendix) == len(load_rules()) - len(worcs.results.fired)
    maternal = appendix.set_index("Rule").loc[
        "Focus on mothers' and babies' health in pregnancy and the early weeks"
    ]
    assert maternal["Why it did not apply"].startswith(
        "Breastfeeding at 6-8 weeks: Middle 20% (2023/24), no trend could be tested"
    )


def test_chapter_links_only_to_chapters_in_the_book() -> None:
    assert rc.chapter_link("03_outcomes") == '<a href="03_outcomes.html">Outcomes chapter</a>'
    link = rc.chapter_link("04_services")
    assert link.endswith("Services chapter</a>") or link == "Services chapter"


def test_a_small_area_still_gets_a_chart_and_every_rule_listed() -> None:
    scilly = rc.build("E06000053", 2024)
    assert scilly.section("overview").chart is not None
    assert len(scilly.section("overview").table) == len(load_rules())
    assert len(scilly.results.fired) + len(scilly.results.not_fired) == len(load_rules())
