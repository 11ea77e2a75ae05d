"""Demand on children's social care adjusted for deprivation: each council's children in
need, child protection plans and looked-after children against what a model of all English
councils predicts for its level of income deprivation (observed against expected)."""

from needsbook.adjusted.model import (
    MEASURES,
    Measure,
    ModelData,
    PoissonFit,
    deprivation_scores,
    fit_measures,
    fit_poisson,
    measure_rows,
)
from needsbook.adjusted.ratios import all_ratios, area_rows, observed_expected, verdict

__all__ = [
    "MEASURES",
    "Measure",
    "ModelData",
    "PoissonFit",
    "all_ratios",
    "area_rows",
    "deprivation_scores",
    "fit_measures",
    "fit_poisson",
    "measure_rows",
    "observed_expected",
    "verdict",
]
