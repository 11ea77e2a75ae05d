"""The recommendations chapter: each recommendation with its priority, reasons (numbers,
periods, sources given once), chapter and evidence links (strength as the catalogue rates it,
with caveats), the policy it draws on; the action plan, the other outcomes of concern, the
dated policy context and the appendix of rules that did not apply."""

from __future__ import annotations

import re

import pytest

from needsbook.chapters import recommendations as rc
from needsbook.recommend.model import Action, Concern, Recommendation, RuleResults, Trigger
from needsbook.recommend.policy import load_policy
from needsbook.recommend.rules import load_rules

#: Words a reader must never see (the reader-text checker's vocabulary, in brief).
INTERNAL = re.compile(r"\bseed\b|\bR\d{1,2}\b|\.ya?ml\b|\.csv\b|data/|needsbook", re.IGNORECASE)


@pytest.fixture(scope="module")
def worcs() -> rc.RecommendationsChapter:
    return rc.build("E10000034", 2024)


def _service_trigger() -> Trigger:
    src = "DfE Characteristics of children in need"
    return Trigger(
        key="demand:cpp_subsequent",
        name="Second or subsequent child protection plans",
        value=31.4,
        comparison="31.4% against England (24.5%)",
        period="2024/25",
        source=src,
        sentence=f"Second or subsequent child protection plans: 31.4% in 2024/25 ({src}).",
        chapter="05_services",
    )


def _rec(**kw) -> Recommendation:
    base = dict(
        rule_id="childrens_centres",
        title="Re-focus children's centres and family hubs on the most deprived areas",
        text="Re-target children's centres.",
        priority="medium",
        triggers=(_service_trigger(),),
        evidence=("family_nurse_partnership",),
        chapter="05_services",
        little_evidence=("stay_and_play", "baby_yoga"),
    )
    return Recommendation(**(base | kw))


def test_recommendation_html_reads_plainly() -> None:
    rules = {r.id: r for r in load_rules()}
    names = {
        "family_nurse_partnership": "Family Nurse Partnership",
        "stay_and_play": "Stay and Play sessions",
        "baby_yoga": "Baby yoga",
    }
    caveats = {"family_nurse_partnership": "The UK trial found no short-term benefit."}
    html = rc.recommendation_html(
        2,
        _rec(),
        rules["childrens_centres"],
        names,
        {"family_nurse_partnership": "strong"},
        caveats,
        load_policy(),
    )
    assert "It follows recommendation 9 of the Worcestershire 2015 needs assessment." in html
    assert "Family Nurse Partnership</a> (strength of evidence: strong). <em>Caveat:</em> " in html
    assert "The UK trial found no short-term benefit." in html
    assert (
        "<strong>Little or no evidence of effect</strong>: Stay and Play sessions and Baby "
        "yoga." in html
    )
    assert "Level of need:</strong> early help." in html
    assert "Family Hubs and Start for Life programme guide</a> (Department for Education" in html
    assert "8 August 2022)" in html
    # the source is given once: the sentence already names it
    assert html.count("DfE Characteristics of children in need") == 1
    assert not INTERNAL.search(re.sub(r"<[^>]+>", "", html))  # the text a reader sees


def test_two_model_report_recommendations() -> None:
    assert rc.model_report_sentence((1, 5)) == (
        "It follows recommendations 1 and 5 of the Worcestershire 2015 needs assessment."
    )
    assert rc.model_report_sentence(()) == ""


def test_reason_adds_a_source_only_when_the_sentence_lacks_it() -> None:
    t = _service_trigger()
    assert rc.reason(t) == t.sentence
    plain = Trigger("x", "X", 1.0, "", "2024", "ONS", "X (1.0, 2024) is high.", "03_outcomes")
    assert rc.reason(plain) == "X (1.0, 2024) is high (source: ONS)."


def test_action_plan_concerns_and_policy_sections() -> None:
    action = Action(
        rule_id="school_readiness",
        title="Focus early years support",
        level="universal",
        lead_partners=("Health visiting service", "Early years settings and schools"),
        measure="School readiness, children eligible for free school meals",
        current="43.4%",
        period="2024/25",
        wanted="higher",
        review="31 March 2027",
        source="DfE EYFS profile",
    )
    concern = Concern(
        key="lait:KS2RWM_Expected_STD",
        name="Key stage 2 reading, writing and maths",
        sentence="Key stage 2 ... is among the worst fifth of English areas.",
        period="2024/25",
        source="DfE KS2",
        reason="No recommendation rule covers this indicator.",
    )
    results = RuleResults(fired=[_rec()], actions=[action], concerns=[concern])
    plan = rc.action_plan("Testshire", 2025, results)
    assert plan.table.iloc[0].to_dict() == {
        "Recommendation": "Focus early years support",
        "Level of need": "universal",
        "Lead partners": "Health visiting service; Early years settings and schools",
        "Indicator to track": "School readiness, children eligible for free school meals",
        "Current value": "43.4%",
        "Period": "2024/25",
        "Direction wanted": "higher",
        "Review by": "31 March 2027",
        "Source": "DfE EYFS profile",
    }
    assert "31 March 2027, 2 years after this book's data year (2025)" in plan.summary
    other = rc.concerns("Testshire", results)
    assert other.title == "Other outcomes of concern"
    assert other.table["Why no recommendation acts on it"].tolist() == [concern.reason]
    assert other.summary.startswith("1 outcome for Testshire is significantly worse")
    assert rc.concerns("Testshire", RuleResults()).summary.startswith("Every outcome for")
    policy = rc.policy_context(load_policy())
    assert "15 December 2023" in policy.table["Date"].tolist()
    for section in (plan, other, policy):
        for column in section.table.columns:
            assert not INTERNAL.search(column) and "_" not in column


def test_worcestershire_chapter(worcs) -> None:
    assert [s.key for s in worcs.sections] == [
        "overview",
        "recommendations",
        "action_plan",
        "concerns",
        "policy",
        "not_fired",
    ]
    fired = worcs.results.fired
    t = worcs.section("overview").table
    assert t[t["Applies"] == "Yes"]["Recommendation"].tolist() == [r.title for r in fired]
    assert len(t) == len(load_rules())
    assert worcs.key_findings[0].startswith(
        f"{len(fired)} of the {len(load_rules())} recommendation rules apply to Worcestershire"
    )
    n = len(worcs.results.concerns)
    if n:
        assert worcs.key_findings[-1].startswith(f"{n} other outcome")
        assert worcs.key_findings[-1].endswith("listed with the reason no rule applied.")
    plan = worcs.section("action_plan").table
    assert set(plan["Recommendation"]) == {r.title for r in fired}
    assert set(plan["Review by"]) <= {"31 March 2026"}
    for s in worcs.sections:
        assert not INTERNAL.search(s.source), s.source
    details = worcs.section("recommendations").table
    assert len(details) == sum(len(r.triggers) for r in fired)
    appendix = worcs.section("not_fired").table
    assert len(appendix) == len(load_rules()) - len(fired)


def test_a_small_area_still_gets_a_chart_and_every_rule_listed() -> None:
    scilly = rc.build("E06000053", 2024)
    assert scilly.section("overview").chart is not None
    assert len(scilly.section("overview").table) == len(load_rules())
    assert len(scilly.results.fired) + len(scilly.results.not_fired) == len(load_rules())


def test_the_table_and_its_csv_cite_each_programme_with_strength_and_caveat() -> None:
    names = {"family_nurse_partnership": "Family Nurse Partnership"}
    strength = {"family_nurse_partnership": "strong"}
    caveats = {"family_nurse_partnership": "The UK trial found no short-term benefit."}
    results = RuleResults(fired=[_rec()])
    section = rc.details("Testshire", results, names, strength, caveats)
    assert section.table["Evidence entries"].tolist() == [
        "Family Nurse Partnership (strength of evidence: strong). Caveat: The UK trial found "
        "no short-term benefit."
    ]


def test_the_summary_cites_a_programme_as_the_recommendations_chapter_does(worcs) -> None:
    from needsbook.chapters import summary

    i = "family_nurse_partnership"
    (cited,) = summary.programme_citations((i,))
    html = rc.programme_html(rc.cite(i, worcs.names, worcs.strength, worcs.caveats))
    assert re.sub(r"<[^>]+>", "", html) == cited
    assert "found no short-term benefit" in cited


def test_chapter_titles_are_the_books() -> None:
    assert rc.chapter_title("05_services") == "Service provision"
    assert rc.chapter_link("05_services").endswith(">Service provision chapter</a>")


def test_one_rule_that_did_not_apply_is_singular() -> None:
    from needsbook.recommend.model import RuleCheck

    one = RuleResults(not_fired=[RuleCheck("x", "X", "Looks.", "Did not.")])
    assert rc.not_fired("Testshire", one).summary.startswith(
        "1 rule did not apply to Testshire. For it, the table says"
    )
    two = RuleResults(not_fired=one.not_fired * 2)
    assert rc.not_fired("Testshire", two).summary.startswith("2 rules did not apply")
