"""Crude rates and counts: exact Poisson CIs below 10 events, Byar's from 10.

Reference: Byar's method in Breslow NE, Day NE (1987) Statistical methods in cancer
research vol. II, IARC; exact limits from the chi-square distribution; OHID Fingertips
technical guidance; the conventions of PHEindicatormethods ``phe_rate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from needsbook.stats._core import (
    arg_label,
    as_float_array,
    attach_ci,
    base_frame,
    broadcast,
    check_counts,
    check_denominators,
    check_multiplier,
    coded_labels,
    format_number,
    is_scalar_input,
    normalise_confidence,
    numeric_column,
    poisson_limits,
    poisson_limits_levels,
    shared_index,
    single_confidence,
    wrap,
)

__all__ = ["rate", "rate_ci"]


def rate_ci(
    x: Any, n: Any, confidence: float = 0.95, multiplier: float = 100_000
) -> tuple[Any, Any]:
    """CI for a crude rate x/n × multiplier: exact Poisson limits below 10 events, Byar's from 10.

    Exact: ``χ²(α/2, 2x)/2`` and ``χ²(1 − α/2, 2x + 2)/2``; Byar's:
    ``x(1 − 1/(9x) − z/(3√x))³`` and ``(x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³``; both divided
    by n and multiplied by ``multiplier``. The numerator may exceed the denominator.

    Raises InputError for x < 0, n <= 0, bad confidence or multiplier.
    """
    index = shared_index(x, n)
    scalar = is_scalar_input(x, n)
    xa, na = broadcast(as_float_array(x, "x"), as_float_array(n, "n"), names=("x", "n"))
    check_counts(xa, index, "x")
    check_denominators(na, index, "n")
    m = check_multiplier(multiplier)
    lower, upper, _ = poisson_limits(xa, single_confidence(confidence))
    return wrap(lower / na * m, index, scalar), wrap(upper / na * m, index, scalar)


def rate(
    df: pd.DataFrame,
    x: str = "count",
    n: str = "denominator",
    *,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
    group_by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Crude rate x/n × multiplier with exact (x < 10) or Byar's (x >= 10) CIs.

    With ``group_by`` counts and denominators are summed within groups first; without it
    rows are kept (same index). Use ``multiplier=1`` with ``n`` a column of ones for the
    CI of a plain count.

    Returns ``value``, the CI columns for each level, ``confidence``, ``statistic``
    ("rate per m") and ``method`` ("Exact" when x < 10, else "Byars"; NaN when x is missing).

    Raises InputError for negative counts, denominators <= 0, bad confidence or multiplier.
    """
    levels = normalise_confidence(confidence)
    m = check_multiplier(multiplier)
    xr = numeric_column(df, x, "x")
    nr = numeric_column(df, n, "n")
    check_counts(xr, df.index, arg_label("x", x))
    check_denominators(nr, df.index, arg_label("n", n))
    out = base_frame(df, [x, n], group_by)
    xa = out[x].to_numpy(dtype=float, na_value=np.nan)
    na = out[n].to_numpy(dtype=float, na_value=np.nan)
    scale = m / na
    limits = {
        level: (lower * scale, upper * scale)
        for level, (lower, upper) in poisson_limits_levels(xa, levels).items()
    }
    method = coded_labels(np.where(np.isnan(xa), -1, xa >= 10), ("Exact", "Byars"))
    return attach_ci(
        out, xa / na * m, limits, statistic=f"rate per {format_number(m)}", method=method
    )
