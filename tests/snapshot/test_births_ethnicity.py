"""Births mid-2022 to mid-2023 and Census 2021 ethnic group in the snapshot (``births``,
``ethnicity``), recomputed from the raw ONS files with plain pandas.

Both cover England, the 9 regions and all 153 current upper-tier areas, City of London and the
Isles of Scilly included (each published on its own); Barnsley and Sheffield are put on their
2025 codes. Ethnic group is for all ages: the source has no age breakdown.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from needsbook.data import load_table
from needsbook.snapshot.manifest import read_manifest

RAW = Path(__file__).parents[2].parent / "shared" / "data-raw"
ROOT = Path(__file__).parents[2]
pytestmark = [
    pytest.mark.needs_raw,
    pytest.mark.skipif(not RAW.is_dir(), reason=f"raw data not found at {RAW}"),
]

BIRTHS = RAW / "ons_population" / "mye23_components_of_change_utla_region_england.csv"
ETH = RAW / "dfe_csc"
WORCS = "E10000034"
ENGLAND = "E92000001"


@pytest.fixture(scope="module")
def births() -> pd.DataFrame:
    return load_table("births")


@pytest.fixture(scope="module")
def eth() -> pd.DataFrame:
    return load_table("ethnicity")


@pytest.fixture(scope="module")
def raw_births() -> pd.DataFrame:
    return pd.read_csv(BIRTHS, dtype={"Code": str})


def test_worcestershire_and_england_births(births: pd.DataFrame, raw_births: pd.DataFrame) -> None:
    b = births.set_index("area_code")
    raw = raw_births.set_index("Code")["Births"]
    assert b.loc[WORCS, "births"] == raw[WORCS] == 5373
    assert b.loc[ENGLAND, "births"] == raw[ENGLAND] == 570747
    w = b.loc[WORCS]
    assert (w["area_name"], w["area_type"], w["parent_code"]) == (
        "Worcestershire",
        "UTLA",
        "E12000005",
    )
    assert (w["period"], w["year"]) == ("mid-2022 to mid-2023", 2023)
    utla = births[births["area_type"] == "UTLA"]
    regions = births[births["area_type"] == "Region"]
    assert utla["births"].sum() == regions["births"].sum() == b.loc[ENGLAND, "births"]
    assert utla.groupby("parent_code")["births"].sum().to_dict() == dict(
        zip(regions["area_code"], regions["births"], strict=True)
    )


def test_births_cover_every_current_area(births: pd.DataFrame, raw_births: pd.DataFrame) -> None:
    areas = set(load_table("areas")["area_code"])
    assert set(births.loc[births["area_type"] == "UTLA", "area_code"]) == areas
    assert len(births) == 163 and births["area_code"].is_unique
    b = births.set_index("area_code")
    assert b.loc["E09000001", "births"] == 52  # City of London, published on its own
    assert b.loc["E06000053", "births"] == 15  # Isles of Scilly
    assert b.loc["E08000038", "area_code_original"] == "E08000016"  # Barnsley
    assert b.loc["E08000038", "births"] == raw_births.set_index("Code").loc["E08000016", "Births"]
    assert b.loc["E12000005", "area_name"] == "West Midlands"


def test_worcestershire_white_british(eth: pd.DataFrame) -> None:
    raw = pd.read_csv(ETH / "ons-ethnic-population-la.csv", dtype=str)
    raw.columns = ["code", "name", "group_code", "group", "n"]
    w = raw[raw["code"] == WORCS]
    w = w[w["group"] != "Does not apply"]
    total = w["n"].astype(int).sum()
    wb = w.loc[w["group_code"] == "13", "n"].astype(int).item()
    assert (wb, total) == (535492, 603676)  # Census 2021 usual residents, all ages
    row = eth[(eth["area_code"] == WORCS) & (eth["group_code"] == 13)].iloc[0]
    assert row["group"] == "White: English, Welsh, Scottish, Northern Irish or British"
    assert row["broad_group"] == "White"
    assert row["population"] == wb
    assert row["percent"] == pytest.approx(wb / total * 100, abs=1e-9)
    assert round(row["percent"], 1) == 88.7
    broad = eth[eth["area_code"] == WORCS].groupby("broad_group")["percent"].sum()
    assert broad.sum() == pytest.approx(100, abs=1e-9)
    assert round(broad["Asian"], 1) == round(
        w.loc[w["group"].str.startswith("Asian"), "n"].astype(int).sum() / total * 100, 1
    )


def test_ethnicity_shape(eth: pd.DataFrame) -> None:
    areas = set(load_table("areas")["area_code"])
    assert set(eth.loc[eth["area_type"] == "UTLA", "area_code"]) == areas
    assert eth.groupby("area_code").size().eq(19).all() and eth["area_code"].nunique() == 163
    assert not eth["area_code"].str.startswith("W").any()  # Wales dropped
    assert set(eth["broad_group"]) == {"Asian", "Black", "Mixed", "White", "Other"}
    prefixes = eth["group"].str.split(":").str[0]
    assert prefixes.groupby(eth["broad_group"]).nunique().eq(1).all()
    assert "Does not apply" not in set(eth["group"])
    assert eth.groupby("area_code")["percent"].sum().sub(100).abs().max() < 1e-9
    # national file: England's counts as published
    nat = pd.read_csv(ETH / "ons-ethnic-population-nat.csv", dtype=str)
    nat.columns = ["code", "name", "group_code", "group", "n"]
    nat = nat[(nat["code"] == ENGLAND) & (nat["group"] != "Does not apply")]
    eng = eth[eth["area_code"] == ENGLAND].set_index("group")["population"]
    assert eng.to_dict() == dict(zip(nat["group"], nat["n"].astype(int), strict=True))
    for small in ("E09000001", "E06000053"):
        assert eth.loc[eth["area_code"] == small, "population"].sum() > 0


def test_manifest_records_the_new_tables() -> None:
    entries = {e.table: e for e in read_manifest(ROOT / "data" / "snapshot")}
    assert "All ages" in entries["ethnicity"].description
    assert entries["births"].periods == "mid-2022 to mid-2023"
    assert entries["district_indicators"].periods == "2021/22"
    assert "ons-ethnic-population-la.csv" in entries["ethnicity"].source_files
    for name in ("births", "ethnicity", "district_indicators"):
        assert entries[name].licence == "Open Government Licence v3.0"
