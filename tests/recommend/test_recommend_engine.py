"""The rules fire, and do not fire, on constructed outcome and service findings."""

from __future__ import annotations

import pytest
from recommend_fakes import outcome, service, with_, worse_getting_worse

from needsbook.evidence.strength import rating_strength, strengths
from needsbook.recommend.engine import evaluate
from needsbook.recommend.model import RuleResults
from needsbook.recommend.rules import Condition, Predicate, Rule


def run(rules, catalogue, outcomes, services=()) -> RuleResults:
    return evaluate(rules, outcomes, list(services), catalogue)


def fired(results: RuleResults) -> dict:
    return {r.rule_id: r for r in results.fired}


def checks(results: RuleResults) -> dict:
    return {c.rule_id: c for c in results.not_fired}


def test_nothing_fires_when_everything_is_similar_to_england(rules, catalogue, base) -> None:
    res = run(rules, catalogue, base)
    assert res.fired == []
    assert [c.rule_id for c in res.not_fired] == [r.id for r in rules]
    gld = checks(res)["school_readiness"]
    assert gld.checked.startswith("School readiness: significantly worse than England or among")
    assert gld.outcome.startswith("School readiness: similar (2023/24), no significant change;")
    eha = checks(res)["eha_targeting"]
    assert "not described, so not checked" in eha.outcome


def test_school_readiness_fires_on_fsm_gld_in_the_worst_fifth(rules, catalogue, base) -> None:
    fsm = outcome("lait:FSP_Gooddev_FSM", "worse", quintile=5, value=43.9, england=51.5)
    rec = fired(run(rules, catalogue, with_(base, fsm)))["school_readiness"]
    assert rec.priority == "medium"
    assert rec.chapter == "03_outcomes"
    (t,) = rec.triggers
    assert t.key == "lait:FSP_Gooddev_FSM"
    assert t.value == 43.9
    assert t.period == "2023/24"
    assert t.comparison == "among the worst fifth of English areas (England 51.5%)"
    assert t.source == "DfE Early years foundation stage profile results, via DfE LAIT"
    assert t.chapter == "03_outcomes"
    assert t.sentence == fsm.sentence
    # early-development programmes for 0-5 with at least moderate evidence, strongest first
    strength = strengths(catalogue)
    assert rec.evidence
    assert all(strength[i] in ("strong", "moderate") for i in rec.evidence)
    ranks = [("strong", "moderate").index(strength[i]) for i in rec.evidence]
    assert ranks == sorted(ranks)
    assert "family_nurse_partnership" in rec.evidence


def test_school_readiness_high_when_in_worst_fifth_and_getting_worse(
    rules, catalogue, base
) -> None:
    gld = outcome(
        "lait:FSP_NEW_GOODDEV",
        "worse",
        quintile=5,
        trend="Decreasing",
        trend_label="Decreasing and getting worse",
    )
    rec = fired(run(rules, catalogue, with_(base, gld)))["school_readiness"]
    assert rec.priority == "high"
    assert "getting worse (2019/20 to 2023/24)" in rec.triggers[0].comparison


def test_second_worst_fifth_is_not_enough_for_school_readiness(rules, catalogue, base) -> None:
    gld = outcome("lait:FSP_NEW_GOODDEV", "worse", quintile=4)
    res = run(rules, catalogue, with_(base, gld))
    assert "school_readiness" not in fired(res)
    assert "School readiness: 2nd worst 20% (2023/24)" in checks(res)["school_readiness"].outcome


def test_eha_retargeting_fires_on_the_open_need_model_ratio(rules, catalogue, base) -> None:
    most = service("eha_targeting:most_deprived_40", 0.71, "worse")
    least = service("eha_targeting:least_deprived_40", 4.0, "worse")
    rec = fired(run(rules, catalogue, base, [most, least]))["eha_targeting"]
    assert [t.key for t in rec.triggers] == [
        "eha_targeting:most_deprived_40",
        "eha_targeting:least_deprived_40",
    ]
    assert rec.triggers[0].comparison == "a ratio of 0.71 (1 = in proportion to need)"
    assert rec.triggers[0].source == "local data: test.csv"
    assert rec.priority == "medium"
    assert rec.chapter == "05_services"
    assert rec.evidence == ("local_early_help_family_support",)


def test_eha_retargeting_does_not_fire_when_in_proportion(rules, catalogue, base) -> None:
    ok = service("eha_targeting:most_deprived_40", 1.05, "better")
    res = run(rules, catalogue, base, [ok])
    assert "eha_targeting" not in fired(res)
    assert "a ratio of 1.05 (1 = in proportion to need)" in checks(res)["eha_targeting"].outcome


def test_hcp_coverage_fires_on_a_local_review_or_the_public_indicator(
    rules, catalogue, base
) -> None:
    hv = service(
        "hv_coverage:new_birth", 82.0, "worse", benchmark=95, benchmark_label="target", unit="%"
    )
    rec = fired(run(rules, catalogue, base, [hv]))["hcp_coverage"]
    assert rec.triggers[0].key == "hv_coverage:new_birth"
    assert rec.triggers[0].comparison == "82% against target (95%)"
    public = outcome("lait:HCP_PHOF", "worse", quintile=5, value=90.4, england=93.3)
    rec = fired(run(rules, catalogue, with_(base, public)))["hcp_coverage"]
    assert rec.triggers[0].key == "lait:HCP_PHOF"
    midwives = service(
        "specialist_midwifery_coverage", 8.0, "worse", benchmark=12.5, benchmark_label="need"
    )
    assert "hcp_coverage" in fired(run(rules, catalogue, base, [midwives]))
    covered = service("hv_coverage:6_8_weeks", 97.0, "better", benchmark=95, unit="%")
    assert "hcp_coverage" not in fired(run(rules, catalogue, base, [covered]))


def test_hcp_coverage_fires_on_vaccination_below_the_95_percent_goal(
    rules, catalogue, base
) -> None:
    mmr2 = outcome("cover:MMR2_Boo_5y", "similar", value=90.1, england=90.4)
    rec = fired(run(rules, catalogue, with_(base, mmr2)))["hcp_coverage"]
    (t,) = rec.triggers
    assert t.key == "cover:MMR2_Boo_5y"
    assert t.comparison.startswith("90.1%, below 95; similar compared with England (90.4%)")
    assert rec.priority == "medium"
    at_goal = outcome("cover:MMR2_Boo_5y", "similar", value=95.0, england=94.1)
    assert "hcp_coverage" not in fired(run(rules, catalogue, with_(base, at_goal)))


def test_childrens_centres_threshold_on_centres_without_deprived_areas(
    rules, catalogue, base
) -> None:
    third = service("cc_no_deprived_lsoa", 34.5, "worse", benchmark=None, unit="%")
    rec = fired(run(rules, catalogue, base, [third]))["childrens_centres"]
    assert rec.triggers[0].comparison == "34.5% against in proportion to need, 33 or more"
    few = service("cc_no_deprived_lsoa", 20.0, "similar", benchmark=None, unit="%")
    res = run(rules, catalogue, base, [few])
    assert "childrens_centres" not in fired(res)
    reach = service("cc_reach:most_deprived_30", 49.0, "similar", benchmark=65, unit="%")
    assert "childrens_centres" in fired(run(rules, catalogue, base, [reach]))  # below 65


def test_service_worse_and_rising_is_high_priority(rules, catalogue, base) -> None:
    rerefer = service("demand:re_referrals", 28.0, "worse", benchmark=22.4, rising=True)
    rec = fired(run(rules, catalogue, base, [rerefer]))["social_care_practice"]
    assert rec.priority == "high"
    assert rec.triggers[0].comparison.endswith("rising")


def test_social_care_and_commissioning_fire_and_sort_high_first(rules, catalogue, base) -> None:
    fsm = outcome("lait:FSP_Gooddev_FSM", "worse", quintile=5)
    cla = worse_getting_worse("csc:cla_rate")
    cpp = worse_getting_worse("csc:cpp_rate")
    res = run(rules, catalogue, with_(base, fsm, cla, cpp))
    order = [r.rule_id for r in res.fired]
    assert order == ["social_care_practice", "evidence_based_commissioning", "school_readiness"]
    assert [r.priority for r in res.fired] == ["high", "high", "medium"]
    ebc = fired(res)["evidence_based_commissioning"]
    assert [t.key for t in ebc.triggers] == ["csc:cpp_rate"]  # cla has no domain
    assert ebc.chapter == "08_evidence"
    strength = strengths(catalogue)
    assert ebc.evidence and all(strength[i] == "strong" for i in ebc.evidence)
    domains = catalogue.domains
    abuse = set(domains.loc[domains["outcome_domain"] == "abuse_neglect", "programme_id"])
    assert set(ebc.evidence) <= abuse


def test_commissioning_needs_strong_evidence_for_the_domain(rules, catalogue, base) -> None:
    obese = outcome("lait:ExcessRec", "worse", quintile=4)
    res = run(rules, catalogue, with_(base, obese))
    assert "evidence_based_commissioning" not in fired(res)
    assert checks(res)["evidence_based_commissioning"].outcome == (
        "Overweight or obese in Reception meets the condition, but the evidence catalogue has "
        "no programme with strong evidence for obesity and physical health."
    )


def test_no_data_never_fires(rules, catalogue, base) -> None:
    missing = outcome("lait:HCP_PHOF", "worse", quintile=5, value=None)
    res = run(
        rules, catalogue, with_(base, missing), [service("hv_coverage:antenatal", None, "no data")]
    )
    assert "hcp_coverage" not in fired(res)
    assert "2-2½ year reviews using ASQ-3: no data" in checks(res)["hcp_coverage"].outcome


def test_a_not_applicable_ratio_never_fires_and_says_so(rules, catalogue, base) -> None:
    na = service("eha_targeting:most_deprived_40", None, "not applicable")
    res = run(rules, catalogue, base, [na])
    assert "eha_targeting" not in fired(res)
    assert "Test measure eha_targeting:most_deprived_40: not applicable;" in (
        checks(res)["eha_targeting"].outcome
    )


def test_match_all_needs_every_condition(catalogue, base) -> None:
    rule = Rule(
        id="demand_and_outcomes",
        title="Integrate the system",
        recommendation="Do it.",
        why="Because.",
        conditions=(
            Condition("service", "demand:cin", (Predicate("rising"),)),
            Condition("indicator", "lait:FSP_NEW_GOODDEV", (Predicate("worse"),)),
        ),
        chapter="05_services",
        match="all",
    )
    rising = service("demand:cin", 340.0, "higher", rising=True, benchmark=331)
    res = evaluate([rule], base, [rising], catalogue)
    assert res.fired == []
    assert "and the rule needs every condition" in res.not_fired[0].outcome
    gld = outcome("lait:FSP_NEW_GOODDEV", "worse", quintile=4)
    res = evaluate([rule], with_(base, gld), [rising], catalogue)
    (rec,) = res.fired
    assert rec.priority == "low"  # rising demand, second-worst fifth
    assert [t.key for t in rec.triggers] == ["demand:cin", "lait:FSP_NEW_GOODDEV"]


def test_fixed_priority_overrides_severity(rules, catalogue, base) -> None:
    none = service("eha_outcome_measure", 0.0, "worse", benchmark=1, unit="")
    rec = fired(run(rules, catalogue, base, [none]))["outcome_measurement"]
    assert rec.priority == "medium"


@pytest.mark.parametrize(
    ("scale", "rating", "expected"),
    [
        ("PPET stars", "4 stars", "strong"),
        ("PPET stars", "4 stars - 'promising evidence base' (as printed)", "strong"),
        ("PPET stars", "3 stars", "moderate"),
        ("PPET stars", "1 star", "weak"),
        ("NICE guideline", "recommended for vulnerable under-5s", "strong"),
        ("EIF Guidebook", "4+", "strong"),
        ("EIF Guidebook", "2", "moderate"),
        ("EIF Guidebook", "NL2", "weak"),
        ("Statement in the 2015 assessment", "effective", "not graded"),
    ],
)
def test_rating_strength(scale: str, rating: str, expected: str) -> None:
    assert rating_strength(scale, rating) == expected


def test_high_looked_after_demand_alone_is_low_priority(rules, catalogue, base) -> None:
    cla = service(
        "demand:cla", 87.2, "higher", benchmark=69.3, benchmark_label="England", unit="per 10,000"
    )
    rec = fired(run(rules, catalogue, base, [cla]))["social_care_practice"]
    assert rec.priority == "low"
    assert rec.triggers[0].comparison == "87.2 per 10,000 against England (69.3 per 10,000)"
