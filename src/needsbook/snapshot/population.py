"""Snapshot tables for population: ONS mid-year estimates, DfE 0-17 totals and 2018-based SNPP.

* ``population_syoa``, mid-2019 and mid-2020, and ``lsoa_population`` are summed from the LSOA
  2011 mid-year estimates through the LSOA11 -> LAD 2023 lookup. LSOAs nest in LADs (and LADs in
  UTLAs and regions), so the current areas - including those created in 2021-2023 - are exact
  sums, not apportionments. These are the estimates as first published (before the Census 2021
  rebasing).
* ``population_syoa``, mid-2021 to mid-2024, are ONS's published single-year estimates for
  England, regions and UTLAs (persons, as first published), with districts for mid-2024 only
  (mid-2021 to mid-2023 districts are only in the Excel workbooks; no Excel reader is installed).
  Mid-2021 is on April 2021 boundaries; its codes go through ``codes.map_codes`` like every
  other table: North Yorkshire E10000023 and Somerset E10000027 become E06000065/66 (same
  areas), while Cumbria E10000006 stays under its own code as a "Former UTLA" (parent: North
  West), so Cumberland and Westmorland and Furness have no mid-2021 rows.
* ``population_0_17`` is DfE's denominator series; for 2012-2020 it is ONS's Census-2021-rebased
  series, so it differs from ``population_syoa`` (England 0-17, mid-2020: 11,787,794 vs
  12,093,288), and for 2021-2023 ONS's revised series (differences under 1% for most UTLAs). For
  mid-2024 the two agree exactly.
* Barnsley and Sheffield carry their current codes (E08000038/39, from May 2025) but their
  populations are on the pre-2025 boundaries (the change moved a handful of addresses).
* City of London and Isles of Scilly are kept separate everywhere (ONS publishes them separately).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.snapshot.codes import (
    CURRENT,
    ENGLAND,
    REGION_NAMES,
    crosswalk,
    current_areas,
    map_codes,
    parent_codes,
)
from needsbook.snapshot.spec import TableSpec

LSOA11_LOOKUP = "geography/lookups/lsoa11_to_lad_utla_2018_2023_ew.csv.gz"
MYE_LSOA = {
    2019: "ons_population/population19_lsoa11.csv.gz",
    2020: "ons_population/population20_lsoa11.csv.gz",
}
MYE_UTLA = {
    2019: "ons_population/population19_utla20.csv",
    2020: "ons_population/population20_utla20.csv",
}
# Published single-year estimates, mid-2021 to mid-2024 (England, regions, UTLAs; long form).
MYE_LONG = "ons_population/mye_syoa_utla_region_england_2021_2024_long.csv.gz"
# Published single-year estimates for districts (MYE2 persons sheet, 2023 boundaries).
MYE_LAD = {2024: "ons_population/mye24_ew_2023geography_MYE2_persons.csv"}
DFE_0_17 = "dfe_csc/ons_mid-year_population_estimates_2012_to_2024.csv"
SNPP = "ons_snpp/snpp2018_principal_utla_syoa_2018_2043.csv.gz"

AGES = tuple(range(91))  # 90 = 90 and over
AGE_COLUMNS = (*(str(a) for a in range(90)), "90+")
# Age bands for LSOA denominators: name -> (first age, last age); 90 means 90+.
LSOA_BANDS: dict[str, tuple[int, int]] = {
    "0_4": (0, 4),
    "5_9": (5, 9),
    "10_14": (10, 14),
    "15_17": (15, 17),
    "18_19": (18, 19),
    "20_24": (20, 24),
    "0_17": (0, 17),
    "0_19": (0, 19),
    "65_plus": (65, 90),
    "all_ages": (0, 90),
}
AREA_TYPE_ORDER = {"England": 0, "Region": 1, "UTLA": 2, "Former UTLA": 3, "District": 4}


@cache
def lsoa11_areas(raw_dir: Path) -> pd.DataFrame:
    """English LSOA11s with their current district, UTLA and region (codes as in ``areas``).

    Columns: ``lsoa11_code, lsoa11_name, lad_code, lad_name, utla_code, region_code``. Barnsley and
    Sheffield are recoded to E08000038/39 at both district and UTLA level, as in ``area_districts``.
    """
    raw_dir = Path(raw_dir)
    lk = pd.read_csv(raw_dir / LSOA11_LOOKUP, dtype=str)
    lk = lk[lk["LSOA11CD"].str.startswith("E")].reset_index(drop=True)
    utla = map_codes(lk["UTLA23CD"], raw_dir)
    lad = map_codes(lk["LAD23CD"], raw_dir)
    if not utla["area_type"].eq("UTLA").all():
        bad = sorted(lk.loc[utla["area_type"].ne("UTLA"), "UTLA23CD"].unique())
        raise ValueError(f"LSOA11 lookup has UTLA23 codes that are not current UTLAs: {bad}")
    # Districts: only metropolitan-district recodes apply (LAD = UTLA there); others stay LAD23.
    lad_code = lad["area_code"].where(lad["area_type"].eq("UTLA"), lk["LAD23CD"])
    out = pd.DataFrame(
        {
            "lsoa11_code": lk["LSOA11CD"],
            "lsoa11_name": lk["LSOA11NM"],
            "lad_code": lad_code.astype("str"),
            "lad_name": lk["LAD23NM"],
            "utla_code": utla["area_code"].astype("str"),
            "region_code": lk["RGN23CD"],
        }
    )
    return out.sort_values("lsoa11_code", ignore_index=True)


@cache
def _mye_lsoa(raw_dir: Path, year: int) -> pd.DataFrame:
    """English LSOA11 single-year counts (columns 0..90) for one mid-year, indexed by LSOA."""
    df = pd.read_csv(Path(raw_dir) / MYE_LSOA[year])
    df = df[df["lsoa11_code"].str.startswith("E")].set_index("lsoa11_code").sort_index()
    ages = df[list(AGE_COLUMNS)].to_numpy()
    if not np.array_equal(ages, np.round(ages)) or (ages < 0).any():
        raise ValueError(f"{MYE_LSOA[year]}: non-integer or negative counts")
    if not np.array_equal(ages.sum(axis=1), df["total_population"].to_numpy()):
        raise ValueError(f"{MYE_LSOA[year]}: ages do not sum to total_population")
    return pd.DataFrame(ages.astype("int64"), index=df.index, columns=list(AGES))


def _names(raw_dir: Path) -> dict[str, str]:
    cur = current_areas(Path(raw_dir))
    out = dict(zip(cur["UTLACD"], cur["UTLANM"], strict=True))
    out.update(REGION_NAMES)
    out[ENGLAND] = "England"
    return out


SYOA_COLUMNS = ["area_code", "area_name", "area_type", "parent_code", "year", "age", "population"]


def _syoa_from_lsoas(raw_dir: Path) -> pd.DataFrame:
    """Mid-2019 and mid-2020 single years for England, regions, UTLAs and districts (LSOA sums)."""
    geo = lsoa11_areas(raw_dir).set_index("lsoa11_code")
    names = _names(raw_dir)
    lad_names = geo.drop_duplicates("lad_code").set_index("lad_code")["lad_name"]
    utla_parent = parent_codes(raw_dir)
    frames = []
    for year in MYE_LSOA:
        pop = _mye_lsoa(raw_dir, year)
        if not pop.index.equals(geo.index):
            raise ValueError(f"{MYE_LSOA[year]}: LSOAs differ from the LSOA11 lookup")
        levels = {
            "England": pd.Series(ENGLAND, index=geo.index),
            "Region": geo["region_code"],
            "UTLA": geo["utla_code"],
            "District": geo["lad_code"],
        }
        for area_type, codes in levels.items():
            wide = pop.groupby(codes.to_numpy()).sum()
            long = wide.stack().rename("population").reset_index()
            long.columns = ["area_code", "age", "population"]
            long["area_type"] = area_type
            long["year"] = year
            frames.append(long)
    out = pd.concat(frames, ignore_index=True)
    is_lad = out["area_type"].eq("District")
    lad_utla = geo.drop_duplicates("lad_code").set_index("lad_code")["utla_code"]
    out["area_name"] = out["area_code"].map(names).where(~is_lad, out["area_code"].map(lad_names))
    out["parent_code"] = (
        out["area_code"].map(utla_parent).where(~is_lad, out["area_code"].map(lad_utla))
    )
    out.loc[out["area_type"].eq("England"), "parent_code"] = pd.NA
    return out[SYOA_COLUMNS]


def _syoa_published(raw_dir: Path) -> pd.DataFrame:
    """Mid-2021 to mid-2024 single years (persons) for England, regions and UTLAs, as published,
    on current codes; Cumbria's mid-2021 rows stay apart as a "Former UTLA"."""
    df = pd.read_csv(raw_dir / MYE_LONG, dtype={"area_code": str, "area_name": str, "sex": str})
    df = df[df["sex"].eq("persons")].reset_index(drop=True)
    if set(df["year"]) & set(MYE_LSOA):
        raise ValueError(f"{MYE_LONG}: overlaps the years summed from LSOAs")
    mapped = map_codes(df["area_code"], raw_dir)
    area_type = mapped["area_type"]
    known = area_type.isin(["England", "Region", "UTLA", "Former UTLA"])
    if not known.all():
        raise ValueError(
            f"{MYE_LONG}: unknown codes {sorted(df.loc[~known, 'area_code'].unique())}"
        )
    parents = parent_codes(raw_dir)
    cw = crosswalk(raw_dir)
    # A former UTLA's region is its successors' (Cumbria -> North West).
    pairs = zip(cw["old_code"], cw["new_code"], strict=True)
    former_region = {old: parents[new] for old, new in pairs if new in parents}
    code = mapped["area_code"]
    out = pd.DataFrame(
        {
            "area_code": code,
            "area_name": code.map(_names(raw_dir)).fillna(df["area_name"]),
            "area_type": area_type,
            "parent_code": code.map({**former_region, **parents}),
            "year": df["year"],
            "age": df["age"],
            "population": df["population"],
        }
    )
    out.loc[area_type.eq("England"), "parent_code"] = pd.NA
    per_area = out.groupby(["area_code", "year"])["age"].agg(["nunique", "size"])
    if not (per_area["nunique"].eq(len(AGES)) & per_area["size"].eq(len(AGES))).all():
        raise ValueError(f"{MYE_LONG}: an area-year without exactly one row per age 0-90")
    return out


def _syoa_districts(raw_dir: Path) -> pd.DataFrame:
    """Districts for the years in ``MYE_LAD``, on current codes (as ``lsoa11_areas`` codes them)."""
    geo = lsoa11_areas(raw_dir).drop_duplicates("lad_code").set_index("lad_code")
    frames = []
    for year, path in MYE_LAD.items():
        df = pd.read_csv(raw_dir / path, encoding="utf-8-sig", dtype={"Code": str})
        df = df[df["Code"].str.fullmatch(r"E0[6-9]\d{6}")].reset_index(drop=True)
        ages = df[list(AGE_COLUMNS)].to_numpy()
        if (ages < 0).any() or not np.array_equal(ages.sum(axis=1), df["All ages"].to_numpy()):
            raise ValueError(f"{path}: negative counts or ages not summing to All ages")
        mapped = map_codes(df["Code"], raw_dir)
        code = mapped["area_code"].where(mapped["area_type"].eq("UTLA"), df["Code"])
        if sorted(code) != sorted(geo.index):
            raise ValueError(f"{path}: districts differ from the current 296")
        wide = pd.DataFrame(ages.astype("int64"), index=code.to_numpy(), columns=list(AGES))
        long = wide.stack().rename("population").reset_index()
        long.columns = ["area_code", "age", "population"]
        long["area_name"] = long["area_code"].map(geo["lad_name"])
        long["area_type"] = "District"
        long["parent_code"] = long["area_code"].map(geo["utla_code"])
        long["year"] = year
        frames.append(long[SYOA_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def build_population_syoa(raw_dir: Path) -> pd.DataFrame:
    """Population by single year of age, mid-2019 to mid-2024, for England, regions, UTLAs and
    (mid-2019, mid-2020, mid-2024) districts."""
    raw_dir = Path(raw_dir)
    published = _syoa_published(raw_dir)
    districts = _syoa_districts(raw_dir)
    utla = published[published["area_type"].eq("UTLA") & published["year"].isin(MYE_LAD)]
    expected = utla.set_index(["area_code", "year", "age"])["population"].sort_index()
    summed = districts.groupby(["parent_code", "year", "age"])["population"].sum().sort_index()
    if not (summed.index.equals(expected.index) and summed.equals(expected.set_axis(summed.index))):
        raise ValueError(f"{list(MYE_LAD.values())}: districts do not sum to {MYE_LONG}")
    out = pd.concat([_syoa_from_lsoas(raw_dir), published, districts], ignore_index=True)
    return _finish(
        out,
        SYOA_COLUMNS,
        ["area_type", "area_code", "year", "age"],
        ints={"year": "Int64", "age": "Int64", "population": "Int64"},
    )


def _finish(
    df: pd.DataFrame, columns: list[str], sort: list[str], ints: dict[str, str]
) -> pd.DataFrame:
    """Select, type and sort deterministically (area types in a fixed order)."""
    out = df[columns].copy()
    for col, dtype in ints.items():
        out[col] = out[col].astype(dtype)
    for col in columns:
        if col not in ints and not pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].astype("str")
    keys = [out["area_type"].map(AREA_TYPE_ORDER) if c == "area_type" else out[c] for c in sort]
    order = np.lexsort([k.to_numpy() for k in reversed(keys)])
    return out.iloc[order].reset_index(drop=True)


def build_population_0_17(raw_dir: Path) -> pd.DataFrame:
    """DfE's ONS mid-year 0-17 totals 2012-2024, on current codes; former areas kept apart."""
    raw_dir = Path(raw_dir)
    df = pd.read_csv(raw_dir / DFE_0_17, dtype=str)
    level = df["geographic_level"]
    published = df["new_la_code"].where(
        level.eq("Local authority"), df["region_code"].where(level.eq("Regional"), ENGLAND)
    )
    mapped = map_codes(published, raw_dir)
    # Inner/Outer London (E13) are not areas in this project: they come back unmapped.
    keep = mapped["area_type"].notna() & df["population_estimate"].str.fullmatch(r"\d+")
    df, mapped = df[keep], mapped[keep]
    names = _names(raw_dir)
    parents = parent_codes(raw_dir)
    area_type = mapped["area_type"]
    region = df["region_code"].replace({"E13000001": "E12000007", "E13000002": "E12000007"})
    out = pd.DataFrame(
        {
            "area_code": mapped["area_code"],
            "area_name": mapped["area_code"].map(names).fillna(df["la_name"]),
            "area_type": area_type,
            "parent_code": mapped["area_code"]
            .map(parents)
            .where(area_type.ne("Former UTLA"), region),
            "year": pd.to_numeric(df["time_period"]),
            "population": pd.to_numeric(df["population_estimate"]),
            "area_code_original": mapped["area_code_original"],
            "series_break": mapped["series_break"],
        }
    )
    out.loc[area_type.eq("England"), "parent_code"] = pd.NA
    if out.duplicated(["area_code", "year"]).any():
        raise ValueError(f"{DFE_0_17}: two published codes map to one area in the same year")
    return _finish(
        out,
        list(out.columns),
        ["area_type", "area_code", "year"],
        ints={"year": "Int64", "population": "Int64"},
    )


def build_population_projections(raw_dir: Path) -> pd.DataFrame:
    """ONS 2018-based SNPP (principal) 2018-2043 by single year of age and sex, wide by sex."""
    raw_dir = Path(raw_dir)
    df = pd.read_csv(raw_dir / SNPP, dtype={"area_code": str, "area_name": str})
    mapped = map_codes(df["area_code"], raw_dir)
    if mapped["area_type"].isna().any() or mapped["area_type"].eq("Former UTLA").any():
        raise ValueError(f"{SNPP}: codes that are not current UTLAs or England")
    df = df.assign(
        area_code=mapped["area_code"].to_numpy(),
        area_type=mapped["area_type"].to_numpy(),
        area_code_original=mapped["area_code_original"].to_numpy(),
    )
    parents = parent_codes(raw_dir)
    utla = df[df["area_type"].eq("UTLA")]
    regions = (
        utla.assign(area_code=utla["area_code"].map(parents))
        .groupby(["area_code", "year", "age"], as_index=False)[["females", "males", "persons"]]
        .sum()
        .assign(area_type="Region")
    )
    regions["area_code_original"] = pd.NA
    out = pd.concat([df, regions], ignore_index=True)
    out["area_name"] = out["area_code"].map(_names(raw_dir))
    out["parent_code"] = out["area_code"].map(parents)
    cols = ["area_code", "area_name", "area_type", "parent_code", "year", "age"]
    cols += ["females", "males", "persons", "area_code_original"]
    ints = {"year": "Int64", "age": "Int64"} | dict.fromkeys(
        ["females", "males", "persons"], "Int32"
    )
    return _finish(out, cols, ["area_type", "area_code", "year", "age"], ints=ints)


def build_lsoa_population(raw_dir: Path) -> pd.DataFrame:
    """LSOA11 mid-2019 and mid-2020 populations in age bands, wide (one column per band)."""
    raw_dir = Path(raw_dir)
    frames = []
    for year in MYE_LSOA:
        pop = _mye_lsoa(raw_dir, year)
        bands = pd.DataFrame(
            {
                f"pop_{band}": pop.loc[:, lo:hi].sum(axis=1).astype("Int32")
                for band, (lo, hi) in LSOA_BANDS.items()
            }
        )
        bands.insert(0, "year", pd.array([year] * len(bands), dtype="Int64"))
        frames.append(bands.rename_axis("lsoa11_code").reset_index())
    out = pd.concat(frames, ignore_index=True)
    out["lsoa11_code"] = out["lsoa11_code"].astype("str")
    return out.sort_values(["lsoa11_code", "year"], ignore_index=True)


_ONS = "Office for National Statistics"
_LOOKUPS = (LSOA11_LOOKUP, CURRENT, "geography/lookups/utla_crosswalk_to_current_2025.csv")
TABLES = [
    TableSpec(
        name="population_syoa",
        description=(
            "ONS mid-year population estimates, mid-2019 to mid-2024, persons by single year of "
            "age (0-89, 90 = 90 and over) for England, the 9 regions and the 153 current UTLAs, "
            "plus the 296 current districts for mid-2019, mid-2020 and mid-2024. Mid-2019/2020 "
            "are summed from LSOA 2011 estimates through the LSOA11->LAD23 lookup (exact: LSOAs "
            "nest in LADs); mid-2021 to mid-2024 are ONS's published local-authority tables. "
            "Mid-2021 is on April 2021 boundaries: North Yorkshire and Somerset are on their 2023 "
            "codes (same areas), Cumbria E10000006 is kept as 'Former UTLA' (parent North West) "
            "and Cumberland/Westmorland and Furness start in mid-2022. Key: area_type, area_code, "
            "year, age (a single-district UTLA appears as both UTLA and District). Barnsley/"
            "Sheffield use their May 2025 codes E08000038/39 on pre-2025 boundaries. All years "
            "are as first published (2019-2020 not rebased to Census 2021, 2021-2023 not "
            "revised), so 0-17 sums differ slightly from population_0_17 except in mid-2024."
        ),
        source_dataset=(
            "ONS mid-year population estimates: for LSOAs (2011), mid-2019 and mid-2020; for "
            "local authorities by single year of age (MYE2), mid-2021 to mid-2024"
        ),
        publisher=_ONS,
        source_files=(*MYE_LSOA.values(), MYE_LONG, *MYE_LAD.values(), *_LOOKUPS),
        build=build_population_syoa,
        period_column="year",
        key=("area_type", "area_code", "year", "age"),
    ),
    TableSpec(
        name="population_0_17",
        description=(
            "ONS mid-year estimates of children aged 0-17, 2012-2024, as published by DfE as "
            "denominators, for England, regions and LAs on current codes. Areas that were split or "
            "merged (Cumbria, Northamptonshire) keep their own code as 'Former UTLA'; new areas "
            "start when they were created (no back-casting). Inner/Outer London and values "
            "published as 'x' (Bournemouth, Poole and old Dorset 2012-2018) are left out. For "
            "2012-2020 DfE's figures are the Census-2021-rebased estimates, so they differ from "
            "population_syoa (first-published mid-2019/2020 estimates)."
        ),
        source_dataset="ONS mid-year population estimates (0-17), via DfE CSC outcomes/enablers",
        publisher=f"{_ONS}; Department for Education",
        source_files=(DFE_0_17, *_LOOKUPS[1:]),
        build=build_population_0_17,
        period_column="year",
        key=("area_code", "year"),
    ),
    TableSpec(
        name="population_projections",
        description=(
            "ONS 2018-based subnational population projections (principal), 2018-2043, by single "
            "year of age (0-99, 100 = 100 and over) with females, males and persons as columns, "
            "for England, the 153 current UTLAs and the 9 regions (regions summed from UTLAs, so "
            "they can differ from England by rounding). Barnsley/Sheffield are on current codes "
            "(area_code_original shows the published code). Areas created in 2021-2023 were "
            "aggregated from districts by the Strategy Unit."
        ),
        source_dataset="ONS 2018-based subnational population projections, principal (via the "
        "Strategy Unit's aging_pop_web_app)",
        publisher=_ONS,
        source_files=(SNPP, *_LOOKUPS[1:]),
        build=build_population_projections,
        period_column="year",
        key=("area_type", "area_code", "year", "age"),
    ),
    TableSpec(
        name="lsoa_population",
        description=(
            "ONS mid-2019 and mid-2020 population estimates for English LSOAs (2011), in age bands "
            "(one column per band: 0-4, 5-9, 10-14, 15-17, 18-19, 20-24, 0-17, 0-19, 65+, all "
            "ages). Join to imd2019_lsoa11 or population_syoa's areas via lsoa11_code."
        ),
        source_dataset="ONS mid-year population estimates for LSOAs (2011), mid-2019 and mid-2020",
        publisher=_ONS,
        source_files=tuple(MYE_LSOA.values()),
        build=build_lsoa_population,
        period_column="year",
        key=("lsoa11_code", "year"),
    ),
]
