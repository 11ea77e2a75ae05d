"""Deprivation and statistical-neighbour snapshot tables, checked against the raw files."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

RAW = Path(__file__).parents[2].parent / "shared" / "data-raw"
pytestmark = [
    pytest.mark.needs_raw,
    pytest.mark.skipif(not RAW.is_dir(), reason=f"raw data not found at {RAW}"),
]

from needsbook.snapshot import deprivation, neighbours  # noqa: E402
from needsbook.validate import validate_frame  # noqa: E402

TABLES = {s.name: s for s in deprivation.TABLES + neighbours.TABLES}


@pytest.fixture(scope="module")
def current() -> set[str]:
    with (RAW / "geography/lookups/utla_england_current_2025.csv").open(newline="") as f:
        return {r["UTLACD"] for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def imd19() -> pd.DataFrame:
    return TABLES["imd2019_lsoa11"].build(RAW)


@pytest.fixture(scope="module")
def imd25() -> pd.DataFrame:
    return TABLES["imd2025_lsoa21"].build(RAW)


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return TABLES["imd_utla_summary"].build(RAW)


@pytest.fixture(scope="module")
def sn() -> pd.DataFrame:
    return TABLES["statistical_neighbours"].build(RAW)


def _raw_row(path: str, key: str, value: str) -> dict[str, str]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(RAW / path, "rt", newline="") as f:
        return next(r for r in csv.DictReader(f) if r[key] == value)


# ---- IMD at LSOA level -----------------------------------------------------------------------


def test_every_utla_has_lsoas_in_both_vintages(
    imd19: pd.DataFrame, imd25: pd.DataFrame, current: set[str]
) -> None:
    assert set(imd19["utla_code"]) == current
    assert set(imd25["utla_code"]) == current
    # The smallest: Isles of Scilly has one LSOA, City of London six, in both vintages.
    for df in (imd19, imd25):
        n = df["utla_code"].value_counts()
        assert n["E06000053"] == 1
        assert n["E09000001"] == 6


def test_imd2019_values(imd19: pd.DataFrame) -> None:
    raw = _raw_row("imd/imd2019_england_lsoa11.csv.gz", "lsoa11_code", "E01033768")
    got = imd19.set_index("lsoa11_code").loc["E01033768"]
    assert got["imd_rank"] == int(float(raw["IMD_rank"]))
    assert got["imd_decile"] == int(float(raw["IMD_decile"]))
    assert got["barriers_decile"] == int(float(raw["Housing_and_Access_decile"]))
    assert got["utla_code"] == "E08000012"  # Liverpool
    sub = _raw_row("imd/imd2019_england_lsoa11_subdomains.csv.gz", "lsoa11_code", "E01033768")
    assert got["cyp_education_rank"] == int(float(sub["Children_and_young_people_rank"]))


def test_imd2025_values(imd25: pd.DataFrame) -> None:
    raw = _raw_row("imd/imd2025_england_lsoa21.csv.gz", "lsoa21_code", "E01000003")
    got = imd25.set_index("lsoa21_code").loc["E01000003"]
    assert got["imd_score"] == pytest.approx(float(raw["IMD_score"]))
    assert got["imd_rank"] == int(float(raw["IMD_rank"]))
    assert got["barriers_score"] == pytest.approx(float(raw["Housing_and_Services_score"]))
    # Best-fit lookup puts West Northamptonshire 048E in Cherwell (Oxfordshire).
    assert imd25.set_index("lsoa21_code").loc["E01027305", "utla_code"] == "E10000025"


@pytest.mark.parametrize(("table", "n"), [("imd2019_lsoa11", 32844), ("imd2025_lsoa21", 33755)])
def test_deciles_follow_ranks(table: str, n: int, imd19: pd.DataFrame, imd25: pd.DataFrame) -> None:
    df = imd19 if table == "imd2019_lsoa11" else imd25
    for dom in deprivation.DOMAINS_2019.values():
        expected = np.ceil(df[f"{dom}_rank"].to_numpy(dtype=float) / (n / 10)).astype(int)
        assert (expected == df[f"{dom}_decile"].to_numpy(dtype=int)).all(), dom


def test_barnsley_sheffield_current_codes(imd19: pd.DataFrame, imd25: pd.DataFrame) -> None:
    for df in (imd19, imd25):
        assert {"E08000038", "E08000039"} <= set(df["utla_code"])
        assert {"E08000038", "E08000039"} <= set(df["lad_code"])
        assert not {"E08000016", "E08000019"} & (set(df["utla_code"]) | set(df["lad_code"]))


# ---- IMD 2019 UTLA summary -------------------------------------------------------------------


def test_summary_values_and_codes(summary: pd.DataFrame, current: set[str]) -> None:
    raw = _raw_row("imd/imd2019_utla19_summaries_all_domains.csv", "utla19_code", "E06000001")
    s = summary.set_index("area_code")
    assert s.loc["E06000001", "imd_average_score"] == pytest.approx(
        float(raw["IMD - Average score"])
    )
    assert s.loc["E06000001", "idaci_rank_of_average_score"] == int(
        raw["IDACI - Rank of average score"]
    )
    assert s.loc["E06000065", "area_code_original"] == "E10000023"
    assert s.loc["E06000060", "area_code_original"] == "E10000002"
    assert set(s.index[s["area_type"] == "Former UTLA"]) == {"E10000006", "E10000021"}
    missing = current - set(s.index)
    assert missing == {"E06000061", "E06000062", "E06000063", "E06000064"}


def test_summary_proportion_matches_lsoas(summary: pd.DataFrame, imd19: pd.DataFrame) -> None:
    """File 11's share of LSOAs in the most deprived decile = the LSOA table's (4 dp)."""
    share = imd19.groupby("utla_code")["imd_decile"].apply(lambda d: (d == 1).mean())
    s = summary[summary["area_type"] == "UTLA"].set_index("area_code")
    diff = (s["imd_prop_lsoas_most_deprived_10pc"] - share.reindex(s.index)).abs()
    assert len(diff) == 149
    assert diff.max() < 1.5e-4


# ---- statistical neighbours ------------------------------------------------------------------


def test_neighbours_complete(sn: pd.DataFrame, current: set[str]) -> None:
    assert neighbours.missing_neighbours(sn, RAW) == {
        "2025": [],
        "2021": ["E06000063", "E06000064"],  # DfE printed "-": no 2021 model for them
    }
    n25 = sn[(sn["model"] == "2025") & (sn["area_type"] == "UTLA")].groupby("area_code").size()
    assert set(n25.index) == current
    assert (n25 == 10).all()
    assert (sn["area_code"] != sn["neighbour_code"]).all()


def test_worcestershire_neighbours(sn: pd.DataFrame) -> None:
    raw = _raw_row("dfe_lait/statistical_neighbours_2025.csv", "LA num", "885")
    got = sn[(sn["model"] == "2025") & (sn["area_code"] == "E10000034")].sort_values("rank")
    assert got["neighbour_dfe_la_code"].tolist() == [int(raw[f"SN{i}"]) for i in range(1, 11)]
    assert got["neighbour_code"].iloc[0] == "E06000066"  # 933 Somerset
    assert got["closeness"].iloc[0] == raw["SN1_closeness"].capitalize()


def test_neighbours_recoded(sn: pd.DataFrame) -> None:
    # Barnsley (370) appears under its current code, Cumbria (909) as a former area.
    assert "E08000038" in set(sn["area_code"])
    assert "E08000016" not in set(sn["area_code"]) | set(sn["neighbour_code"])
    cumbria = sn[sn["neighbour_dfe_la_code"] == 909]
    assert set(cumbria["neighbour_code"]) == {"E10000006"}
    assert set(cumbria["neighbour_area_type"]) == {"Former UTLA"}


# ---- expectations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fixture"),
    [
        ("imd2019_lsoa11", "imd19"),
        ("imd2025_lsoa21", "imd25"),
        ("imd_utla_summary", "summary"),
        ("statistical_neighbours", "sn"),
    ],
)
def test_suites_pass(name: str, fixture: str, request: pytest.FixtureRequest) -> None:
    report = validate_frame(name, request.getfixturevalue(fixture))
    assert report.success, "\n".join(f.text() for f in report.failures)


def _failed(name: str, df: pd.DataFrame) -> set[tuple[str, str]]:
    report = validate_frame(name, df)
    assert not report.success
    return {(f.expectation, f.column) for f in report.failures}


def test_suites_catch_bad_deciles_and_ranks(imd19: pd.DataFrame, imd25: pd.DataFrame) -> None:
    bad = imd19.copy()
    bad.loc[0, "imd_decile"] = 11
    bad.loc[1, "imd_rank"] = 0
    failed = _failed("imd2019_lsoa11", bad)
    assert ("expect_column_values_to_be_in_set", "imd_decile") in failed
    assert ("expect_column_values_to_be_between", "imd_rank") in failed
    bad = imd25.copy()
    bad.loc[0, "lsoa21_code"] = "W01000001"
    bad.loc[1, "imd_score"] = -1.0
    failed = _failed("imd2025_lsoa21", bad)
    assert ("expect_column_values_to_match_regex", "lsoa21_code") in failed
    assert ("expect_column_values_to_be_between", "imd_score") in failed


def test_suites_catch_bad_summary_and_neighbours(summary: pd.DataFrame, sn: pd.DataFrame) -> None:
    bad = summary.copy()
    bad.loc[0, "idaci_rank_of_average_score"] = 152
    failed = _failed("imd_utla_summary", bad)
    assert ("expect_column_values_to_be_between", "idaci_rank_of_average_score") in failed
    bad = sn.copy()
    bad.loc[0, "rank"] = 11
    bad.loc[1, "closeness"] = "Quite close"
    failed = _failed("statistical_neighbours", bad)
    assert ("expect_column_values_to_be_between", "rank") in failed
    assert ("expect_column_values_to_be_in_set", "closeness") in failed
