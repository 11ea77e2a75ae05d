"""Predicates of the recommendation rules: whether a finding satisfies a condition, which
findings can never support a recommendation (better than England or getting better; a service
finding better than its benchmark), and how severe a trigger is
(``data/recommendations/SCHEMA.md``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from needsbook.polarity import NO_JUDGEMENT
from needsbook.recommend.rules import ANY_DOMAIN, Condition, Predicate
from needsbook.services.demand import MEASURES
from needsbook.services.findings import BETTER, HIGHER, WORSE, ServiceFinding

#: Public demand finding key -> the indicator it reports (the same fact as its outcome finding).
DEMAND_INDICATOR = {m.finding_key: m.indicator_id for m in MEASURES}


@dataclass(frozen=True)
class Hit:
    """One finding that satisfied a condition, with the predicates that held."""

    finding: Any
    predicates: tuple[Predicate, ...]
    service: bool

    @property
    def key(self) -> str:
        return self.finding.key if self.service else self.finding.indicator_id

    @property
    def fact(self) -> str:
        """The indicator a finding reports (a demand measure's is its outcome indicator)."""
        return DEMAND_INDICATOR.get(self.key, self.key) if self.service else self.key


def favourable(f: Any) -> str:
    """Why an outcome finding can never support a recommendation to act on it ("better than
    England", "getting better"), or "" when it can."""
    if not f.has_data:
        return ""
    if f.direction == "better":
        return "better than England"
    if f.getting_better:
        return "getting better"
    return ""


def favourable_service(s: ServiceFinding) -> str:
    """Why a service finding can never support a recommendation ("better than its
    benchmark"), or "" when it can."""
    return "better than its benchmark" if s.has_data and s.direction == BETTER else ""


def favourable_facts(outcome: Sequence[Any]) -> dict[str, str]:
    """Indicator id -> why it is no reason to act, for every favourable outcome finding."""
    return {f.indicator_id: why for f in outcome if (why := favourable(f))}


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
        return threshold_holds(float(f.value), p)
    return bool(checks[p.name])


def threshold_holds(v: float, p: Predicate) -> bool:
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
        return threshold_holds(v, p)
    return bool(checks[p.name]())


def subject_findings(
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


def hits_of(
    c: Condition,
    outcome: Sequence[Any],
    services: Sequence[ServiceFinding],
    favoured: dict[str, str],
) -> list[Hit]:
    """The findings that satisfy a condition, leaving out favourable ones, whatever the
    predicate: outcome facts in ``favoured`` (and the demand measures reporting them), and
    service findings better than their benchmark."""
    out = []
    service = c.subject == "service"
    holds = service_holds if service else outcome_holds
    for f in subject_findings(c, outcome, services):
        if service and favourable_service(f):
            continue
        held = tuple(p for p in c.when if holds(f, p))
        hit = Hit(f, held, service)
        if held and hit.fact not in favoured:
            out.append(hit)
    return out


def severity(hit: Hit) -> int:
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
