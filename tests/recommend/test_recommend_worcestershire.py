"""The rules on Worcestershire's real outcome findings (2024 data year), with and without the
2015 assessment's service findings, and on Rutland's."""

from __future__ import annotations

import pytest
from recommend_fakes import service

from needsbook.evidence.catalogue import load_catalogue
from needsbook.outcomes.findings import findings
from needsbook.recommend import recommend
from needsbook.recommend.engine import evaluate
from needsbook.recommend.rules import load_rules

WORCS, RUTLAND, YEAR = "E10000034", "E06000017", 2024


@pytest.fixture(scope="module")
def worcs():
    return findings(WORCS, YEAR)


def test_the_data_behind_the_worcestershire_recommendations(worcs) -> None:
    by_id = {f.indicator_id: f for f in worcs}
    fsm = by_id["lait:FSP_Gooddev_FSM"]
    assert (fsm.value, fsm.england, fsm.quintile, fsm.period) == (43.9, 51.5, 5, "2023/24")
    gld = by_id["lait:FSP_NEW_GOODDEV"]
    assert gld.direction == "similar"  # all-pupil school readiness is not worse
    cpp = by_id["csc:cpp_rate"]
    assert cpp.significant and cpp.direction == "worse" and cpp.getting_worse


def test_worcestershire_recommendations_from_public_data() -> None:
    res = recommend(WORCS, YEAR)
    fired = {r.rule_id: r for r in res.fired}
    assert {"school_readiness", "evidence_based_commissioning"} <= set(fired)
    assert {"social_care_practice", "adolescent_resilience"} <= set(fired)
    # breastfeeding is in the middle fifth, but infant mortality among the worst fifth
    assert [t.key for t in fired["maternal_focus"].triggers] == ["lait:InfMort"]
    assert "lait:InfMort" not in {c.key for c in res.concerns}
    gld = fired["school_readiness"]
    assert [(t.key, t.value, t.period) for t in gld.triggers] == [
        ("lait:FSP_Gooddev_FSM", 43.9, "2023/24")
    ]
    assert gld.priority == "medium"
    ebc = fired["evidence_based_commissioning"]
    assert ebc.priority == "high"  # child protection plans: significantly worse, getting worse
    assert "csc:cpp_rate" in [t.key for t in ebc.triggers]
    assert res.fired[0].priority == "high"
    assert len(res.fired) + len(res.not_fired) == len(load_rules())


def test_worcestershire_with_the_2015_service_findings(worcs) -> None:
    seed = [
        service("eha_targeting:most_deprived_40", 0.71, "worse"),
        service("eha_targeting:least_deprived_40", 4.0, "worse"),
        service(
            "specialist_midwifery_coverage",
            8.0,
            "worse",
            benchmark=12.5,
            benchmark_label="modelled share of births with intensive need",
            unit="%",
        ),
        service("cc_no_deprived_lsoa", 34.5, "worse", benchmark=None, unit="%"),
    ]
    res = evaluate(load_rules(), worcs, seed, load_catalogue())
    fired = {r.rule_id: r for r in res.fired}
    assert {"eha_targeting", "hcp_coverage", "childrens_centres"} <= set(fired)
    assert fired["eha_targeting"].triggers[0].value == 0.71
    assert fired["hcp_coverage"].triggers[0].comparison == (
        "8% against modelled share of births with intensive need (12.5%)"
    )


def test_rutland_recommendations() -> None:
    res = recommend(RUTLAND, YEAR)
    fired = {r.rule_id: r for r in res.fired}
    assert {"school_readiness", "hcp_coverage"} <= set(fired)
    assert "evidence_based_commissioning" not in fired
    assert fired["hcp_coverage"].triggers[0].key == "lait:HCP_PHOF"
    checks = {c.rule_id: c for c in res.not_fired}
    assert "no programme with strong evidence for obesity and physical health" in (
        checks["evidence_based_commissioning"].outcome
    )


def test_worcestershire_book_has_no_local_service_findings() -> None:
    """The default book has no local service data (the 2015 worked example is an example, not
    this area's current data): the rules on local services are listed as not checked."""
    res = recommend(WORCS, YEAR)
    fired = {r.rule_id for r in res.fired}
    assert not fired & {"eha_targeting", "childrens_centres", "outcome_measurement"}
    checks = {c.rule_id: c for c in res.not_fired}
    assert "not described, so not checked" in checks["eha_targeting"].outcome
    # vaccination below 95% but better than England is no reason to act
    hcp = checks["hcp_coverage"].outcome
    assert "MMR first dose at 24 months: better" in hcp
    assert "never a reason to act" in hcp
