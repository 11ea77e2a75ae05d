"""Rules respect their evidence: a finding better than England or getting better never fires a
rule (not even through a threshold); a demand measure counts once with its outcome finding;
programmes below a rule's minimum strength, or with little or no evidence, are never listed as
evidence; and every outcome of concern is behind a recommendation or listed with a reason."""

from __future__ import annotations

from dataclasses import replace

from recommend_fakes import (
    fake_catalogue,
    improving,
    outcome,
    service,
    with_,
    worse_getting_worse,
)

from needsbook.polarity import JUDGED
from needsbook.recommend.concerns import is_concern
from needsbook.recommend.engine import evaluate
from needsbook.recommend.model import RuleResults
from needsbook.recommend.rules import Condition, EvidenceSpec, Predicate, Rule


def fired(res: RuleResults) -> dict:
    return {r.rule_id: r for r in res.fired}


def checks(res: RuleResults) -> dict:
    return {c.rule_id: c for c in res.not_fired}


def concerns(res: RuleResults) -> dict:
    return {c.key: c for c in res.concerns}


# --- favourable findings never fire a rule -------------------------------------------------


def test_coverage_below_95_but_better_than_england_is_no_trigger(rules, catalogue, base) -> None:
    """The MMR case: below the 95% goal, but significantly better than England."""
    mmr = outcome("cover:MMR1_24m", "better", significant=True, value=94.1, england=89.0)
    res = evaluate(rules, with_(base, mmr), [], catalogue)
    assert "hcp_coverage" not in fired(res)
    assert (
        "MMR first dose at 24 months: better (2023/24), no significant change (better than "
        "England: never a reason to act)" in checks(res)["hcp_coverage"].outcome
    )
    similar = outcome("cover:MMR1_24m", "similar", value=94.1, england=94.0)
    (t,) = fired(evaluate(rules, with_(base, similar), [], catalogue))["hcp_coverage"].triggers
    assert t.key == "cover:MMR1_24m"


def test_best_two_fifths_count_as_better_than_england(rules, catalogue, base) -> None:
    fsm = outcome("lait:FSP_Gooddev_FSM", "better", quintile=2, value=60.0, england=51.5)
    rule = Rule(
        id="low_bar",
        title="Act below 70",
        recommendation="Do it.",
        why="Because.",
        conditions=(Condition("indicator", "lait:FSP_Gooddev_FSM", (Predicate("below", 70),)),),
        chapter="03_outcomes",
    )
    assert evaluate([rule], with_(base, fsm), [], catalogue).fired == []


def test_improving_finding_is_no_trigger_and_is_listed_with_the_reason(
    rules, catalogue, base
) -> None:
    cla = improving("csc:cla_rate", value=90.0, england=67.0)
    res = evaluate(rules, with_(base, cla), [], catalogue)
    assert "social_care_practice" not in fired(res)
    assert "never a reason to act" in checks(res)["social_care_practice"].outcome
    assert concerns(res)["csc:cla_rate"].reason == (
        "It is getting better; the rules never act on a finding that is getting better."
    )


def test_demand_measure_of_a_favourable_indicator_is_no_trigger(rules, catalogue, base) -> None:
    """Children looked after better than England: its demand finding (higher, rising) is the
    same fact and cannot fire the social care rule either."""
    cla = outcome("csc:cla_rate", "better", significant=True, value=50.0, england=67.0)
    demand = service(
        "demand:cla", 50.0, "higher", benchmark=67.0, benchmark_label="England", rising=True
    )
    res = evaluate(rules, with_(base, cla), [demand], catalogue)
    assert "social_care_practice" not in fired(res)


def test_demand_measure_and_its_outcome_finding_count_once(rules, catalogue, base) -> None:
    cla = worse_getting_worse("csc:cla_rate")
    demand = service(
        "demand:cla", 86.2, "higher", benchmark=67.1, benchmark_label="England", rising=True
    )
    rec = fired(evaluate(rules, with_(base, cla), [demand], catalogue))["social_care_practice"]
    assert [t.key for t in rec.triggers] == ["csc:cla_rate"]
    alone = fired(evaluate(rules, base, [demand], catalogue))["social_care_practice"]
    assert [t.key for t in alone.triggers] == ["demand:cla"]  # no outcome finding holds


def test_no_rule_acts_on_the_model_reports_unpublished_need_shares(rules) -> None:
    named = {c.target for r in rules for c in r.conditions if c.subject == "service"}
    assert not any(k.startswith("eha_targeting_seed") for k in named)
    retarget = next(r for r in rules if r.id == "eha_targeting")
    assert {c.target for c in retarget.conditions} == {
        "eha_targeting:most_deprived_40",
        "eha_targeting:least_deprived_40",
    }


# --- evidence -------------------------------------------------------------------------------


def _rule(ids: tuple[str, ...], minimum: str, domains: tuple[str, ...] = ()) -> Rule:
    return Rule(
        id="early_years",
        title="Improve school readiness",
        recommendation="Do it.",
        why="Because.",
        conditions=(Condition("indicator", "lait:FSP_Gooddev_FSM", (Predicate("worst_fifth"),)),),
        chapter="03_outcomes",
        evidence=EvidenceSpec(ids=ids, domains=domains, min_strength=minimum),
    )


FAKE = [
    ("strong_one", "early_development", "strong", "A trial found no benefit."),
    ("moderate_one", "early_development", "moderate", ""),
    ("ungraded_one", "early_development", "not graded", ""),
    ("no_effect", "early_development", "little or no evidence", ""),
]


def test_min_strength_applies_to_explicit_ids(base) -> None:
    fsm = outcome("lait:FSP_Gooddev_FSM", "worse", quintile=5)
    cat = fake_catalogue(FAKE)
    rule = _rule(("ungraded_one", "strong_one"), "moderate", ("early_development",))
    (rec,) = evaluate([rule], with_(base, fsm), [], cat).fired
    assert rec.evidence == ("strong_one", "moderate_one")
    assert rec.little_evidence == ()


def test_little_or_no_evidence_is_never_evidence_even_when_named(base) -> None:
    fsm = outcome("lait:FSP_Gooddev_FSM", "worse", quintile=5)
    cat = fake_catalogue(FAKE)
    rule = _rule(("no_effect", "ungraded_one"), "any", ("early_development",))
    (rec,) = evaluate([rule], with_(base, fsm), [], cat).fired
    assert "no_effect" not in rec.evidence
    assert rec.evidence[0] == "ungraded_one"
    assert rec.little_evidence == ("no_effect",)


def test_childrens_centres_rule_lists_stay_and_play_and_baby_yoga_apart(
    rules, catalogue, base
) -> None:
    from needsbook.evidence.strength import strengths

    reach = service("cc_reach:most_deprived_30", 49.0, "worse", benchmark=65, unit="%")
    rec = fired(evaluate(rules, base, [reach], catalogue))["childrens_centres"]
    strength = strengths(catalogue)
    assert all(strength[i] != "little or no evidence" for i in rec.evidence)
    assert set(rec.little_evidence) == {
        i for i in ("stay_and_play", "baby_yoga") if strength[i] == "little or no evidence"
    }


# --- outcomes of concern --------------------------------------------------------------------


def test_infant_mortality_in_the_worst_fifth_is_behind_the_maternal_rule(
    rules, catalogue, base
) -> None:
    inf = outcome("lait:InfMort", "worse", quintile=5, value=5.4, england=4.1)
    res = evaluate(rules, with_(base, inf), [], catalogue)
    rec = fired(res)["maternal_focus"]
    assert [t.key for t in rec.triggers] == ["lait:InfMort"]
    assert "lait:InfMort" not in concerns(res)


def test_an_uncovered_outcome_is_listed_with_the_reason(rules, catalogue, base) -> None:
    ks2 = outcome("lait:KS2RWM_Expected_STD", "worse", quintile=5)
    res = evaluate(rules, with_(base, ks2), [], catalogue)
    (c,) = res.concerns
    assert (c.key, c.reason) == (
        "lait:KS2RWM_Expected_STD",
        "No recommendation rule covers this indicator.",
    )
    assert c.sentence == ks2.sentence and c.period == "2023/24"


def test_a_rule_that_did_not_apply_gives_its_reason(rules, catalogue, base) -> None:
    obese = outcome("lait:ExcessRec", "worse", quintile=5)
    (c,) = evaluate(rules, with_(base, obese), [], catalogue).concerns
    assert c.reason.startswith(
        "The rule “Commission early help programmes with a rated evidence base” did not "
        "apply: overweight or obese in Reception meets the condition, but the evidence "
        "catalogue has no programme with strong evidence for obesity and physical health"
    )


def test_a_rule_that_needs_other_predicates_says_so(catalogue, base) -> None:
    rule = Rule(
        id="trend_only",
        title="Act on worsening readiness",
        recommendation="Do it.",
        why="Because.",
        conditions=(Condition("indicator", "lait:FSP_NEW_GOODDEV", (Predicate("getting_worse"),)),),
        chapter="03_outcomes",
    )
    gld = outcome("lait:FSP_NEW_GOODDEV", "worse", significant=True)
    (c,) = evaluate([rule], with_(base, gld), [], catalogue).concerns
    assert c.reason == (
        "The rule “Act on worsening readiness” acts on it only when it is getting worse."
    )


def test_better_than_england_but_getting_worse_is_listed(rules, catalogue, base) -> None:
    cin = outcome(
        "csc:cin_rate",
        "better",
        significant=True,
        trend="Increasing",
        trend_label="Increasing and getting worse",
    )
    res = evaluate(rules, with_(base, cin), [], catalogue)
    assert not res.fired
    assert concerns(res)["csc:cin_rate"].reason == (
        "It is better than England, although it is getting worse; the rules never act on a "
        "finding that is better than England."
    )


def test_every_outcome_of_concern_is_acted_on_or_accounted_for(rules, catalogue, base) -> None:
    """Everything significantly worse (or in the worst fifth) at once."""
    worse = [
        outcome(f.indicator_id, "worse", significant=True)
        if f.indicator_id.startswith(("csc:", "neet:"))
        else outcome(f.indicator_id, "worse", quintile=5)
        for f in base
        if f.polarity in JUDGED
    ]
    items = with_(base, *worse)
    res = evaluate(rules, items, [], catalogue)
    cited = {t.key for r in res.fired for t in r.triggers}
    listed = {c.key for c in res.concerns}
    of_concern = {f.indicator_id for f in items if is_concern(f)}
    assert of_concern and of_concern == cited | listed
    assert not cited & listed
    assert all(c.reason for c in res.concerns)


def _requiring(ids: tuple[str, ...], minimum: str, domains=(), limit: int = 8) -> Rule:
    rule = _rule(ids, minimum, domains)
    return replace(
        rule,
        require_evidence=True,
        evidence=replace(rule.evidence, limit=limit),
    )


def test_explicit_ids_filling_the_limit_leave_the_domain_evidence_counted(base) -> None:
    fsm = outcome("lait:FSP_Gooddev_FSM", "worse", quintile=5)
    rule = _requiring(("strong_one",), "moderate", ("early_development",), limit=1)
    (rec,) = evaluate([rule], with_(base, fsm), [], fake_catalogue(FAKE)).fired
    assert rec.evidence == ("strong_one",)


def test_explicit_ids_alone_can_meet_require_evidence(base) -> None:
    fsm = outcome("lait:FSP_Gooddev_FSM", "worse", quintile=5)
    cat = fake_catalogue(FAKE)
    (rec,) = evaluate([_requiring(("moderate_one",), "moderate")], with_(base, fsm), [], cat).fired
    assert rec.evidence == ("moderate_one",)
    res = evaluate([_requiring(("ungraded_one",), "moderate")], with_(base, fsm), [], cat)
    assert not res.fired
    (check,) = res.not_fired
    assert check.outcome.endswith(
        "meets the condition, but the programme the rule names does not have moderate evidence."
    )


def test_require_evidence_says_what_was_looked_for(base) -> None:
    fsm = outcome("lait:FSP_Gooddev_FSM", "worse", quintile=5)
    rule = _requiring(("ungraded_one", "no_effect"), "strong", ("obesity_physical",))
    (check,) = evaluate([rule], with_(base, fsm), [], fake_catalogue(FAKE)).not_fired
    assert check.outcome.endswith(
        "but the evidence catalogue has no programme with strong evidence for obesity and "
        "physical health, and none of the programmes the rule names has strong evidence."
    )


# --- a service finding better than its benchmark -------------------------------------------


def test_a_service_better_than_its_benchmark_never_fires_whatever_the_predicate(base) -> None:
    rule = Rule(
        id="reviews",
        title="Complete the reviews",
        recommendation="Do it.",
        why="Because.",
        conditions=(Condition("service", "hv_coverage:*", (Predicate("below", 95.0),)),),
        chapter="05_services",
    )
    met = service(
        "hv_coverage:new_birth", 92.0, "better", benchmark=90.0, benchmark_label="target", unit="%"
    )
    res = evaluate([rule], base, [met], fake_catalogue(FAKE))
    assert not res.fired
    (check,) = res.not_fired
    assert "(better than its benchmark: never a reason to act)" in check.outcome
    short = replace(met, direction="worse", benchmark=95.0)
    (rec,) = evaluate([rule], base, [short], fake_catalogue(FAKE)).fired
    assert [t.key for t in rec.triggers] == ["hv_coverage:new_birth"]
