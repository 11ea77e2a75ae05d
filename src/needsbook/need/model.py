"""Pluggable models of the need for preventive (early) help, per LSOA and age band.

The Worcestershire 2015 needs assessment used PREview, a closed tool that scores births on
pregnancy and postnatal risk factors and sorts children into five likely-outcome groups.
needsbook's default is :class:`~needsbook.need.open_model.OutcomeModel` (an outcome fitted for
each age band on neighbourhood deprivation domains). This module holds what every model shares
(the groups, the age bands, the liability thresholds that split need into additional, extra and
intensive help, :class:`NeedModel`) and the earlier one-predictor model, kept as an alternative:
a *liability-threshold* model driven by the national gradient of early childhood outcomes
across IMD deciles.

Every child is imagined to sit on a continuous scale of risk ("liability"), normally distributed
with standard deviation 1 around a mean that depends on how deprived their neighbourhood (LSOA) is:

    mean = intercept + slope * (IMD decile - 5.5) + age shift

A child is *likely to need additional preventive help* if their liability is above 0, *extra* help
if above ``extra_threshold`` and *intensive* help if above ``intensive_threshold``. So for an LSOA
the share needing any help is Phi(mean), at least extra help Phi(mean - extra_threshold) and
intensive help Phi(mean - intensive_threshold), where Phi is the standard normal distribution.

* ``intercept`` and ``slope`` come from a fit of the share of children *not* reaching a good level
  of development (GLD) at the end of reception in 2021/22, across 309 English districts, on each
  district's mix of 0-4 year olds by IMD 2019 decile (:mod:`needsbook.need.fit` reproduces them).
* The intercept is then *calibrated*: shifted so that the area's modelled share of 0-4 year olds
  needing help equals the area's latest observed share of children not reaching GLD.
* The thresholds are set so that when 48% of children need help, 12.5% need intensive help: the
  one published PREview split (the 2015 assessment, Worcestershire births 2013/14). The extra
  threshold is halfway between; no public data pin it down.

Any object with the :class:`NeedModel` methods can replace the default (e.g. a council's own
shares, :class:`~needsbook.need.local_model.SharesModel`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd
from scipy import optimize, special

from needsbook.errors import InputError
from needsbook.formatting import coefficient

GROUPS = ("good", "additional", "extra", "intensive")
NEED_GROUPS = ("additional", "extra", "intensive")
GROUP_LABELS = {
    "good": "Good or very good outcomes likely",
    "additional": "Additional preventive help likely",
    "extra": "Extra preventive help likely",
    "intensive": "Intensive preventive help likely",
}
AGE_BANDS = ("0-4", "5-10", "11-15", "16-19")

# Fitted by needsbook.need.fit.fit_gradient() on DfE EYFSP 2021/22 district GLD, IMD 2019 LSOA
# deciles and ONS mid-2020 LSOA populations aged 0-4 (309 districts; see that module).
NATIONAL_INTERCEPT = -0.4134
NATIONAL_SLOPE = -0.0431
DECILE_CENTRE = 5.5
# PREview anchor: 48% needing help of whom 12.5 points intensive (the 2015 assessment).
PREVIEW_NEED = 0.48
PREVIEW_INTENSIVE = 0.125
INTENSIVE_THRESHOLD = round(
    float(special.ndtri(1 - PREVIEW_INTENSIVE) - special.ndtri(1 - PREVIEW_NEED)), 2
)
EXTRA_THRESHOLD = INTENSIVE_THRESHOLD / 2


@runtime_checkable
class NeedModel(Protocol):
    """What the chapter needs from a need model."""

    name: str

    def proportions(self, lsoas: pd.DataFrame, bands: Sequence[str] = AGE_BANDS) -> pd.DataFrame:
        """One row per (``lsoa11_code``, ``band``) with the share of children in each of
        :data:`GROUPS` (columns with those names, summing to 1)."""
        ...

    def calibrate(
        self, lsoas: pd.DataFrame, weights: pd.Series, target: float, label: str = ""
    ) -> NeedModel:
        """A copy whose ``weights``-weighted share needing help over ``lsoas`` equals ``target``
        (a proportion, 0-1)."""
        ...

    def parameters(self) -> pd.DataFrame:
        """The published parameters: columns ``Parameter``, ``Value``, ``Meaning``."""
        ...


def _check_deciles(lsoas: pd.DataFrame) -> np.ndarray:
    if "imd_decile" not in lsoas:
        raise InputError("need model: the LSOA table has no 'imd_decile' column")
    dec = pd.to_numeric(lsoas["imd_decile"], errors="coerce").to_numpy(dtype="float64")
    if np.isnan(dec).any() or ((dec < 1) | (dec > 10)).any():
        raise InputError("need model: 'imd_decile' must be 1-10 for every LSOA (no missing values)")
    return dec


def calibration_weights(target: float, weights: object, n: int) -> np.ndarray:
    """Check a calibration target (a proportion) and its weights (one per LSOA, non-negative,
    positive total); return the weights as an array."""
    if not 0 < target < 1:
        raise InputError(
            f"need model: calibration target must be a proportion in (0, 1), got {target!r}"
        )
    w = np.asarray(weights, dtype="float64")
    if len(w) != n or (w < 0).any() or w.sum() <= 0:
        raise InputError(
            "need model: calibration weights must be one non-negative number per LSOA "
            "with a positive total"
        )
    return w


def band_frame(lsoas: pd.DataFrame, band: str, shares: np.ndarray) -> pd.DataFrame:
    """One band's rows of a model's proportions: ``lsoa11_code, band`` and :data:`GROUPS`."""
    frame = pd.DataFrame(shares, columns=list(GROUPS))
    frame.insert(0, "band", band)
    frame.insert(0, "lsoa11_code", lsoas["lsoa11_code"].to_numpy())
    return frame


def group_shares(mean: np.ndarray, extra: float, intensive: float) -> np.ndarray:
    """Shares in :data:`GROUPS` order for liability means and thresholds (rows sum to 1)."""
    mean = np.asarray(mean, dtype="float64")
    need = special.ndtr(mean)
    extra_plus = special.ndtr(mean - extra)
    most = special.ndtr(mean - intensive)
    return np.column_stack([1 - need, need - extra_plus, extra_plus - most, most])


@dataclass(frozen=True)
class DeprivationGradientModel:
    """The earlier open need model: one national deprivation gradient (IMD decile) applied to
    local LSOAs, calibrated to the under-fives' outcome. Kept as an alternative model."""

    intercept: float = NATIONAL_INTERCEPT
    slope: float = NATIONAL_SLOPE
    extra_threshold: float = EXTRA_THRESHOLD
    intensive_threshold: float = INTENSIVE_THRESHOLD
    age_shift: Mapping[str, float] = field(default_factory=dict)
    calibration: str = "not calibrated: England's gradient as fitted"
    name: str = "Deprivation gradient (liability-threshold) model"

    def __post_init__(self) -> None:
        if not 0 < self.extra_threshold < self.intensive_threshold:
            raise InputError(
                "need model: thresholds must satisfy 0 < extra_threshold < intensive_threshold "
                f"(got {self.extra_threshold} and {self.intensive_threshold})"
            )

    def liability(self, decile: np.ndarray, band: str = "0-4") -> np.ndarray:
        """Mean liability for LSOAs of these deciles (probit scale)."""
        shift = float(self.age_shift.get(band, 0.0))
        return self.intercept + self.slope * (np.asarray(decile) - DECILE_CENTRE) + shift

    def group_shares(self, mean: np.ndarray) -> np.ndarray:
        """Shares in :data:`GROUPS` order for liability means (rows sum to 1)."""
        return group_shares(mean, self.extra_threshold, self.intensive_threshold)

    def proportions(self, lsoas: pd.DataFrame, bands: Sequence[str] = AGE_BANDS) -> pd.DataFrame:
        dec = _check_deciles(lsoas)
        frames = [band_frame(lsoas, b, self.group_shares(self.liability(dec, b))) for b in bands]
        return pd.concat(frames, ignore_index=True)

    def calibrate(
        self,
        lsoas: pd.DataFrame,
        weights: pd.Series,
        target: float,
        label: str = "",
        band: str = "0-4",
    ) -> DeprivationGradientModel:
        dec = _check_deciles(lsoas)
        w = calibration_weights(target, weights, len(dec))
        base = self.liability(dec, band) - self.intercept

        def gap(intercept: float) -> float:
            return float(np.dot(w, special.ndtr(base + intercept)) / w.sum()) - target

        intercept = optimize.brentq(gap, -12.0, 12.0, xtol=1e-15, rtol=4 * np.finfo(float).eps)
        return replace(self, intercept=float(intercept), calibration=label or "calibrated")

    def decile_table(self, band: str = "0-4") -> pd.DataFrame:
        """Modelled shares (%) in each group for an LSOA of each national IMD decile."""
        dec = np.arange(1, 11)
        shares = self.group_shares(self.liability(dec, band)) * 100
        out = pd.DataFrame(shares, columns=[GROUP_LABELS[g] for g in GROUPS])
        out.insert(0, "IMD decile", dec)
        out["Needing any preventive help (%)"] = out[[GROUP_LABELS[g] for g in NEED_GROUPS]].sum(
            axis=1
        )
        return out

    def parameters(self) -> pd.DataFrame:
        rows = [
            (
                "Intercept (probit)",
                self.intercept,
                "Mean risk score of children in a neighbourhood midway between deciles 5 and 6; "
                f"{self.calibration}. England's fitted value is {coefficient(NATIONAL_INTERCEPT)}.",
            ),
            (
                "Slope per IMD decile (probit)",
                self.slope,
                "Change in the mean risk score for each step from a more to a less deprived "
                "decile, fitted to the national gradient in not reaching a good level of "
                "development.",
            ),
            (
                "Threshold: additional help",
                0.0,
                "Risk score above which a child is likely to need at least additional help.",
            ),
            (
                "Threshold: extra help",
                self.extra_threshold,
                "Risk score above which a child is likely to need at least extra help (assumed "
                "halfway to the intensive threshold).",
            ),
            (
                "Threshold: intensive help",
                self.intensive_threshold,
                "Risk score above which a child is likely to need intensive help: set so that "
                f"when {PREVIEW_NEED:.0%} need help, {PREVIEW_INTENSIVE:.1%} need intensive help "
                "(the PREview split in the Worcestershire 2015 needs assessment).",
            ),
        ]
        for band in AGE_BANDS:
            rows.append(
                (
                    f"Age shift {band}",
                    float(self.age_shift.get(band, 0.0)),
                    "Added to the risk score for this age band (0: the same neighbourhood risk "
                    "profile is assumed for every age, as in the Worcestershire 2015 needs "
                    "assessment).",
                )
            )
        return pd.DataFrame(rows, columns=["Parameter", "Value", "Meaning"])


def need_counts(proportions: pd.DataFrame, populations: pd.DataFrame) -> pd.DataFrame:
    """Children in each group: ``proportions`` (lsoa11_code, band, GROUPS) times ``populations``
    (lsoa11_code, band, population). Returns lsoa11_code, band, population, GROUPS, need."""
    merged = proportions.merge(
        populations[["lsoa11_code", "band", "population"]],
        on=["lsoa11_code", "band"],
        how="inner",
        validate="one_to_one",
    )
    if len(merged) != len(proportions):
        raise InputError("need counts: some LSOA/age bands have no population")
    for g in GROUPS:
        merged[g] = merged[g] * merged["population"]
    merged["need"] = merged[list(NEED_GROUPS)].sum(axis=1)
    return merged
