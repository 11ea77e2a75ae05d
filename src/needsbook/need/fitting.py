"""Fit every outcome of the need model across England's areas, once per snapshot and year."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.need import predictors as pred
from needsbook.need.inputs import england_lsoas
from needsbook.need.outcomes import OUTCOMES, Outcome, area_counts
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
    lsoas = _lsoas(year, data_dir)
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
    """Every outcome with data, fitted on all areas for ``year`` (cached per snapshot)."""
    return _fits(int(year), None if data_dir is None else str(data_dir))
