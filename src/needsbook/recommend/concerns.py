"""Other outcomes of concern: outcome findings significantly worse than England, in the worst
fifth of English areas, or getting worse, that no recommendation cites, each with the reason
no rule applied (so that every such finding is either acted on or accounted for)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from needsbook.chapters.text import lower_first
from needsbook.recommend.model import Concern, Recommendation, RuleCheck
from needsbook.recommend.predicates import DEMAND_INDICATOR, outcome_holds
from needsbook.recommend.rules import ANY_DOMAIN, Condition, Rule
from needsbook.recommend.wording import predicate_phrase, shown


def is_concern(f: Any) -> bool:
    """Significantly worse than England, in the worst fifth of areas, or getting worse
    (``Finding.of_concern``)."""
    return bool(f.of_concern)


def cited_facts(fired: Sequence[Recommendation]) -> set[str]:
    """The indicators the recommendations cite (a demand measure's is its outcome indicator)."""
    return {DEMAND_INDICATOR.get(t.key, t.key) for r in fired for t in r.triggers}


def names(c: Condition, f: Any) -> bool:
    """Whether a rule condition is about this outcome finding."""
    if c.subject == "indicator":
        return c.target == f.indicator_id
    if c.subject == "domain":
        domain = f.indicator.domain
        return bool(domain) and c.target in (ANY_DOMAIN, domain)
    return False


def _needs(rule: Rule, conditions: list[Condition]) -> str:
    phrases = list(dict.fromkeys(predicate_phrase(c, p) for c in conditions for p in shown(c)))
    return f"the rule “{rule.title}” acts on it only when it is " + " or ".join(phrases)


def reason(
    f: Any,
    rules: Sequence[Rule],
    fired_ids: set[str],
    checks: dict[str, RuleCheck],
    favoured: dict[str, str],
) -> str:
    """Why no recommendation cites this finding, in plain English."""
    if f.indicator_id in favoured:
        why = favoured[f.indicator_id]
        extra = ", although it is getting worse" if f.getting_worse else ""
        return f"It is {why}{extra}; the rules never act on a finding that is {why}."
    parts = []
    for rule in rules:
        conditions = [c for c in rule.conditions if names(c, f)]
        if not conditions:
            continue
        held = any(outcome_holds(f, p) for c in conditions for p in c.when)
        if held and rule.id not in fired_ids and rule.id in checks:
            parts.append(
                f"the rule “{rule.title}” did not apply: {lower_first(checks[rule.id].outcome)}"
            )
        elif not held:
            parts.append(_needs(rule, conditions))
    if not parts:
        return "No recommendation rule covers this indicator."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def other_concerns(
    rules: Sequence[Rule],
    fired: Sequence[Recommendation],
    not_fired: Sequence[RuleCheck],
    outcome: Sequence[Any],
    favoured: dict[str, str],
) -> list[Concern]:
    """Outcome findings of concern that no recommendation cites, in catalogue order."""
    cited = cited_facts(fired)
    fired_ids = {r.rule_id for r in fired}
    checks = {c.rule_id: c for c in not_fired}
    return [
        Concern(
            key=f.indicator_id,
            name=f.name,
            sentence=f.sentence,
            period=f.period,
            source=f.indicator.source,
            reason=reason(f, rules, fired_ids, checks, favoured),
        )
        for f in outcome
        if is_concern(f) and f.indicator_id not in cited
    ]
