"""Funnel plot control limits and significance labels.

Limits are drawn around the overall average at 2 (two-sided 95%, tail 0.025) and 3
(99.8%, tail 0.001) standard deviations:

* proportions: Wilson-form limits around the overall proportion P₀ = Σx/Σn for each
  denominator N (E = N·P₀; limits (2E + z² ∓ z·sqrt(z² + 4E(1 − E/N))) / (2(N + z²)));
* rates: exact Poisson limits around the expected count E = r₀·N (r₀ = Σx/Σn),
  ``χ²(α/2, 2E)/2`` and ``χ²(1 − α/2, 2E + 2)/2``, divided by N;
* ratios (observed/expected, e.g. standardised ratios): exact Poisson limits around
  E, divided by E, × the ratio multiplier.

References: Spiegelhalter DJ (2005) Funnel plots for comparing institutional performance.
Stat Med 24:1185-1202; OHID Fingertips technical guidance; the conventions of
PHEindicatormethods ``calculate_funnel_limits`` / ``assign_funnel_significance``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from needsbook.errors import InputError
from needsbook.stats._core import (
    arg_label,
    as_float_array,
    check_multiplier,
    check_rows,
    ci_suffix,
    limits_around_proportion,
    limits_around_rate,
    numeric_column,
)

__all__ = ["FUNNEL_LEVELS", "funnel_limits", "funnel_significance"]

#: 2s (tail 0.025) and 3s (tail 0.001) limits.
FUNNEL_LEVELS = (0.95, 0.998)
STATISTICS = ("proportion", "rate", "ratio")
DEFAULT_MULTIPLIER = {"proportion": 100, "rate": 100_000, "ratio": 1}

HIGH_3S, HIGH_2S = "High (0.001)", "High (0.025)"
LOW_3S, LOW_2S = "Low (0.001)", "Low (0.025)"
NOT_SIGNIFICANT = "Not significant"


def _prepare(
    df: pd.DataFrame, x: str, n: str, statistic: str, multiplier: float | None
) -> tuple[np.ndarray, np.ndarray, float]:
    if statistic not in STATISTICS:
        raise InputError(
            f"statistic: must be one of {', '.join(map(repr, STATISTICS))} (got {statistic!r})"
        )
    m = check_multiplier(DEFAULT_MULTIPLIER[statistic] if multiplier is None else multiplier)
    xa = numeric_column(df, x, "x")
    na = numeric_column(df, n, "n")
    check_rows(
        xa < 0, df.index, arg_label("x", x), "numerators must be greater than or equal to zero"
    )
    check_rows(na <= 0, df.index, arg_label("n", n), "denominators must be greater than zero")
    if statistic == "proportion":
        check_rows(
            xa > na,
            df.index,
            arg_label("x", x),
            "numerators must be less than or equal to denominator for a proportion statistic",
        )
    return xa, na, m


def _average(xa: np.ndarray, na: np.ndarray, statistic: str) -> float:
    """Overall average (per 1): Σx/Σn over rows with both present; 1 for ratios."""
    if statistic == "ratio":
        return 1.0
    ok = ~np.isnan(xa) & ~np.isnan(na)
    return float(xa[ok].sum() / na[ok].sum()) if ok.any() else float("nan")


def _limits(
    average: float, axis: np.ndarray, statistic: str, level: float
) -> tuple[np.ndarray, np.ndarray]:
    if statistic == "proportion":
        return limits_around_proportion(np.full(axis.shape, average), axis, level)
    return limits_around_rate(np.full(axis.shape, average), axis, level)


def funnel_limits(
    df: pd.DataFrame,
    x: str = "count",
    n: str = "denominator",
    *,
    statistic: str = "proportion",
    multiplier: float | None = None,
    axis: Any = None,
    points: int = 100,
) -> pd.DataFrame:
    """Funnel plot limits around the overall average for a range of denominators.

    ``statistic`` is "proportion" (x of n; multiplier default 100), "rate" (x per n;
    default 100,000) or "ratio" (x observed, n expected; default 1). ``axis`` gives the
    denominators (or expected counts) to evaluate; by default ``points`` values spaced
    evenly on a log scale from the smallest to the largest n in the data.

    Returns columns ``denominator``, ``benchmark``, ``lower_limit_95``, ``upper_limit_95``,
    ``lower_limit_99_8``, ``upper_limit_99_8`` and ``statistic``.
    """
    xa, na, m = _prepare(df, x, n, statistic, multiplier)
    average = _average(xa, na, statistic)
    if axis is None:
        present = na[~np.isnan(na)]
        if not present.size:
            raise InputError(f"{arg_label('n', n)}: no denominators to build an axis from")
        if isinstance(points, bool) or not isinstance(points, int) or points < 2:
            raise InputError(f"points: must be a whole number of 2 or more (got {points!r})")
        grid = (
            np.geomspace(present.min(), present.max(), points)
            if present.min() < present.max()
            else present[:1]
        )
    else:
        grid = as_float_array(axis, "axis").reshape(-1)
        check_rows(~(grid > 0), None, "axis", "denominators must be greater than zero")
    out = pd.DataFrame({"denominator": grid, "benchmark": average * m})
    for level in FUNNEL_LEVELS:
        lower, upper = _limits(average, grid, statistic, level)
        out[f"lower_limit_{ci_suffix(level)}"] = lower * m
        out[f"upper_limit_{ci_suffix(level)}"] = upper * m
    out["statistic"] = statistic
    return out


def funnel_significance(
    df: pd.DataFrame,
    x: str = "count",
    n: str = "denominator",
    *,
    statistic: str = "proportion",
    multiplier: float | None = None,
) -> pd.Series:
    """Label each row against the funnel limits at its own denominator.

    "High (0.001)" above the 99.8% limit, "High (0.025)" above the 95% limit, "Low (0.025)"
    / "Low (0.001)" below, "Not significant" inside (limits inclusive); missing inputs give
    a missing label. Returns a Series on ``df``'s index named "significance".
    """
    xa, na, _m = _prepare(df, x, n, statistic, multiplier)
    average = _average(xa, na, statistic)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = xa / na
    inner = _limits(average, na, statistic, FUNNEL_LEVELS[0])
    outer = _limits(average, na, statistic, FUNNEL_LEVELS[1])
    label = np.select(
        [value > outer[1], value > inner[1], value < outer[0], value < inner[0]],
        [HIGH_3S, HIGH_2S, LOW_3S, LOW_2S],
        NOT_SIGNIFICANT,
    ).astype(object)
    label = np.where(np.isnan(value) | np.isnan(average), None, label)
    return pd.Series(label, index=df.index, name="significance", dtype=object)
