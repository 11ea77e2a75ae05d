"""Small helpers that turn numbers into plain English."""

from __future__ import annotations

import math


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
