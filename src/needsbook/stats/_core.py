"""Shared confidence-interval maths and argument checking for ``needsbook.stats``.

Everything here is vectorised over numpy arrays. The public low-level functions accept
scalars, lists, numpy arrays or pandas Series: Series in gives Series out (same index),
scalars in give floats out, anything else gives numpy arrays.

References
----------
Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
    J Am Stat Assoc 22:209-212.
Breslow NE, Day NE (1987). Statistical methods in cancer research, vol. II (Byar's
    approximation, p. 69). IARC Scientific Publications 82.
OHID Fingertips technical guidance: confidence intervals.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from needsbook.errors import InputError
from needsbook.polarity import (  # noqa: F401 (re-exported; the words live in the catalogue)
    HIGH_IS_GOOD,
    LOW_IS_GOOD,
    NO_JUDGEMENT,
    NOT_APPLICABLE,
    POLARITIES,
)

__all__ = [
    "POLARITIES",
    "byars_ci",
    "ci_columns",
    "exact_poisson_ci",
    "normalise_confidence",
    "poisson_ci",
    "wilson_ci",
    "z_for_confidence",
]


#: Rows named in an error message before "and N more".
MAX_ROWS_IN_MESSAGE = 5

CONFIDENCE_RULE = "confidence level must be between 90 and 100 or between 0.9 and 1"


# --------------------------------------------------------------------------------------
# Confidence levels
# --------------------------------------------------------------------------------------
def _one_confidence(value: Any) -> float:
    try:
        c = float(value)
    except (TypeError, ValueError):
        raise InputError(f"confidence: {CONFIDENCE_RULE} (got {value!r})") from None
    if np.isnan(c):
        raise InputError(f"confidence: {CONFIDENCE_RULE} (got {value!r})")
    if c >= 90:
        c = c / 100
    if not 0.9 <= c <= 1:
        raise InputError(f"confidence: {CONFIDENCE_RULE} (got {value!r})")
    return round(c, 10)


def normalise_confidence(confidence: float | Sequence[float]) -> tuple[float, ...]:
    """Validate confidence level(s) and return them as fractions, ascending, without repeats.

    Accepts 0.95, 0.998, 95, 99.8 (any level in [0.9, 1] or [90, 100]) or a sequence of
    levels such as ``(0.95, 0.998)``. Raises :class:`InputError` otherwise.
    """
    if isinstance(confidence, str):
        raise InputError(f"confidence: {CONFIDENCE_RULE} (got {confidence!r})")
    if isinstance(confidence, Iterable):
        levels = [_one_confidence(c) for c in confidence]
        if not levels:
            raise InputError(f"confidence: {CONFIDENCE_RULE} (got an empty sequence)")
        return tuple(sorted(set(levels)))
    return (_one_confidence(confidence),)


def single_confidence(confidence: float) -> float:
    """One validated confidence level as a fraction (low-level functions take exactly one)."""
    levels = normalise_confidence(confidence)
    if len(levels) != 1:
        raise InputError(
            f"confidence: give a single level to this function (got {confidence!r}); "
            "the data-frame functions accept several"
        )
    return levels[0]


def z_for_confidence(confidence: float) -> float:
    """Two-sided normal quantile z = Φ⁻¹(1 − (1 − c)/2); 1.959963984540054 at 95%."""
    c = single_confidence(confidence)
    return float(special.ndtri(0.5 + c / 2)) if c < 1 else float("inf")


def ci_suffix(confidence: float) -> str:
    """Column suffix for a level: 0.95 -> "95", 0.998 -> "99_8"."""
    return f"{round(confidence * 100, 8):g}".replace(".", "_")


def ci_columns(confidence: float) -> tuple[str, str]:
    """Lower and upper CI column names for a level, e.g. ``("lower_ci_95", "upper_ci_95")``."""
    suffix = ci_suffix(single_confidence(confidence))
    return f"lower_ci_{suffix}", f"upper_ci_{suffix}"


def confidence_label(levels: Sequence[float]) -> str:
    """Text for the ``confidence`` output column, e.g. "95%, 99.8%"."""
    return ", ".join(f"{round(c * 100, 8):g}%" for c in levels)


# --------------------------------------------------------------------------------------
# Argument conversion and checking
# --------------------------------------------------------------------------------------
def as_float_array(obj: Any, argument: str) -> np.ndarray:
    """Convert numbers, lists, arrays or Series to a float array (pd.NA / None -> NaN)."""
    try:
        if isinstance(obj, pd.Series | pd.Index):
            return obj.to_numpy(dtype=float, na_value=np.nan)
        arr = np.asarray(obj, dtype=object if _has_pd_na(obj) else None)
        if arr.dtype == object:
            arr = pd.Series(arr.ravel()).to_numpy(dtype=float, na_value=np.nan).reshape(arr.shape)
        return arr.astype(float)
    except (TypeError, ValueError):
        raise InputError(f"{argument}: values must be numeric") from None


def _has_pd_na(obj: Any) -> bool:
    return isinstance(obj, list | tuple) and any(v is pd.NA or v is None for v in obj)


def describe_rows(labels: Sequence[Hashable]) -> str:
    """'rows 3, 7 and 12' with at most MAX_ROWS_IN_MESSAGE labels then 'and N more'."""
    labels = list(labels)
    shown = ", ".join(
        repr(v) if isinstance(v, str) else str(v) for v in labels[:MAX_ROWS_IN_MESSAGE]
    )
    extra = len(labels) - MAX_ROWS_IN_MESSAGE
    word = "row" if len(labels) == 1 else "rows"
    return f"{word} {shown}" + (f" and {extra} more" if extra > 0 else "")


def check_rows(bad: np.ndarray, index: pd.Index | None, argument: str, rule: str) -> None:
    """Raise InputError naming ``argument``, the rule and the offending row labels."""
    bad = np.asarray(bad, dtype=bool)
    if not bad.any():
        return
    positions = np.flatnonzero(bad.ravel())
    labels = index[positions] if index is not None else positions
    raise InputError(f"{argument}: {rule} (offending {describe_rows(labels)})")


def shared_index(*objs: Any) -> pd.Index | None:
    """The index of the pandas inputs (they must agree), or None if there are none."""
    index = None
    for obj in objs:
        if isinstance(obj, pd.Series):
            if index is None:
                index = obj.index
            elif not obj.index.equals(index):
                raise InputError("pandas inputs must share the same index")
    return index


def broadcast(*arrays: np.ndarray, names: Sequence[str]) -> list[np.ndarray]:
    try:
        return [np.atleast_1d(np.array(a, dtype=float)) for a in np.broadcast_arrays(*arrays)]
    except ValueError:
        raise InputError(f"{', '.join(names)}: lengths do not match") from None


def wrap(result: np.ndarray, index: pd.Index | None, scalar: bool, name: str | None = None) -> Any:
    """Return ``result`` shaped like the inputs: float, Series (with index) or ndarray."""
    if scalar:
        return float(np.asarray(result).reshape(-1)[0]) if np.size(result) == 1 else result
    if index is not None:
        return pd.Series(np.asarray(result).reshape(-1), index=index, name=name)
    return result


def is_scalar_input(*objs: Any) -> bool:
    return all(np.ndim(o) == 0 and not isinstance(o, pd.Series) for o in objs)


def check_counts(x: np.ndarray, index: pd.Index | None, argument: str) -> None:
    check_rows(x < 0, index, argument, "numerators must be greater than or equal to zero")


def check_denominators(n: np.ndarray, index: pd.Index | None, argument: str) -> None:
    check_rows(n <= 0, index, argument, "denominators must be greater than zero")


def check_multiplier(multiplier: float, argument: str = "multiplier") -> float:
    try:
        m = float(multiplier)
    except (TypeError, ValueError):
        raise InputError(f"{argument}: must be a positive number (got {multiplier!r})") from None
    if not np.isfinite(m) or m <= 0:
        raise InputError(f"{argument}: must be a positive number (got {multiplier!r})")
    return m


def polarity_error(polarity: Any, argument: str = "polarity") -> InputError:
    allowed = ", ".join(f'"{p}"' for p in POLARITIES)
    return InputError(f"{argument}: must be one of {allowed} (got {polarity!r})")


def check_polarity(polarity: Any, argument: str = "polarity") -> str:
    if not isinstance(polarity, str) or polarity not in POLARITIES:
        raise polarity_error(polarity, argument)
    return polarity


def polarity_per_row(df: pd.DataFrame | None, polarity: Any, size: int) -> np.ndarray:
    """A polarity string for every row: one of POLARITIES or a column holding them."""
    if isinstance(polarity, str) and polarity in POLARITIES:
        return np.full(size, polarity, dtype=object)
    if df is not None and isinstance(polarity, str) and polarity in df.columns:
        values = df[polarity].to_numpy(dtype=object)
        check_rows(
            ~pd.Series(values).isin(POLARITIES).to_numpy(),
            df.index,
            arg_label("polarity", polarity),
            "polarity must be one of " + ", ".join(f'"{p}"' for p in POLARITIES),
        )
        return values
    if isinstance(polarity, pd.Series | np.ndarray | list):
        if isinstance(polarity, pd.Series) and df is not None:
            polarity = polarity.reindex(df.index)
        values = np.asarray(polarity, dtype=object)
        check_rows(
            ~pd.Series(values).isin(POLARITIES).to_numpy(),
            polarity.index if isinstance(polarity, pd.Series) else None,
            "polarity",
            "polarity must be one of " + ", ".join(f'"{p}"' for p in POLARITIES),
        )
        return np.broadcast_to(values, (size,))
    raise polarity_error(polarity)


def column(df: pd.DataFrame, name: Any, argument: str) -> pd.Series:
    """A column of ``df`` by name, with an error naming the argument if it is absent."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"data: expected a pandas DataFrame (got {type(df).__name__})")
    if not isinstance(name, Hashable) or name not in df.columns:
        raise InputError(f"{argument}: column {name!r} not found in the data")
    return df[name]


def as_list(group_by: str | Sequence[str] | None) -> list[str]:
    if group_by is None:
        return []
    if isinstance(group_by, str):
        return [group_by]
    return list(group_by)


def grouped_sums(
    df: pd.DataFrame, columns: Sequence[str], group_by: Sequence[str], nan_propagates: bool = True
) -> pd.DataFrame:
    """Sum ``columns`` within groups; a missing value makes the group's sum missing."""
    for g in group_by:
        column(df, g, "group_by")
    grouped = df.groupby(list(group_by), sort=True, dropna=False, observed=True)
    return grouped[list(columns)].sum(min_count=1, skipna=not nan_propagates).reset_index()


# --------------------------------------------------------------------------------------
# Wilson score interval (proportions)
# --------------------------------------------------------------------------------------
def wilson_limits_levels(
    x: np.ndarray, n: np.ndarray, levels: Sequence[float]
) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """Wilson score limits (proportion scale) for several levels; no checking.

    x = 0 gives lower exactly 0 and x = n upper exactly 1; missing x or n give NaN.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = x * x
        spread /= n
        np.subtract(x, spread, out=spread)
        spread *= 4  # 4x(1 − x/n)
        twice_x = 2 * x
    zero = (x == 0) & ~np.isnan(n)
    full = x == n
    missing = np.isnan(x) | np.isnan(n)
    result = {}
    for level in levels:
        z = z_for_confidence(level)
        if np.isinf(z):
            lower = np.where(missing, np.nan, 0.0)
            result[level] = (lower, lower + 1)
            continue
        z2 = z * z
        with np.errstate(invalid="ignore", divide="ignore"):
            root = spread + z2
            np.sqrt(root, out=root)
            root *= z
            inv = n + z2
            inv *= 2
            np.reciprocal(inv, out=inv)
            upper = twice_x + z2
            lower = upper - root
            lower *= inv
            upper += root
            upper *= inv
        lower[zero] = 0.0
        upper[full] = 1.0
        result[level] = (lower, upper)
    return result


def wilson_ci(x: Any, n: Any, confidence: float = 0.95, multiplier: float = 1) -> tuple[Any, Any]:
    """Wilson score confidence interval for a proportion x/n.

    ``lower, upper = (2x + z² ∓ z·sqrt(z² + 4x(1 − x/n))) / (2(n + z²)) × multiplier``;
    x = 0 gives lower exactly 0, x = n gives upper exactly 1 (× multiplier). Missing x or
    n give NaN. Reference: Wilson (1927); Fingertips technical guidance.

    Raises InputError for x < 0, n <= 0, x > n, bad confidence or multiplier.
    """
    index = shared_index(x, n)
    scalar = is_scalar_input(x, n)
    xa, na = broadcast(as_float_array(x, "x"), as_float_array(n, "n"), names=("x", "n"))
    check_counts(xa, index, "x")
    check_denominators(na, index, "n")
    check_rows(
        xa > na,
        index,
        "x",
        "numerators must be less than or equal to denominator for a proportion statistic",
    )
    m = check_multiplier(multiplier)
    c = single_confidence(confidence)
    lower, upper = wilson_limits_levels(xa, na, [c])[c]
    return wrap(lower * m, index, scalar), wrap(upper * m, index, scalar)


# --------------------------------------------------------------------------------------
# Poisson limits for counts: exact (chi-square) and Byar's approximation
# --------------------------------------------------------------------------------------
def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and the position of each input among them (small counts: a table)."""
    top = values.max()
    if top < 1000 and values.min() >= 0 and np.all(values == np.floor(values)):
        return np.arange(top + 1), values.astype(np.intp)
    return np.unique(values, return_inverse=True)


def _exact_table(values: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits for distinct counts via P⁻¹(k, p) = χ²_p(2k)/2 (lower 0 at k = 0)."""
    alpha = 1 - confidence
    if alpha <= 0:
        return np.zeros(values.shape), np.full(values.shape, np.inf)
    with np.errstate(invalid="ignore"):
        lower = np.where(values > 0, special.gammaincinv(values, alpha / 2), 0.0)
        upper = special.gammainccinv(values + 1, alpha / 2)
    return lower, upper


def exact_limits(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits χ²(α/2, 2x)/2 and χ²(1 − α/2, 2x + 2)/2 (x = 0 -> lower 0).

    Uses χ²_p(2k)/2 = P⁻¹(k, p), the inverse regularised incomplete gamma function (the
    quantity scipy.stats.chi2.ppf computes, without its per-call overhead); each distinct
    count is computed once. Non-integer x (e.g. expected counts) are allowed.
    """
    lower = np.full(x.shape, np.nan)
    upper = np.full(x.shape, np.nan)
    ok = ~np.isnan(x)
    if ok.any():
        values, inverse = _distinct(x[ok])
        lo, hi = _exact_table(values, confidence)
        lower[ok] = lo[inverse]
        upper[ok] = hi[inverse]
    return lower, upper


def _byars_parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a = 1 − 1/(9x) and b = 1/(3√x), so that Byar's limit is x(a ∓ z·b)³."""
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.sqrt(x)
        b *= 3
        np.reciprocal(b, out=b)
        a = 9 * x
        np.reciprocal(a, out=a)
        np.subtract(1, a, out=a)
    return a, b


def _byars_from_parts(x: np.ndarray, a: np.ndarray, b: np.ndarray, signed_z: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        t = b * signed_z
        t += a
        cube = t * t
        cube *= t
        cube *= x
    return cube


def _byars_level(
    x: np.ndarray, parts: tuple[np.ndarray, ...], z: float
) -> tuple[np.ndarray, np.ndarray]:
    a, b, x1, a1, b1 = parts
    if np.isinf(z):
        return np.where(np.isnan(x), np.nan, 0.0), np.where(np.isnan(x), np.nan, np.inf)
    lower = _byars_from_parts(x, a, b, -z)
    lower[lower < 0] = np.nan
    return lower, _byars_from_parts(x1, a1, b1, z)


def _byars_all_parts(x: np.ndarray) -> tuple[np.ndarray, ...]:
    x1 = x + 1
    return (*_byars_parts(x), x1, *_byars_parts(x1))


def byars_limits(x: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the Poisson limits; a negative lower limit becomes NaN."""
    return _byars_level(x, _byars_all_parts(x), z)


def poisson_limits_levels(
    x: np.ndarray, levels: Sequence[float]
) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """Exact limits below 10 events, Byar's from 10, for several levels sharing the work."""
    parts = _byars_all_parts(x)
    exact = x < 10
    if exact.any():
        values, inverse = _distinct(x[exact])
    result = {}
    for level in levels:
        lower, upper = _byars_level(x, parts, z_for_confidence(level))
        if exact.any():
            lo, hi = _exact_table(values, level)
            lower[exact] = lo[inverse]
            upper[exact] = hi[inverse]
        result[level] = (lower, upper)
    return result


def poisson_limits(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact limits below 10 events, Byar's from 10; also returns a boolean 'exact' array."""
    lower, upper = poisson_limits_levels(x, [confidence])[confidence]
    return lower, upper, x < 10


def _count_ci(x: Any, confidence: float, kind: str) -> tuple[Any, Any]:
    index = shared_index(x)
    scalar = is_scalar_input(x)
    xa = np.atleast_1d(as_float_array(x, "x"))
    check_counts(xa, index, "x")
    c = single_confidence(confidence)
    if kind == "exact":
        lower, upper = exact_limits(xa, c)
    elif kind == "byars":
        lower, upper = byars_limits(xa, z_for_confidence(c))
    else:
        lower, upper, _ = poisson_limits(xa, c)
    return wrap(lower, index, scalar), wrap(upper, index, scalar)


def exact_poisson_ci(x: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Exact Poisson CI for a count: ``χ²(α/2, 2x)/2`` and ``χ²(1 − α/2, 2x + 2)/2``.

    x = 0 gives a lower limit of exactly 0 (upper 3.688879 at 95%). α = 1 − confidence.
    Reference: Breslow & Day (1987); Fingertips technical guidance.
    """
    return _count_ci(x, confidence, "exact")


def byars_ci(x: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Byar's approximate Poisson CI for a count.

    ``lower = x(1 − 1/(9x) − z/(3√x))³``, ``upper = (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³``;
    a negative lower limit (tiny x at high confidence) is returned as NaN.
    Reference: Byar, in Breslow & Day (1987), p. 69.
    """
    return _count_ci(x, confidence, "byars")


def poisson_ci(x: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Poisson CI for a count: exact below 10 events, Byar's from 10 (Fingertips rule)."""
    return _count_ci(x, confidence, "poisson")


# --------------------------------------------------------------------------------------
# Data-frame helpers shared by the family modules
# --------------------------------------------------------------------------------------
def arg_label(argument: str, name: Any) -> str:
    """'x (column 'count')' for messages about a data-frame argument."""
    return f"{argument} (column {name!r})"


def numeric_column(df: pd.DataFrame, name: Any, argument: str) -> np.ndarray:
    return as_float_array(column(df, name, argument), arg_label(argument, name))


def base_frame(
    df: pd.DataFrame, sum_columns: Sequence[str], group_by: str | Sequence[str] | None
) -> pd.DataFrame:
    """The frame outputs are attached to: a copy of ``df``, or its within-group sums."""
    keys = as_list(group_by)
    if not keys:
        return df
    return grouped_sums(df, list(dict.fromkeys(sum_columns)), keys)


def attach_ci(
    out: pd.DataFrame,
    value: np.ndarray,
    limits: dict[float, tuple[np.ndarray, np.ndarray]],
    *,
    statistic: Any,
    method: Any,
) -> pd.DataFrame:
    """``out`` plus ``value``, CI columns (ascending levels), ``confidence``, ``statistic``
    and ``method`` (a new frame; same-named columns of ``out`` are replaced)."""
    size = len(out)
    new: dict[str, Any] = {"value": value}
    for level, (lower, upper) in limits.items():
        lo_name, hi_name = ci_columns(level)
        new[lo_name] = lower
        new[hi_name] = upper
    new["confidence"] = as_categorical(confidence_label(list(limits)), size)
    new["statistic"] = as_categorical(statistic, size)
    new["method"] = as_categorical(method, size)
    added = pd.DataFrame(new, index=out.index, copy=False)
    kept = out.drop(columns=[c for c in added.columns if c in out.columns])
    return pd.concat([kept, added], axis=1)


def as_categorical(values: Any, size: int) -> pd.Categorical:
    """A descriptive text column as a Categorical (cheap for 100,000 identical strings)."""
    if isinstance(values, pd.Categorical):
        return values
    if isinstance(values, str):
        return pd.Categorical.from_codes(np.zeros(size, dtype=np.int8), categories=[values])
    return pd.Categorical(values)


def coded_labels(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    """Labels from integer codes (−1 = missing) without building 100,000 Python strings."""
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(categories))


def format_number(value: float) -> str:
    """100000 -> '100000', 0.5 -> '0.5' (as PHEindicatormethods writes multipliers)."""
    return f"{value:.10g}" if value != int(value) else str(int(value))


# --------------------------------------------------------------------------------------
# Limits around a benchmark (SPC comparisons and funnel plots)
# --------------------------------------------------------------------------------------
def limits_around_proportion(
    p0: np.ndarray, n: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson-form limits for a proportion with denominator n around P₀ (E = n·P₀)."""
    return wilson_limits_levels(n * p0, n, [level])[level]


def limits_around_rate(
    r0: np.ndarray, n: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits for the expected count E = r0·n, divided by n (rate per 1)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        lower, upper = exact_limits(r0 * n, level)
        return lower / n, upper / n
