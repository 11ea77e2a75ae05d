"""The deprivation model: what each council's children's social care counts would be, given
its deprivation.

For each measure (children in need, child protection plans, children looked after, all at 31
March) and each year, a Poisson regression across every current upper-tier council with a
published count and denominator::

    log E[count_i] = log(denominator_i) + a + b * score_i

``score_i`` is the unweighted mean of the IoD 2025 income-deprivation domain score (the share
of residents who are income deprived, 0-1) over the council's LSOAs (2021). LSOAs are built to
hold similar populations (about 1,500 residents), so an unweighted mean is close to a
population-weighted one. IDACI is not in the IoD 2025 source data, and the IMD 2019 IDACI
summary lacks the councils formed since 2019, so the income domain is the one measure
available for all 153 areas.

The fit is by iteratively reweighted least squares (Newton-Raphson on the Poisson
log-likelihood); expected counts are ``denominator_i * exp(a + b * score_i)``. With an
intercept, the fit's expected counts add up to the observed total, and their score-weighted
sum to the observed score-weighted sum (the likelihood equations). Over-dispersion is the
Pearson chi-squared statistic over its degrees of freedom (areas - 2).

Counts and denominators are the snapshot's rows for current UTLAs as the benchmarking engine
loads them (:func:`needsbook.outcomes.compare.load_data`), so the observed rates are the ones
the rest of the book shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.data import load_table, snapshot_key
from needsbook.errors import InputError

__all__ = [
    "MEASURES",
    "Measure",
    "PoissonFit",
    "deprivation_scores",
    "fit_measures",
    "fit_poisson",
    "measure_rows",
]

MULTIPLIER = 10_000


@dataclass(frozen=True)
class Measure:
    """One children's social care measure the model adjusts."""

    indicator_id: str  # the catalogue entry whose counts and denominators are modelled
    key: str
    noun: str  # as a sentence names the children: "looked-after children"
    label: str  # as a table or chart names the measure


#: In the order the book presents them (looked-after children first, the 2015 assessment's
#: focus; then the plans and open cases that come before care).
MEASURES: tuple[Measure, ...] = (
    Measure("csc:cla_rate", "cla", "looked-after children", "Looked-after children"),
    Measure(
        "csc:cpp_rate",
        "cpp",
        "children on child protection plans",
        "Children on child protection plans",
    ),
    Measure("csc:cin_rate", "cin", "children in need", "Children in need"),
)


@dataclass(frozen=True)
class PoissonFit:
    """A Poisson regression of counts on one score with a log(denominator) offset."""

    intercept: float
    slope: float
    se_intercept: float
    se_slope: float
    areas: int
    observed: float  # total observed count
    deviance: float
    pearson_chi2: float
    df: int
    iterations: int
    converged: bool

    @property
    def dispersion(self) -> float:
        """Pearson chi-squared / degrees of freedom (1 when the counts are exactly Poisson)."""
        return self.pearson_chi2 / self.df if self.df > 0 else float("nan")

    @property
    def rate_ratio_per_point(self) -> float:
        """How many times higher the expected rate is for each 1 percentage point more of the
        population income deprived (the score is a share, 0-1)."""
        return float(np.exp(self.slope / 100))

    def expected(self, denominator: object, score: object) -> np.ndarray:
        """Expected counts ``denominator * exp(a + b * score)``."""
        n = np.asarray(denominator, dtype=float)
        x = np.asarray(score, dtype=float)
        return n * np.exp(self.intercept + self.slope * x)


def fit_poisson(
    counts: object,
    denominators: object,
    scores: object,
    *,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> PoissonFit:
    """Fit ``log E[count] = log(denominator) + a + b * score`` by iteratively reweighted least
    squares.

    The score is centred for the iterations (the intercept is reported uncentred). Stops when
    no coefficient moves by more than ``tol`` (relative). Raises InputError for arrays of
    different lengths, missing or negative counts, denominators that are not positive, missing
    scores, fewer than three areas, no events or a constant score.
    """
    y = np.asarray(counts, dtype=float).ravel()
    n = np.asarray(denominators, dtype=float).ravel()
    x = np.asarray(scores, dtype=float).ravel()
    if not (len(y) == len(n) == len(x)):
        raise InputError(
            f"counts, denominators and scores must have the same length (got {len(y)}, "
            f"{len(n)}, {len(x)})"
        )
    if not np.isfinite(y).all() or (y < 0).any():
        raise InputError("counts: must be present and greater than or equal to zero")
    if not np.isfinite(n).all() or (n <= 0).any():
        raise InputError("denominators: must be present and greater than zero")
    if not np.isfinite(x).all():
        raise InputError("scores: must be present for every area")
    if len(y) < 3:
        raise InputError(f"at least three areas are needed to fit the model (got {len(y)})")
    if y.sum() <= 0:
        raise InputError("counts: there are no events to model")
    centre = float(x.mean())
    xc = x - centre
    if np.ptp(x) <= 1e-12 * max(1.0, abs(centre)):
        raise InputError("scores: all areas have the same score; the slope cannot be fitted")

    design = np.column_stack([np.ones_like(xc), xc])
    offset = np.log(n)
    beta = np.array([np.log(y.sum() / n.sum()), 0.0])
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported below)
        linear = design @ beta
        mu = np.exp(linear + offset)
        working = linear + (y - mu) / mu
        weighted = design.T * mu
        new = np.linalg.solve(weighted @ design, weighted @ working)
        step = np.max(np.abs(new - beta) / (1.0 + np.abs(beta)))
        beta = new
        if step < tol:
            converged = True
            break

    mu = np.exp(design @ beta + offset)
    cov = np.linalg.inv((design.T * mu) @ design)
    slope = float(beta[1])
    intercept = float(beta[0] - slope * centre)
    var_intercept = cov[0, 0] + centre**2 * cov[1, 1] - 2 * centre * cov[0, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    deviance = float(2 * np.sum(term - (y - mu)))
    pearson = float(np.sum((y - mu) ** 2 / mu))
    return PoissonFit(
        intercept=intercept,
        slope=slope,
        se_intercept=float(np.sqrt(var_intercept)),
        se_slope=float(np.sqrt(cov[1, 1])),
        areas=len(y),
        observed=float(y.sum()),
        deviance=deviance,
        pearson_chi2=pearson,
        df=len(y) - 2,
        iterations=iterations,
        converged=converged,
    )


def deprivation_scores(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Every current area's deprivation score: the unweighted mean of the IoD 2025
    income-deprivation domain score over its LSOAs (2021).

    Columns ``area_code``, ``area_name``, ``income_score`` (a share, 0-1; NaN for an area with
    no LSOA) and ``lsoas`` (how many LSOAs were averaged), one row per current area.
    """
    areas = load_table("areas", data_dir)[["area_code", "area_name"]]
    iod = load_table("imd2025_lsoa21", data_dir)
    grouped = iod.groupby("utla_code")["income_score"]
    summary = pd.DataFrame({"income_score": grouped.mean(), "lsoas": grouped.count()})
    out = areas.merge(summary, left_on="area_code", right_index=True, how="left")
    out["lsoas"] = out["lsoas"].fillna(0).astype(int)
    return out.reset_index(drop=True)


def measure_rows(data_dir: Path | str | None = None) -> pd.DataFrame:
    """The modelled rows: one per measure, year and current UTLA with a count, a positive
    denominator and a deprivation score.

    Columns ``indicator_id``, ``measure`` (its key), ``area_code``, ``year``, ``period``,
    ``period_type``, ``observed``, ``denominator``, ``observed_rate`` (per 10,000, the value
    the book shows) and ``income_score``.
    """
    from needsbook.outcomes.compare import load_data

    data = load_data(data_dir)
    scores = deprivation_scores(data_dir).set_index("area_code")["income_score"]
    parts = []
    for m in MEASURES:
        rows = data.by_indicator.get(m.indicator_id)
        if rows is None:
            continue
        rows = rows[rows["area_type"] == "UTLA"]
        part = pd.DataFrame(
            {
                "indicator_id": m.indicator_id,
                "measure": m.key,
                "area_code": rows["area_code"].astype(str).to_numpy(),
                "year": rows["year"].astype(int).to_numpy(),
                "period": rows["period"].astype(str).to_numpy(),
                "period_type": rows["period_type"].astype(str).to_numpy(),
                "observed": rows["count"].astype(float).to_numpy(),
                "denominator": rows["denominator"].astype(float).to_numpy(),
                "observed_rate": rows["value"].astype(float).to_numpy(),
            }
        )
        parts.append(part)
    columns = ["indicator_id", "measure", "area_code", "year", "period", "period_type"]
    columns += ["observed", "denominator", "observed_rate", "income_score"]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["income_score"] = out["area_code"].map(scores).astype(float)
    usable = (
        out["observed"].notna()
        & (out["observed"] >= 0)
        & (out["denominator"] > 0)
        & out["income_score"].notna()
    )
    out = out[usable].sort_values(["measure", "year", "area_code"], ignore_index=True)
    return out[columns]


@dataclass(frozen=True)
class ModelData:
    """Every modelled row with its expected count, and one fit per measure and year."""

    rows: pd.DataFrame  # measure_rows + expected, expected_rate
    fits: pd.DataFrame  # indicator_id, measure, year, intercept, slope, ..., dispersion
    scores: pd.DataFrame  # deprivation_scores


FIT_COLUMNS = [
    "indicator_id",
    "measure",
    "year",
    "intercept",
    "slope",
    "se_intercept",
    "se_slope",
    "rate_ratio_per_point",
    "areas",
    "observed",
    "deviance",
    "pearson_chi2",
    "df",
    "dispersion",
    "converged",
]


def _fit_table(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    fits = []
    expected = pd.Series(np.nan, index=rows.index)
    for (ind, key, year), grp in rows.groupby(["indicator_id", "measure", "year"], sort=True):
        if len(grp) < 3 or grp["observed"].sum() <= 0 or grp["income_score"].nunique() < 2:
            continue  # too few areas to fit: their rows stay without an expectation
        fit = fit_poisson(grp["observed"], grp["denominator"], grp["income_score"])
        expected.loc[grp.index] = fit.expected(grp["denominator"], grp["income_score"])
        fits.append(
            {
                "indicator_id": ind,
                "measure": key,
                "year": int(year),
                "intercept": fit.intercept,
                "slope": fit.slope,
                "se_intercept": fit.se_intercept,
                "se_slope": fit.se_slope,
                "rate_ratio_per_point": fit.rate_ratio_per_point,
                "areas": fit.areas,
                "observed": fit.observed,
                "deviance": fit.deviance,
                "pearson_chi2": fit.pearson_chi2,
                "df": fit.df,
                "dispersion": fit.dispersion,
                "converged": fit.converged,
            }
        )
    out = rows.copy()
    out["expected"] = expected.astype(float)
    out["expected_rate"] = out["expected"] / out["denominator"] * MULTIPLIER
    table = pd.DataFrame(fits, columns=FIT_COLUMNS)
    return out, table


@lru_cache(maxsize=4)
def _fit_measures(data_dir: str, _key: tuple[str, int, int]) -> ModelData:
    dd = data_dir or None
    rows, fits = _fit_table(measure_rows(dd))
    return ModelData(rows=rows, fits=fits, scores=deprivation_scores(dd))


def fit_measures(data_dir: Path | str | None = None) -> ModelData:
    """The model for every measure and year, fitted across all areas (cached per snapshot:
    its folder and MANIFEST). Treat the frames as read-only."""
    return _fit_measures(str(data_dir or ""), snapshot_key(data_dir or None))
