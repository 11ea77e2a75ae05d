"""Population snapshot tables, checked against values read independently from the raw files."""

from __future__ import annotations

import csv
import gzip
import hashlib
from pathlib import Path

import pandas as pd
import pytest

RAW = Path(__file__).parents[2].parent / "shared" / "data-raw"
pytestmark = [
    pytest.mark.needs_raw,
    pytest.mark.skipif(not RAW.is_dir(), reason=f"raw data not found at {RAW}"),
]

from needsbook.snapshot import population  # noqa: E402
from needsbook.snapshot.build import write_parquet  # noqa: E402
from needsbook.validate import validate_frame  # noqa: E402

AGE_COLS = [str(a) for a in range(90)] + ["90+"]
MYE_LONG = RAW / "ons_population" / "mye_syoa_utla_region_england_2021_2024_long.csv.gz"
MYE24 = RAW / "ons_population" / "mye24_ew_2023geography_MYE2_persons.csv"


def _spec(name: str):
    return next(s for s in population.TABLES if s.name == name)


@pytest.fixture(scope="module")
def syoa() -> pd.DataFrame:
    return _spec("population_syoa").build(RAW)


@pytest.fixture(scope="module")
def p017() -> pd.DataFrame:
    return _spec("population_0_17").build(RAW)


@pytest.fixture(scope="module")
def snpp() -> pd.DataFrame:
    return _spec("population_projections").build(RAW)


@pytest.fixture(scope="module")
def lsoa_pop() -> pd.DataFrame:
    return _spec("lsoa_population").build(RAW)


def _utla_file(year: int) -> dict[str, list[int]]:
    """Published UTLA single-year counts (England only): code -> [age 0 .. 90+]."""
    path = RAW / "ons_population" / f"population{year % 100}_utla20.csv"
    with path.open(newline="") as f:
        return {
            r["utla20_code"]: [int(float(r[a])) for a in AGE_COLS]
            for r in csv.DictReader(f)
            if r["utla20_code"].startswith("E")
        }


def _syoa_area(df: pd.DataFrame, code: str, year: int, area_type: str = "UTLA") -> list[int]:
    sel = df[(df["area_code"] == code) & (df["year"] == year) & (df["area_type"] == area_type)]
    return sel.sort_values("age")["population"].astype(int).tolist()


def _long_file() -> dict[tuple[int, str], list[int]]:
    """The published mid-2021 to mid-2024 persons counts: (year, code) -> [age 0 .. 90+]."""
    out: dict[tuple[int, str], list[int]] = {}
    with gzip.open(MYE_LONG, "rt", newline="") as f:
        for r in csv.DictReader(f):
            if r["sex"] == "persons":
                ages = out.setdefault((int(r["year"]), r["area_code"]), [0] * 91)
                ages[int(r["age"])] = int(r["population"])
    return out


def _mye24_file() -> dict[str, list[int]]:
    """The mid-2024 MYE2 persons sheet (all geographies): code -> [age 0 .. 90+]."""
    with MYE24.open(newline="", encoding="utf-8-sig") as f:
        return {r["Code"]: [int(r[a]) for a in AGE_COLS] for r in csv.DictReader(f)}


# ---- population_syoa -------------------------------------------------------------------------


def test_syoa_shape(syoa: pd.DataFrame) -> None:
    counts = syoa.drop_duplicates(["area_type", "area_code"])["area_type"].value_counts()
    assert counts.to_dict() == {
        "District": 296,
        "UTLA": 153,
        "Region": 9,
        "England": 1,
        "Former UTLA": 1,
    }
    assert set(syoa["age"]) == set(range(91))
    # England, 9 regions and 153 UTLAs (151 + Cumbria in mid-2021), districts in 2019/20/24
    assert syoa.groupby("year").size().to_dict() == {
        2019: 459 * 91,
        2020: 459 * 91,
        2021: 162 * 91,
        2022: 163 * 91,
        2023: 163 * 91,
        2024: 459 * 91,
    }
    england = syoa[syoa["area_type"] == "England"]
    assert england.groupby("year").size().to_dict() == {y: 91 for y in range(2019, 2025)}
    districts = syoa[syoa["area_type"] == "District"]
    assert sorted(districts["year"].unique()) == [2019, 2020, 2024]


def test_rutland_age5_2020(syoa: pd.DataFrame) -> None:
    published = _utla_file(2020)["E06000017"][5]
    assert _syoa_area(syoa, "E06000017", 2020)[5] == published


@pytest.mark.parametrize("year", [2019, 2020])
def test_unchanged_utlas_equal_published(syoa: pd.DataFrame, year: int) -> None:
    """LSOA sums reproduce the UTLA file exactly for every UTLA with the same area today."""
    recode = {
        "E10000023": "E06000065",
        "E10000027": "E06000066",
        "E08000016": "E08000038",
        "E08000019": "E08000039",
        "E10000002": "E06000060",
    }
    compared = 0
    for code, ages in _utla_file(year).items():
        if code in {"E10000006", "E10000021"}:  # split since: checked below
            continue
        assert _syoa_area(syoa, recode.get(code, code), year) == ages, code
        compared += 1
    assert compared == 149


def test_cumbria_split_sums(syoa: pd.DataFrame) -> None:
    cumbria = sum(_utla_file(2020)["E10000006"])
    new = sum(sum(_syoa_area(syoa, c, 2020)) for c in ("E06000063", "E06000064"))
    assert new == cumbria == 499_781


def test_northamptonshire_split_sums(syoa: pd.DataFrame) -> None:
    old = sum(_utla_file(2019)["E10000021"])
    new = sum(sum(_syoa_area(syoa, c, 2019)) for c in ("E06000061", "E06000062"))
    assert new == old


def test_england_equals_lsoa_file(syoa: pd.DataFrame) -> None:
    total = 0
    with gzip.open(RAW / "ons_population/population20_lsoa11.csv.gz", "rt", newline="") as f:
        for r in csv.DictReader(f):
            if r["lsoa11_code"].startswith("E"):
                total += int(float(r["total_population"]))
    assert sum(_syoa_area(syoa, "E92000001", 2020, "England")) == total == 56_550_138


def test_levels_nest(syoa: pd.DataFrame) -> None:
    def total(area_types: list[str], by: str = "area_code") -> pd.Series:
        sel = syoa[syoa["area_type"].isin(area_types)]
        return sel.groupby([by, "year", "age"])["population"].sum().sort_index()

    districts = total(["District"], "parent_code")
    utlas = total(["UTLA"])
    assert districts.equals(utlas[utlas.index.get_level_values("year").isin([2019, 2020, 2024])])
    # Cumbria (former UTLA, mid-2021 only) is needed for the North West to add up
    assert total(["UTLA", "Former UTLA"], "parent_code").equals(total(["Region"]))
    regions = total(["Region"], "parent_code").droplevel(0)
    assert regions.equals(total(["England"]).droplevel(0))


def test_barnsley_sheffield_current_codes(syoa: pd.DataFrame) -> None:
    codes = set(syoa["area_code"])
    assert {"E08000038", "E08000039"} <= codes
    assert not {"E08000016", "E08000019"} & codes


def test_scilly_and_city_separate(syoa: pd.DataFrame) -> None:
    published = _utla_file(2020)
    for code in ("E06000053", "E09000001"):
        assert _syoa_area(syoa, code, 2020) == published[code]


def test_published_years_equal_the_raw_file(syoa: pd.DataFrame) -> None:
    """Mid-2021 to mid-2024: every published area's ages, on its current code."""
    recode = {
        "E10000023": "E06000065",
        "E10000027": "E06000066",
        "E08000016": "E08000038",
        "E08000019": "E08000039",
    }
    published = _long_file()
    assert {y for y, _ in published} == {2021, 2022, 2023, 2024}
    got = syoa[syoa["year"] >= 2021]
    got = got[got["area_type"] != "District"].sort_values("age")
    by_area = {
        (int(y), c): g["population"].astype(int).tolist()
        for (y, c), g in got.groupby(["year", "area_code"])
    }
    assert len(by_area) == len(published) == 162 + 3 * 163
    for (year, code), ages in published.items():
        assert by_area[(year, recode.get(code, code))] == ages, (year, code)


def test_mid_2021_boundaries(syoa: pd.DataFrame) -> None:
    y21 = syoa[syoa["year"] == 2021]
    cumbria = y21[y21["area_code"] == "E10000006"]
    assert set(cumbria["area_type"]) == {"Former UTLA"}
    assert set(cumbria["parent_code"]) == {"E12000002"}
    assert set(cumbria["area_name"]) == {"Cumbria"}
    assert int(cumbria["population"].sum()) == sum(_long_file()[(2021, "E10000006")])
    assert not {"E06000063", "E06000064", "E10000023", "E10000027"} & set(y21["area_code"])
    nyorks = y21[y21["area_code"] == "E06000065"]
    assert set(nyorks["area_type"]) == {"UTLA"} and set(nyorks["area_name"]) == {"North Yorkshire"}
    # Cumberland's and Westmorland and Furness's first published year is mid-2022
    cumberland = syoa[(syoa["area_code"] == "E06000063") & (syoa["area_type"] == "UTLA")]
    assert sorted(cumberland["year"].unique()) == [2019, 2020, 2022, 2023, 2024]


def test_mid_2024_districts_equal_published(syoa: pd.DataFrame) -> None:
    published = _mye24_file()
    for code in ("E07000234", "E07000239", "E06000017", "E09000001"):  # Bromsgrove .. City
        assert _syoa_area(syoa, code, 2024, "District") == published[code], code
    assert _syoa_area(syoa, "E08000038", 2024, "District") == published["E08000016"]
    worcs = syoa[(syoa["year"] == 2024) & (syoa["parent_code"] == "E10000034")]
    assert worcs["area_code"].nunique() == 6
    assert int(worcs["population"].sum()) == sum(published["E10000034"]) == 621_360


def test_worcestershire_0_17_mid_2024_equals_dfe_total(syoa: pd.DataFrame) -> None:
    w = syoa[(syoa["area_code"] == "E10000034") & (syoa["area_type"] == "UTLA")]
    by_year = w[w["age"] <= 17].groupby("year")["population"].sum()
    assert int(by_year[2024]) == _dfe_value("E10000034", 2024) == 120_119
    assert int(by_year[2024]) == sum(_long_file()[(2024, "E10000034")][:18])
    # earlier years are as first published, so they differ slightly from DfE's revised totals
    assert int(by_year[2023]) == 119_641 != _dfe_value("E10000034", 2023)


def test_every_area_0_17_mid_2024_equals_population_0_17(
    syoa: pd.DataFrame, p017: pd.DataFrame
) -> None:
    """SOURCES.md: the mid-2024 single years add up to DfE's 0-17 totals for all 163 areas."""
    y24 = syoa[(syoa["year"] == 2024) & (syoa["age"] <= 17) & (syoa["area_type"] != "District")]
    mine = y24.groupby("area_code")["population"].sum().astype(int)
    dfe = p017[p017["year"] == 2024].set_index("area_code")["population"].astype(int)
    assert len(mine) == 163
    assert mine.to_dict() == dfe.reindex(mine.index).to_dict()


# ---- population_0_17 -------------------------------------------------------------------------


def _dfe_value(code: str, year: int) -> int:
    path = RAW / "dfe_csc/ons_mid-year_population_estimates_2012_to_2024.csv"
    with path.open(newline="") as f:
        for r in csv.DictReader(f):
            if r["new_la_code"] == code and r["time_period"] == str(year):
                return int(r["population_estimate"])
    raise KeyError(code)


def _p017(df: pd.DataFrame, code: str, year: int) -> int:
    sel = df[(df["area_code"] == code) & (df["year"] == year)]
    assert len(sel) == 1
    return int(sel["population"].iloc[0])


def test_worcestershire_0_17_2024(p017: pd.DataFrame) -> None:
    assert _p017(p017, "E10000034", 2024) == _dfe_value("E10000034", 2024)


def test_former_areas_kept_apart(p017: pd.DataFrame) -> None:
    cumbria = p017[p017["area_code"] == "E10000006"]
    assert set(cumbria["area_type"]) == {"Former UTLA"}
    assert cumbria["year"].tolist() == list(range(2012, 2023))
    assert _p017(p017, "E10000006", 2022) == _dfe_value("E10000006", 2022)
    assert cumbria["series_break"].notna().all()
    # North Northamptonshire starts in 2021: no back-cast.
    north = p017[p017["area_code"] == "E06000061"]
    assert north["year"].min() == 2021


def test_recodes(p017: pd.DataFrame) -> None:
    barnsley = p017[p017["area_code"] == "E08000038"]
    assert len(barnsley) == 13
    assert set(barnsley["area_code_original"]) == {"E08000016"}
    assert barnsley["series_break"].notna().all()
    assert _p017(p017, "E08000038", 2024) == _dfe_value("E08000016", 2024)
    # North Yorkshire: county E10000023 to 2022, unitary E06000065 from 2023; same area.
    nyorks = p017[p017["area_code"] == "E06000065"]
    assert nyorks["year"].tolist() == list(range(2012, 2025))
    assert nyorks["series_break"].isna().all()
    assert not p017["area_code"].str.startswith("E13").any()


def test_every_current_utla_in_2024(p017: pd.DataFrame) -> None:
    cur = pd.read_csv(RAW / "geography/lookups/utla_england_current_2025.csv")
    y24 = p017[(p017["year"] == 2024) & (p017["area_type"] == "UTLA")]
    assert set(y24["area_code"]) == set(cur["UTLACD"])


def test_regions_sum_to_england(p017: pd.DataFrame) -> None:
    reg = p017[p017["area_type"] == "Region"].groupby("year")["population"].sum()
    eng = p017[p017["area_type"] == "England"].set_index("year")["population"]
    assert reg.sort_index().tolist() == eng.sort_index().tolist()


# ---- population_projections ------------------------------------------------------------------


def test_snpp_england_2018(snpp: pd.DataFrame) -> None:
    eng = snpp[(snpp["area_code"] == "E92000001") & (snpp["year"] == 2018)]
    assert int(eng["persons"].sum()) == 55_977_178


def test_snpp_shape_and_sexes(snpp: pd.DataFrame) -> None:
    assert snpp["area_code"].nunique() == 163
    assert (snpp["females"] + snpp["males"] == snpp["persons"]).all()
    barnsley = snpp[snpp["area_code"] == "E08000038"]
    assert set(barnsley["area_code_original"]) == {"E08000016"}


def test_snpp_matches_raw(snpp: pd.DataFrame) -> None:
    want = None
    path = RAW / "ons_snpp/snpp2018_principal_utla_syoa_2018_2043.csv.gz"
    with gzip.open(path, "rt", newline="") as f:
        for r in csv.DictReader(f):
            if r["area_code"] == "E10000034" and r["year"] == "2043" and r["age"] == "16":
                want = (int(r["females"]), int(r["males"]))
                break
    row = snpp[(snpp["area_code"] == "E10000034") & (snpp["year"] == 2043) & (snpp["age"] == 16)]
    assert (int(row["females"].iloc[0]), int(row["males"].iloc[0])) == want


def test_snpp_regions_close_to_england(snpp: pd.DataFrame) -> None:
    tot = snpp.groupby(["area_type", "year"])["persons"].sum()
    diff = (tot["Region"] - tot["England"]).abs()
    assert int(diff.loc[2018]) == 0
    assert int(diff.max()) < 1_000  # rounding in the published UTLA projections


# ---- lsoa_population -------------------------------------------------------------------------


def test_lsoa_bands(lsoa_pop: pd.DataFrame) -> None:
    with gzip.open(RAW / "ons_population/population19_lsoa11.csv.gz", "rt", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["lsoa11_code"] == "E01011949")
    ages = [int(float(row[a])) for a in AGE_COLS]
    got = lsoa_pop[(lsoa_pop["lsoa11_code"] == "E01011949") & (lsoa_pop["year"] == 2019)].iloc[0]
    assert got["pop_0_4"] == sum(ages[0:5])
    assert got["pop_15_17"] == sum(ages[15:18])
    assert got["pop_0_19"] == sum(ages[0:20])
    assert got["pop_65_plus"] == sum(ages[65:])
    assert got["pop_all_ages"] == int(float(row["total_population"]))
    parts = lsoa_pop[["pop_0_4", "pop_5_9", "pop_10_14", "pop_15_17"]].sum(axis=1)
    assert (parts == lsoa_pop["pop_0_17"]).all()


def test_lsoa_total_equals_england(lsoa_pop: pd.DataFrame, syoa: pd.DataFrame) -> None:
    lsoa = lsoa_pop.groupby("year")["pop_0_17"].sum()
    eng = syoa[(syoa["area_type"] == "England") & (syoa["age"] <= 17) & (syoa["year"] <= 2020)]
    assert lsoa.tolist() == eng.groupby("year")["population"].sum().tolist()


# ---- expectations and determinism ------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["population_syoa", "population_0_17", "population_projections", "lsoa_population"]
)
def test_suites_pass(name: str, request: pytest.FixtureRequest) -> None:
    fixture = {
        "population_syoa": "syoa",
        "population_0_17": "p017",
        "population_projections": "snpp",
        "lsoa_population": "lsoa_pop",
    }[name]
    report = validate_frame(name, request.getfixturevalue(fixture))
    assert report.success, "\n".join(f.text() for f in report.failures)


def _failed(name: str, df: pd.DataFrame) -> set[tuple[str, str]]:
    report = validate_frame(name, df)
    assert not report.success
    return {(f.expectation, f.column) for f in report.failures}


def test_suite_catches_negative_population(syoa: pd.DataFrame) -> None:
    bad = syoa.copy()
    bad.loc[5, "population"] = -1
    assert ("expect_column_values_to_be_between", "population") in _failed("population_syoa", bad)


def test_suite_catches_implausible_utla(syoa: pd.DataFrame) -> None:
    bad = syoa.copy()
    first_utla = bad.index[bad["area_type"] == "UTLA"][0]
    bad.loc[first_utla, "population"] = 250_000  # allowed for England, not for a UTLA
    bad.loc[first_utla, "parent_code"] = pd.NA
    failed = _failed("population_syoa", bad)
    assert ("expect_column_values_to_be_between", "population") in failed
    assert ("expect_column_values_to_not_be_null", "parent_code") in failed


def test_suite_catches_duplicates_and_bad_codes(p017: pd.DataFrame, snpp: pd.DataFrame) -> None:
    bad = pd.concat([p017, p017.tail(1)], ignore_index=True)
    bad.loc[0, "area_code"] = "W06000001"
    failed = _failed("population_0_17", bad)
    assert ("expect_compound_columns_to_be_unique", "area_code, year") in failed
    assert ("expect_column_values_to_match_regex", "area_code") in failed
    bad = snpp.copy()
    bad.loc[0, "age"] = 101
    assert ("expect_column_values_to_be_between", "age") in _failed("population_projections", bad)


def test_suite_catches_missing_band(lsoa_pop: pd.DataFrame) -> None:
    failed = _failed("lsoa_population", lsoa_pop.drop(columns="pop_18_19"))
    assert "expect_table_columns_to_match_ordered_list" in {e for e, _ in failed}


def test_deterministic(tmp_path: Path, p017: pd.DataFrame) -> None:
    again = _spec("population_0_17").build(RAW)
    a = write_parquet(p017, tmp_path / "a.parquet")
    b = write_parquet(again, tmp_path / "b.parquet")
    assert a == b == hashlib.sha256((tmp_path / "b.parquet").read_bytes()).hexdigest()
