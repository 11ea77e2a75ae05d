"""Comparing an area's value with a benchmark (England, its region, a comparator group).

Methods (OHID Fingertips technical guidance):

* benchmark inside the area's CI ("single overlapping CIs"): Similar if
  LCI <= benchmark <= UCI (inclusive), else Better/Worse by polarity; with two levels
  (95% and 99.8%) outside 95% but inside 99.8% -> Better/Worse, outside 99.8% -> Best/Worst;
* statistical process control (SPC) limits around the benchmark, for proportions (Wilson
  form centred on the expected count) and for rates (exact Poisson limits);
* quintiles of the comparator set when there is no CI.

Polarity: HIGH_IS_GOOD / LOW_IS_GOOD give Better/Worse; NO_JUDGEMENT gives
Higher/Lower; NOT_APPLICABLE gives "Not compared". Nothing is compared when the area or
benchmark value or the CI is missing, nor an area with itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from needsbook.errors import InputError
from needsbook.stats._core import (
    HIGH_IS_GOOD,
    LOW_IS_GOOD,
    NO_JUDGEMENT,
    NOT_APPLICABLE,
    arg_label,
    as_float_array,
    as_list,
    broadcast,
    check_multiplier,
    check_polarity,
    check_rows,
    ci_columns,
    column,
    is_scalar_input,
    limits_around_proportion,
    limits_around_rate,
    normalise_confidence,
    numeric_column,
    polarity_per_row,
    shared_index,
    single_confidence,
    wrap,
)
from needsbook.stats.quantiles import MIN_VALUES_FOR_QUINTILES, ntile, percentile_inc_quintiles

__all__ = [
    "BEST",
    "BETTER",
    "HIGHER",
    "LOWER",
    "NOT_COMPARED",
    "SIMILAR",
    "WORSE",
    "WORST",
    "compare_ci",
    "compare_quintiles",
    "compare_spc",
    "compare_to_benchmark",
    "spc_proportion_limits",
    "spc_rate_limits",
]

BETTER, SIMILAR, WORSE = "Better", "Similar", "Worse"
BEST, WORST = "Best", "Worst"
HIGHER, LOWER = "Higher", "Lower"
NOT_COMPARED = "Not compared"

#: Quintile labels, quintile 1 first (1 = best, or 1 = lowest for NO_JUDGEMENT).
QUINTILE_LABELS_JUDGEMENT = ("Best", "Better", "Middle", "Worse", "Worst")
QUINTILE_LABELS_NO_JUDGEMENT = ("Lowest", "Low", "Middle", "High", "Highest")

REASON_SELF = "area is the benchmark"
REASON_POLARITY = "the indicator is not to be compared (polarity)"
REASON_VALUE = "area value missing"
REASON_BENCHMARK = "benchmark value missing"
REASON_CI = "area confidence interval missing"
REASON_LIMITS = "control limits missing (denominator missing)"
REASON_TOO_FEW = f"fewer than {MIN_VALUES_FOR_QUINTILES} areas with a value"


# --------------------------------------------------------------------------------------
# Shared labelling
# --------------------------------------------------------------------------------------
def _labels(position: np.ndarray, outer: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    """Label from position (+1 area higher, −1 lower, 0 similar), tier and polarity.

    ``outer`` is True where the area is beyond the outer (99.8%) limits as well.
    """
    sign = np.select([polarity == HIGH_IS_GOOD, polarity == LOW_IS_GOOD], [1, -1], 0)
    good = position * sign
    return np.select(
        [
            position == 0,
            polarity == NO_JUDGEMENT,
            (good > 0) & outer,
            good > 0,
            (good < 0) & outer,
        ],
        [
            SIMILAR,
            np.where(position > 0, HIGHER, LOWER),
            BEST,
            BETTER,
            WORST,
        ],
        WORSE,
    ).astype(object)


def _reasons(checks: Sequence[tuple[np.ndarray, str]], size: int) -> np.ndarray:
    """First applicable 'not compared' reason per row (None where the row is compared)."""
    reason = np.full(size, None, dtype=object)
    for bad, text in reversed(checks):
        reason = np.where(bad, text, reason)
    return reason


def _position(value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """+1 where value > upper, −1 where value < lower, 0 inside (inclusive)."""
    return np.select([value > upper, value < lower], [1, -1], 0)


def _two_levels(levels: tuple[float, ...], argument: str = "confidence") -> tuple[float, ...]:
    if len(levels) > 2:
        raise InputError(f"{argument}: give one or two confidence levels (got {len(levels)})")
    return levels


def _method_ci(levels: tuple[float, ...]) -> str:
    pct = [f"{round(c * 100, 8):g}%" for c in levels]
    if len(pct) == 1:
        return f"{pct[0]} CI of area contains benchmark"
    return f"{pct[0]} and {pct[1]} CIs of area contain benchmark (two levels)"


# --------------------------------------------------------------------------------------
# Benchmark inside the area's confidence interval
# --------------------------------------------------------------------------------------
def _ci_compare(
    value: np.ndarray,
    benchmark: np.ndarray,
    inner: tuple[np.ndarray, np.ndarray],
    outer: tuple[np.ndarray, np.ndarray] | None,
    polarity: np.ndarray,
    same_area: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    ci_missing = np.isnan(inner[0]) | np.isnan(inner[1])
    if outer is not None:
        ci_missing |= np.isnan(outer[0]) | np.isnan(outer[1])
    reason = _reasons(
        [
            (same_area, REASON_SELF),
            (polarity == NOT_APPLICABLE, REASON_POLARITY),
            (np.isnan(value), REASON_VALUE),
            (np.isnan(benchmark), REASON_BENCHMARK),
            (ci_missing, REASON_CI),
        ],
        len(value),
    )
    # The area is higher than the benchmark when the benchmark lies below its lower limit.
    position = -_position(benchmark, *inner)
    beyond = (
        np.zeros(len(value), dtype=bool) if outer is None else _position(benchmark, *outer) != 0
    )
    labels = _labels(position, beyond, polarity)
    return np.where(pd.isna(reason), labels, NOT_COMPARED), reason


def compare_ci(
    value: Any,
    benchmark: Any,
    lower: Any,
    upper: Any,
    polarity: str = NO_JUDGEMENT,
    lower_outer: Any = None,
    upper_outer: Any = None,
) -> Any:
    """Label each area by whether the benchmark lies inside its confidence interval.

    Similar if ``lower <= benchmark <= upper``; otherwise Better/Worse (Higher/Lower for
    NO_JUDGEMENT) by polarity. Give the 99.8% limits as ``lower_outer``/``upper_outer``
    for the two-level rule (outside 99.8% -> Best/Worst). Missing value, benchmark or
    limits, or polarity NOT_APPLICABLE, give "Not compared".
    """
    inputs = [value, benchmark, lower, upper]
    two = lower_outer is not None or upper_outer is not None
    if two:
        if lower_outer is None or upper_outer is None:
            raise InputError("lower_outer, upper_outer: give both outer limits or neither")
        inputs += [lower_outer, upper_outer]
    index = shared_index(*inputs)
    scalar = is_scalar_input(*inputs)
    names = ["value", "benchmark", "lower", "upper", "lower_outer", "upper_outer"][: len(inputs)]
    arrays = broadcast(
        *(as_float_array(a, n) for a, n in zip(inputs, names, strict=True)), names=names
    )
    arrays = [a.reshape(-1) for a in arrays]
    check_polarity(polarity)
    pol = np.full(len(arrays[0]), polarity, dtype=object)
    outer = (arrays[4], arrays[5]) if two else None
    labels, _ = _ci_compare(
        arrays[0], arrays[1], (arrays[2], arrays[3]), outer, pol, np.zeros(len(pol), dtype=bool)
    )
    if scalar:
        return str(labels[0])
    return pd.Series(labels, index=index, name="comparison") if index is not None else labels


def _benchmark_values(df: pd.DataFrame, benchmark: Any) -> np.ndarray:
    if isinstance(benchmark, str):
        return numeric_column(df, benchmark, "benchmark")
    if isinstance(benchmark, pd.Series):
        return as_float_array(benchmark.reindex(df.index), "benchmark")
    values = as_float_array(benchmark, "benchmark")
    try:
        return np.broadcast_to(values, (len(df),)).astype(float)
    except ValueError:
        raise InputError("benchmark: give a number, a column name or one value per row") from None


def _same_area(df: pd.DataFrame, area_code: str | None, benchmark_code: Any) -> np.ndarray:
    if area_code is None or benchmark_code is None:
        return np.zeros(len(df), dtype=bool)
    codes = column(df, area_code, "area_code").to_numpy(dtype=object)
    if isinstance(benchmark_code, str) and benchmark_code in df.columns:
        target = df[benchmark_code].to_numpy(dtype=object)
    elif isinstance(benchmark_code, pd.Series):
        target = benchmark_code.reindex(df.index).to_numpy(dtype=object)
    else:
        target = np.full(len(df), benchmark_code, dtype=object)
    return np.asarray(pd.Series(codes).eq(pd.Series(target)).fillna(False), dtype=bool)


def _output(index: pd.Index, labels: np.ndarray, reasons: np.ndarray, method: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {"comparison": labels, "comparison_reason": reasons, "comparison_method": method},
        index=index,
    )


def compare_to_benchmark(
    df: pd.DataFrame,
    benchmark: float | str | pd.Series,
    *,
    polarity: str,
    confidence: float | Sequence[float] = 0.95,
    value: str = "value",
    lower: str | Sequence[str] | None = None,
    upper: str | Sequence[str] | None = None,
    area_code: str | None = None,
    benchmark_code: Any = None,
) -> pd.DataFrame:
    """Compare each row's CI with a benchmark value (the Fingertips default method).

    ``benchmark`` is a number (e.g. England's value), a column name (e.g. each area's
    region value) or a Series aligned on the index. ``confidence`` is 0.95, 0.998 or
    ``(0.95, 0.998)`` for the two-level rule; the CI columns default to
    ``lower_ci_95``/``upper_ci_95`` etc. (``lower``/``upper`` give other names, one per
    level). ``polarity`` is one of HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT,
    NOT_APPLICABLE, or a column holding those strings. When ``area_code`` (a column)
    and ``benchmark_code`` (a code, or a column name) are given, a row whose code equals
    the benchmark's is "Not compared" (an area is never compared with itself).

    Returns a frame on ``df``'s index with ``comparison`` ("Better", "Similar", "Worse",
    "Best", "Worst", "Higher", "Lower", "Not compared"), ``comparison_reason`` (why not
    compared, else missing) and ``comparison_method`` (e.g. "95% CI of area contains
    benchmark").
    """
    levels = _two_levels(normalise_confidence(confidence))
    lowers = [ci_columns(c)[0] for c in levels] if lower is None else as_list(lower)
    uppers = [ci_columns(c)[1] for c in levels] if upper is None else as_list(upper)
    if len(lowers) != len(levels) or len(uppers) != len(levels):
        raise InputError("lower, upper: give one column name per confidence level")
    v = numeric_column(df, value, "value")
    b = _benchmark_values(df, benchmark)
    limits = [
        (numeric_column(df, lo, "lower"), numeric_column(df, hi, "upper"))
        for lo, hi in zip(lowers, uppers, strict=True)
    ]
    pol = polarity_per_row(df, polarity, len(df))
    same = _same_area(df, area_code, benchmark_code)
    labels, reasons = _ci_compare(
        v, b, limits[0], limits[1] if len(limits) > 1 else None, pol, same
    )
    return _output(df.index, labels, reasons, _method_ci(levels))


# --------------------------------------------------------------------------------------
# Statistical process control (SPC) limits around the benchmark
# --------------------------------------------------------------------------------------
def spc_proportion_limits(
    benchmark: Any, n: Any, confidence: float = 0.95, multiplier: float = 1
) -> tuple[Any, Any]:
    """SPC control limits for a proportion with denominator N around benchmark P₀.

    E = N·P₀, A = 2E + z², B = z·sqrt(z² + 4E(1 − E/N)), C = 2(N + z²); limits (A ∓ B)/C,
    × multiplier (the benchmark is on the same scale). z = 1.96 (95%) or 3.09 (99.8%).
    """
    index = shared_index(benchmark, n)
    scalar = is_scalar_input(benchmark, n)
    m = check_multiplier(multiplier)
    b, na = broadcast(
        as_float_array(benchmark, "benchmark"), as_float_array(n, "n"), names=("benchmark", "n")
    )
    check_rows(na <= 0, index, "n", "denominators must be greater than zero")
    check_rows((b < 0) | (b > m), index, "benchmark", f"proportions must be between 0 and {m:g}")
    lower, upper = limits_around_proportion(b / m, na, single_confidence(confidence))
    return wrap(lower * m, index, scalar), wrap(upper * m, index, scalar)


def spc_rate_limits(
    benchmark: Any, n: Any, confidence: float = 0.95, multiplier: float = 100_000
) -> tuple[Any, Any]:
    """SPC control limits for a rate around the benchmark rate, for population n.

    Expected count E = benchmark × n / multiplier; limits are the exact Poisson limits
    ``χ²(α/2, 2E)/2`` and ``χ²(1 − α/2, 2E + 2)/2`` (tails 0.025 at 95%, 0.001 at 99.8%),
    divided by n and × multiplier.
    """
    index = shared_index(benchmark, n)
    scalar = is_scalar_input(benchmark, n)
    m = check_multiplier(multiplier)
    b, na = broadcast(
        as_float_array(benchmark, "benchmark"), as_float_array(n, "n"), names=("benchmark", "n")
    )
    check_rows(na <= 0, index, "n", "denominators must be greater than zero")
    check_rows(b < 0, index, "benchmark", "rates must be greater than or equal to zero")
    lower, upper = limits_around_rate(b / m, na, single_confidence(confidence))
    return wrap(lower * m, index, scalar), wrap(upper * m, index, scalar)


def compare_spc(
    df: pd.DataFrame,
    benchmark: float | str | pd.Series,
    *,
    polarity: str,
    statistic: str = "proportion",
    confidence: float | Sequence[float] = 0.95,
    value: str = "value",
    n: str = "denominator",
    multiplier: float | None = None,
    area_code: str | None = None,
    benchmark_code: Any = None,
) -> pd.DataFrame:
    """Compare each area's value with SPC control limits around the benchmark.

    ``statistic`` "proportion" uses :func:`spc_proportion_limits` (default multiplier
    100, i.e. percentages) and "rate" uses :func:`spc_rate_limits` (default 100,000);
    ``n`` is the area's denominator or population. Inside the limits (inclusive) ->
    Similar; above/below -> Better/Worse by polarity (two levels: beyond the 99.8% limits
    -> Best/Worst). Same output columns as :func:`compare_to_benchmark`.
    """
    if statistic not in ("proportion", "rate"):
        raise InputError(f'statistic: must be "proportion" or "rate" (got {statistic!r})')
    levels = _two_levels(normalise_confidence(confidence))
    m = check_multiplier(
        (100 if statistic == "proportion" else 100_000) if multiplier is None else multiplier
    )
    v = numeric_column(df, value, "value")
    b = _benchmark_values(df, benchmark)
    na = numeric_column(df, n, "n")
    check_rows(na <= 0, df.index, arg_label("n", n), "denominators must be greater than zero")
    if statistic == "proportion":
        check_rows(
            (b < 0) | (b > m), df.index, "benchmark", f"proportions must be between 0 and {m:g}"
        )
    pol = polarity_per_row(df, polarity, len(df))
    same = _same_area(df, area_code, benchmark_code)
    limit_fn = limits_around_proportion if statistic == "proportion" else limits_around_rate
    limits = [tuple(lim * m for lim in limit_fn(b / m, na, level)) for level in levels]
    reason = _reasons(
        [
            (same, REASON_SELF),
            (pol == NOT_APPLICABLE, REASON_POLARITY),
            (np.isnan(v), REASON_VALUE),
            (np.isnan(b), REASON_BENCHMARK),
            (np.isnan(na), REASON_LIMITS),
        ],
        len(df),
    )
    position = _position(v, *limits[0])
    beyond = np.zeros(len(df), dtype=bool) if len(limits) == 1 else _position(v, *limits[1]) != 0
    labels = np.where(pd.isna(reason), _labels(position, beyond, pol), NOT_COMPARED)
    pct = " and ".join(f"{round(c * 100, 8):g}%" for c in levels)
    method = f"SPC for {statistic}s: area outside {pct} control limits around benchmark"
    return _output(df.index, labels, reason, method)


# --------------------------------------------------------------------------------------
# Quintiles (no CI available)
# --------------------------------------------------------------------------------------
def compare_quintiles(
    df: pd.DataFrame,
    value: str = "value",
    *,
    polarity: str,
    group_by: str | Sequence[str] | None = None,
    rule: str = "percentile",
) -> pd.DataFrame:
    """Place each area in a quintile of its comparator set (all rows, or each group).

    ``rule="percentile"``: legacy Fingertips bins bounded by min, P20 … P80, max
    (PERCENTILE.INC, :func:`~needsbook.stats.quantiles.percentile_inc_quintiles`);
    ``rule="ntile"``: FingertipsNext NTILE(5) (:func:`~needsbook.stats.quantiles.ntile`).
    Sets with fewer than 5 values are not compared. ``quintile`` 1 is the best for "High
    IS_GOOD/LOW_IS_GOOD (labels Best, Better, Middle, Worse, Worst) and the lowest for
    NO_JUDGEMENT (Lowest, Low, Middle, High, Highest).

    Returns ``quintile`` (Int64), ``comparison``, ``comparison_reason`` and
    ``comparison_method`` (e.g. "quintiles of 152 areas (PERCENTILE.INC)").
    """
    if rule not in ("percentile", "ntile"):
        raise InputError(f'rule: must be "percentile" or "ntile" (got {rule!r})')
    v = pd.Series(numeric_column(df, value, "value"), index=df.index)
    pol = polarity_per_row(df, polarity, len(df))
    keys = as_list(group_by)
    for g in keys:
        column(df, g, "group_by")
    bins = pd.Series(np.nan, index=df.index)
    counts = pd.Series(0, index=df.index)
    groups = (
        [((), v)] if not keys else v.groupby([df[g] for g in keys], dropna=False, observed=True)
    )
    for _, part in groups:
        found = percentile_inc_quintiles(part) if rule == "percentile" else ntile(part, 5)
        n_values = int(part.notna().sum())
        if n_values < MIN_VALUES_FOR_QUINTILES:
            found = found * np.nan
        bins.loc[part.index] = found
        counts.loc[part.index] = n_values
    raw = bins.to_numpy()
    reverse = pol == HIGH_IS_GOOD
    quintile = np.where(reverse, 6 - raw, raw)
    reason = _reasons(
        [
            (pol == NOT_APPLICABLE, REASON_POLARITY),
            (v.isna().to_numpy(), REASON_VALUE),
            (counts.to_numpy() < MIN_VALUES_FOR_QUINTILES, REASON_TOO_FEW),
        ],
        len(df),
    )
    quintile = np.where(pd.isna(reason), quintile, np.nan)
    idx = np.nan_to_num(quintile, nan=1).astype(int) - 1
    labels = np.where(
        pol == NO_JUDGEMENT,
        np.asarray(QUINTILE_LABELS_NO_JUDGEMENT, dtype=object)[idx],
        np.asarray(QUINTILE_LABELS_JUDGEMENT, dtype=object)[idx],
    )
    labels = np.where(pd.isna(reason), labels, NOT_COMPARED)
    rule_text = "PERCENTILE.INC" if rule == "percentile" else "NTILE(5)"
    method = [f"quintiles of {k} areas ({rule_text})" for k in counts.to_numpy()]
    out = _output(df.index, labels, reason, method)
    out.insert(0, "quintile", pd.array(quintile, dtype="Int64"))
    return out
