"""Indirectly standardised ratios and rates (e.g. standardised admission ratios).

``E = Σ n_i · refcount_i / refpop_i``; ratio ``O/E × refvalue``; the CI is the Poisson CI
for O (exact below 10 events, Byar's from 10) divided by E. The rate is the ratio × the
reference crude rate. References: Breslow & Day (1987); OHID Fingertips technical
guidance; the conventions of PHEindicatormethods ``calculate_ISRatio``/``calculate_ISRate``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from needsbook.errors import InputError
from needsbook.stats._core import (
    arg_label,
    as_float_array,
    as_list,
    attach_ci,
    broadcast,
    check_counts,
    check_multiplier,
    check_rows,
    coded_labels,
    column,
    describe_rows,
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
from needsbook.stats.dsr import normalise_age_band

__all__ = ["isr_ci", "israte", "isratio"]

Reference = str | Mapping[Hashable, float] | pd.Series


def isr_ci(
    observed: Any, expected: Any, confidence: float = 0.95, refvalue: float = 1
) -> tuple[Any, Any]:
    """CI of an indirectly standardised ratio: ``[L(O), U(O)] / E × refvalue``.

    L, U are exact Poisson limits when O < 10 and Byar's limits otherwise. E <= 0 gives NaN.
    """
    index = shared_index(observed, expected)
    scalar = is_scalar_input(observed, expected)
    o, e = broadcast(
        as_float_array(observed, "observed"),
        as_float_array(expected, "expected"),
        names=("observed", "expected"),
    )
    check_counts(o, index, "observed")
    check_rows(e < 0, index, "expected", "expected counts must be greater than or equal to zero")
    r = check_multiplier(refvalue, "refvalue")
    lower, upper, _ = poisson_limits(o, single_confidence(confidence))
    e = np.where(e > 0, e, np.nan)
    return wrap(lower / e * r, index, scalar), wrap(upper / e * r, index, scalar)


def _reference_values(
    df: pd.DataFrame, ref: Reference, argument: str, bands: pd.Series | None
) -> tuple[np.ndarray, float | None]:
    """Reference values per row (a column, or a label-keyed table joined by age band)."""
    if isinstance(ref, str):
        return numeric_column(df, ref, argument), None
    if bands is None:
        raise InputError(f"{argument}: a table of reference values needs the age_band argument")
    table = pd.Series(ref, dtype=object)
    values = as_float_array(table, argument)
    labels = pd.Index([normalise_age_band(b) for b in table.index])
    check_rows(
        labels.duplicated(), table.index, argument, "age bands must be unique in the reference"
    )
    lookup = pd.Series(values, index=labels)
    unknown = ~bands.isin(lookup.index).to_numpy()
    if unknown.any():
        missing = sorted(set(bands[unknown]))
        raise InputError(
            f"{argument}: age bands {', '.join(map(repr, missing[:5]))} are not in the reference "
            f"(offending {describe_rows(df.index[unknown])})"
        )
    return lookup.reindex(bands.to_numpy()).to_numpy(dtype=float), float(np.sum(values))


def _indirect(
    df: pd.DataFrame,
    x: str | None,
    n: str,
    x_ref: Reference,
    n_ref: Reference,
    age_band: str | None,
    group_by: str | Sequence[str] | None,
    observed_totals: pd.DataFrame | float | None,
) -> pd.DataFrame:
    """Per group: observed O, expected E and the reference crude rate Σrefcount/Σrefpop."""
    keys = as_list(group_by)
    for g in keys:
        column(df, g, "group_by")
    pop = numeric_column(df, n, "n")
    check_rows(
        pop < 0, df.index, arg_label("n", n), "populations must be greater than or equal to zero"
    )
    bands = None
    if age_band is not None:
        bands = column(df, age_band, "age_band").map(normalise_age_band, na_action="ignore")
    xr, xr_total = _reference_values(df, x_ref, "x_ref", bands)
    nr, nr_total = _reference_values(df, n_ref, "n_ref", bands)
    label_xr = arg_label("x_ref", x_ref) if isinstance(x_ref, str) else "x_ref"
    label_nr = arg_label("n_ref", n_ref) if isinstance(n_ref, str) else "n_ref"
    check_rows(np.isnan(xr), df.index, label_xr, "reference counts must not be missing")
    check_rows(xr < 0, df.index, label_xr, "reference counts must be greater than or equal to zero")
    check_rows(np.isnan(nr), df.index, label_nr, "reference populations must not be missing")
    check_rows(nr <= 0, df.index, label_nr, "reference populations must be greater than zero")

    work = pd.DataFrame({f"_key{i}": df[g].to_numpy() for i, g in enumerate(keys)}, index=df.index)
    key_cols = list(work.columns) or ["_all"]
    if not keys:
        work["_all"] = 0
    work["_expected"] = np.where(pop == 0, 0.0, pop * xr / nr)
    work["_xref"] = xr
    work["_nref"] = nr
    if observed_totals is None:
        if x is None:
            raise InputError("x: give an observed-count column or observed_totals")
        obs = numeric_column(df, x, "x")
        check_counts(obs, df.index, arg_label("x", x))
        work["_observed"] = np.nan_to_num(obs, nan=0.0)
    grouped = work.groupby(key_cols, sort=True, dropna=False, observed=True)
    sums = grouped[["_expected", "_xref", "_nref"]].sum(min_count=1, skipna=False)
    if observed_totals is None:
        sums["_observed"] = grouped["_observed"].sum()
    else:
        sums["_observed"] = _observed_from_totals(observed_totals, sums.index, keys, x)
    out = sums.reset_index()
    out = (
        out.rename(columns=dict(zip(key_cols, keys, strict=True)))
        if keys
        else out.drop(columns="_all")
    )
    sum_xref = out["_xref"].to_numpy(dtype=float) if xr_total is None else xr_total
    sum_nref = out["_nref"].to_numpy(dtype=float) if nr_total is None else nr_total
    out["_ref_rate"] = sum_xref / sum_nref
    return out


def _observed_from_totals(
    totals: pd.DataFrame | float, index: pd.Index, keys: list[str], x: str | None
) -> np.ndarray:
    if not keys:
        if isinstance(totals, pd.DataFrame):
            if x is None or x not in totals.columns or len(totals) != 1:
                raise InputError(
                    "observed_totals: without group_by give a number or a one-row table "
                    "with the x column"
                )
            totals = totals[x].iloc[0]
        value = as_float_array(totals, "observed_totals").reshape(-1)
        check_counts(value, None, "observed_totals")
        return np.repeat(value[:1], len(index))
    if not isinstance(totals, pd.DataFrame):
        raise InputError(
            "observed_totals: with group_by give a table with the group columns and the x column"
        )
    for col in [*keys, x]:
        column(totals, col, "observed_totals")
    values = as_float_array(totals[x], f"observed_totals (column {x!r})")
    check_counts(values, totals.index, f"observed_totals (column {x!r})")
    dup = totals.duplicated(keys, keep=False).to_numpy()
    check_rows(dup, totals.index, "observed_totals", "each group may appear only once")
    lookup = pd.Series(values, index=pd.MultiIndex.from_frame(totals[keys]))
    target = index if isinstance(index, pd.MultiIndex) else pd.MultiIndex.from_arrays([index])
    return lookup.reindex(target).to_numpy(dtype=float)


def _finish(
    out: pd.DataFrame,
    levels: tuple[float, ...],
    scale: np.ndarray,
    statistic: str,
    x_name: str | None,
) -> pd.DataFrame:
    observed = out["_observed"].to_numpy(dtype=float)
    expected = out["_expected"].to_numpy(dtype=float)
    e = np.where(expected > 0, expected, np.nan)
    result = out.drop(columns=["_observed", "_expected", "_xref", "_nref", "_ref_rate"])
    result["observed"] = observed
    result["expected"] = expected
    limits = {
        level: (lower / e * scale, upper / e * scale)
        for level, (lower, upper) in poisson_limits_levels(observed, levels).items()
    }
    method = coded_labels(np.where(np.isnan(observed), -1, observed >= 10), ("Exact", "Byars"))
    return attach_ci(result, observed / e * scale, limits, statistic=statistic, method=method)


def isratio(
    df: pd.DataFrame,
    x: str | None = "count",
    n: str = "population",
    *,
    x_ref: Reference = "ref_count",
    n_ref: Reference = "ref_population",
    age_band: str | None = None,
    group_by: str | Sequence[str] | None = None,
    observed_totals: pd.DataFrame | float | None = None,
    confidence: float | Sequence[float] = 0.95,
    refvalue: float = 1,
) -> pd.DataFrame:
    """Indirectly standardised ratio ``O/E × refvalue`` with exact/Byar's CIs, per group.

    ``E = Σ n_i · x_ref_i / n_ref_i`` over the group's age-band rows (bands with n_i = 0
    contribute 0). ``x_ref``/``n_ref`` are columns of ``df`` or tables keyed by age-band
    label (joined by the ``age_band`` column, never by row order). Observed events come
    from column ``x`` (missing counts as 0) or, when they are not available by age, from
    ``observed_totals``: a number (ungrouped) or a table with the group columns and ``x``.

    Returns group columns, ``observed``, ``expected``, ``value``, CI columns,
    ``confidence``, ``statistic`` ("indirectly standardised ratio x refvalue") and
    ``method`` ("Exact" if O < 10 else "Byars"). E = 0 gives NaN.
    """
    levels = normalise_confidence(confidence)
    r = check_multiplier(refvalue, "refvalue")
    out = _indirect(df, x, n, x_ref, n_ref, age_band, group_by, observed_totals)
    scale = np.full(len(out), r)
    return _finish(out, levels, scale, f"indirectly standardised ratio x {format_number(r)}", x)


def israte(
    df: pd.DataFrame,
    x: str | None = "count",
    n: str = "population",
    *,
    x_ref: Reference = "ref_count",
    n_ref: Reference = "ref_population",
    age_band: str | None = None,
    group_by: str | Sequence[str] | None = None,
    observed_totals: pd.DataFrame | float | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Indirectly standardised rate: ISRatio (×1) × reference rate (Σx_ref/Σn_ref) × multiplier.

    Same inputs and columns as :func:`isratio`; the CI is scaled the same way.
    ``statistic`` reads "indirectly standardised rate per m".
    """
    levels = normalise_confidence(confidence)
    m = check_multiplier(multiplier)
    out = _indirect(df, x, n, x_ref, n_ref, age_band, group_by, observed_totals)
    scale = out["_ref_rate"].to_numpy(dtype=float) * m
    return _finish(out, levels, scale, f"indirectly standardised rate per {format_number(m)}", x)
