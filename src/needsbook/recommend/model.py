"""What the rules produce: recommendations with their reasons, and the checks that did not fire."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Trigger:
    """One finding that made a rule fire (indicator or service key, value, comparison, period)."""

    key: str
    name: str
    value: float | None
    comparison: str  # e.g. "significantly worse than England", "0.70 of its share of need"
    period: str
    source: str
    sentence: str
    chapter: str


@dataclass(frozen=True)
class Recommendation:
    rule_id: str
    title: str
    text: str  # plain English: what to do
    priority: str  # "high" / "medium" / "low"
    triggers: tuple[Trigger, ...]
    evidence: tuple[str, ...]  # evidence catalogue ids (data/evidence/programmes.yml)
    chapter: str  # notebook slug of the chapter holding the findings
    #: programmes the rule names that have little or no evidence (never listed as evidence)
    little_evidence: tuple[str, ...] = ()

    @property
    def reasons(self) -> list[str]:
        return [t.sentence for t in self.triggers]


@dataclass(frozen=True)
class RuleCheck:
    """A rule that did not fire, and what was checked."""

    rule_id: str
    title: str
    checked: str  # plain English: what the rule looks for
    outcome: str  # why it did not fire (e.g. "school readiness is similar to England")


@dataclass(frozen=True)
class Concern:
    """An outcome significantly worse than England (or in the worst fifth) that no
    recommendation cites, and why no rule applied."""

    key: str  # indicator id
    name: str
    sentence: str
    period: str
    source: str
    reason: str  # plain English


@dataclass(frozen=True)
class Action:
    """One action-plan row: a recommendation and one indicator to track."""

    rule_id: str
    title: str
    level: str  # universal / early help / targeted / specialist
    lead_partners: tuple[str, ...]
    measure: str  # the indicator or service measure tracked
    current: str  # its latest value as the book shows it, or why there is none
    period: str
    wanted: str  # the direction wanted, e.g. "higher", "down to 1 (in proportion to need)"
    review: str  # review date, e.g. "31 March 2027"
    source: str


@dataclass
class RuleResults:
    fired: list[Recommendation] = field(default_factory=list)  # highest priority first
    not_fired: list[RuleCheck] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)  # other outcomes of concern
    actions: list[Action] = field(default_factory=list)  # the action plan, in fired order


def recommend(
    area_code: str,
    year: int,
    data_dir: str | Path | None = None,
    local_dir: str | Path | None = None,
) -> RuleResults:
    """Apply the rules in ``data/recommendations/rules.yml`` to the area's findings: its
    outcome findings and its service findings (public demand, and local data where supplied);
    with the other outcomes of concern and the action plan for the data year."""
    from needsbook.areas import resolve_area
    from needsbook.evidence.catalogue import load_catalogue
    from needsbook.outcomes.findings import findings
    from needsbook.recommend.action_plan import action_plan
    from needsbook.recommend.engine import evaluate
    from needsbook.recommend.rules import load_rules
    from needsbook.services.findings import service_findings

    area = resolve_area(area_code, data_dir)
    outcome = findings(area.code, int(year), data_dir)
    services = service_findings(area.code, int(year), data_dir, local_dir)
    key = (area.code, int(year), data_dir, tuple(outcome), tuple(services), _rules_stamp())
    if key not in _RESULTS:  # the summary and recommendations chapters both ask
        _RESULTS.clear()
        rules = load_rules()
        done = evaluate(rules, outcome, services, load_catalogue())
        done.actions = action_plan(rules, done.fired, outcome, services, int(year))
        _RESULTS[key] = done
    done = _RESULTS[key]
    return RuleResults(
        fired=list(done.fired),
        not_fired=list(done.not_fired),
        concerns=list(done.concerns),
        actions=list(done.actions),
    )


#: The last evaluation, by its inputs (findings are immutable; rule files by their stamps).
_RESULTS: dict[tuple[Any, ...], RuleResults] = {}


def _rules_stamp() -> tuple[tuple[str, int, int], ...]:
    """Modification time and size of the rules and the files they are checked against."""
    from needsbook import paths

    data = paths.repo_root() / "data"
    files = (
        data / "recommendations" / "rules.yml",
        data / "policy" / "policy.yml",
        data / "evidence" / "programmes.yml",
        data / "indicators.yml",
    )
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
