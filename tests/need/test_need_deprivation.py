"""Deprivation profile (seed method M5): shares in England's most deprived LSOAs and deciles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from need_helpers import table

from needsbook.chapters.base import Chapter
from needsbook.errors import InputError
from needsbook.need import deprivation as dep
from needsbook.need.inputs import area_lsoas, england_lsoas, lsoa_year

WORCS = "E10000034"


def _independent(snap: Path, area: str, year: int, column: str, deciles: int) -> tuple[int, int]:
    """Children in the area / in its national most deprived ``deciles``, straight from parquet."""
    imd = table(snap, "imd2019_lsoa11")[["lsoa11_code", "utla_code", "imd_decile"]]
    pop = table(snap, "lsoa_population")
    pop = pop[pop["year"] == year]
    m = imd[imd["utla_code"] == area].merge(pop, on="lsoa11_code")
    return int(m[column].sum()), int(m.loc[m["imd_decile"] <= deciles, column].sum())


@pytest.mark.parametrize("year", [2019, 2020])
def test_worcestershire_share_in_most_deprived_20pc_matches_independent_sum(
    snap: Path, worcestershire: Chapter, year: int
) -> None:
    total, deprived = _independent(snap, WORCS, year, "pop_0_17", 2)
    t = worcestershire.section("deprived_areas").table
    row = t[(t["Year (mid-year)"] == year) & (t["Age"] == "0-17")].iloc[0]
    assert row["Children"] == total
    assert row["In most deprived 20%"] == deprived
    assert row["% in most deprived 20%"] == pytest.approx(deprived / total * 100, abs=1e-12)


def test_worcestershire_reference_counts(worcestershire: Chapter) -> None:
    # Mid-2020 ONS LSOA estimates x IMD 2019 (computed from the snapshot when this was written):
    # 19,175 of 119,353 children aged 0-17 in national deciles 1-2 (16.07%); 7,888 in decile 1.
    t = worcestershire.section("deprived_areas").table.set_index(["Year (mid-year)", "Age"])
    row = t.loc[(2020, "0-17")]
    assert (row["Children"], row["In most deprived 20%"], row["In most deprived 10%"]) == (
        119353,
        19175,
        7888,
    )
    assert round(row["% in most deprived 20%"], 2) == 16.07
    assert "16.1% of Worcestershire's children aged 0-17 (19,175 of 119,353)" in (
        worcestershire.section("deprived_areas").summary
    )


def test_england_comparator_is_the_national_share(snap: Path, worcestershire: Chapter) -> None:
    imd = table(snap, "imd2019_lsoa11")[["lsoa11_code", "imd_decile"]]
    pop = table(snap, "lsoa_population")
    m = imd.merge(pop[pop["year"] == 2020], on="lsoa11_code")
    expected = m.loc[m["imd_decile"] <= 2, "pop_0_4"].sum() / m["pop_0_4"].sum() * 100
    t = worcestershire.section("deprived_areas").table.set_index(["Year (mid-year)", "Age"])
    assert t.loc[(2020, "0-4"), "England % in most deprived 20%"] == pytest.approx(expected)


def test_decile_shares_sum_to_100_and_cover_every_decile(worcestershire: Chapter) -> None:
    t = worcestershire.section("deciles").table
    assert list(t["IMD 2019 decile (1 = most deprived)"]) == list(range(1, 11))
    assert t["% of the area's children"].sum() == pytest.approx(100)
    assert t["% of England's children"].sum() == pytest.approx(100)
    assert t["Children aged 0-17"].sum() == 119353


def test_area_with_no_deprived_lsoa_has_zero_rows_not_gaps(snap: Path, rutland: Chapter) -> None:
    t = rutland.section("deciles").table.set_index("IMD 2019 decile (1 = most deprived)")
    assert (t.loc[1:4, "Children aged 0-17"] == 0).all()
    assert t["% of the area's children"].sum() == pytest.approx(100)
    s = rutland.section("deprived_areas")
    assert s.table["In most deprived 20%"].eq(0).all()
    assert s.summary.startswith("None of Rutland's neighbourhoods")


def test_deprived_share_and_distribution_on_a_small_frame() -> None:
    lsoas = pd.DataFrame({"imd_decile": [1, 2, 2, 5, 10], "kids": [10, 20, 30, 40, 0]})
    share = dep.deprived_share(lsoas, "kids", 2)
    assert share == {"in_deprived": 60.0, "total": 100.0, "percent": 60.0}
    assert dep.deprived_share(lsoas, "kids", 1)["percent"] == 10.0
    q = dep.distribution(lsoas, "kids", by="quintile")
    assert list(q["quintile"]) == [1, 2, 3, 4, 5]
    assert list(q["population"]) == [60.0, 0.0, 40.0, 0.0, 0.0]  # deciles 1-2 are quintile 1
    empty = dep.deprived_share(lsoas.assign(kids=0), "kids")
    assert np.isnan(empty["percent"])


def test_quintile_from_decile() -> None:
    assert list(dep.quintile(pd.Series(range(1, 11)))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_bad_arguments_say_what_is_wrong() -> None:
    lsoas = pd.DataFrame({"imd_decile": [1], "kids": [1]})
    with pytest.raises(InputError, match=r"lacks column\(s\) \['pop_0_17'\]"):
        dep.deprived_share(lsoas, "pop_0_17")
    with pytest.raises(InputError, match="number of deciles 1-10, got 0"):
        dep.deprived_share(lsoas, "kids", 0)
    with pytest.raises(InputError, match="'decile' or 'quintile'"):
        dep.distribution(lsoas, "kids", by="tercile")


def test_districts_profile_sums_to_area_and_single_district_works(
    worcestershire: Chapter, rutland: Chapter
) -> None:
    t = worcestershire.section("districts").table
    assert len(t) == 6 and t["Children aged 0-17"].sum() == 119353
    assert t["LSOAs"].sum() == 364
    worst = t.iloc[0]
    assert worst["District"] == "Wyre Forest"
    r = rutland.section("districts").table
    assert len(r) == 1 and r["District"].iloc[0] == "Rutland"
    assert "single district" in rutland.section("districts").summary


def test_iod2025_counts_lsoas_not_children(snap: Path, worcestershire: Chapter) -> None:
    iod = table(snap, "imd2025_lsoa21")
    w = iod[iod["utla_code"] == WORCS]
    expected = (w["imd_decile"] <= 2).sum()
    text = worcestershire.section("latest_index").summary
    assert f"{expected} of Worcestershire's {len(w)} neighbourhoods" in text
    assert "counts neighbourhoods, not children" in text
    assert dep.share_of_lsoas(w, 2)["in_deprived"] == expected


def test_lsoa_inputs_use_latest_population_year_not_after_data_year(snap: Path) -> None:
    assert lsoa_year(2024, snap) == 2020
    assert lsoa_year(2019, snap) == 2019
    assert lsoa_year(2010, snap) == 2019  # before the data: the earliest available
    eng = england_lsoas(2024, snap)
    assert len(eng) == 32844 and eng.attrs["population_year"] == 2020
    assert (eng["pop_15_19"] > 0).all() and (eng["imd_quintile"].between(1, 5)).all()
    assert (area_lsoas(WORCS, 2024, snap)["utla_code"] == WORCS).all()
