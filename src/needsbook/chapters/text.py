"""Small helpers that turn numbers into plain English."""

from __future__ import annotations

import math
import re


def pct(value: float, dp: int = 1) -> str:
    return "not available" if value is None or math.isnan(value) else f"{value:.{dp}f}%"


def number(value: float) -> str:
    return "not available" if value is None or math.isnan(value) else f"{round(value):,}"


def change(old: float, new: float, dp: int = 1) -> str:
    """'rose by 2.1%' / 'fell by 0.4%' / 'was unchanged' (relative change, rounded)."""
    if old is None or new is None or math.isnan(old) or math.isnan(new) or old == 0:
        return "cannot be compared"
    rel = (new - old) / old * 100
    if round(rel, dp) == 0:
        return "was unchanged"
    return f"{'rose' if rel > 0 else 'fell'} by {abs(rel):.{dp}f}%"


def points_change(old: float, new: float, dp: int = 1) -> str:
    """Change in percentage points: 'up 1.2 percentage points' / 'down 0.3 ...'."""
    diff = new - old
    if round(diff, dp) == 0:
        return "no change"
    return f"{'up' if diff > 0 else 'down'} {abs(diff):.{dp}f} percentage points"


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
