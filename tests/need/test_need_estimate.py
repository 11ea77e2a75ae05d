"""Modelled need for an area: calibration to the observed outcome, totals and quintile shares."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from need_helpers import table

from needsbook.need import (
    GROUPS,
    estimate_need,
    need_share_by_quintile,
    observed_not_gld,
)

WORCS, RUTLAND, WOKINGHAM = "E10000034", "E06000017", "E06000041"


def test_calibration_to_a_given_value_is_exact_for_under_fives(snap: Path) -> None:
    est = estimate_need(WORCS, 2024, snap, observed=30.0)
    under5 = est.counts[est.counts["band"] == "0-4"]
    assert under5["need"].sum() / under5["population"].sum() == pytest.approx(0.30, abs=1e-12)
    assert est.observation is not None and est.observation.percent == 30.0
    assert est.observation.modelled == pytest.approx(31.3, abs=1.5)  # the model alone
    assert (
        "30.0% not reaching a good level of development"
        in (
            est.model.calibration["0-4"]  # type: ignore[attr-defined]
        )
    )


def test_group_counts_add_up_to_the_population(snap: Path) -> None:
    est = estimate_need(WORCS, 2024, snap, observed=30.0)
    c = est.counts
    assert np.allclose(c[list(GROUPS)].sum(axis=1), c["population"])
    bands = est.by_band().set_index("band")
    assert bands.loc["0-19", "population"] == est.lsoas["pop_0_19"].sum()
    assert bands.loc["0-19", "need"] == pytest.approx(est.lsoas["need_0_19"].sum())
    assert est.population_year == 2020


def test_observed_value_comes_from_the_indicators_table(snap: Path) -> None:
    if not (snap / "snapshot" / "indicators.parquet").is_file():
        pytest.skip("no indicators table in this snapshot")
    ind = table(snap, "indicators")
    gld = ind[(ind["indicator_id"] == "lait:FSP_NEW_GOODDEV") & (ind["area_code"] == WORCS)]
    latest = gld[gld["year"] <= 2024].sort_values("year").iloc[-1]
    obs = observed_not_gld(WORCS, 2024, snap)
    assert obs is not None and obs.indicator_id == "lait:FSP_NEW_GOODDEV"
    assert obs.percent == pytest.approx(100 - latest["value"])
    assert obs.period == "2024"
    # 2022: EYFSP (counts, unrounded) is preferred to LAIT when both exist for the year.
    obs22 = observed_not_gld(WORCS, 2022, snap)
    assert obs22 is not None and obs22.indicator_id == "eyfs:gld_all"
    est = estimate_need(WORCS, 2024, snap)
    under5 = est.counts[est.counts["band"] == "0-4"]
    assert under5["need"].sum() / under5["population"].sum() * 100 == pytest.approx(obs.percent)


def test_no_observation_means_the_national_gradient(snap: Path) -> None:
    est = estimate_need(WORCS, 2024, snap, calibrate=False)
    assert est.observation is None
    assert est.observations == {}
    assert est.model.shift == {}  # type: ignore[attr-defined]
    early = observed_not_gld(WORCS, 2010, snap)  # before the data start: the earliest
    assert early is not None and early.period == "2016"


@pytest.mark.parametrize("area", [WORCS, RUTLAND, WOKINGHAM])
def test_need_shares_by_quintile_sum_to_100(snap: Path, area: str) -> None:
    q = need_share_by_quintile(area, 2024, snap, observed=30.0)
    assert list(q["imd_quintile"]) == [1, 2, 3, 4, 5]
    assert q["percent_of_need"].sum() == pytest.approx(100)
    assert q["percent_of_children"].sum() == pytest.approx(100)
    assert (q["percent_of_need"] >= 0).all()


def test_areas_without_deprived_neighbourhoods(snap: Path) -> None:
    # Rutland has no LSOA below national decile 5, Wokingham none below decile 4.
    for area, first_quintile in ((RUTLAND, 3), (WOKINGHAM, 2)):
        q = need_share_by_quintile(area, 2024, snap, observed=25.0).set_index("imd_quintile")
        empty = q.loc[: first_quintile - 1]
        assert (empty["children_0_19"] == 0).all() and (empty["percent_of_need"] == 0).all()
        assert empty["percent_needing_help"].isna().all()  # no children: no rate, not 0%
        assert q.loc[first_quintile:, "children_0_19"].gt(0).all()


def test_need_concentrates_where_deprivation_is(snap: Path) -> None:
    q = need_share_by_quintile(WORCS, 2024, snap, observed=32.4)
    # More need than children in the most deprived quintile, less in the least deprived.
    assert q.loc[0, "percent_of_need"] > q.loc[0, "percent_of_children"]
    assert q.loc[4, "percent_of_need"] < q.loc[4, "percent_of_children"]
    assert q["percent_needing_help"].is_monotonic_decreasing


def test_summary_by_district_shares_sum_to_100(snap: Path) -> None:
    est = estimate_need(WORCS, 2024, snap, observed=30.0)
    s = est.summary("lad_code")
    assert len(s) == 6
    assert s["share_of_need"].sum() == pytest.approx(100)
    assert s["population"].sum() == est.lsoas["pop_0_19"].sum()
    assert isinstance(s, pd.DataFrame)
