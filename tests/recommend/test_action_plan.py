"""The action plan: one row per recommendation and tracked measure, with the level of need,
lead partners, the measure's current value as the findings give it, the direction wanted and
a review date fixed by the data year."""

from __future__ import annotations

from recommend_fakes import neutral_outcomes, outcome, service, with_, worse_getting_worse

from needsbook.recommend.action_plan import NOT_DESCRIBED, action_plan, review_date
from needsbook.recommend.engine import evaluate


def plan(rules, catalogue, outcomes, services=(), year=2025):
    res = evaluate(rules, outcomes, list(services), catalogue)
    return action_plan(rules, res.fired, outcomes, list(services), year)


def test_review_date_follows_the_data_year() -> None:
    assert review_date(2025) == "31 March 2027"
    assert review_date(2024) == "31 March 2026"


def test_a_row_for_an_indicator_tracked_by_the_rule(rules, catalogue) -> None:
    fsm = outcome("lait:FSP_Gooddev_FSM", "worse", quintile=5, value=43.4, england=51.3)
    (row,) = plan(rules, catalogue, with_(neutral_outcomes(), fsm))
    assert row.rule_id == "school_readiness"
    assert row.level == "universal"
    assert row.lead_partners[0] == "Council early years and childcare service"
    assert (row.measure, row.current, row.period) == (
        "School readiness, children eligible for free school meals",
        "43.4%",
        "2023/24",
    )
    assert row.wanted == "higher"  # High is good
    assert row.review == "31 March 2027"
    assert row.source == "DfE Early years foundation stage profile results, via DfE LAIT"


def test_a_lower_is_better_indicator_wants_lower(rules, catalogue) -> None:
    cla = worse_getting_worse("csc:cla_rate")
    rows = plan(rules, catalogue, with_(neutral_outcomes(), cla))
    social = next(r for r in rows if r.rule_id == "social_care_practice")
    assert (social.measure, social.wanted, social.level) == (
        "Children looked after",
        "lower",
        "specialist",
    )


def test_from_triggers_gives_one_row_per_finding(rules, catalogue) -> None:
    inf = outcome("lait:InfMort", "worse", quintile=5, value=5.4, england=4.1)
    lbw = outcome("lait:Low_Birth_Weight_Babies", "worse", quintile=5, value=3.2, england=2.9)
    rows = [
        r
        for r in plan(rules, catalogue, with_(neutral_outcomes(), inf, lbw))
        if r.rule_id == "maternal_focus"
    ]
    assert [r.measure for r in rows] == ["Low birth weight of term babies", "Infant mortality"]
    assert rows[1].current == "5.4 per 1,000 live births"
    assert {r.wanted for r in rows} == {"lower"}


def test_a_service_measure_aims_for_its_benchmark(rules, catalogue) -> None:
    most = service("eha_targeting:most_deprived_40", 0.71, "worse")
    (row,) = plan(rules, catalogue, neutral_outcomes(), [most])
    assert (row.measure, row.current, row.wanted) == (
        "Test measure eha_targeting:most_deprived_40",
        "a ratio of 0.71",
        "towards in proportion to need (a ratio of 1)",
    )
    assert row.level == "early help" and row.period == "2013-08/2015-03"


def test_a_tracked_measure_with_no_finding_says_so(rules, catalogue) -> None:
    """Children's centres fire on centres without deprived areas; reach was not supplied."""
    third = service("cc_no_deprived_lsoa", 34.5, "worse", benchmark=None, unit="%")
    (row,) = plan(rules, catalogue, neutral_outcomes(), [third])
    assert row.rule_id == "childrens_centres"
    assert row.current == NOT_DESCRIBED
    assert row.measure.startswith("Children's centre reach of under-fives")


def test_no_recommendation_no_plan(rules, catalogue) -> None:
    assert plan(rules, catalogue, neutral_outcomes()) == []


def test_a_tracked_indicator_with_no_data_gives_way_to_the_triggers(rules, catalogue) -> None:
    """The health child programme rule fires on vaccination below 95%; the review indicator it
    tracks has no data, so the plan tracks the vaccination finding instead."""
    dtap = outcome("cover:DTaPIPVHib3_12m", value=92.3, england=92.0)
    reviews = outcome("lait:HCP_PHOF", value=None, england=None)
    rows = [
        r
        for r in plan(rules, catalogue, with_(neutral_outcomes(), dtap, reviews))
        if r.rule_id == "hcp_coverage"
    ]
    assert [(r.measure, r.current) for r in rows] == [(dtap.name, "92.3%")]
    assert rows[0].period == "2023/24" and rows[0].wanted == "higher"


def test_a_tracked_indicator_with_data_is_tracked_whatever_fired(rules, catalogue) -> None:
    dtap = outcome("cover:DTaPIPVHib3_12m", value=92.3, england=92.0)
    reviews = outcome("lait:HCP_PHOF", value=80.0, england=80.0)
    rows = [
        r
        for r in plan(rules, catalogue, with_(neutral_outcomes(), dtap, reviews))
        if r.rule_id == "hcp_coverage"
    ]
    assert [r.measure for r in rows] == [reviews.name]
