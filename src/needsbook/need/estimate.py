"""Modelled need for one area: calibrate the model, apply it to the area's LSOAs, summarise."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from needsbook.data import load_table_or_none
from needsbook.errors import InputError
from needsbook.need.inputs import area_lsoas, band_populations
from needsbook.need.model import (
    GROUPS,
    NEED_GROUPS,
    DeprivationGradientModel,
    NeedModel,
    need_counts,
)

# Calibration outcome: % of children achieving a good level of development (GLD) at the end of
# reception, in order of preference when two share the latest year.
GLD_INDICATORS = ("eyfs:gld_all", "lait:FSP_NEW_GOODDEV")
CALIBRATION_BAND = "0-4"


@dataclass(frozen=True)
class Observation:
    """An observed share of children *not* reaching a good level of development."""

    percent: float
    indicator_id: str = "given"
    period: str = ""
    source: str = "value passed in"

    @property
    def label(self) -> str:
        when = f" {self.period}" if self.period else ""
        return f"{self.percent:.1f}% not reaching a good level of development ({self.source}{when})"


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


def estimate_need(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    model: NeedModel | None = None,
    observed: float | Observation | None = None,
    calibrate: bool = True,
) -> NeedEstimate:
    """Apply ``model`` (default :class:`DeprivationGradientModel`) to the area's LSOAs.

    With ``calibrate``, the model is first calibrated so that its share of the area's 0-4 year olds
    needing help equals the observed share not reaching GLD: ``observed`` (a percentage or an
    :class:`Observation`) if given, else the latest in the ``indicators`` table; if there is none
    the national gradient is used as it is.
    """
    lsoas = area_lsoas(area_code, year, data_dir)
    population_year = int(lsoas.attrs["population_year"])
    model = model or DeprivationGradientModel()
    if isinstance(observed, int | float):
        if not 0 < observed < 100:
            raise InputError(f"observed % not reaching GLD must be in (0, 100), got {observed}")
        observed = Observation(percent=float(observed))
    observation = observed
    if calibrate and observation is None:
        observation = observed_not_gld(area_code, year, data_dir)
    if calibrate and observation is not None:
        weights = lsoas["pop_0_4"].astype("float64")
        model = model.calibrate(
            lsoas, weights, observation.percent / 100, label=f"calibrated to {observation.label}"
        )
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
