"""Small helpers that turn numbers into plain English."""

from __future__ import annotations

import re

from needsbook import formatting

NOT_AVAILABLE = "not available"


def pct(value: float | None, dp: int = formatting.PERCENT_DP) -> str:
    """A percentage by the book's rule ('4.9%'); ``dp`` other than the rule's only where a
    caller needs it. 'not available' for a missing value."""
    if dp == formatting.PERCENT_DP:
        return formatting.percent(value, missing=NOT_AVAILABLE)
    text = formatting.fixed(value, dp, missing=NOT_AVAILABLE)
    return text if formatting.is_missing(value) else text + "%"


def number(value: float | None) -> str:
    """A count: '12,345' ('not available' for a missing value)."""
    return formatting.count(value, missing=NOT_AVAILABLE)


def _comparable(*values: float | None) -> bool:
    return not any(formatting.is_missing(v) for v in values)


def change(old: float | None, new: float | None, dp: int = formatting.PERCENT_DP) -> str:
    """'rose by 2.1%' / 'fell by 0.4%' / 'was unchanged' (relative change, rounded)."""
    if not _comparable(old, new) or old == 0:
        return "cannot be compared"
    rel = (float(new) - float(old)) / float(old) * 100  # type: ignore[arg-type]
    if formatting.rounds_to_zero(rel, dp):
        return "was unchanged"
    return f"{'rose' if rel > 0 else 'fell'} by {pct(abs(rel), dp)}"


def points_change(old: float | None, new: float | None, dp: int = formatting.PERCENT_DP) -> str:
    """Change in percentage points: 'up 1.2 percentage points' / 'down 0.3 ...'."""
    if not _comparable(old, new):
        return "cannot be compared"
    diff = float(new) - float(old)  # type: ignore[arg-type]
    if formatting.rounds_to_zero(diff, dp):
        return "no change"
    return f"{'up' if diff > 0 else 'down'} {formatting.fixed(abs(diff), dp)} percentage points"


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def and_join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' ('' for none)."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def lower_first(name: str) -> str:
    """An indicator name for use inside a sentence: 'Children looked after' -> 'children
    looked after', but 'MMR first dose', 'DTaP/IPV/Hib vaccine' and named measures such as
    'Attainment 8 score' keep their capitals."""
    if not name:
        return name
    words = name.split()
    first = words[0]
    if any(c.isupper() for c in first[1:]):
        return name
    if len(words) > 1 and words[1][:1].isdigit():  # a named measure: "Attainment 8 score"
        return name
    return name[0].lower() + name[1:]


def in_period(period: str) -> str:
    """The preposition a period needs: 'in 2019/20', 'on 31 March 2020', 'at the end of 2020'."""
    if period.startswith("end of"):
        return f"at the {period}"
    if re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", period):
        return f"on {period}"
    return f"in {period}"
