"""Service findings for Worcestershire with the worked example's figures moved to recent
periods (so they count as evidence about services now), and for Rutland without local data."""

from __future__ import annotations

import pytest

from needsbook.local.analysis import round_half_up
from needsbook.services.findings import (
    BETTER,
    KEYS,
    LOWER,
    SIMILAR,
    WORSE,
    service_findings,
)

YEAR = 2024


@pytest.fixture(scope="module")
def worcs(recent_example) -> dict:
    return {f.key: f for f in service_findings("E10000034", YEAR, local_dir=recent_example)}


@pytest.fixture(scope="module")
def rutland() -> dict:
    return {f.key: f for f in service_findings("E06000017", YEAR)}


def test_every_key_is_named_in_keys(worcs, rutland):
    assert set(worcs) <= set(KEYS)
    assert set(rutland) <= set(KEYS)


def test_targeting_with_the_open_need_model(worcs):
    most = worcs["eha_targeting:most_deprived_40"]
    least = worcs["eha_targeting:least_deprived_40"]
    # 51.96% of EHAs against 35.3% of need; 28.24% against 41.5% (open model, 2024)
    assert round_half_up(most.value, 2) == 1.47
    assert round_half_up(least.value, 2) == 0.68
    assert most.direction == BETTER and least.direction == BETTER
    assert most.benchmark == 1.0 and most.unit == "ratio"
    assert most.period == "August 2023 to March 2025"
    assert most.sentence == (
        "From August 2023 to March 2025, the most deprived 40% of areas received 52.0% of early "
        "help assessments against 35.3% of modelled need: a targeting ratio of 1.47, more than "
        "their share of need (the council's early help assessment records)."
    )
    assert most.source == "the council's early help assessment records; the book's open need model"


def test_one_need_model_for_targeting(worcs):
    """Only the book's own need model judges targeting: no second set of ratios."""
    assert [k for k in worcs if k.startswith("eha_targeting")] == [
        "eha_targeting:most_deprived_40",
        "eha_targeting:least_deprived_40",
    ]
    assert not [k for k in KEYS if "seed" in k]


def test_children_centre_reach_against_ofsted(worcs):
    allc, dep = worcs["cc_reach:all"], worcs["cc_reach:most_deprived_30"]
    assert (allc.value, allc.period, allc.direction) == (71.0, "2024-25", BETTER)
    assert (dep.value, dep.period, dep.direction) == (56.0, "2024-25", WORSE)
    assert dep.benchmark == 65.0
    nd = worcs["cc_no_deprived_lsoa"]
    assert round_half_up(nd.value, 1) == 34.5  # 10 of 29 centres
    assert "10 of Worcestershire's 29" in nd.sentence


def test_specialist_midwifery_and_outcome_measure(worcs):
    sm = worcs["specialist_midwifery_coverage"]
    assert sm.value == 7.5  # 450 / 6,000 births; the 2015 assessment's "about 8%"
    assert round_half_up(sm.benchmark, 1) == 6.1  # open model, intensive share of 0-4s
    assert sm.direction == BETTER


def test_distance_travelled_is_not_a_validated_outcome_measure(worcs):
    """Distance travelled is recorded, but it is not a validated outcome tool: the finding is
    worse, so the rule on measuring outcomes with a validated tool can fire."""
    om = worcs["eha_outcome_measure"]
    assert (om.value, om.direction) == (0.0, WORSE)
    assert om.sentence == (
        "Outcomes of early help assessments are recorded from August 2023 to March 2025 as "
        "distance travelled (change in scores from start to end), but not with a validated "
        "outcome tool (the council's early help distance-travelled scores)."
    )


def test_the_outcome_measurement_rule_fires_on_recent_data(recent_example):
    from needsbook.recommend.model import recommend

    fired = {r.rule_id: r for r in recommend("E10000034", YEAR, local_dir=recent_example).fired}
    assert [t.key for t in fired["outcome_measurement"].triggers] == ["eha_outcome_measure"]


def test_no_health_visiting_without_the_template(worcs):
    assert not [k for k in worcs if k.startswith("hv_coverage:")]


def test_demand_findings(worcs, rutland):
    cpp = worcs["demand:cpp"]
    assert round_half_up(cpp.value, 1) == 49.8
    assert cpp.direction == WORSE and cpp.rising is True  # the catalogue: lower is better
    assert cpp.period == "31 March 2024" and "children in need" in cpp.source
    ref = worcs["demand:referrals"]
    assert ref.direction == LOWER and ref.rising is False  # decreasing over the latest 5 years
    assert "1.45 times its 2012/13 value" in ref.sentence
    assert worcs["demand:re_referrals"].direction == BETTER
    assert worcs["demand:cin"].direction == SIMILAR and worcs["demand:cin"].rising is True
    ehc = worcs["demand:ehc_plans"]
    assert ehc.value == 37.2 and ehc.direction == WORSE  # 45.9% in England, no CI (LAIT)
    assert rutland["demand:cla"].direction == BETTER
    assert not [k for k in rutland if not k.startswith("demand:")]  # no local data


def test_local_dir_with_small_numbers_hides_the_ratio(recent_small):
    items = {f.key: f for f in service_findings("E10000034", YEAR, local_dir=recent_small)}
    hv = items["hv_coverage:new_birth"]
    assert hv.value is None and hv.direction == "no data"
    assert items["hv_coverage:6_8_weeks"].value == 80.0
    assert items["hv_coverage:6_8_weeks"].direction == WORSE


def test_targeting_for_the_2020_data_year(recent_example):
    items = {f.key: f for f in service_findings("E10000034", 2020, local_dir=recent_example)}
    assert round_half_up(items["eha_targeting:most_deprived_40"].value, 2) == 1.43
    assert round_half_up(items["eha_targeting:least_deprived_40"].value, 2) == 0.70


def test_no_sentence_names_a_file_or_the_model_report_s_workings(worcs):
    for f in worcs.values():
        assert ".csv" not in f.sentence + f.source and "seed" not in f.sentence.lower(), f.key
