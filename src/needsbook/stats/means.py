"""Means with Student's t confidence intervals.

``mean ± t(1 − (1 − c)/2, n − 1) · s/√n`` with s the sample standard deviation (n − 1).
Reference: OHID Fingertips technical guidance; the conventions of PHEindicatormethods
``phe_mean``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from needsbook.stats._core import (
    arg_label,
    as_float_array,
    as_list,
    attach_ci,
    broadcast,
    check_rows,
    column,
    is_scalar_input,
    normalise_confidence,
    numeric_column,
    shared_index,
    single_confidence,
    wrap,
)

__all__ = ["mean", "t_mean_ci"]


def _t_limits(
    mu: np.ndarray, sd: np.ndarray, n: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        df = np.where(n > 1, n - 1, np.nan)
        t = special.stdtrit(df, 0.5 + level / 2) if level < 1 else np.full(n.shape, np.inf)
        half = t * sd / np.sqrt(n)
    return mu - half, mu + half


def t_mean_ci(mean: Any, sd: Any, n: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """CI of a mean from its sample SD and size: ``mean ∓ t(1 − α/2, n − 1)·sd/√n``.

    n = 1 (no degrees of freedom) or missing inputs give NaN. Raises InputError for n <= 0
    or a negative sd.
    """
    index = shared_index(mean, sd, n)
    scalar = is_scalar_input(mean, sd, n)
    mu, s, k = broadcast(
        as_float_array(mean, "mean"),
        as_float_array(sd, "sd"),
        as_float_array(n, "n"),
        names=("mean", "sd", "n"),
    )
    check_rows(k <= 0, index, "n", "sample sizes must be greater than zero")
    check_rows(s < 0, index, "sd", "standard deviations must be greater than or equal to zero")
    lower, upper = _t_limits(mu, s, k, single_confidence(confidence))
    return wrap(lower, index, scalar), wrap(upper, index, scalar)


def mean(
    df: pd.DataFrame,
    x: str = "value",
    *,
    confidence: float | Sequence[float] = 0.95,
    group_by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Mean of the individual values in column ``x`` (per group) with t-distribution CIs.

    Missing values are left out of the mean (a group with none gives NaN); a group with one
    value has no CI. Returns group columns, ``value_sum``, ``value_count``, ``stdev``,
    ``value``, CI columns, ``confidence``, ``statistic`` ("mean") and ``method``
    ("Student's t-distribution").
    """
    levels = normalise_confidence(confidence)
    keys = as_list(group_by)
    values = numeric_column(df, x, "x")
    check_rows(np.isinf(values), df.index, arg_label("x", x), "values must be finite")
    for g in keys:
        column(df, g, "group_by")
    work = pd.DataFrame({"_x": values}, index=df.index)
    if keys:
        grouped = work.assign(**{f"_key{i}": df[g].to_numpy() for i, g in enumerate(keys)}).groupby(
            [f"_key{i}" for i in range(len(keys))], sort=True, dropna=False, observed=True
        )["_x"]
        out = pd.DataFrame(
            {
                "value_sum": grouped.sum(),
                "value_count": grouped.count(),
                "stdev": grouped.std(ddof=1),
            }
        ).reset_index()
        out.columns = [*keys, "value_sum", "value_count", "stdev"]
    else:
        s = work["_x"]
        out = pd.DataFrame(
            {"value_sum": [s.sum()], "value_count": [s.count()], "stdev": [s.std(ddof=1)]}
        )
    count = out["value_count"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(count > 0, out["value_sum"].to_numpy(dtype=float) / count, np.nan)
    sd = out["stdev"].to_numpy(dtype=float)
    limits = {level: _t_limits(mu, sd, count, level) for level in levels}
    return attach_ci(out, mu, limits, statistic="mean", method="Student's t-distribution")
