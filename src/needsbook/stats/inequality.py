"""Slope index of inequality (SII) and relative index of inequality (RII).

Quantile groups are ordered from most to least deprived (quantile 1 = most deprived).
Each group's x is the midpoint of its share of the cumulative population
(``x_j = Σ_{i<j} p_i + p_j/2``, p = population share), and the values are regressed on x
by population-weighted least squares: SII = slope, RII = (intercept + slope)/intercept
(the fitted value for the least deprived end over the most deprived end).

Confidence intervals come from Monte Carlo simulation: each group's value is drawn from a
normal distribution with its standard error, on the log scale for rates and the logit
scale for proportions; the SII and RII are refitted for every draw and the percentile
limits of the draws are reported. Pass ``seed`` for reproducible limits.

References: Low A, Low A (2004) Measuring the gap: quantifying and comparing local health
inequalities. J Public Health 26:388-395; OHID Fingertips technical guidance (SII);
the conventions of PHEindicatormethods ``phe_sii``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from needsbook.errors import InputError
from needsbook.stats._core import (
    arg_label,
    as_float_array,
    as_list,
    check_multiplier,
    check_rows,
    ci_suffix,
    column,
    confidence_label,
    normalise_confidence,
    numeric_column,
    z_for_confidence,
)

__all__ = ["DEFAULT_REPETITIONS", "sii", "sii_rii"]

#: Default number of simulations (PHEindicatormethods uses 100,000; pass more if wanted).
DEFAULT_REPETITIONS = 10_000
VALUE_TYPES = ("other", "rate", "proportion")


def _design(population: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Regression coefficients: slope = y @ a, weighted mean = y @ b, and x̄."""
    share = population / population.sum()
    x = np.cumsum(share) - share / 2
    b = share
    x_bar = float(x @ b)
    a = b * (x - x_bar) / float(b @ (x - x_bar) ** 2)
    return np.vstack([a, b]), np.array([x_bar])


def sii_rii(values: Any, population: Any) -> tuple[float, float]:
    """Point SII and RII for one set of quantile groups, most deprived first.

    Population-weighted least squares of value on the cumulative population midpoint x;
    ``SII = slope``, ``RII = (intercept + slope) / intercept``.
    """
    v = as_float_array(values, "values").reshape(-1)
    p = as_float_array(population, "population").reshape(-1)
    if len(v) != len(p):
        raise InputError("values, population: lengths do not match")
    check_rows(p <= 0, None, "population", "populations must be greater than zero")
    if len(v) < 2 or np.isnan(v).any() or np.isnan(p).any():
        return float("nan"), float("nan")
    coef, x_bar = _design(p)
    slope, y_bar = coef @ v
    intercept = y_bar - slope * x_bar[0]
    return float(slope), float((intercept + slope) / intercept)


def _transform(value_type: str, m: float) -> tuple[Any, Any]:
    if value_type == "rate":
        return np.log, np.exp
    if value_type == "proportion":
        return (lambda v: special.logit(v / m)), (lambda t: special.expit(t) * m)
    return (lambda v: v), (lambda t: t)


def sii(
    df: pd.DataFrame,
    *,
    quantile: str = "quantile",
    population: str = "population",
    value: str = "value",
    lower: str | None = "lower_ci_95",
    upper: str | None = "upper_ci_95",
    se: str | None = None,
    value_type: str = "other",
    multiplier: float = 100,
    ci_confidence: float = 0.95,
    group_by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
    rii: bool = True,
    repetitions: int = DEFAULT_REPETITIONS,
    seed: int | None = 1,
) -> pd.DataFrame:
    """SII (and RII) per group with simulated confidence intervals.

    One row per quantile group (``quantile`` 1 = most deprived). Each value's standard
    error comes from column ``se`` or from its CI (``lower``/``upper`` at
    ``ci_confidence``): ``(U − L)/(2z)`` for ``value_type="other"``,
    ``(ln U − ln L)/(2z)`` for "rate" and ``(logit(U/m) − logit(L/m))/(2z)`` for
    "proportion" (values on the scale of ``multiplier``, e.g. 100 for percentages). A
    given ``se`` is moved to the transformed scale by the delta method. The draws are made
    on that scale and transformed back; ``repetitions`` draws per group from
    ``numpy.random.default_rng(seed)``.

    Returns group columns, ``sii``, ``sii_lower_ci_95``, ``sii_upper_ci_95`` (per level),
    the same for ``rii`` when asked, ``confidence``, ``repetitions`` and ``method``.
    Groups with a missing value, population or standard error, or fewer than two
    quantiles, give NaN.
    """
    levels = normalise_confidence(confidence)
    if value_type not in VALUE_TYPES:
        raise InputError(
            f"value_type: must be one of {', '.join(map(repr, VALUE_TYPES))} (got {value_type!r})"
        )
    if (
        isinstance(repetitions, bool)
        or not isinstance(repetitions, int | np.integer)
        or repetitions < 100
    ):
        raise InputError(
            f"repetitions: must be a whole number of 100 or more (got {repetitions!r})"
        )
    m = check_multiplier(multiplier)
    keys = as_list(group_by)
    for g in keys:
        column(df, g, "group_by")
    q = numeric_column(df, quantile, "quantile")
    pop = numeric_column(df, population, "population")
    v = numeric_column(df, value, "value")
    check_rows(
        pop <= 0,
        df.index,
        arg_label("population", population),
        "populations must be greater than zero",
    )
    check_rows(
        np.isnan(q), df.index, arg_label("quantile", quantile), "quantiles must not be missing"
    )
    forward, back = _transform(value_type, m)
    with np.errstate(invalid="ignore", divide="ignore"):
        if se is not None:
            s = numeric_column(df, se, "se")
            check_rows(
                s < 0,
                df.index,
                arg_label("se", se),
                "standard errors must be greater than or equal to zero",
            )
            if value_type == "rate":
                s = s / v
            elif value_type == "proportion":
                p = v / m
                s = s / m / (p * (1 - p))
        else:
            if lower is None or upper is None:
                raise InputError("lower, upper: give CI columns or an se column")
            z = z_for_confidence(ci_confidence)
            lo = numeric_column(df, lower, "lower")
            hi = numeric_column(df, upper, "upper")
            s = (forward(hi) - forward(lo)) / (2 * z)
        centre = forward(v)

    work = pd.DataFrame(
        {"_q": q, "_pop": pop, "_v": v, "_centre": centre, "_se": s}, index=df.index
    )
    for i, g in enumerate(keys):
        work[f"_key{i}"] = df[g].to_numpy()
    key_cols = [f"_key{i}" for i in range(len(keys))] or ["_all"]
    if not keys:
        work["_all"] = 0
    dup = work.duplicated([*key_cols, "_q"], keep=False).to_numpy()
    check_rows(
        dup,
        df.index,
        arg_label("quantile", quantile),
        "each quantile may appear only once per group",
    )

    rng = np.random.default_rng(seed)
    records = []
    for name, part in work.sort_values([*key_cols, "_q"]).groupby(
        key_cols, sort=True, dropna=False, observed=True
    ):
        records.append(_one_group(name, part, levels, rii, repetitions, rng, back))
    out = pd.DataFrame.from_records(records)
    key_frame = pd.DataFrame([r["_name"] for r in records], columns=keys) if keys else None
    out = out.drop(columns="_name")
    if key_frame is not None:
        out = pd.concat([key_frame, out], axis=1)
    out["confidence"] = confidence_label(levels)
    out["repetitions"] = repetitions
    out["method"] = (
        f"weighted regression; CIs by simulation ({repetitions} repetitions, seed {seed})"
    )
    return out


def _one_group(
    name: Any,
    part: pd.DataFrame,
    levels: tuple[float, ...],
    with_rii: bool,
    repetitions: int,
    rng: np.random.Generator,
    back: Any,
) -> dict[str, Any]:
    record: dict[str, Any] = {"_name": name if isinstance(name, tuple) else (name,)}
    stats_names = ["sii", "rii"] if with_rii else ["sii"]
    for stat in stats_names:
        record[stat] = np.nan
        for level in levels:
            record[f"{stat}_lower_ci_{ci_suffix(level)}"] = np.nan
            record[f"{stat}_upper_ci_{ci_suffix(level)}"] = np.nan
    arrays = part[["_pop", "_v", "_centre", "_se"]].to_numpy(dtype=float)
    if len(part) < 2 or np.isnan(arrays).any():
        return record
    pop, v, centre, se = arrays.T
    coef, x_bar = _design(pop)
    slope, y_bar = coef @ v
    intercept = y_bar - slope * x_bar[0]
    record["sii"] = slope
    if with_rii:
        record["rii"] = (intercept + slope) / intercept
    draws = back(centre + se * rng.standard_normal((repetitions, len(v))))
    sim = draws @ coef.T
    sim_slope = sim[:, 0]
    sim_intercept = sim[:, 1] - sim_slope * x_bar[0]
    sims = {"sii": sim_slope}
    if with_rii:
        with np.errstate(invalid="ignore", divide="ignore"):
            sims["rii"] = (sim_intercept + sim_slope) / sim_intercept
    for stat, values in sims.items():
        for level in levels:
            lo, hi = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
            record[f"{stat}_lower_ci_{ci_suffix(level)}"] = lo
            record[f"{stat}_upper_ci_{ci_suffix(level)}"] = hi
    return record
