"""The action plan: one row per recommendation and indicator to track, in the style of a local
early help strategy's action plan (level of need, lead partners, measure, timescale).

The level and lead partners come from the rule (``data/recommendations/rules.yml``); the
current value, period and source from the book's own findings (nothing is recomputed); the
direction wanted from the indicator's polarity in ``data/indicators.yml`` (or, for a service
measure, its benchmark). The review date is fixed by the data year (:func:`review_date`), so
the same inputs always give the same plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from needsbook.polarity import HIGH_IS_GOOD, LOW_IS_GOOD
from needsbook.recommend.model import Action, Recommendation
from needsbook.recommend.predicates import DEMAND_INDICATOR
from needsbook.recommend.rules import FROM_TRIGGERS, Rule
from needsbook.recommend.wording import SERVICE_LABELS, service_value
from needsbook.services.findings import ServiceFinding

WANTED = {HIGH_IS_GOOD: "higher", LOW_IS_GOOD: "lower"}
NOT_DESCRIBED = "not described in the data supplied"
NO_DATA = "no data"
#: Years after the data year at which each action is reviewed (on 31 March): by then the
#: following year's data are published, so every tracked measure can be checked again.
REVIEW_AFTER_YEARS = 2


def review_date(year: int) -> str:
    """31 March, :data:`REVIEW_AFTER_YEARS` after the book's data year."""
    return f"31 March {int(year) + REVIEW_AFTER_YEARS}"


Cells = tuple[str, str, str, str, str]


def _tracked(
    rule: Rule, rec: Recommendation, outcome: Sequence[Any], services: Sequence[ServiceFinding]
) -> list[Cells]:
    """The rows a recommendation tracks: the rule's fixed measure; or, for ``from_triggers``
    or when the fixed measure's finding has no data, each finding that fired the rule (a
    plan never tracks, in place of the findings behind it, a measure with no value to track)."""
    if rule.track != FROM_TRIGGERS:
        cells = _cells(rule.track, outcome, services)
        if cells[1] != NO_DATA:
            return [cells]
    facts = dict.fromkeys(DEMAND_INDICATOR.get(t.key, t.key) for t in rec.triggers)
    return [_cells(k, outcome, services) for k in facts]


def _outcome_cells(f: Any) -> tuple[str, str, str, str, str]:
    current = f.indicator.format(f.value) if f.has_data else NO_DATA
    wanted = WANTED.get(f.polarity, "")
    return f.name, current, f.period, wanted, f.indicator.source


def _service_cells(s: ServiceFinding) -> tuple[str, str, str, str, str]:
    current = service_value(s, s.value) if s.has_data else NO_DATA
    wanted = "in line with its benchmark"
    if s.benchmark is not None:
        wanted = f"towards {s.benchmark_label} ({service_value(s, s.benchmark)})"
    return s.name, current, s.period, wanted, s.source


def _cells(
    key: str, outcome: Sequence[Any], services: Sequence[ServiceFinding]
) -> tuple[str, str, str, str, str]:
    """Measure, current value, period, direction wanted and source of one tracked key."""
    for f in outcome:
        if f.indicator_id == key:
            return _outcome_cells(f)
    for s in services:
        if s.key == key or DEMAND_INDICATOR.get(s.key) == key:
            return _service_cells(s)
    from needsbook.outcomes.catalogue import load_catalogue

    entry = load_catalogue().entry(key)
    if entry is not None:
        return entry.name, NO_DATA, "", WANTED.get(entry.polarity, ""), entry.source
    name = SERVICE_LABELS.get(key, key)
    return name[0].upper() + name[1:], NOT_DESCRIBED, "", "", ""


def action_plan(
    rules: Sequence[Rule],
    fired: Sequence[Recommendation],
    outcome: Sequence[Any],
    services: Sequence[ServiceFinding],
    year: int,
) -> list[Action]:
    """One row per fired recommendation and measure it tracks, in the order given (see
    :func:`_tracked`)."""
    by_id = {r.id: r for r in rules}
    rows = []
    for rec in fired:
        rule = by_id[rec.rule_id]
        for measure, current, period, wanted, source in _tracked(rule, rec, outcome, services):
            rows.append(
                Action(
                    rule_id=rule.id,
                    title=rec.title,
                    level=rule.level,
                    lead_partners=rule.lead_partners,
                    measure=measure,
                    current=current,
                    period=period,
                    wanted=wanted,
                    review=review_date(year),
                    source=source,
                )
            )
    return rows
