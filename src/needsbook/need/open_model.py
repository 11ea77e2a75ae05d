"""The default need model: each age band's outcome, modelled by neighbourhood deprivation.

For each age band an adverse outcome measured in every area (see
:data:`needsbook.need.outcomes.ANCHORS`) is fitted across England by an aggregated binomial
regression on the LSOA deprivation domains and the type of area
(:mod:`needsbook.need.regression`). A child in LSOA ``l`` of band ``b`` is *likely to need
preventive help* with the modelled probability ``p = expit(x[l] @ beta[b] + shift[b])``, where
``shift[b]`` calibrates the area's total to its own observed outcome. Within those children the
liability-threshold split of :class:`~needsbook.need.model.DeprivationGradientModel` sorts
additional, extra and intensive help: the probit of ``p`` is the mean risk score and the same
published thresholds apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, special

from needsbook.errors import InputError
from needsbook.formatting import coefficient
from needsbook.need import predictors as pred
from needsbook.need.fitting import national_fits
from needsbook.need.model import (
    AGE_BANDS,
    EXTRA_THRESHOLD,
    INTENSIVE_THRESHOLD,
    PREVIEW_INTENSIVE,
    PREVIEW_NEED,
    band_frame,
    calibration_weights,
    group_shares,
)
from needsbook.need.outcomes import ANCHORS, Outcome
from needsbook.need.regression import Fit

NAME = "Open need model: outcomes at each age by neighbourhood deprivation"


@dataclass(frozen=True)
class OutcomeModel:
    """Modelled need by LSOA and age band from each band's fitted outcome (module docstring)."""

    fits: Mapping[str, Fit]  # band -> fit of the band's anchor outcome (full model)
    anchors: Mapping[str, Outcome] = field(default_factory=lambda: dict(ANCHORS))
    periods: Mapping[str, str] = field(default_factory=dict)
    shift: Mapping[str, float] = field(default_factory=dict)
    calibration: Mapping[str, str] = field(default_factory=dict)
    extra_threshold: float = EXTRA_THRESHOLD
    intensive_threshold: float = INTENSIVE_THRESHOLD
    name: str = NAME

    def design_matrix(self, lsoas: pd.DataFrame) -> np.ndarray:
        """Intercept and predictor columns for ``lsoas``."""
        missing = [c for c in pred.FULL if c not in lsoas]
        if missing:
            raise InputError(f"need model: the LSOA table lacks predictor column(s) {missing}")
        return pred.matrix(lsoas, pred.FULL)

    def probability(self, lsoas: pd.DataFrame, band: str) -> np.ndarray:
        """Share of the band's children likely to need preventive help, per LSOA."""
        if band not in self.fits:
            raise InputError(f"need model: no fitted outcome for age band {band!r}")
        eta = self.fits[band].linear(self.design_matrix(lsoas)) + float(self.shift.get(band, 0.0))
        return special.expit(eta)

    def proportions(self, lsoas: pd.DataFrame, bands: Sequence[str] = AGE_BANDS) -> pd.DataFrame:
        """Shares of each band's children in :data:`GROUPS`, per LSOA."""
        frames = []
        for band in bands:
            mean = special.ndtri(self.probability(lsoas, band))
            shares = group_shares(mean, self.extra_threshold, self.intensive_threshold)
            frames.append(band_frame(lsoas, band, shares))
        return pd.concat(frames, ignore_index=True)

    def calibrate(
        self,
        lsoas: pd.DataFrame,
        weights: pd.Series,
        target: float,
        label: str = "",
        band: str = "0-4",
    ) -> OutcomeModel:
        """A copy whose ``band`` share, weighted by ``weights``, equals ``target`` exactly."""
        w = calibration_weights(target, weights, len(lsoas))
        shift = calibration_shift(self.fits[band].linear(self.design_matrix(lsoas)), w, target)
        return replace(
            self,
            shift={**self.shift, band: float(shift)},
            calibration={**self.calibration, band: label or "calibrated"},
        )

    def parameters(self) -> pd.DataFrame:
        """Each band's fitted coefficients (with standard errors), calibration and thresholds."""
        rows = []
        for band, fit in self.fits.items():
            outcome = self.anchors[band]
            se = fit.standard_errors()
            for name, value, s in zip(fit.names, fit.coef, se, strict=True):
                rows.append(
                    (
                        f"Age {band}: {pred.LABELS[name]}",
                        float(value),
                        f"Fitted to children {outcome.label} ({self.periods.get(band, '')}), "
                        f"across England's areas; standard error {coefficient(float(s))}.",
                    )
                )
            if band in self.shift:
                rows.append(
                    (
                        f"Age {band}: calibration (log-odds)",
                        float(self.shift[band]),
                        f"Added to every neighbourhood so the area's total matches "
                        f"{self.calibration.get(band, 'its observed value')}.",
                    )
                )
        rows += [
            (
                "Threshold: extra help",
                self.extra_threshold,
                "Risk score (probit scale) above which a child likely to need help is likely to "
                "need at least extra help (assumed halfway to the intensive threshold).",
            ),
            (
                "Threshold: intensive help",
                self.intensive_threshold,
                "Risk score above which a child is likely to need intensive help: set so that "
                f"when {PREVIEW_NEED:.0%} need help, {PREVIEW_INTENSIVE:.1%} need intensive help "
                "(the split in the Worcestershire 2015 needs assessment).",
            ),
        ]
        return pd.DataFrame(rows, columns=["Parameter", "Value", "Meaning"])


def calibration_shift(eta: np.ndarray, weights: np.ndarray, target: float) -> float:
    """The log-odds shift making the ``weights``-weighted mean of expit(eta + shift) equal
    ``target``: Newton's method (the mean rises smoothly with the shift), with Brent's method
    on [-20, 20] as the fallback."""
    w = np.asarray(weights, dtype="float64") / np.sum(weights)
    shift = float(special.logit(target) - special.logit(np.dot(w, special.expit(eta))))
    for _ in range(50):
        p = special.expit(eta + shift)
        slope = float(np.dot(w, p * (1 - p)))
        if not np.isfinite(shift) or slope <= 0:
            break
        step = (float(np.dot(w, p)) - target) / slope
        shift -= step
        if abs(step) < 1e-13:
            return shift
    return float(
        optimize.brentq(
            lambda x: float(np.dot(w, special.expit(eta + x))) - target,
            -20.0,
            20.0,
            xtol=1e-14,
            rtol=4 * np.finfo(float).eps,
        )
    )


def open_model(year: int, data_dir: Path | str | None = None) -> OutcomeModel:
    """The default model for a data year: each band's anchor outcome fitted across England."""
    fits = national_fits(year, data_dir)
    missing = [b for b, o in ANCHORS.items() if o.key not in fits]
    if missing:
        raise InputError(f"need model: no national outcome data to fit age band(s) {missing}")
    return OutcomeModel(
        fits={b: fits[o.key].full for b, o in ANCHORS.items()},
        periods={b: fits[o.key].period for b, o in ANCHORS.items()},
    )
