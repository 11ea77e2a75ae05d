"""Apply the recommendation rules to an area's outcome and service findings.

:func:`evaluate` is pure: give it rules, outcome findings (``needsbook.outcomes.findings.Finding``
or anything with the same attributes), service findings
(``needsbook.services.findings.ServiceFinding``) and the evidence catalogue, and it returns the
recommendations that fire (with their triggers, evidence and priority) and a check for every
rule that did not fire, saying what was looked at and why it did not fire.

Priority (``data/recommendations/SCHEMA.md``): **high** when a trigger is significantly worse
than England (or in the worst fifth) and getting worse, or a service finding is worse and
rising; **medium** when significantly worse, in the worst fifth, getting worse, or a service
finding is worse than its benchmark; **low** otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from needsbook.chapters.text import and_join, lower_first
from needsbook.evidence.catalogue import Catalogue
from needsbook.evidence.strength import RANK, at_least, strengths
from needsbook.polarity import NO_JUDGEMENT
from needsbook.recommend.model import Recommendation, RuleCheck, RuleResults, Trigger
from needsbook.recommend.rules import ANY_DOMAIN, FROM_TRIGGERS, Condition, Predicate, Rule
from needsbook.services.findings import HIGHER, NOT_APPLICABLE, WORSE, ServiceFinding

OUTCOMES_CHAPTER = "03_outcomes"
SEVERITY = {3: "high", 2: "medium", 1: "low"}
LEVEL = {v: k for k, v in SEVERITY.items()}

OUTCOME_PHRASES = {
    "significantly_worse": "significantly worse than England",
    "worst_fifth": "among the worst fifth of English areas",
    "worse": "worse than England (significantly, or in the worst two fifths of areas)",
    "getting_worse": "getting worse",
    "significantly_higher": "significantly higher than England",
    "higher": "higher than England",
    "rising": "rising",
}
SERVICE_PHRASES = {
    "worse": "worse than its benchmark",
    "higher": "higher than England",
    "rising": "rising",
    "below": "below {x}",
    "above": "above {x}",
    "at_most": "{x} or less",
    "at_least": "{x} or more",
}
#: Plain names of the service finding keys, for checks where no finding was supplied.
SERVICE_LABELS = {
    "eha_targeting:most_deprived_40": "early help reaching the most deprived 40% of areas "
    "compared with their share of need",
    "eha_targeting:least_deprived_40": "early help reaching the least deprived 40% of areas "
    "compared with their share of need",
    "eha_targeting_seed:most_deprived_40": "the same with the need shares supplied with the "
    "worked example (the model report's need model)",
    "eha_targeting_seed:least_deprived_40": "the same for the least deprived 40%, with the "
    "model report's need shares",
    "cc_reach:all": "children's centre reach of all under-fives",
    "cc_reach:most_deprived_30": "children's centre reach of under-fives in the most deprived "
    "30% of areas",
    "cc_no_deprived_lsoa": "the share of children's centres with no deprived area in reach",
    "hv_coverage:*": "coverage of the mandated health visiting reviews",
    "specialist_midwifery_coverage": "referrals to specialist midwives compared with need",
    "eha_outcome_measure": "a validated outcome measure for early help",
    "demand:cla": "the trend in children looked after",
    "demand:cpp": "the trend in child protection plans",
    "demand:re_referrals": "re-referrals to children's social care",
    "demand:cpp_subsequent": "second or later child protection plans",
    "demand:referrals": "referrals to children's social care",
    "demand:cin": "children in need",
    "demand:ehc_plans": "education, health and care plans",
}


@dataclass(frozen=True)
class _Hit:
    """One finding that satisfied a condition, with the predicates that held."""

    finding: Any
    predicates: tuple[Predicate, ...]
    service: bool

    @property
    def key(self) -> str:
        return self.finding.key if self.service else self.finding.indicator_id


# --- predicates --------------------------------------------------------------------------


def outcome_holds(f: Any, p: Predicate) -> bool:
    """Whether an outcome finding satisfies a predicate (never for a finding with no data)."""
    if not f.has_data:
        return False
    judged = f.polarity != NO_JUDGEMENT
    checks = {
        "significantly_worse": f.significant and f.direction == "worse",
        "worst_fifth": f.method == "quintiles" and f.quintile == 5 and judged,
        "worse": f.direction == "worse",
        "getting_worse": f.getting_worse,
        "significantly_higher": f.significant and f.direction == "higher",
        "higher": f.direction == "higher",
        "rising": f.trend == "Increasing",
    }
    if p.value is not None:  # a threshold on the indicator's value (e.g. vaccination < 95%)
        return _threshold_holds(float(f.value), p)
    return bool(checks[p.name])


def _threshold_holds(v: float, p: Predicate) -> bool:
    x = float(p.value)  # type: ignore[arg-type]
    return {"below": v < x, "above": v > x, "at_most": v <= x, "at_least": v >= x}[p.name]


def service_holds(f: ServiceFinding, p: Predicate) -> bool:
    """Whether a service finding satisfies a predicate (never for one with no data)."""
    if not f.has_data:
        return False
    v = float(f.value)  # type: ignore[arg-type]
    x = p.value
    checks = {
        "worse": lambda: f.direction == WORSE,
        "higher": lambda: f.direction == HIGHER,
        "rising": lambda: f.rising is True,
    }
    if x is not None:
        return _threshold_holds(v, p)
    return bool(checks[p.name]())


def _subject_findings(
    c: Condition, outcome: Sequence[Any], services: Sequence[ServiceFinding]
) -> list[Any]:
    if c.subject == "indicator":
        return [f for f in outcome if f.indicator_id == c.target]
    if c.subject == "domain":
        return [
            f
            for f in outcome
            if f.indicator.domain and (c.target == ANY_DOMAIN or f.indicator.domain == c.target)
        ]
    if c.target.endswith("*"):
        return [s for s in services if s.key.startswith(c.target[:-1])]
    return [s for s in services if s.key == c.target]


def _hits(c: Condition, outcome: Sequence[Any], services: Sequence[ServiceFinding]) -> list[_Hit]:
    out = []
    service = c.subject == "service"
    holds = service_holds if service else outcome_holds
    for f in _subject_findings(c, outcome, services):
        held = tuple(p for p in c.when if holds(f, p))
        if held:
            out.append(_Hit(f, held, service))
    return out


# --- triggers and priority -----------------------------------------------------------------


def severity(hit: _Hit) -> int:
    """3 = high, 2 = medium, 1 = low (see the module docstring)."""
    f = hit.finding
    if hit.service:
        worse = f.direction == WORSE or any(p.value is not None for p in hit.predicates)
        if f.direction == WORSE and f.rising:
            return 3
        return 2 if worse else 1
    bad = outcome_holds(f, Predicate("significantly_worse")) or outcome_holds(
        f, Predicate("worst_fifth")
    )
    if bad and f.getting_worse:
        return 3
    threshold = any(p.value is not None for p in hit.predicates)
    return 2 if bad or f.getting_worse or threshold else 1


def _number(value: float | None) -> str:
    """2 decimals below 10 (ratios), else 1; trailing zeros dropped ("65", "0.71")."""
    if value is None:
        return "no data"
    text = f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _trend_phrase(f: Any) -> str:
    if f.trend == "Cannot be calculated":
        return "no trend could be tested"
    return lower_first(f.trend_label)


def _outcome_comparison(f: Any) -> str:
    parts = []
    eng = f.indicator.format(f.england) if f.england is not None else "no England figure"
    if outcome_holds(f, Predicate("significantly_worse")):
        parts.append(f"significantly worse than England ({eng})")
    elif outcome_holds(f, Predicate("worst_fifth")):
        parts.append(f"among the worst fifth of English areas (England {eng})")
    elif f.direction == "worse":
        parts.append(f"in the second-worst fifth of English areas (England {eng})")
    elif f.direction == "higher":
        parts.append(f"higher than England ({eng})")
    if f.getting_worse:
        parts.append(f"getting worse ({f.trend_from} to {f.trend_to})")
    elif f.trend == "Increasing":
        parts.append(f"rising ({f.trend_from} to {f.trend_to})")
    return " and ".join(parts) or lower_first(f.label)


#: Units not written after a number ("a ratio of 1.45", not "1.45 ratio").
SILENT_UNITS = ("ratio", "yes = 1")


def _service_value(f: ServiceFinding, value: float | None) -> str:
    if f.unit == "yes = 1":
        return "no data" if value is None else ("yes" if value >= 1 else "no")
    if f.unit == "ratio":
        return f"a ratio of {_number(value)}"
    if not f.unit or f.unit in SILENT_UNITS:
        return _number(value)
    return f"{_number(value)}{f.unit if f.unit.startswith('%') else ' ' + f.unit}"


def _service_comparison(hit: _Hit) -> str:
    """E.g. "a ratio of 0.71 (1 = in proportion to need)", "56% against Ofsted 65% engagement",
    "82% against target (95%)", "34.5% against every centre reaches a deprived area, 33 or more"."""
    f = hit.finding
    text = _service_value(f, f.value)
    label = f.benchmark_label
    if f.unit == "yes = 1":
        parts = [text]
    elif f.unit == "ratio" and f.benchmark is not None:
        parts = [f"{text} ({_number(f.benchmark)} = {label})"]
    else:
        if f.benchmark is not None and _number(f.benchmark) not in label:
            label = f"{label} ({_service_value(f, f.benchmark)})"
        parts = [f"{text} against {label}" if label else text]
    for p in hit.predicates:
        if p.value is not None:
            parts.append(SERVICE_PHRASES[p.name].format(x=_number(p.value)))
    if f.rising:
        parts.append("rising")
    return ", ".join(parts)


def _outcome_trigger_comparison(hit: _Hit) -> str:
    """The comparison with England, led by any threshold that held ("90.2%, below 95; ...")."""
    f = hit.finding
    limits = [
        f"{f.indicator.format(f.value)}, " + SERVICE_PHRASES[p.name].format(x=_number(p.value))
        for p in hit.predicates
        if p.value is not None
    ]
    if not limits:
        return _outcome_comparison(f)
    judged = severity(_Hit(f, (), False)) > 1 or f.direction == "worse"
    if judged:
        england = _outcome_comparison(f)
    else:
        eng = f.indicator.format(f.england) if f.england is not None else "no England figure"
        england = f"{lower_first(f.label)} compared with England ({eng})"
    return "; ".join([*limits, england])


def trigger(hit: _Hit) -> Trigger:
    f = hit.finding
    if hit.service:
        return Trigger(
            key=f.key,
            name=f.name,
            value=f.value,
            comparison=_service_comparison(hit),
            period=f.period,
            source=f.source,
            sentence=f.sentence,
            chapter=f.chapter,
        )
    return Trigger(
        key=f.indicator_id,
        name=f.name,
        value=f.value,
        comparison=_outcome_trigger_comparison(hit),
        period=f.period,
        source=f.indicator.source,
        sentence=f.sentence,
        chapter=OUTCOMES_CHAPTER,
    )


# --- evidence ------------------------------------------------------------------------------


def _trigger_domains(hits: Sequence[_Hit]) -> list[str]:
    out: list[str] = []
    for h in hits:
        found = h.finding.domains if h.service else (h.finding.indicator.domain,)
        out += [d for d in found if d and d not in out]
    return out


def select_evidence(
    rule: Rule, hits: Sequence[_Hit], catalogue: Catalogue, strength: pd.Series
) -> tuple[str, ...]:
    """Explicit ids first, then programmes for the domains (strongest first, then by id)."""
    spec = rule.evidence
    chosen = list(spec.ids)
    domains = _trigger_domains(hits) if spec.domains == FROM_TRIGGERS else list(spec.domains)
    if domains:
        ids = set(
            catalogue.domains.loc[catalogue.domains["outcome_domain"].isin(domains)]["programme_id"]
        )
        if spec.life_stages:
            ls = catalogue.life_stages
            ids &= set(ls.loc[ls["life_stage"].isin(spec.life_stages), "programme_id"])
        ranked = sorted(
            (i for i in ids if at_least(strength[i], spec.min_strength) and i not in chosen),
            key=lambda i: (RANK[strength[i]], i),
        )
        chosen += ranked
    return tuple(chosen[: spec.limit])


def _by_domain_evidence(rule: Rule, evidence: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(i for i in evidence if i not in rule.evidence.ids)


# --- describing checks ---------------------------------------------------------------------


def _domain_titles() -> dict[str, str]:
    """Outcome-star domain id -> title (``data/indicators.yml``)."""
    from needsbook.outcomes.catalogue import load_catalogue

    return load_catalogue().star_domains


def _subject_label(c: Condition, names: dict[str, str]) -> str:
    if c.subject == "indicator":
        return lower_first(names.get(c.target, c.target))
    if c.subject == "domain":
        if c.target == ANY_DOMAIN:
            return "any outcome indicator in the outcome-star domains"
        return f"any indicator of {lower_first(_domain_titles()[c.target])}"
    return SERVICE_LABELS.get(c.target, c.target)


def _predicate_phrase(c: Condition, p: Predicate) -> str:
    if c.subject == "service" or p.value is not None:
        return SERVICE_PHRASES[p.name].format(x=_number(p.value))
    return OUTCOME_PHRASES[p.name]


def _shown(c: Condition) -> list[Predicate]:
    """The predicates worth naming: "worse" already covers significantly worse / worst fifth."""
    names = {p.name for p in c.when}
    if c.subject != "service" and "worse" in names:
        return [p for p in c.when if p.name not in ("significantly_worse", "worst_fifth")]
    return list(c.when)


def describe(rule: Rule, names: dict[str, str]) -> str:
    """What the rule looks for, in plain English."""
    parts = [
        f"{_subject_label(c, names)}: " + " or ".join(_predicate_phrase(c, p) for p in _shown(c))
        for c in rule.conditions
    ]
    joiner = " and " if rule.match == "all" else "; or "
    text = joiner.join(parts)
    return text[0].upper() + text[1:] + "."


def _status(c: Condition, outcome: Sequence[Any], services: Sequence[ServiceFinding]) -> str:
    found = _subject_findings(c, outcome, services)
    if not found:
        what = "public or local data" if c.subject == "service" else "data"
        return f"no {what} on {_subject_label(c, {})} (not described, so not checked)"
    with_data = [f for f in found if f.has_data]
    if not with_data:
        if all(getattr(f, "direction", None) == NOT_APPLICABLE for f in found):
            return "; ".join(f"{lower_first(f.name)}: {NOT_APPLICABLE}" for f in found)
        return f"{and_join([lower_first(f.name) for f in found])}: no data"
    if c.subject == "domain" and len(with_data) > 3:
        return f"none of the {len(with_data)} indicators with data is " + " or ".join(
            OUTCOME_PHRASES[p.name] for p in _shown(c)
        )
    if c.subject == "service":
        return "; ".join(
            f"{lower_first(f.name)}: {_service_comparison(_Hit(f, (), True))} ({f.period})"
            for f in with_data
        )
    return "; ".join(
        f"{lower_first(f.name)}: {lower_first(f.label)} ({f.period}), {_trend_phrase(f)}"
        for f in with_data
    )


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
    fired: list[tuple[int, int, Recommendation]] = []
    not_fired: list[RuleCheck] = []
    for order, rule in enumerate(rules):
        per_condition = [_hits(c, outcome, services) for c in rule.conditions]
        holds = (all if rule.match == "all" else any)(bool(h) for h in per_condition)
        hits: list[_Hit] = []
        for group in per_condition:
            hits += [h for h in group if h.key not in {x.key for x in hits}]
        checked = describe(rule, names)
        if not holds:
            reasons = [
                _status(c, outcome, services)
                for c, h in zip(rule.conditions, per_condition, strict=True)
                if not h
            ]
            held = [f"{lower_first(h.finding.name)} holds" for g in per_condition for h in g]
            text = "; ".join(reasons)
            if held:
                text += f" (only {and_join(held)}, and the rule needs every condition)"
            not_fired.append(RuleCheck(rule.id, rule.title, checked, _sentence(text)))
            continue
        evidence = select_evidence(rule, hits, catalogue, strength)
        if rule.require_evidence and not _by_domain_evidence(rule, evidence):
            domains = (
                _trigger_domains(hits)
                if rule.evidence.domains == FROM_TRIGGERS
                else list(rule.evidence.domains)
            )
            titles = _domain_titles()
            outcome_text = (
                f"{and_join([lower_first(h.finding.name) for h in hits])} "
                f"{'meets' if len(hits) == 1 else 'meet'} the condition, but the evidence "
                f"catalogue has no programme with {rule.evidence.min_strength} evidence for "
                f"{and_join([lower_first(titles.get(d, d)) for d in domains])}"
            )
            not_fired.append(RuleCheck(rule.id, rule.title, checked, _sentence(outcome_text)))
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
        )
        fired.append((LEVEL[priority], -order, rec))
    fired.sort(key=lambda t: (-t[0], -t[1]))
    return RuleResults(fired=[r for _, _, r in fired], not_fired=not_fired)


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else text


def _catalogue_names() -> dict[str, str]:
    from needsbook.outcomes.catalogue import load_catalogue

    return {i.id: i.name for i in load_catalogue().indicators}
