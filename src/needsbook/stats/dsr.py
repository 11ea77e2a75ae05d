"""Directly standardised rates with Dobson confidence intervals.

References
----------
Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for weighted sums
    of Poisson parameters. Stat Med 10:457-462.
Eurostat (2013). Revision of the European Standard Population: report of Eurostat's task
    force (the 2013 European Standard Population, ESP2013).
OHID Fingertips technical guidance; the conventions of PHEindicatormethods ``calculate_dsr``.
"""

from __future__ import annotations

import re
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
    byars_limits,
    check_multiplier,
    check_rows,
    column,
    describe_rows,
    format_number,
    is_scalar_input,
    normalise_confidence,
    numeric_column,
    shared_index,
    single_confidence,
    wrap,
    z_for_confidence,
)

__all__ = ["ESP2013", "dobson_ci", "dsr", "esp2013", "normalise_age_band"]

#: The 2013 European Standard Population in 19 five-year bands (sums to 100,000).
ESP2013: tuple[tuple[str, int], ...] = (
    ("0-4", 5000),
    ("5-9", 5500),
    ("10-14", 5500),
    ("15-19", 5500),
    ("20-24", 6000),
    ("25-29", 6000),
    ("30-34", 6500),
    ("35-39", 7000),
    ("40-44", 7000),
    ("45-49", 7000),
    ("50-54", 7000),
    ("55-59", 6500),
    ("60-64", 6000),
    ("65-69", 5500),
    ("70-74", 5000),
    ("75-79", 4000),
    ("80-84", 2500),
    ("85-89", 1500),
    ("90+", 1000),
)

#: Minimum total events for a DSR to be published (Fingertips / PHEindicatormethods).
MIN_EVENTS = 10

METHOD = "Dobson"
METHOD_NON_INDEPENDENT = "Dobson, with confidence adjusted for non-independent events"


def normalise_age_band(label: Any) -> str:
    """Canonical form of an age-band label, so '0 to 4', '00-04' and '0–4' all read '0-4'.

    Lower-cases, drops spaces and the words 'aged', 'years', 'yrs'; turns 'to' and dashes
    into '-', 'and over' / 'plus' into '+', and strips leading zeros from numbers.
    """
    text = str(label).strip().lower()
    text = re.sub(r"\b(aged|ages|age|years|year|yrs|yr)\b", " ", text)
    text = re.sub(r"\s*(–|—|\bto\b)\s*", "-", text)
    text = re.sub(r"\s*(and\s*over|and\s*older|plus)\b", "+", text)
    text = re.sub(r"\s+", "", text)
    return re.sub(r"(?<!\d)0+(?=\d)", "", text)


def esp2013(bands: Sequence[str] | None = None) -> pd.Series:
    """ESP2013 weights as a Series indexed by band label ("0-4" … "85-89", "90+").

    ``bands`` restricts (and orders) the table, e.g. ``esp2013(["0-4", "5-9", "10-14",
    "15-19"])`` for a children's rate; labels are matched after :func:`normalise_age_band`.
    """
    table = pd.Series(dict(ESP2013), name="standard_population", dtype=float)
    table.index.name = "age_band"
    if bands is None:
        return table
    wanted = [normalise_age_band(b) for b in bands]
    unknown = [b for b, w in zip(bands, wanted, strict=True) if w not in table.index]
    if unknown:
        raise InputError(f"bands: not ESP2013 age bands: {', '.join(map(repr, unknown))}")
    return table.loc[wanted]


def dobson_ci(
    value: Any,
    variance: Any,
    observed: Any,
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> tuple[Any, Any]:
    """Dobson CI for a directly standardised rate from its Byar's limits for the total count.

    ``lower = DSR + sqrt(var/O)·(ByarsLower(O) − O)·m`` and likewise for the upper limit,
    where DSR is already × m, ``var = Σ O_i (w_i/n_i)² / (Σ w_i)²`` is unscaled and
    ``O = Σ O_i`` (Dobson et al. 1991). The < 10 events rule is applied by :func:`dsr`.
    """
    index = shared_index(value, variance, observed)
    scalar = is_scalar_input(value, variance, observed)
    v, var, o = broadcast(
        as_float_array(value, "value"),
        as_float_array(variance, "variance"),
        as_float_array(observed, "observed"),
        names=("value", "variance", "observed"),
    )
    lower, upper = _dobson(v, var, o, single_confidence(confidence), check_multiplier(multiplier))
    return wrap(lower, index, scalar), wrap(upper, index, scalar)


def _dobson(
    v: np.ndarray, var: np.ndarray, o: np.ndarray, level: float, m: float
) -> tuple[np.ndarray, np.ndarray]:
    byars_lo, byars_hi = byars_limits(o, z_for_confidence(level))
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.sqrt(var / o) * m
    return v + scale * (byars_lo - o), v + scale * (byars_hi - o)


def _standard_table(standard: Mapping[Hashable, float] | pd.Series) -> pd.Series:
    table = pd.Series(standard, dtype=object)
    weights = as_float_array(table, "standard")
    labels = [normalise_age_band(b) for b in table.index]
    result = pd.Series(weights, index=pd.Index(labels, name="age_band"))
    dup = result.index.duplicated()
    check_rows(dup, table.index, "standard", "age bands must be unique in the standard population")
    check_rows(
        np.isnan(weights), table.index, "standard", "standard populations must not be missing"
    )
    check_rows(
        weights < 0,
        table.index,
        "standard",
        "standard populations must be greater than or equal to zero",
    )
    return result


def dsr(
    df: pd.DataFrame,
    x: str = "count",
    n: str = "population",
    *,
    age_band: str = "age_band",
    standard: str | Mapping[Hashable, float] | pd.Series | None = None,
    group_by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
    event_frequency: str | None = None,
) -> pd.DataFrame:
    """Directly standardised rate per group with Dobson confidence intervals.

    One row per age band (per group)::

        DSR = Σ(O_i·w_i/n_i) / Σw_i × m
        var = Σ(O_i·(w_i/n_i)²) / (Σw_i)²
        CI  = DSR + sqrt(var/O)·(Byars(O) − O)·m,   O = ΣO_i

    ``standard`` gives the weights w_i: None for ESP2013 (all 19 bands must be present in
    every group; use :func:`esp2013` with ``bands`` for an age range), a Series/mapping of
    weights keyed by age-band label, or the name of a column of ``df``. Weights are joined
    to the data by the ``age_band`` label (after :func:`normalise_age_band`), never by row
    order. Missing observed counts count as 0. When the total count O < 10 the value and
    CIs are NaN and ``statistic`` reads "dsr NA for total count < 10"; a missing population
    makes the group NaN ("dsr NA for missing population").

    Non-independent events: give ``event_frequency`` (k, events per person); ``x`` is then
    the number of persons with k events, O = Σk·persons and
    ``var = Σ_k k²·Σ_i persons_ik (w_i/n_i)² / (Σw)²`` (method "Dobson, with confidence
    adjusted for non-independent events").

    Returns group columns, ``total_count``, ``total_pop``, ``value``, CI columns,
    ``confidence``, ``statistic``, ``method``. Raises InputError for negative counts,
    populations <= 0, negative or missing standard populations, age bands not in the
    standard, a band repeated or missing within a group.
    """
    levels = normalise_confidence(confidence)
    m = check_multiplier(multiplier)
    keys = as_list(group_by)
    for g in keys:
        column(df, g, "group_by")
    obs = numeric_column(df, x, "x")
    pop = numeric_column(df, n, "n")
    bands = column(df, age_band, "age_band").map(normalise_age_band, na_action="ignore")
    check_rows(
        np.asarray(bands.isna()),
        df.index,
        arg_label("age_band", age_band),
        "age bands must not be missing",
    )
    check_rows(
        obs < 0, df.index, arg_label("x", x), "numerators must be greater than or equal to zero"
    )
    check_rows(pop <= 0, df.index, arg_label("n", n), "denominators must be greater than zero")
    freq = np.ones(len(df))
    if event_frequency is not None:
        freq = numeric_column(df, event_frequency, "event_frequency")
        check_rows(
            ~(freq >= 1),
            df.index,
            arg_label("event_frequency", event_frequency),
            "event frequencies must be 1 or more",
        )

    work = pd.DataFrame({f"_key{i}": df[g].to_numpy() for i, g in enumerate(keys)}, index=df.index)
    key_cols = list(work.columns) or ["_all"]
    if not keys:
        work["_all"] = 0
    work["_band"] = bands.to_numpy()
    work["_k"] = freq
    weights, total_weight = _join_standard(df, work, key_cols, standard, age_band)
    _check_bands(work, key_cols, age_band, standard, df.index)

    persons = np.nan_to_num(obs, nan=0.0)
    ratio = weights / pop
    work["_events"] = freq * persons
    work["_dsr"] = freq * persons * ratio
    work["_var"] = freq**2 * persons * ratio**2
    work["_popmissing"] = np.isnan(pop)
    first_of_band = ~work.duplicated([*key_cols, "_band"])
    work["_pop"] = np.where(first_of_band, pop, 0.0)
    if event_frequency is not None:
        _check_population_consistent(work, key_cols, pop, df.index, n)

    grouped = work.groupby(key_cols, sort=True, dropna=False, observed=True)
    sums = grouped[["_events", "_pop", "_dsr", "_var", "_popmissing"]].sum()
    sumw = total_weight.reindex(sums.index) if isinstance(total_weight, pd.Series) else total_weight
    sumw = np.asarray(sumw, dtype=float)
    observed = sums["_events"].to_numpy(dtype=float)
    missing_pop = sums["_popmissing"].to_numpy() > 0
    value = sums["_dsr"].to_numpy(dtype=float) / sumw * m
    variance = sums["_var"].to_numpy(dtype=float) / sumw**2
    withheld = (observed < MIN_EVENTS) | missing_pop
    value = np.where(withheld, np.nan, value)

    out = sums.reset_index()[key_cols]
    out.columns = keys or ["_all"]
    if not keys:
        out = out.drop(columns="_all")
    out["total_count"] = observed
    out["total_pop"] = np.where(missing_pop, np.nan, sums["_pop"].to_numpy(dtype=float))
    limits = {}
    for level in levels:
        lower, upper = _dobson(value, variance, observed, level, m)
        limits[level] = (np.where(withheld, np.nan, lower), np.where(withheld, np.nan, upper))
    statistic = np.where(
        missing_pop,
        "dsr NA for missing population",
        np.where(
            observed < MIN_EVENTS,
            f"dsr NA for total count < {MIN_EVENTS}",
            f"dsr per {format_number(m)}",
        ),
    )
    method = METHOD if event_frequency is None else METHOD_NON_INDEPENDENT
    return attach_ci(out, value, limits, statistic=statistic, method=method)


def _join_standard(
    df: pd.DataFrame,
    work: pd.DataFrame,
    key_cols: list[str],
    standard: str | Mapping[Hashable, float] | pd.Series | None,
    age_band: str,
) -> tuple[np.ndarray, float | pd.Series]:
    """Weights per row (joined by band label) and the total weight Σw per group."""
    if isinstance(standard, str):
        w = numeric_column(df, standard, "standard")
        label = arg_label("standard", standard)
        check_rows(np.isnan(w), df.index, label, "standard populations must not be missing")
        check_rows(
            w < 0, df.index, label, "standard populations must be greater than or equal to zero"
        )
        first = ~work.duplicated([*key_cols, "_band"]).to_numpy()
        per_group = pd.Series(np.where(first, w, 0.0), index=work.index)
        total = per_group.groupby([work[k] for k in key_cols], dropna=False, observed=True).sum()
        return w, total
    table = esp2013() if standard is None else _standard_table(standard)
    unknown = ~work["_band"].isin(table.index).to_numpy()
    if unknown.any():
        labels = sorted(set(work.loc[unknown, "_band"]))
        raise InputError(
            f"{arg_label('age_band', age_band)}: mismatched standard populations: age bands "
            f"{', '.join(map(repr, labels[:5]))} are not in the standard population "
            f"(offending {describe_rows(df.index[unknown])})"
        )
    return table.reindex(work["_band"]).to_numpy(dtype=float), float(table.sum())


def _check_bands(
    work: pd.DataFrame,
    key_cols: list[str],
    age_band: str,
    standard: str | Mapping[Hashable, float] | pd.Series | None,
    index: pd.Index,
) -> None:
    dup = work.duplicated([*key_cols, "_band", "_k"], keep=False).to_numpy()
    check_rows(
        dup, index, arg_label("age_band", age_band), "each age band may appear only once per group"
    )
    if isinstance(standard, str):
        return
    table = esp2013() if standard is None else _standard_table(standard)
    present = work.groupby(key_cols, sort=True, dropna=False, observed=True)["_band"].nunique()
    short = present[present < len(table)]
    if short.empty:
        return
    first_key = short.index[0]
    mask = np.ones(len(work), dtype=bool)
    for col, val in zip(key_cols, first_key if len(key_cols) > 1 else (first_key,), strict=True):
        mask &= (work[col] == val).to_numpy() | (pd.isna(val) & work[col].isna().to_numpy())
    missing = [b for b in table.index if b not in set(work.loc[mask, "_band"])]
    groups = ", ".join(map(str, short.index[:5])) + (
        f" and {len(short) - 5} more" if len(short) > 5 else ""
    )
    raise InputError(
        f"{arg_label('age_band', age_band)}: mismatched standard populations: every group needs "
        f"all {len(table)} age bands of the standard; group(s) {groups} lack some "
        f"(the first lacks {', '.join(map(repr, missing[:5]))}{' …' if len(missing) > 5 else ''})"
    )


def _check_population_consistent(
    work: pd.DataFrame, key_cols: list[str], pop: np.ndarray, index: pd.Index, n: str
) -> None:
    grouped = pd.Series(pop, index=work.index).groupby(
        [work[k] for k in key_cols] + [work["_band"]], dropna=False, observed=True
    )
    spread = grouped.transform("max") - grouped.transform("min")
    check_rows(
        spread.to_numpy() > 0,
        index,
        arg_label("n", n),
        "the population of an age band must be the same on every event-frequency row",
    )
