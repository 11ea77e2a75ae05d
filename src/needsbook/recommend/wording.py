"""The plain-English wording of the recommendation rules: what a rule looks for, how each
trigger compares with England or its benchmark, and why a rule did not fire."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from needsbook.chapters.text import and_join, lower_first
from needsbook.recommend.model import Trigger
from needsbook.recommend.predicates import (
    DEMAND_INDICATOR,
    Hit,
    favourable_service,
    outcome_holds,
    severity,
    subject_findings,
)
from needsbook.recommend.rules import ANY_DOMAIN, Condition, Predicate, Rule
from needsbook.services.findings import NOT_APPLICABLE, ServiceFinding

OUTCOMES_CHAPTER = "03_outcomes"


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


def number(value: float | None) -> str:
    """2 decimals below 10 (ratios), else 1; trailing zeros dropped ("65", "0.71")."""
    if value is None:
        return "no data"
    text = f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def trend_phrase(f: Any) -> str:
    if f.trend == "Cannot be calculated":
        return "no trend could be tested"
    return lower_first(f.trend_label)


def outcome_comparison(f: Any) -> str:
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


def service_value(f: ServiceFinding, value: float | None) -> str:
    if f.unit == "yes = 1":
        return "no data" if value is None else ("yes" if value >= 1 else "no")
    if f.unit == "ratio":
        return f"a ratio of {number(value)}"
    if not f.unit or f.unit in SILENT_UNITS:
        return number(value)
    return f"{number(value)}{f.unit if f.unit.startswith('%') else ' ' + f.unit}"


def service_comparison(hit: Hit) -> str:
    """E.g. "a ratio of 0.71 (1 = in proportion to need)", "56% against Ofsted 65% engagement",
    "82% against target (95%)", "34.5% against every centre reaches a deprived area, 33 or more"."""
    f = hit.finding
    text = service_value(f, f.value)
    label = f.benchmark_label
    if f.unit == "yes = 1":
        parts = [text]
    elif f.unit == "ratio" and f.benchmark is not None:
        parts = [f"{text} ({number(f.benchmark)} = {label})"]
    else:
        if f.benchmark is not None and number(f.benchmark) not in label:
            label = f"{label} ({service_value(f, f.benchmark)})"
        parts = [f"{text} against {label}" if label else text]
    for p in hit.predicates:
        if p.value is not None:
            parts.append(SERVICE_PHRASES[p.name].format(x=number(p.value)))
    if f.rising:
        parts.append("rising")
    return ", ".join(parts)


def outcome_trigger_comparison(hit: Hit) -> str:
    """The comparison with England, led by any threshold that held ("90.2%, below 95; ...")."""
    f = hit.finding
    limits = [
        f"{f.indicator.format(f.value)}, " + SERVICE_PHRASES[p.name].format(x=number(p.value))
        for p in hit.predicates
        if p.value is not None
    ]
    if not limits:
        return outcome_comparison(f)
    judged = severity(Hit(f, (), False)) > 1 or f.direction == "worse"
    if judged:
        england = outcome_comparison(f)
    else:
        eng = f.indicator.format(f.england) if f.england is not None else "no England figure"
        england = f"{lower_first(f.label)} compared with England ({eng})"
    return "; ".join([*limits, england])


def trigger(hit: Hit) -> Trigger:
    f = hit.finding
    if hit.service:
        return Trigger(
            key=f.key,
            name=f.name,
            value=f.value,
            comparison=service_comparison(hit),
            period=f.period,
            source=f.source,
            sentence=f.sentence,
            chapter=f.chapter,
        )
    return Trigger(
        key=f.indicator_id,
        name=f.name,
        value=f.value,
        comparison=outcome_trigger_comparison(hit),
        period=f.period,
        source=f.indicator.source,
        sentence=f.sentence,
        chapter=OUTCOMES_CHAPTER,
    )


def domain_titles() -> dict[str, str]:
    """Outcome-star domain id -> title (``data/indicators.yml``)."""
    from needsbook.outcomes.catalogue import load_catalogue

    return load_catalogue().star_domains


def subject_label(c: Condition, names: dict[str, str]) -> str:
    if c.subject == "indicator":
        return lower_first(names.get(c.target, c.target))
    if c.subject == "domain":
        if c.target == ANY_DOMAIN:
            return "any outcome indicator in the outcome-star domains"
        return f"any indicator of {lower_first(domain_titles()[c.target])}"
    return SERVICE_LABELS.get(c.target, c.target)


def predicate_phrase(c: Condition, p: Predicate) -> str:
    if c.subject == "service" or p.value is not None:
        return SERVICE_PHRASES[p.name].format(x=number(p.value))
    return OUTCOME_PHRASES[p.name]


def shown(c: Condition) -> list[Predicate]:
    """The predicates worth naming: "worse" already covers significantly worse / worst fifth."""
    names = {p.name for p in c.when}
    if c.subject != "service" and "worse" in names:
        return [p for p in c.when if p.name not in ("significantly_worse", "worst_fifth")]
    return list(c.when)


def describe(rule: Rule, names: dict[str, str]) -> str:
    """What the rule looks for, in plain English."""
    parts = [
        f"{subject_label(c, names)}: " + " or ".join(predicate_phrase(c, p) for p in shown(c))
        for c in rule.conditions
    ]
    joiner = " and " if rule.match == "all" else "; or "
    text = joiner.join(parts)
    return text[0].upper() + text[1:] + "."


def status(
    c: Condition,
    outcome: Sequence[Any],
    services: Sequence[ServiceFinding],
    favoured: dict[str, str],
) -> str:
    found = subject_findings(c, outcome, services)
    if not found:
        what = "public or local data" if c.subject == "service" else "data"
        return f"no {what} on {subject_label(c, {})} (not described, so not checked)"
    with_data = [f for f in found if f.has_data]
    if not with_data:
        if all(getattr(f, "direction", None) == NOT_APPLICABLE for f in found):
            return "; ".join(f"{lower_first(f.name)}: {NOT_APPLICABLE}" for f in found)
        return f"{and_join([lower_first(f.name) for f in found])}: no data"
    if c.subject == "domain" and len(with_data) > 3:
        return f"none of the {len(with_data)} indicators with data is " + " or ".join(
            OUTCOME_PHRASES[p.name] for p in shown(c)
        )
    if c.subject == "service":
        return "; ".join(
            f"{lower_first(f.name)}: {service_comparison(Hit(f, (), True))} ({f.period})"
            + not_a_reason(DEMAND_INDICATOR.get(f.key, f.key), favoured, favourable_service(f))
            for f in with_data
        )
    return "; ".join(
        f"{lower_first(f.name)}: {lower_first(f.label)} ({f.period}), {trend_phrase(f)}"
        + not_a_reason(f.indicator_id, favoured)
        for f in with_data
    )


def not_a_reason(fact: str, favoured: dict[str, str], why: str = "") -> str:
    """E.g. " (better than England: never a reason to act)"; "" for a finding that can be one."""
    why = why or favoured.get(fact, "")
    return f" ({why}: never a reason to act)" if why else ""


def sentence_case(text: str) -> str:
    text = text.strip()
    return (text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else text
