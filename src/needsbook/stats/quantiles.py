"""Quantile groups: three documented rules, each labelled where it is used.

1. PHEindicatormethods ``phe_quantile`` (inequality breakdowns, e.g. LSOAs into IMD
   deciles): :func:`quantile_groups` / :func:`assign_quantiles`.
2. Legacy Fingertips "Quintiles" comparator: bins bounded by min, P20, P40, P60, P80, max
   (Excel PERCENTILE.INC, numpy "linear"): :func:`percentile_inc_quintiles`.
3. FingertipsNext ``NTILE(5)`` (SQL): :func:`ntile`.

Reference: OHID Fingertips technical guidance; FingertipsNext; PHEindicatormethods.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from needsbook.errors import InputError
from needsbook.stats._core import (
    as_float_array,
    as_list,
    column,
    numeric_column,
    shared_index,
    wrap,
)

__all__ = ["assign_quantiles", "ntile", "percentile_inc_quintiles", "quantile_groups"]

#: Fewest values the legacy Fingertips quintile comparator and NTILE(5) will categorise.
MIN_VALUES_FOR_QUINTILES = 5


def _check_nquantiles(nquantiles: Any, argument: str = "nquantiles") -> int:
    if (
        isinstance(nquantiles, bool)
        or not isinstance(nquantiles, int | np.integer)
        or nquantiles < 1
    ):
        raise InputError(f"{argument}: must be a whole number of 1 or more (got {nquantiles!r})")
    return int(nquantiles)


def _min_ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank, ties sharing their lowest (``scipy.stats.rankdata(method="min")``,
    without importing scipy.stats): one more than the number of smaller values."""
    return np.searchsorted(np.sort(values), values, side="left").astype(np.int64) + 1


def _phe_quantile(values: np.ndarray, nq: int, invert: bool) -> tuple[np.ndarray, bool]:
    """Quantile per value (NaN if missing); flag True when there were too few values."""
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    n = int(ok.sum())
    if n < nq:
        return out, n > 0
    rank = _min_ranks(-values[ok] if invert else values[ok])
    q = np.floor((nq + 1) - np.ceil(((n + 1) - rank) / (n / nq)))
    out[ok] = np.where(q == 0, 1, q)
    return out, False


def quantile_groups(values: Any, nquantiles: int = 10, invert: bool = True) -> Any:
    """Quantile group of each value by the PHEindicatormethods ``phe_quantile`` rule.

    With n non-missing values and rank = minimum rank of the value (of −value when
    ``invert``, the default, so group 1 holds the highest values)::

        q = floor((nq + 1) − ceil(((n + 1) − rank) / (n / nq)));  q = 0 -> 1

    Ties share a group. Fewer values than groups gives all NaN and a warning. Missing
    values give NaN. Returns floats (Series in -> Series out).
    """
    nq = _check_nquantiles(nquantiles)
    if not isinstance(invert, bool | np.bool_):
        raise InputError(f"invert: must be True or False (got {invert!r})")
    index = shared_index(values)
    arr = as_float_array(values, "values").reshape(-1)
    out, too_few = _phe_quantile(arr, nq, bool(invert))
    if too_few:
        warnings.warn(
            f"quantile_groups: {int((~np.isnan(arr)).sum())} values is fewer than "
            f"{nq} quantiles; quantiles not assigned",
            UserWarning,
            stacklevel=2,
        )
    return wrap(out, index, False, name="quantile")


def assign_quantiles(
    df: pd.DataFrame,
    value: str = "value",
    *,
    nquantiles: int = 10,
    invert: bool = True,
    group_by: str | Sequence[str] | None = None,
) -> pd.Series:
    """:func:`quantile_groups` applied within each group; an Int64 Series named "quantile".

    A group with fewer values than quantiles gets <NA> throughout and a warning naming it.
    """
    nq = _check_nquantiles(nquantiles)
    if not isinstance(invert, bool | np.bool_):
        raise InputError(f"invert: must be True or False (got {invert!r})")
    values = pd.Series(numeric_column(df, value, "value"), index=df.index)
    keys = as_list(group_by)
    for g in keys:
        column(df, g, "group_by")
    result = pd.Series(np.nan, index=df.index)
    short: list[str] = []
    groups = (
        [((), values)]
        if not keys
        else values.groupby([df[g] for g in keys], dropna=False, observed=True)
    )
    for name, part in groups:
        q, too_few = _phe_quantile(part.to_numpy(), nq, bool(invert))
        result.loc[part.index] = q
        if too_few:
            short.append(str(name))
    if short:
        where = f" in group(s) {', '.join(short[:5])}" if keys else ""
        warnings.warn(
            f"assign_quantiles: fewer values than {nq} quantiles{where}; quantiles not assigned",
            UserWarning,
            stacklevel=2,
        )
    return result.astype("Int64").rename("quantile")


def percentile_inc_quintiles(values: Any) -> Any:
    """Legacy Fingertips quintile bin (1 = lowest values) of each value within the set.

    Bounds are min, P20, P40, P60, P80, max of the non-missing values, percentiles by
    linear interpolation at ``(N − 1)·f + 1`` (Excel PERCENTILE.INC); a value falls in the
    first bin whose upper bound is >= the value. Fewer than 5 values: all NaN.
    """
    index = shared_index(values)
    arr = as_float_array(values, "values").reshape(-1)
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    if ok.sum() >= MIN_VALUES_FOR_QUINTILES:
        bounds = np.percentile(arr[ok], [20, 40, 60, 80, 100], method="linear")
        out[ok] = np.searchsorted(bounds, arr[ok], side="left") + 1
    return wrap(out, index, False, name="quintile")


def ntile(values: Any, k: int = 5) -> Any:
    """SQL ``NTILE(k)`` over the values in ascending order (1 = lowest).

    The first ``n mod k`` groups get one extra member; tied values are split by their
    order in the input (as SQL does). Missing values give NaN.
    """
    k = _check_nquantiles(k, "k")
    index = shared_index(values)
    arr = as_float_array(values, "values").reshape(-1)
    out = np.full(arr.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(arr))
    n = len(ok)
    if n:
        order = ok[np.argsort(arr[ok], kind="stable")]
        size, extra = divmod(n, k)
        pos = np.arange(n)
        big = size + 1
        out[order] = np.where(
            pos < extra * big, pos // big + 1, extra + (pos - extra * big) // max(size, 1) + 1
        )
    return wrap(out, index, False, name="ntile")
