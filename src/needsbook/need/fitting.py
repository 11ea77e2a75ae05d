"""Fit every outcome of the need model across England's areas, once per snapshot and year."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.national import read_frames
from needsbook.need import predictors as pred
from needsbook.need.inputs import england_lsoas
from needsbook.need.outcomes import BY_KEY, OUTCOMES, Outcome, area_counts
from needsbook.need.regression import Design, Fit, fit


@dataclass(frozen=True)
class OutcomeFit:
    """An outcome fitted with every predictor (the validation module fits the baseline)."""

    outcome: Outcome
    year: int
    period: str
    counts: pd.DataFrame  # area_counts() rows used in the fit
    full: Fit


@lru_cache(maxsize=8)
def _lsoas(year: int, data_dir: str | None) -> pd.DataFrame:
    lsoas = england_lsoas(year, data_dir)
    preds = pred.lsoa_predictors(data_dir).drop(columns=["lad_code", "utla_code"])
    out = lsoas.merge(preds, on="lsoa11_code", how="left", validate="one_to_one")
    out.attrs = dict(lsoas.attrs)
    return out


def national_lsoas(year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """England's LSOAs with populations (:func:`england_lsoas`) and the model's predictors."""
    return _lsoas(int(year), None if data_dir is None else str(data_dir))


def weights(lsoas: pd.DataFrame, outcome: Outcome) -> np.ndarray:
    """Each LSOA's children at the ages the outcome covers."""
    return lsoas[list(outcome.weights)].sum(axis=1).to_numpy(dtype="float64")


def design(
    lsoas: pd.DataFrame, outcome: Outcome, areas: pd.Index, columns: tuple[str, ...]
) -> Design:
    """The regression design for ``areas`` (in that order), from their LSOAs."""
    sel = lsoas[lsoas["utla_code"].isin(areas)]
    index = pd.Series(np.arange(len(areas)), index=areas)
    return Design(
        x=pred.matrix(sel, columns),
        area=index.loc[sel["utla_code"]].to_numpy(),
        weight=weights(sel, outcome),
        names=("intercept", *columns),
    )


def fit_outcome(
    outcome: Outcome, counts: pd.DataFrame, lsoas: pd.DataFrame, columns: tuple[str, ...]
) -> Fit:
    """Fit one outcome on the areas of ``counts`` with predictors ``columns``."""
    areas = pd.Index(counts["area_code"])
    return fit(design(lsoas, outcome, areas, columns), counts["events"], counts["trials"])


@lru_cache(maxsize=8)
def _fits(year: int, data_dir: str | None) -> dict[str, OutcomeFit]:
    stored = _stored_fits(year, data_dir)
    return stored if stored is not None else compute_fits(year, data_dir)


def compute_fits(year: int, data_dir: Path | str | None = None) -> dict[str, OutcomeFit]:
    """Every outcome with data in at least 50 areas, fitted on all of them for ``year``."""
    lsoas = national_lsoas(year, data_dir)
    out = {}
    for outcome in OUTCOMES:
        counts = area_counts(outcome, year, data_dir)
        if len(counts) < 50:
            continue
        out[outcome.key] = OutcomeFit(
            outcome=outcome,
            year=int(counts["year"].iloc[0]),
            period=str(counts["period"].mode().iloc[0]),
            counts=counts,
            full=fit_outcome(outcome, counts, lsoas, pred.FULL),
        )
    return out


def national_fits(year: int, data_dir: Path | str | None = None) -> dict[str, OutcomeFit]:
    """Every outcome with data, fitted on all areas for ``year``: as ``needsbook snapshot``
    stored them (:mod:`needsbook.national`) when they hold, else :func:`compute_fits` (cached
    per snapshot)."""
    return _fits(int(year), None if data_dir is None else str(data_dir))


def fit_table(fits: dict[str, OutcomeFit]) -> pd.DataFrame:
    """The fits as one row per (outcome, term): what :func:`fits_from_tables` reads back."""
    rows = []
    for key, of in fits.items():
        fit = of.full
        for j, name in enumerate(fit.names):
            rows.append(
                {
                    "outcome": key,
                    "year": of.year,
                    "period": of.period,
                    "term": name,
                    "coef": float(fit.coef[j]),
                    **{f"cov_{i}": float(fit.cov[j, i]) for i in range(len(fit.names))},
                    "dispersion": float(fit.dispersion),
                    "n_areas": int(fit.n_areas),
                    "between": float(fit.between),
                }
            )
    return pd.DataFrame(rows)


def fits_from_tables(table: pd.DataFrame, counts: dict[str, pd.DataFrame]) -> dict[str, OutcomeFit]:
    """:func:`fit_table`'s rows (and each outcome's area counts) as the fits they record."""
    out = {}
    for key, rows in table.groupby("outcome", sort=False):
        names = tuple(str(t) for t in rows["term"])
        first = rows.iloc[0]
        out[str(key)] = OutcomeFit(
            outcome=BY_KEY[str(key)],
            year=int(first["year"]),
            period=str(first["period"]),
            counts=counts[str(key)],
            full=Fit(
                names=names,
                coef=rows["coef"].to_numpy(dtype="float64"),
                cov=rows[[f"cov_{i}" for i in range(len(names))]].to_numpy(dtype="float64"),
                dispersion=float(first["dispersion"]),
                n_areas=int(first["n_areas"]),
                between=float(first["between"]),
            ),
        )
    return out


def _stored_fits(year: int, data_dir: str | None) -> dict[str, OutcomeFit] | None:
    fits = read_frames("need-fits", data_dir)
    counts = read_frames("need-counts", data_dir)
    if fits is None or counts is None or str(year) not in fits:
        return None
    prefix = f"{year}/"
    mine = {k.removeprefix(prefix): v for k, v in counts.items() if k.startswith(prefix)}
    return fits_from_tables(fits[str(year)], mine)
