"""Proportions and percentages with Wilson score confidence intervals.

Reference: Wilson EB (1927) J Am Stat Assoc 22:209; OHID Fingertips technical guidance;
the conventions of PHEindicatormethods ``phe_proportion``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from needsbook.stats._core import (
    arg_label,
    attach_ci,
    base_frame,
    check_counts,
    check_denominators,
    check_multiplier,
    check_rows,
    format_number,
    normalise_confidence,
    numeric_column,
    wilson_limits_levels,
)

__all__ = ["proportion"]


def proportion(
    df: pd.DataFrame,
    x: str = "count",
    n: str = "denominator",
    *,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100,
    group_by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Proportion x/n × multiplier with Wilson score CIs, row by row or summed within groups.

    ``value = x/n × m``; limits ``(2x + z² ∓ z·sqrt(z² + 4x(1 − x/n))) / (2(n + z²)) × m``
    (Wilson 1927). With ``group_by`` the numerators and denominators are summed within each
    group first (a missing value makes the group missing). Without it the input rows are
    kept (same index) and the output columns are added to a copy.

    Returns columns ``value``, ``lower_ci_95``/``upper_ci_95`` and/or
    ``lower_ci_99_8``/``upper_ci_99_8``, ``confidence``, ``statistic`` ("percentage" or
    "proportion of m") and ``method`` ("Wilson").

    Raises InputError for negative numerators, denominators <= 0, x > n, a confidence level
    outside [0.9, 1] / [90, 100] or a non-positive multiplier.
    """
    levels = normalise_confidence(confidence)
    m = check_multiplier(multiplier)
    xr = numeric_column(df, x, "x")
    nr = numeric_column(df, n, "n")
    check_counts(xr, df.index, arg_label("x", x))
    check_denominators(nr, df.index, arg_label("n", n))
    check_rows(
        xr > nr,
        df.index,
        arg_label("x", x),
        "numerators must be less than or equal to denominator for a proportion statistic",
    )
    out = base_frame(df, [x, n], group_by)
    xa = out[x].to_numpy(dtype=float, na_value=float("nan"))
    na = out[n].to_numpy(dtype=float, na_value=float("nan"))
    limits = {
        level: (lower * m, upper * m)
        for level, (lower, upper) in wilson_limits_levels(xa, na, levels).items()
    }
    statistic = "percentage" if m == 100 else f"proportion of {format_number(m)}"
    return attach_ci(out, xa / na * m, limits, statistic=statistic, method="Wilson")
