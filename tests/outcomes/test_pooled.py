"""Three-year pooled maternal and early years indicators, recomputed by hand.

Worcestershire's infant mortality (2021-2023) and low birth weight (2022-2024) are recomputed
from the raw DfE LAIT file (``dfe_lait/lait_bds_long.parquet``, measures ``InfMort`` and
``Low_Birth_Weight_Babies``) and the raw ONS mid-year estimates of the population aged 0
(``ons_population/mye_syoa_utla_region_england_2021_2024_long.csv.gz``, persons): counts are
value x births / multiplier, the pooled value sum(counts) / sum(births) x multiplier, and the
intervals are written out below from Byar's and Wilson's formulas (Breslow & Day 1987; Wilson
1927), independently of needsbook.stats.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import chi2

from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.compare import benchmarks
from needsbook.outcomes.pooled import (
    AVERAGE,
    NONE,
    POOLED,
    annual,
    births,
    multiplier,
    pool_years,
    pooled,
)
from tests.conftest import RAW

WORCS, ENGLAND = "E10000034", "E92000001"
Z = 1.959963984540054  # z for 95%


def _lait(measure: str, years: list[int]) -> dict[tuple[str, int], float]:
    raw = pd.read_parquet(RAW / "dfe_lait" / "lait_bds_long.parquet")
    sel = raw[
        (raw["Short Desc"] == measure)
        & raw["LA and Regions"].isin(["Worcestershire", "England"])
        & raw["Years"].isin([str(y) for y in years])
    ]
    code = {"Worcestershire": WORCS, "England": ENGLAND}
    return {
        (code[a], int(y)): float(v)
        for a, y, v in zip(sel["LA and Regions"], sel["Years"], sel["Values"], strict=True)
    }


def _age0(years: list[int]) -> dict[tuple[str, int], float]:
    raw = pd.read_csv(
        RAW / "ons_population" / "mye_syoa_utla_region_england_2021_2024_long.csv.gz",
        dtype={"area_code": str},
    )
    sel = raw[
        raw["area_code"].isin([WORCS, ENGLAND])
        & (raw["sex"] == "persons")
        & (raw["age"] == 0)
        & raw["year"].isin(years)
    ]
    return {
        (c, int(y)): float(p)
        for c, y, p in zip(sel["area_code"], sel["year"], sel["population"], strict=True)
    }


def _byar(o: float, n: float, m: float) -> tuple[float, float]:
    lower = o * (1 - 1 / (9 * o) - Z / (3 * math.sqrt(o))) ** 3
    o1 = o + 1
    upper = o1 * (1 - 1 / (9 * o1) + Z / (3 * math.sqrt(o1))) ** 3
    return lower / n * m, upper / n * m


def _wilson(x: float, n: float, m: float) -> tuple[float, float]:
    centre, half = 2 * x + Z**2, Z * math.sqrt(Z**2 + 4 * x * (1 - x / n))
    return (centre - half) / (2 * (n + Z**2)) * m, (centre + half) / (2 * (n + Z**2)) * m


@pytest.fixture(scope="module")
def worcs() -> pd.DataFrame:
    return pooled(WORCS, 2024).set_index("indicator_id")


@pytest.mark.needs_raw
def test_worcestershire_infant_mortality_pooled_by_hand(worcs: pd.DataFrame) -> None:
    years = [2021, 2022, 2023]
    value, pop = _lait("InfMort", years), _age0(years)
    assert [value[(WORCS, y)] for y in years] == [3.7, 3.2, 5.4]
    deaths = sum(value[(WORCS, y)] * pop[(WORCS, y)] / 1000 for y in years)
    births_ = sum(pop[(WORCS, y)] for y in years)
    eng = sum(value[(ENGLAND, y)] * pop[(ENGLAND, y)] for y in years) / sum(
        pop[(ENGLAND, y)] for y in years
    )
    r = worcs.loc["lait:InfMort"]
    assert r["method"] == POOLED
    assert r["years"] == (2021, 2022, 2023)
    assert r["period_label"] == "2021 to 2023"
    assert births_ == r["births"] == 5455 + 5428 + 5384
    assert r["events"] == pytest.approx(deaths, abs=1e-9)
    assert r["value"] == pytest.approx(deaths / births_ * 1000, abs=1e-9)
    assert r["value"] == pytest.approx(4.0958197577918, abs=1e-9)
    assert r["england"] == pytest.approx(eng, abs=1e-9)
    lower, upper = _byar(deaths, births_, 1000)
    assert r["ci_method"] == "Byar's"  # 67 deaths: Byar's, not the exact interval
    assert abs(r["lower_ci_95"] - lower) < 1e-9
    assert abs(r["upper_ci_95"] - upper) < 1e-9
    # England's pooled 3.77 lies inside 3.17-5.21: similar, though 2023 alone is worst fifth
    assert lower < eng < upper
    assert (r["comparison"], r["direction"]) == ("Similar", "similar")
    assert (r["single_value"], r["single_label"], r["single_direction"]) == (
        5.4,
        "Worst 20%",
        "worse",
    )
    # 2022 rests on about 17 deaths, and the swings (up to 2.2) exceed the 0.3 gap
    assert r["min_events"] == pytest.approx(3.2 * 5428 / 1000, abs=1e-9)
    assert r["max_swing"] == pytest.approx(2.2, abs=1e-9)
    assert r["difference"] == pytest.approx(deaths / births_ * 1000 - eng, abs=1e-9)
    assert r["few_events"] and r["swings_exceed_gap"] and r["volatile"]
    assert not r["suppressed"]


@pytest.mark.needs_raw
def test_worcestershire_low_birth_weight_pooled_with_wilson(worcs: pd.DataFrame) -> None:
    years = [2022, 2023, 2024]
    value, pop = _lait("Low_Birth_Weight_Babies", years), _age0(years)
    x = sum(value[(WORCS, y)] * pop[(WORCS, y)] / 100 for y in years)
    n = sum(pop[(WORCS, y)] for y in years)
    r = worcs.loc["lait:Low_Birth_Weight_Babies"]
    assert r["value"] == pytest.approx(x / n * 100, abs=1e-9)
    lower, upper = _wilson(x, n, 100)
    assert r["ci_method"] == "Wilson score"
    assert abs(r["lower_ci_95"] - lower) < 1e-9
    assert abs(r["upper_ci_95"] - upper) < 1e-9
    eng = sum(value[(ENGLAND, y)] * pop[(ENGLAND, y)] for y in years) / sum(
        pop[(ENGLAND, y)] for y in years
    )
    assert r["england"] == pytest.approx(eng, abs=1e-9)
    assert upper < eng  # low is good: England above the interval -> better
    assert (r["comparison"], r["direction"]) == ("Better", "better")
    assert not r["volatile"]


def test_breastfeeding_pools_the_years_published(worcs: pd.DataFrame) -> None:
    """Worcestershire has no breastfeeding figure for 2022/23 (data quality)."""
    r = worcs.loc["lait:6wksBreast"]
    assert r["years"] == (2022, 2024)
    assert r["missing_labels"] == ("2022/23",)
    assert r["period_label"] == "2021/22 and 2023/24"
    assert r["births"] == 5428 + 5152
    assert r["value"] == pytest.approx((47.6 * 5428 + 48.97 * 5152) / (5428 + 5152), abs=1e-9)
    eng = (49.2 * 596306 + 52.71 * 573812) / (596306 + 573812)  # England's same two years
    assert r["england"] == pytest.approx(eng, abs=1e-9)
    assert r["direction"] == "worse"


def test_indicators_without_a_denominator_are_averaged(worcs: pd.DataFrame) -> None:
    r = worcs.loc["lait:Under18concep"]
    assert r["method"] == AVERAGE
    assert r["period_label"] == "2020 to 2022"
    assert r["value"] == pytest.approx((12.8 + 11.7 + 12.0) / 3, abs=1e-9)
    assert r["england"] == pytest.approx((13.0 + 13.1 + 13.9) / 3, abs=1e-9)
    assert pd.isna(r["lower_ci_95"]) and pd.isna(r["events"])
    assert r["max_swing"] == pytest.approx(1.1, abs=1e-9)
    assert not r["volatile"]  # 1.1 < the 1.17 gap to England
    # the fifth each year is the engine's row for that year
    rows = annual(WORCS, 2024)
    fifths = rows[(rows["indicator_id"] == "lait:Under18concep") & rows["fifth"].notna()]
    assert list(fifths["year"]) == [2020, 2021, 2022]
    for y, label in zip(fifths["year"], fifths["fifth_label"], strict=True):
        b = benchmarks(int(y))
        engine = b[(b["indicator_id"] == "lait:Under18concep") & (b["area_code"] == WORCS)]
        assert int(engine["year"].iloc[0]) == y
        assert engine["comparison_label"].iloc[0] == label
    assert list(fifths["fifth_label"]) == ["Middle 20%", "Middle 20%", "2nd best 20%"]


def test_one_year_is_too_few_for_a_three_year_figure(worcs: pd.DataFrame) -> None:
    """Worcestershire's latest 2-2½ year review figure is 2021/22; England's is 2023/24."""
    r = worcs.loc["lait:HCP_PHOF"]
    assert r["method"] == NONE
    assert r["years"] == (2022,)
    assert r["missing_labels"] == ("2022/23", "2023/24")
    assert r["single_direction"] == "no data"


def test_single_year_columns_are_the_engines(worcs: pd.DataFrame) -> None:
    b = benchmarks(2024)
    mine = b[b["area_code"] == WORCS].set_index("indicator_id")
    for ind_id, r in worcs.iterrows():
        e = mine.loc[ind_id]
        assert r["latest_year"] == e["year"]
        assert r["single_label"] == e["comparison_label"]
        assert r["single_direction"] == e["direction"]
        assert r["single_period"] == e["period_label"]


def test_births_use_the_nearest_mid_year_estimate() -> None:
    """Cumberland has no mid-2021 estimate in the snapshot: 2021 uses mid-2022 (the later of
    the two nearest); years before 2019 use mid-2019."""
    b = births(["E06000063", ENGLAND], [2018, 2021, 2023]).set_index(["area_code", "year"])
    assert b.loc[("E06000063", 2021), "births_year"] == 2022
    assert b.loc[("E06000063", 2021), "births"] == 2378
    assert b.loc[("E06000063", 2018), "births_year"] == 2019
    assert b.loc[(ENGLAND, 2023), "births"] == 573100
    assert b.loc[(ENGLAND, 2023), "births_year"] == 2023


def test_multiplier_is_read_from_the_unit() -> None:
    cat = load_catalogue()
    assert multiplier(cat["lait:InfMort"]) == 1000
    assert multiplier(cat["lait:Low_Birth_Weight_Babies"]) == 100
    assert multiplier(cat["lait:Under18concep"]) == 1000


def test_small_pooled_counts_are_withheld_and_small_ones_use_exact_limits() -> None:
    ind = load_catalogue()["lait:InfMort"]
    area = pd.DataFrame({"value": [5.0, 0.0, 5.0], "births": [200.0, 200.0, 200.0]})
    area["events"] = area["value"] * area["births"] / 1000  # 1 + 0 + 1 = 2 deaths
    r = pool_years(ind, area, None)
    assert r["suppressed"] and pd.isna(r["value"]) and r["events"] == 2
    area["value"] = [20.0, 10.0, 15.0]  # 4 + 2 + 3 = 9 deaths: exact limits
    area["events"] = area["value"] * area["births"] / 1000
    r = pool_years(ind, area, None)
    assert not r["suppressed"] and r["ci_method"] == "exact Poisson"
    assert r["value"] == pytest.approx(15.0, abs=1e-9)
    # exact 95% limits for 9 events: chi-square quantiles (4.11537-17.08480), per 600 births
    lower, upper = chi2.ppf(0.025, 18) / 2, chi2.ppf(0.975, 20) / 2
    assert abs(r["lower_ci_95"] - lower / 600 * 1000) < 1e-9
    assert abs(r["upper_ci_95"] - upper / 600 * 1000) < 1e-9
    assert round(lower, 5) == 4.11537 and round(upper, 5) == 17.0848
    assert r["comparison"] == "Not compared"  # no England value given


@pytest.mark.parametrize("code", ["E09000001", "E06000053", "E06000063", "E06000065"])
def test_areas_with_gaps_get_a_row_per_indicator(code: str) -> None:
    df = pooled(code, 2024)
    assert list(df["indicator_id"]) == [
        i.id for i in load_catalogue().for_use("early_years_health")
    ]
    assert set(df["method"]) <= {POOLED, AVERAGE, NONE}
    if code == "E06000053":  # Isles of Scilly: LAIT publishes none of them
        assert set(df["method"]) == {NONE}
