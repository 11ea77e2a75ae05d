"""Modelled need for one area: calibrate the model, apply it to the area's LSOAs, summarise."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.data import load_table_or_none
from needsbook.errors import InputError
from needsbook.need.fitting import national_fits, national_lsoas, weights
from needsbook.need.inputs import area_rows, band_populations
from needsbook.need.local_model import SharesModel
from needsbook.need.model import (
    GROUPS,
    NEED_GROUPS,
    NeedModel,
    need_counts,
)
from needsbook.need.open_model import OutcomeModel, open_model
from needsbook.need.uncertainty import DRAWS, need_intervals

# Calibration outcome: % of children achieving a good level of development (GLD) at the end of
# reception, in order of preference when two share the latest year.
GLD_INDICATORS = ("eyfs:gld_all", "lait:FSP_NEW_GOODDEV")
CALIBRATION_BAND = "0-4"


@dataclass(frozen=True)
class Observation:
    """An area's observed share of children with an adverse outcome (by default, *not* reaching
    a good level of development), and what the model alone predicted for it."""

    percent: float
    indicator_id: str = "given"
    period: str = ""
    source: str = "value passed in"
    what: str = "not reaching a good level of development"
    trials: float = float("nan")  # children the share is of (for its sampling error)
    modelled: float = float("nan")  # the model's % before calibration

    @property
    def label(self) -> str:
        when = f" {self.period}" if self.period else ""
        return f"{self.percent:.1f}% {self.what} ({self.source}{when})"


def observed_not_gld(
    area_code: str, year: int, data_dir: Path | str | None = None
) -> Observation | None:
    """The area's share not reaching GLD from the ``indicators`` table: the latest at or before
    ``year``, else the earliest after it (None if the table or any value is missing)."""
    ind = load_table_or_none("indicators", data_dir)
    if ind is None:
        return None
    rows = ind[
        ind["indicator_id"].isin(GLD_INDICATORS)
        & (ind["area_code"] == area_code)
        & ind["value"].notna()
    ].copy()
    if rows.empty:
        return None
    rows["pref"] = rows["indicator_id"].map({k: i for i, k in enumerate(GLD_INDICATORS)})
    before = rows[rows["year"] <= int(year)]
    if before.empty:
        best = rows.sort_values(["year", "pref"]).iloc[0]
    else:
        best = before.sort_values(["year", "pref"], ascending=[False, True]).iloc[0]
    return Observation(
        percent=100 - float(best["value"]),
        indicator_id=str(best["indicator_id"]),
        period=str(best["period"]),
        source=str(best["source"]),
    )


@dataclass
class NeedEstimate:
    """Modelled need in one area: LSOA table, counts by LSOA and band, and the model used."""

    area_code: str
    lsoas: pd.DataFrame  # area_lsoas() plus need_0_19 columns
    counts: pd.DataFrame  # lsoa11_code, band, population, GROUPS..., need
    proportions: pd.DataFrame  # lsoa11_code, band, GROUPS...
    model: NeedModel
    observation: Observation | None
    population_year: int
    observations: dict[str, Observation] = field(default_factory=dict)  # by age band

    def intervals(self, by: str | None = None, draws: int = DRAWS) -> pd.DataFrame:
        """95% intervals for the % needing help (``need_lower``, ``need_upper``) and the %
        likely to need intensive help, by ``by`` (as :meth:`summary`) and for ``band``."""
        return need_intervals(self, by, draws)

    def summary(self, by: str | None = None) -> pd.DataFrame:
        """Children aged 0-19 and modelled children in each group, with % of children (``*_pct``)
        and each row's share of the area's need (``share_of_need``), by an LSOA column
        (``lad_code``, ``imd_quintile``, ``imd_decile``) or for the whole area."""
        data = self.counts.merge(
            self.lsoas[["lsoa11_code", "lad_code", "imd_decile", "imd_quintile"]],
            on="lsoa11_code",
        )
        cols = ["population", *GROUPS, "need"]
        if by is None:
            out = data[cols].sum().to_frame().T
        else:
            out = data.groupby(by, sort=True)[cols].sum().reset_index()
        for g in [*GROUPS, "need"]:
            out[f"{g}_pct"] = out[g] / out["population"] * 100
        out["share_of_need"] = out["need"] / data["need"].sum() * 100
        return out

    def by_band(self) -> pd.DataFrame:
        """Whole-area totals for each age band and for 0-19."""
        cols = ["population", *GROUPS, "need"]
        out = self.counts.groupby("band", sort=False)[cols].sum()
        out.loc["0-19"] = out.sum()
        out = out.reset_index()
        for g in [*GROUPS, "need"]:
            out[f"{g}_pct"] = out[g] / out["population"] * 100
        return out


def area_model_lsoas(area_code: str, year: int, data_dir: Path | str | None) -> pd.DataFrame:
    """The area's LSOAs with populations and the model's predictors."""
    return area_rows(national_lsoas(year, data_dir), area_code)


def _calibrate_bands(
    model: OutcomeModel,
    lsoas: pd.DataFrame,
    area_code: str,
    year: int,
    data_dir: Path | str | None,
    under_fives: Observation | None = None,
) -> tuple[OutcomeModel, dict[str, Observation]]:
    """Calibrate each band to the area's own observed outcome, where it has one (for 0-4 year
    olds, ``under_fives`` instead when given)."""

    fits = national_fits(year, data_dir)
    observations = {}
    for band, outcome in model.anchors.items():
        counts = fits[outcome.key].counts
        row = counts[counts["area_code"] == area_code]
        w = weights(lsoas, outcome)
        modelled = float(np.dot(w, model.probability(lsoas, band)) / w.sum()) * 100
        if band == "0-4" and under_fives is not None:
            obs = replace(under_fives, modelled=modelled)
            model = model.calibrate(lsoas, pd.Series(w), obs.percent / 100, obs.label, band)
            observations[band] = obs
            continue
        if row.empty:
            continue
        r = row.iloc[0]
        obs = Observation(
            percent=float(r["observed"]) * 100,
            indicator_id=outcome.indicator_id,
            period=str(r["period"]),
            source=_source(outcome.indicator_id, data_dir),
            what=outcome.label,
            trials=float(r["trials"]),
            modelled=modelled,
        )
        if 0 < obs.percent < 100:
            model = model.calibrate(
                lsoas, pd.Series(w), obs.percent / 100, label=obs.label, band=band
            )
            observations[band] = obs
    return model, observations


def _source(indicator_id: str, data_dir: Path | str | None) -> str:
    """The publisher and dataset the indicators table gives for an indicator ('' if none)."""
    ind = load_table_or_none("indicators", data_dir)
    if ind is None:
        return ""
    rows = ind.loc[ind["indicator_id"] == indicator_id, "source"]
    return str(rows.iloc[0]) if len(rows) else ""


def estimate_need(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    model: NeedModel | None = None,
    observed: float | Observation | None = None,
    calibrate: bool = True,
) -> NeedEstimate:
    """Apply ``model`` (default: :func:`~needsbook.need.open_model.open_model` for ``year``) to
    the area's LSOAs.

    With ``calibrate``, the default model's share for each age band is calibrated to the area's
    own observed value of that band's outcome (where published). Another model is calibrated as
    before: its share of 0-4 year olds needing help to the observed share not reaching GLD
    (``observed``, a percentage or an :class:`Observation`, else the latest in the
    ``indicators`` table); with no such figure it is used as it is. A council's own shares
    (:class:`~needsbook.need.local_model.SharesModel`) are never calibrated.
    """
    lsoas = area_model_lsoas(area_code, year, data_dir)
    population_year = int(lsoas.attrs["population_year"])
    if isinstance(observed, int | float):
        if not 0 < observed < 100:
            raise InputError(f"observed % not reaching GLD must be in (0, 100), got {observed}")
        observed = Observation(percent=float(observed))
    observations: dict[str, Observation] = {}
    if isinstance(model, SharesModel):
        calibrate = False
    if model is None:
        model = open_model(year, data_dir)
        if calibrate:
            model, observations = _calibrate_bands(
                model, lsoas, area_code, year, data_dir, observed
            )
        observation = observations.get("0-4")
    else:
        observation = observed
        if calibrate and observation is None:
            observation = observed_not_gld(area_code, year, data_dir)
        if calibrate and observation is not None:
            weights_0_4 = lsoas["pop_0_4"].astype("float64")
            model = model.calibrate(
                lsoas,
                weights_0_4,
                observation.percent / 100,
                label=f"calibrated to {observation.label}",
            )
            observations = {"0-4": observation}
        elif not calibrate:
            observation = None
    props = model.proportions(lsoas)
    counts = need_counts(props, band_populations(lsoas))
    per_lsoa = counts.groupby("lsoa11_code")[["population", *GROUPS, "need"]].sum()
    lsoas = lsoas.merge(
        per_lsoa.rename(columns=lambda c: f"{c}_0_19").reset_index(), on="lsoa11_code"
    )
    lsoas["need_0_19_pct"] = lsoas["need_0_19"] / lsoas["population_0_19"] * 100
    return NeedEstimate(
        area_code=area_code,
        lsoas=lsoas,
        counts=counts,
        proportions=props,
        model=model,
        observation=observation,
        population_year=population_year,
        observations=observations,
    )


def need_share_by_quintile(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    model: NeedModel | None = None,
    observed: float | Observation | None = None,
) -> pd.DataFrame:
    """Where the area's modelled need falls by national IMD quintile (1 = most deprived 20%).

    One row per quintile 1-5 (all shown) with ``children_0_19``, ``percent_of_children``,
    ``children_needing_help``, ``percent_needing_help`` (of the quintile's children) and
    ``percent_of_need`` (share of the area's modelled need; sums to 100). For comparing where
    services reach with where need is (targeting ratios).
    """
    est = estimate_need(area_code, year, data_dir, model=model, observed=observed)
    s = est.summary("imd_quintile").set_index("imd_quintile").reindex(range(1, 6))
    s[["population", "need"]] = s[["population", "need"]].fillna(0.0)
    out = pd.DataFrame(
        {
            "imd_quintile": range(1, 6),
            "children_0_19": s["population"].to_numpy(),
            "percent_of_children": (s["population"] / s["population"].sum() * 100).to_numpy(),
            "children_needing_help": s["need"].to_numpy(),
            "percent_needing_help": s["need_pct"].to_numpy(),
            "percent_of_need": (s["need"] / s["need"].sum() * 100).to_numpy(),
        }
    )
    out.attrs["model"] = est.model
    out.attrs["observation"] = est.observation
    return out


__all__ = [
    "GLD_INDICATORS",
    "NEED_GROUPS",
    "NeedEstimate",
    "Observation",
    "estimate_need",
    "need_share_by_quintile",
    "observed_not_gld",
]
