"""The checks issue 5 names: every area, England's flat deciles, totals, projections, Table 1
(with the default need model of issue 20: each age band calibrated to its own outcome)."""

from __future__ import annotations

import pandas as pd
import pytest
from need_helpers import LATEST

from needsbook.areas import all_areas
from needsbook.data import load_table
from needsbook.need import deprivation as dep
from needsbook.need import need_share_by_quintile
from needsbook.need.estimate import NeedEstimate
from needsbook.need.inputs import area_lsoas, england_lsoas
from needsbook.need.model import AGE_BANDS
from needsbook.need.projection import band_growth, project_populations

# Seed report Table 1 (Worcestershire): year -> (children under 18, in the 20% most deprived, %)
SEED_TABLE_1 = {
    2005: (119_561, 14_153, 11.84), 2006: (118_499, 14_183, 11.97),
    2007: (117_902, 14_205, 12.05), 2008: (117_494, 14_273, 12.15),
    2009: (115_796, 14_231, 12.29), 2010: (114_883, 14_185, 12.35),
    2011: (114_652, 14_360, 12.52), 2012: (114_568, 14_422, 12.59),
    2013: (114_962, 14_610, 12.71), 2014: (114_047, 14_945, 13.10),
    2015: (113_773, 15_375, 13.51),
}  # fmt: skip


def test_every_area_gets_a_deprivation_profile_and_a_need_estimate(
    every_estimate: dict[str, NeedEstimate],
) -> None:
    assert sorted(every_estimate) == sorted(a.code for a in all_areas())
    for code, est in every_estimate.items():
        lsoas = area_lsoas(code, LATEST)
        for population in ("pop_0_17", "pop_0_4"):
            dist = dep.distribution(lsoas, population)
            assert dist["percent"].sum() == pytest.approx(100.0), code
            share = dep.deprived_share(lsoas, population, 2)["percent"]
            assert 0.0 <= share <= 100.0, code
        # the default model: every age band, calibrated to the area's own observed values
        assert set(est.counts["band"]) == set(AGE_BANDS), code
        assert set(est.observations) <= set(AGE_BANDS), code
        for obs in est.observations.values():
            assert 0 < obs.percent < 100 and 0 < obs.modelled < 100, code
        # the area's total is the sum over its LSOAs (and over LSOA x age band)
        assert est.lsoas["need_0_19"].sum() == pytest.approx(est.counts["need"].sum(), rel=1e-12)
        assert est.lsoas["population_0_19"].sum() == pytest.approx(
            lsoas["pop_0_19"].sum(), rel=1e-12
        )
        by_quintile = est.summary("imd_quintile")
        assert by_quintile["need"].sum() == pytest.approx(est.counts["need"].sum(), rel=1e-12)


@pytest.mark.parametrize("code", ["E10000034", "E06000017", "E09000001", "E08000003"])
def test_need_shares_by_quintile_sum_to_100(
    code: str, every_estimate: dict[str, NeedEstimate]
) -> None:
    shares = need_share_by_quintile(code, LATEST)
    assert shares["imd_quintile"].tolist() == [1, 2, 3, 4, 5]
    assert shares["percent_of_need"].sum() == pytest.approx(100.0)
    total = every_estimate[code].counts["need"].sum()
    assert shares["children_needing_help"].sum() == pytest.approx(total, rel=1e-12)


def test_englands_decile_shares_are_ten_percent_by_construction() -> None:
    lsoas = england_lsoas(2024).assign(one=1)
    shares = dep.distribution(lsoas, "one")["percent"]
    assert shares.round(1).tolist() == [10.0] * 10  # 32,844 LSOAs: 3,284 or 3,285 a decile


def test_projecting_england_reproduces_the_ons_totals() -> None:
    proj = load_table("population_projections")
    bands = {"0-4": (0, 4), "5-9": (5, 9), "10-14": (10, 14), "15-19": (15, 19)}
    eng = proj[proj["area_code"] == "E92000001"]
    base = 2024
    years = list(range(2024, 2030))
    growth = band_growth(proj, "E92000001", base, years, bands)
    base_pop = pd.DataFrame(
        [
            (
                "E92000001",
                b,
                float(eng[(eng["year"] == base) & eng["age"].between(lo, hi)]["persons"].sum()),
            )
            for b, (lo, hi) in bands.items()
        ],
        columns=["lsoa11_code", "band", "population"],
    )
    projected = project_populations(base_pop, growth)
    for (year, band), value in projected.set_index(["year", "band"])["population"].items():
        lo, hi = bands[band]
        ons = eng[(eng["year"] == year) & eng["age"].between(lo, hi)]["persons"].sum()
        assert value == pytest.approx(float(ons), rel=1e-12), (year, band)


@pytest.mark.parametrize("year", sorted(SEED_TABLE_1))
def test_seed_table_1_percentages_are_reproduced_from_its_counts(year: int) -> None:
    total, deprived, printed = SEED_TABLE_1[year]
    lsoas = pd.DataFrame({"imd_decile": [1, 6], "children": [deprived, total - deprived]})
    result = dep.deprived_share(lsoas, "children", most_deprived=2)
    assert (result["in_deprived"], result["total"]) == (deprived, total)
    assert round(result["percent"], 2) == printed
