"""Apply the recommendation rules to an area's outcome and service findings.

:func:`evaluate` is pure: give it rules, outcome findings (``needsbook.outcomes.findings.Finding``
or anything with the same attributes), service findings
(``needsbook.services.findings.ServiceFinding``) and the evidence catalogue, and it returns the
recommendations that fire (with their triggers, evidence and priority) and a check for every
rule that did not fire, saying what was looked at and why it did not fire.

An outcome finding better than England or getting better never makes a rule fire, whatever
the predicate (a threshold such as "below 95%" included); nor does a service finding better
than its benchmark, whatever the predicate; nor a public demand measure whose indicator's
outcome finding is better or getting better. A demand measure and the outcome
finding of the same indicator count once (the outcome finding speaks for both).

Priority (``data/recommendations/SCHEMA.md``): **high** when a trigger is significantly worse
than England (or in the worst fifth) and getting worse, or a service finding is worse and
rising; **medium** when significantly worse, in the worst fifth, getting worse, or a service
finding is worse than its benchmark; **low** otherwise.

The predicates are in :mod:`needsbook.recommend.predicates`, the wording of triggers and
checks in :mod:`needsbook.recommend.wording`, the other outcomes of concern in
:mod:`needsbook.recommend.concerns`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from needsbook.chapters.text import and_join, lower_first
from needsbook.evidence.catalogue import Catalogue
from needsbook.evidence.strength import RANK, at_least, counts_as_evidence, strengths
from needsbook.recommend.concerns import other_concerns
from needsbook.recommend.model import Recommendation, RuleCheck, RuleResults
from needsbook.recommend.predicates import (  # noqa: F401 (outcome_holds, service_holds: API)
    Hit,
    favourable_facts,
    hits_of,
    outcome_holds,
    service_holds,
    severity,
)
from needsbook.recommend.rules import FROM_TRIGGERS, Rule
from needsbook.recommend.wording import (
    describe,
    domain_titles,
    sentence_case,
    status,
    trigger,
)
from needsbook.services.findings import ServiceFinding

SEVERITY = {3: "high", 2: "medium", 1: "low"}
LEVEL = {v: k for k, v in SEVERITY.items()}


# --- evidence ------------------------------------------------------------------------------


def _trigger_domains(hits: Sequence[Hit]) -> list[str]:
    out: list[str] = []
    for h in hits:
        found = h.finding.domains if h.service else (h.finding.indicator.domain,)
        out += [d for d in found if d and d not in out]
    return out


def _qualifies(strength: str, minimum: str) -> bool:
    """Listed as evidence: counts as evidence at all, and meets the rule's minimum."""
    return counts_as_evidence(strength) and at_least(strength, minimum)


def select_evidence(
    rule: Rule, hits: Sequence[Hit], catalogue: Catalogue, strength: pd.Series
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The evidence listed for a fired rule: explicit ids that meet the rule's minimum
    strength first, then programmes for the domains (strongest first, then by id), at most
    ``limit``; and the explicit ids with little or no evidence (never listed as evidence).

    The list is empty only when no programme qualifies at all (``limit`` is at least 1), so
    ``require_evidence`` can check it: an explicit id that meets the minimum counts as evidence
    as much as a programme found by domain, and neither can push the other out."""
    spec = rule.evidence
    chosen = [i for i in spec.ids if _qualifies(strength[i], spec.min_strength)]
    little = tuple(i for i in spec.ids if not counts_as_evidence(strength[i]))
    domains = _trigger_domains(hits) if spec.domains == FROM_TRIGGERS else list(spec.domains)
    if domains:
        ids = set(
            catalogue.domains.loc[catalogue.domains["outcome_domain"].isin(domains)]["programme_id"]
        )
        if spec.life_stages:
            ls = catalogue.life_stages
            ids &= set(ls.loc[ls["life_stage"].isin(spec.life_stages), "programme_id"])
        ranked = sorted(
            (i for i in ids if _qualifies(strength[i], spec.min_strength) and i not in chosen),
            key=lambda i: (RANK[strength[i]], i),
        )
        chosen += ranked
    return tuple(chosen[: spec.limit]), little


# --- evaluation ----------------------------------------------------------------------------


def evaluate(
    rules: Sequence[Rule],
    outcome: Sequence[Any],
    services: Sequence[ServiceFinding],
    catalogue: Catalogue,
) -> RuleResults:
    """Fire the rules; recommendations high priority first (then in rule order)."""
    strength = strengths(catalogue)
    names = {f.indicator_id: f.name for f in outcome}
    names |= _catalogue_names()
    favoured = favourable_facts(outcome)
    fired: list[tuple[int, int, Recommendation]] = []
    not_fired: list[RuleCheck] = []
    for order, rule in enumerate(rules):
        per_condition = [hits_of(c, outcome, services, favoured) for c in rule.conditions]
        holds = (all if rule.match == "all" else any)(bool(h) for h in per_condition)
        hits: list[Hit] = []
        for group in per_condition:  # one trigger per fact: the first condition's wins
            hits += [h for h in group if h.fact not in {x.fact for x in hits}]
        checked = describe(rule, names)
        if not holds:
            reasons = [
                status(c, outcome, services, favoured)
                for c, h in zip(rule.conditions, per_condition, strict=True)
                if not h
            ]
            held = [f"{lower_first(h.finding.name)} holds" for g in per_condition for h in g]
            text = "; ".join(reasons)
            if held:
                text += f" (only {and_join(held)}, and the rule needs every condition)"
            not_fired.append(RuleCheck(rule.id, rule.title, checked, sentence_case(text)))
            continue
        evidence, little = select_evidence(rule, hits, catalogue, strength)
        if rule.require_evidence and not evidence:
            not_fired.append(RuleCheck(rule.id, rule.title, checked, _no_evidence(rule, hits)))
            continue
        triggers = tuple(trigger(h) for h in hits)
        level = max(severity(h) for h in hits)
        priority = rule.priority or SEVERITY[level]
        rec = Recommendation(
            rule_id=rule.id,
            title=rule.title,
            text=rule.recommendation,
            priority=priority,
            triggers=triggers,
            evidence=evidence,
            chapter=rule.chapter,
            little_evidence=little,
        )
        fired.append((LEVEL[priority], -order, rec))
    fired.sort(key=lambda t: (-t[0], -t[1]))
    done = [r for _, _, r in fired]
    concerns = other_concerns(rules, done, not_fired, outcome, favoured)
    return RuleResults(fired=done, not_fired=not_fired, concerns=concerns)


def _no_evidence(rule: Rule, hits: Sequence[Hit]) -> str:
    """Why a rule that requires evidence did not fire: none of its programmes qualifies."""
    spec = rule.evidence
    domains = _trigger_domains(hits) if spec.domains == FROM_TRIGGERS else list(spec.domains)
    titles = domain_titles()
    wanted = f"{spec.min_strength} evidence"
    named = (
        f"the programme the rule names does not have {wanted}"
        if len(spec.ids) == 1
        else f"none of the programmes the rule names has {wanted}"
    )
    if domains:
        lacking = (
            f"the evidence catalogue has no programme with {wanted} for "
            f"{and_join([lower_first(titles.get(d, d)) for d in domains])}"
        )
        if spec.ids:
            lacking += f", and {named}"
    else:
        lacking = named
    met = "meets" if len(hits) == 1 else "meet"
    names = and_join([lower_first(h.finding.name) for h in hits])
    return sentence_case(f"{names} {met} the condition, but {lacking}")


def _catalogue_names() -> dict[str, str]:
    from needsbook.outcomes.catalogue import load_catalogue

    return {i.id: i.name for i in load_catalogue().indicators}
