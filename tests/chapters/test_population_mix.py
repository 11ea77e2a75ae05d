"""The population chapter's births and ethnic-group sections equal the raw ONS files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from needsbook.areas import resolve_area
from needsbook.chapters import population_mix
from tests.conftest import RAW, ROOT

WORCS = "E10000034"
WHITE_BRITISH = population_mix.WHITE_BRITISH


@pytest.fixture(scope="module")
def raw_births() -> pd.DataFrame:
    path = RAW / "ons_population" / "mye23_components_of_change_utla_region_england.csv"
    return pd.read_csv(path).set_index("Code")


@pytest.fixture(scope="module")
def raw_ethnicity() -> pd.DataFrame:
    la = pd.read_csv(RAW / "dfe_csc" / "ons-ethnic-population-la.csv")
    la.columns = ["code", "name", "group_code", "group", "n"]
    nat = pd.read_csv(RAW / "dfe_csc" / "ons-ethnic-population-nat.csv")
    nat.columns = ["code", "name", "group_code", "group", "n"]
    return pd.concat([la, nat])


def _share(raw: pd.DataFrame, code: str, group: str) -> float:
    own = raw[raw["code"].eq(code) & raw["group_code"].ge(0)]
    return float(own.loc[own["group"].eq(group), "n"].sum() / own["n"].sum() * 100)


def test_births_equal_the_ons_components_of_change(raw_births: pd.DataFrame) -> None:
    section = population_mix.births(resolve_area(WORCS), 2025, None)
    table = section.table.set_index("Code")
    assert table.loc[WORCS, "Live births"] == raw_births.loc[WORCS, "Births"] == 5373
    assert table.loc["E92000001", "Live births"] == raw_births.loc["E92000001", "Births"]
    rate = raw_births.loc[WORCS, "Births"] / raw_births.loc[WORCS, "Estimated Population mid-2023"]
    assert table.loc[WORCS, "Births per 1,000 residents"] == pytest.approx(rate * 1000, abs=1e-9)
    assert "5,373 babies" in section.summary and f"{rate * 1000:.1f} births" in section.summary


def test_ethnic_group_shares_equal_the_census(raw_ethnicity: pd.DataFrame) -> None:
    section = population_mix.ethnicity(resolve_area(WORCS), None)
    table = section.table.set_index("Ethnic group (20 categories)")
    for code, column in ((WORCS, "Worcestershire"), ("E92000001", "England")):
        expected = _share(raw_ethnicity, code, WHITE_BRITISH)
        shown = table.loc[WHITE_BRITISH, f"{column} (% of residents)"]
        assert shown == pytest.approx(expected, abs=1e-9)
    other = 100 - _share(raw_ethnicity, WORCS, WHITE_BRITISH)
    assert f"{other:.1f}% of Worcestershire's residents of all ages" in section.summary
    assert "all ages" in " ".join(section.notes)


@pytest.mark.parametrize("code", ["E09000001", "E06000053", "E06000063"])
def test_small_and_new_areas_have_births_and_ethnicity(code: str) -> None:
    area = resolve_area(code)
    births = population_mix.births(area, 2025, None)
    ethnicity = population_mix.ethnicity(area, None)
    assert births.chart is not None and ethnicity.chart is not None
    assert area.name in births.summary and area.name in ethnicity.summary


def test_a_snapshot_without_births_or_ethnicity_says_so(tmp_path: Path) -> None:
    """A data folder made before the births and ethnicity tables: each section says what is
    missing; a damaged table reads as missing too."""
    snap = tmp_path / "snapshot"
    snap.mkdir()
    for f in (ROOT / "data" / "snapshot").iterdir():
        if f.name not in ("births.parquet", "ethnicity.parquet"):
            (snap / f.name).symlink_to(f)
    (snap / "ethnicity.parquet").write_bytes(b"not a parquet file")
    area = resolve_area(WORCS, tmp_path)
    births = population_mix.births(area, 2025, tmp_path)
    ethnicity = population_mix.ethnicity(area, tmp_path)
    assert births.summary == "Births by area are not in the data for Worcestershire."
    assert ethnicity.summary == (
        "Census 2021 ethnic groups are not in the data for Worcestershire."
    )
    assert list(births.table["Note"]) == [births.summary] and births.chart is None
    assert ethnicity.source == population_mix.CENSUS_SOURCE
