"""Recent trend markers: the Fingertips 5-point test.

The most recent five valid points (t = 1..5, oldest to newest) are tested for a linear
trend. The trend is significant when χ² > 9.54953570608324 (χ²₁ at 99.8%) and the slope
has the same sign in the full fit and in all five leave-one-out fits. Its direction is
the sign of the slope over time.

* Non-proportions: inverse-variance weighted linear regression, SE_t = (UCI₉₅ − LCI₉₅)/3.92,
  w_t = 1/SE_t²; with S1 = Σw, S2 = Σw·y·t, S3 = Σw·t, S4 = Σw·y, S5 = Σw·t²:
  β = (S1·S2 − S3·S4)/(S1·S5 − S3²), SE(β) = sqrt(S1/(S1·S5 − S3²)), χ² = (β/SE(β))².
* Proportions: χ² test for trend on counts O_t and denominators N_t,
  χ² = N·(N·ΣO_t·t − O·ΣN_t·t)² / (O·(N − O)·(N·ΣN_t·t² − (ΣN_t·t)²)); the sign check uses
  the ordinary least-squares slope of logit(O_t/N_t) on t; the direction is the sign of
  N·ΣO_t·t − O·ΣN_t·t.

Reference: OHID Fingertips technical guidance ("Recent trends"). The direction comes from
the data; the legacy calculator's unassigned slope on the proportions path (which would
label every significant trend "Decreasing") is not reproduced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from needsbook.errors import InputError
from needsbook.stats._core import (
    HIGH_IS_GOOD,
    LOW_IS_GOOD,
    NO_JUDGEMENT,
    POLARITIES,
    arg_label,
    as_float_array,
    as_list,
    check_polarity,
    check_rows,
    column,
    numeric_column,
    polarity_per_row,
)

__all__ = [
    "CANNOT_BE_CALCULATED",
    "DECREASING",
    "INCREASING",
    "NO_SIGNIFICANT_CHANGE",
    "TREND_POINTS",
    "TREND_THRESHOLD",
    "TrendResult",
    "recent_trend",
    "trend_chi2_proportion",
    "trend_label",
    "trend_weighted_regression",
]

#: χ²₁ at 99.8% (= z₉₉.₈²): the significance threshold for the trend test.
TREND_THRESHOLD = 9.54953570608324
#: Number of most recent points tested.
TREND_POINTS = 5
#: Width of a 95% CI in standard errors (2 × 1.96), as Fingertips uses.
CI95_WIDTH_IN_SE = 3.92

INCREASING = "Increasing"
DECREASING = "Decreasing"
NO_SIGNIFICANT_CHANGE = "No significant change"
CANNOT_BE_CALCULATED = "Cannot be calculated"

METHOD_REGRESSION = "inverse-variance weighted linear regression on the 5 most recent points"
METHOD_CHI2 = "chi-squared test for trend in proportions on the 5 most recent points"

REASON_TOO_FEW = "fewer than 5 valid points"
REASON_ZERO_WIDTH = "a confidence interval has zero width"
REASON_COUNT_EQ_DENOM = "a count equals its denominator"
REASON_ZERO_COUNT = "a count is zero (logit undefined)"


@dataclass(frozen=True)
class TrendResult:
    """Outcome of the trend test for one series."""

    trend: str
    slope: float
    chi2: float
    significant: bool
    reason: str | None = None


# --------------------------------------------------------------------------------------
# Vectorised maths: rows are series, columns the five points
# --------------------------------------------------------------------------------------
_T = np.arange(1, TREND_POINTS + 1, dtype=float)


def _wls(y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least-squares slope of y on t and its SE (rows independent)."""
    s1 = w.sum(axis=1)
    s2 = (w * y * _T).sum(axis=1)
    s3 = (w * _T).sum(axis=1)
    s4 = (w * y).sum(axis=1)
    s5 = (w * _T**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = s1 * s5 - s3**2
        return (s1 * s2 - s3 * s4) / denom, np.sqrt(s1 / denom)


def _signs_agree(y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sign of the full fit, and True where it and all five leave-one-out fits agree (non-zero)."""
    full = np.sign(_wls(y, w)[0])
    agree = full != 0
    for j in range(TREND_POINTS):
        w_loo = w.copy()
        w_loo[:, j] = 0.0
        agree &= np.sign(_wls(y, w_loo)[0]) == full
    return full, agree


def _regression(
    value: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """slope, chi2, significant, reason per series for the weighted-regression test."""
    se = (upper - lower) / CI95_WIDTH_IN_SE
    zero = (se <= 0).any(axis=1)
    with np.errstate(divide="ignore"):
        w = np.where(se > 0, 1 / se**2, 0.0)
    slope, se_slope = _wls(value, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        chi2 = (slope / se_slope) ** 2
    significant = (chi2 > TREND_THRESHOLD) & _signs_agree(value, w)[1] & ~zero
    reason = np.where(zero, REASON_ZERO_WIDTH, None)
    slope = np.where(zero, np.nan, slope)
    chi2 = np.where(zero, np.nan, chi2)
    return slope, chi2, significant, reason


def _chi2_proportion(
    count: np.ndarray, denom: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """gradient, chi2, significant, reason per series for the χ² test for trend."""
    n_total = denom.sum(axis=1)
    o_total = count.sum(axis=1)
    gradient = n_total * (count * _T).sum(axis=1) - o_total * (denom * _T).sum(axis=1)
    nt = (denom * _T).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        chi2 = (
            n_total
            * gradient**2
            / (o_total * (n_total - o_total) * (n_total * (denom * _T**2).sum(axis=1) - nt**2))
        )
        logit = np.log(count / (denom - count))
    equal = (count == denom).any(axis=1)
    zero = (count == 0).any(axis=1)
    full_sign, agree = _signs_agree(np.where(np.isfinite(logit), logit, 0.0), np.ones_like(logit))
    bad = equal | zero
    significant = (chi2 > TREND_THRESHOLD) & agree & (np.sign(gradient) == full_sign) & ~bad
    reason = np.where(equal, REASON_COUNT_EQ_DENOM, np.where(zero, REASON_ZERO_COUNT, None))
    return np.where(bad, np.nan, gradient), np.where(bad, np.nan, chi2), significant, reason


def _trend_words(slope: np.ndarray, significant: np.ndarray, reason: np.ndarray) -> np.ndarray:
    words = np.where(
        significant,
        np.where(slope > 0, INCREASING, DECREASING),
        NO_SIGNIFICANT_CHANGE,
    ).astype(object)
    return np.where(pd.isna(reason), words, CANNOT_BE_CALCULATED)


def _vector(arr: Any, argument: str) -> np.ndarray:
    return as_float_array(arr, argument).reshape(-1)


def _single(arrays: Sequence[np.ndarray], kind: str) -> TrendResult:
    valid = np.all([~np.isnan(a) for a in arrays], axis=0)
    if valid.sum() < TREND_POINTS:
        return TrendResult(CANNOT_BE_CALCULATED, np.nan, np.nan, False, REASON_TOO_FEW)
    rows = [a[valid][-TREND_POINTS:].reshape(1, -1) for a in arrays]
    slope, chi2, significant, reason = (
        _regression(*rows) if kind == "regression" else _chi2_proportion(*rows)
    )
    trend = _trend_words(slope, significant, reason)[0]
    return TrendResult(str(trend), float(slope[0]), float(chi2[0]), bool(significant[0]), reason[0])


def trend_weighted_regression(value: Any, lower: Any, upper: Any) -> TrendResult:
    """5-point trend test by inverse-variance weighted regression for one series.

    ``value``, ``lower``, ``upper`` (95% CI) are in time order, oldest first; the most
    recent five points with all three present are used (gaps allowed). Returns a
    :class:`TrendResult` with ``slope`` = β, ``chi2`` = (β/SE(β))².
    """
    arrays = [_vector(a, n) for a, n in ((value, "value"), (lower, "lower"), (upper, "upper"))]
    if len({len(a) for a in arrays}) != 1:
        raise InputError("value, lower, upper: lengths do not match")
    return _single(arrays, "regression")


def trend_chi2_proportion(count: Any, denominator: Any) -> TrendResult:
    """5-point χ² test for trend in a proportion for one series (counts and denominators).

    ``slope`` in the result is the trend gradient N·ΣO_t·t − O·ΣN_t·t (its sign is the
    direction). Any count equal to its denominator (or zero, where the logit sign check
    is undefined) gives "Cannot be calculated".
    """
    o = _vector(count, "count")
    n = _vector(denominator, "denominator")
    if len(o) != len(n):
        raise InputError("count, denominator: lengths do not match")
    _check_proportion_rows(o, n, None, "count", "denominator")
    return _single([o, n], "chi2")


def _check_proportion_rows(
    o: np.ndarray, n: np.ndarray, index: pd.Index | None, x: str, d: str
) -> None:
    check_rows(o < 0, index, x, "numerators must be greater than or equal to zero")
    check_rows(n <= 0, index, d, "denominators must be greater than zero")
    check_rows(
        o > n,
        index,
        x,
        "numerators must be less than or equal to denominator for a proportion statistic",
    )


#: How :func:`trend_label` ends a judged trend (readers of the label test for these).
GETTING_BETTER, GETTING_WORSE = "and getting better", "and getting worse"


def trend_label(trend: Any, polarity: Any) -> Any:
    """Combine a trend word with polarity, e.g. "Increasing and getting worse".

    "High IS_GOOD/LOW_IS_GOOD add "and getting better"/"and getting worse"; "No
    judgement" and NOT_APPLICABLE leave "Increasing"/"Decreasing" as they are. Works on
    strings or arrays/Series (element-wise).
    """
    scalar = np.ndim(trend) == 0 and np.ndim(polarity) == 0
    t = np.asarray(trend, dtype=object)
    p = np.asarray(polarity, dtype=object)
    bad = ~pd.Series(np.broadcast_to(p, np.broadcast_shapes(t.shape, p.shape)).reshape(-1)).isin(
        POLARITIES
    )
    if bad.any():
        check_polarity(np.broadcast_to(p, bad.shape)[bad.to_numpy()][0])
    up = t == INCREASING
    down = t == DECREASING
    good_up = p == HIGH_IS_GOOD
    good_down = p == LOW_IS_GOOD
    better = (up & good_up) | (down & good_down)
    worse = (up & good_down) | (down & good_up)
    out = np.where(better, t + " " + GETTING_BETTER, np.where(worse, t + " " + GETTING_WORSE, t))
    if scalar:
        return str(out)
    if isinstance(trend, pd.Series):
        return pd.Series(out, index=trend.index, name="trend_label")
    return out


# --------------------------------------------------------------------------------------
# Data-frame API: one label per series
# --------------------------------------------------------------------------------------
def recent_trend(
    df: pd.DataFrame,
    *,
    time: str,
    value: str = "value",
    lower: str = "lower_ci_95",
    upper: str = "upper_ci_95",
    count: str | None = None,
    denominator: str | None = None,
    group_by: str | Sequence[str] | None = None,
    polarity: str = NO_JUDGEMENT,
    method: str = "regression",
) -> pd.DataFrame:
    """Recent trend for every series of a long table (one row per series and time).

    ``method="regression"`` (non-proportions, and FingertipsNext for all) uses ``value``
    and its 95% CI (``lower``/``upper``); ``method="chi2"`` (proportions) uses ``count``
    and ``denominator``. Per series (``group_by``) the rows are ordered by ``time`` and
    the five most recent valid points are tested (gaps allowed, as FingertipsNext). The
    periods should be non-overlapping annual periods; that is the caller's choice.
    ``polarity`` is one of the four polarity strings or a column holding them.

    Returns one row per series: group columns, ``trend`` (Increasing / Decreasing /
    No significant change / Cannot be calculated), ``trend_label`` (with polarity),
    ``trend_reason`` (why it cannot be calculated), ``slope`` (β, or the χ² gradient for
    proportions), ``chi2``, ``points`` (valid points used), ``from_time``, ``to_time`` and
    ``trend_method``.
    """
    if method not in ("regression", "chi2"):
        raise InputError(f'method: must be "regression" or "chi2" (got {method!r})')
    keys = as_list(group_by)
    for g in keys:
        column(df, g, "group_by")
    column(df, time, "time")
    if method == "chi2":
        if count is None or denominator is None:
            raise InputError(
                'count, denominator: method "chi2" needs count and denominator columns'
            )
        a = numeric_column(df, count, "count")
        b = numeric_column(df, denominator, "denominator")
        ok = ~np.isnan(a) & ~np.isnan(b)
        _check_proportion_rows(
            np.where(ok, a, 0),
            np.where(ok, b, 1),
            df.index,
            arg_label("count", count),
            arg_label("denominator", denominator),
        )
        cols = {"_a": a, "_b": b}
    else:
        cols = {
            "_a": numeric_column(df, value, "value"),
            "_b": numeric_column(df, lower, "lower"),
            "_c": numeric_column(df, upper, "upper"),
        }
    pol = polarity_per_row(df, polarity, len(df))

    work = pd.DataFrame({f"_key{i}": df[g].to_numpy() for i, g in enumerate(keys)}, index=df.index)
    key_cols = list(work.columns) or ["_all"]
    if not keys:
        work["_all"] = 0
    work["_time"] = df[time].to_numpy()
    work["_pol"] = pol
    for name, arr in cols.items():
        work[name] = arr
    dup = work.duplicated([*key_cols, "_time"], keep=False).to_numpy()
    check_rows(
        dup, df.index, arg_label("time", time), "each time period may appear only once per series"
    )
    work = work.sort_values([*key_cols, "_time"], kind="stable")

    data_cols = list(cols)
    valid = work[data_cols].notna().all(axis=1)
    recent = (
        work[valid].groupby(key_cols, sort=False, dropna=False, observed=True).tail(TREND_POINTS)
    )
    series = work.groupby(key_cols, sort=True, dropna=False, observed=True)
    summary = series["_pol"].first().to_frame("polarity")
    grouped_recent = recent.groupby(key_cols, sort=True, dropna=False, observed=True)
    summary["points"] = grouped_recent["_time"].count().reindex(summary.index).fillna(0).astype(int)
    summary["from_time"] = grouped_recent["_time"].first().reindex(summary.index)
    summary["to_time"] = grouped_recent["_time"].last().reindex(summary.index)

    n_series = len(summary)
    slope = np.full(n_series, np.nan)
    chi2 = np.full(n_series, np.nan)
    significant = np.zeros(n_series, dtype=bool)
    reason = np.full(n_series, REASON_TOO_FEW, dtype=object)
    full = summary["points"].to_numpy() == TREND_POINTS
    if full.any():
        position = summary.index.get_indexer(
            pd.MultiIndex.from_frame(recent[key_cols]) if len(key_cols) > 1 else recent[key_cols[0]]
        )
        keep = full[position]
        rows = position[keep]
        slot = (
            recent[keep]
            .groupby(key_cols, sort=False, dropna=False, observed=True)
            .cumcount()
            .to_numpy()
        )
        target = np.flatnonzero(full)
        where = np.searchsorted(target, rows)
        mats = []
        for name in data_cols:
            mat = np.full((len(target), TREND_POINTS), np.nan)
            mat[where, slot] = recent[name].to_numpy()[keep]
            mats.append(mat)
        fn = _regression if method == "regression" else _chi2_proportion
        s, c, sig, why = fn(*mats)
        slope[target], chi2[target], significant[target], reason[target] = s, c, sig, why
    trend = _trend_words(slope, significant, reason)
    out = summary.reset_index()
    out = (
        out.rename(columns=dict(zip(key_cols, keys, strict=True)))
        if keys
        else out.drop(columns="_all")
    )
    out.insert(len(keys), "trend", trend)
    out.insert(len(keys) + 1, "trend_label", trend_label(trend, out["polarity"].to_numpy()))
    out.insert(len(keys) + 2, "trend_reason", reason)
    out["slope"] = slope
    out["chi2"] = chi2
    out["trend_method"] = METHOD_REGRESSION if method == "regression" else METHOD_CHI2
    return out.drop(columns="polarity")[
        [
            *keys,
            "trend",
            "trend_label",
            "trend_reason",
            "slope",
            "chi2",
            "points",
            "from_time",
            "to_time",
            "trend_method",
        ]
    ]
