"""EYFS 2021/22 by district (snapshot table ``district_indicators``), recomputed from the raw
DfE file with plain pandas.

Choice checked here: the 17 districts abolished in April 2023 (Cumbria, North Yorkshire,
Somerset) keep their own code and name and are attached to the current upper-tier area they lie
in (``utla_code``) and the current district (``current_district_code``); Barnsley and Sheffield
are on their 2025 codes. City of London (37 children) and the Isles of Scilly (5) are kept as
published: chapters suppress small numbers.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import norm

from needsbook.data import load_table

RAW = Path(__file__).parents[2].parent / "shared" / "data-raw"
pytestmark = [
    pytest.mark.needs_raw,
    pytest.mark.skipif(not RAW.is_dir(), reason=f"raw data not found at {RAW}"),
]

EYFS = RAW / "dfe_send" / "eyfsp_headline_measures_2022.csv.gz"
LAD22_23 = RAW / "geography" / "lookups" / "geographr_lad22_lad23.csv"
WORCS = "E10000034"


@pytest.fixture(scope="module")
def dist() -> pd.DataFrame:
    return load_table("district_indicators")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    d = pd.read_csv(EYFS, dtype=str, keep_default_na=False)
    return d[(d["geographic_level"] == "Local authority district") & (d["gender"] == "Total")]


def _wilson(x: float, n: float) -> tuple[float, float]:
    z = norm.ppf(0.975)
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n) * 100, (centre + half) / (1 + z * z / n) * 100


def _row(dist: pd.DataFrame, indicator: str, code: str) -> pd.Series:
    hit = dist[(dist["indicator_id"] == indicator) & (dist["district_code"] == code)]
    assert len(hit) == 1, (indicator, code)
    return hit.iloc[0]


@pytest.mark.parametrize(
    ("code", "name", "x", "n", "pct"),
    [
        ("E07000239", "Wyre Forest", 577, 968, 59.6),
        ("E07000235", "Malvern Hills", 481, 732, 65.7),
    ],
)
def test_worcestershire_district_gld(
    dist: pd.DataFrame, raw: pd.DataFrame, code: str, name: str, x: int, n: int, pct: float
) -> None:
    r = raw[(raw["lad_code"] == code) & (raw["characteristic_type"] == "Total")]
    assert len(r) == 1
    assert (int(r["gld_number"].item()), int(r["children_number"].item())) == (x, n)
    assert float(r["gld_percentage"].item()) == pct
    row = _row(dist, "eyfs:gld_all", code)
    assert (row["district_name"], row["utla_code"], row["current_district_code"]) == (
        name,
        WORCS,
        code,
    )
    assert (row["period"], row["year"], row["source"]) == ("2021/22", 2022, "DfE EYFSP")
    assert (row["count"], row["denominator"]) == (x, n)
    assert row["value"] == pytest.approx(x / n * 100, abs=1e-9)
    assert round(row["value"], 1) == pct
    lo, hi = _wilson(x, n)
    assert row["lower_ci_95"] == pytest.approx(lo, abs=1e-9)
    assert row["upper_ci_95"] == pytest.approx(hi, abs=1e-9)


def test_other_measures_for_wyre_forest(dist: pd.DataFrame, raw: pd.DataFrame) -> None:
    r = raw[raw["lad_code"] == "E07000239"].set_index("characteristic_type")
    cll = _row(dist, "eyfs:cll_all", "E07000239")
    x, n = float(r.loc["Total", "comm_lang_lit_number"]), float(r.loc["Total", "children_number"])
    assert cll["value"] == pytest.approx(x / n * 100, abs=1e-9)
    fsm = "Known to be eligible for free school meals"
    gld_fsm = _row(dist, "eyfs:gld_fsm", "E07000239")
    x, n = float(r.loc[fsm, "gld_number"]), float(r.loc[fsm, "children_number"])
    assert (gld_fsm["count"], gld_fsm["denominator"]) == (x, n)
    assert gld_fsm["value"] == pytest.approx(x / n * 100, abs=1e-9)


def test_every_current_district_and_area_is_covered(dist: pd.DataFrame) -> None:
    current = load_table("area_districts")
    lads = load_table("lad_boundaries")
    gld = dist[dist["indicator_id"] == "eyfs:gld_all"]
    assert len(gld) == 309  # 310 published districts less "Outside of England and unknown"
    assert set(gld["current_district_code"]) == set(current["district_code"])
    assert set(gld["current_district_code"]) == set(lads["district_code"])
    assert set(gld["utla_code"]) == set(load_table("areas")["area_code"])
    # every district sits in the area its current district belongs to
    utla_of = dict(zip(current["district_code"], current["area_code"], strict=True))
    assert (gld["current_district_code"].map(utla_of) == gld["utla_code"]).all()
    assert sorted(gld.loc[gld["utla_code"] == WORCS, "district_name"]) == [
        "Bromsgrove",
        "Malvern Hills",
        "Redditch",
        "Worcester",
        "Wychavon",
        "Wyre Forest",
    ]
    assert set(dist["indicator_id"]) == {
        "eyfs:gld_all",
        "eyfs:cll_all",
        "eyfs:gld_fsm",
        "eyfs:cll_fsm",
        "eyfs:gld_not_fsm",
    }


def test_abolished_districts_kept_with_their_own_names(dist: pd.DataFrame) -> None:
    lk = pd.read_csv(LAD22_23, dtype=str)
    gone = lk[lk["LAD22CD"] != lk["LAD23CD"]]
    assert len(gone) == 17
    gld = dist[dist["indicator_id"] == "eyfs:gld_all"].set_index("district_code")
    for r in gone.itertuples(index=False):
        row = gld.loc[r.LAD22CD]
        assert row["district_name"] == r.LAD22NM
        assert row["current_district_code"] == row["utla_code"] == r.LAD23CD
    cumberland = gld[gld["utla_code"] == "E06000063"]
    assert sorted(cumberland["district_name"]) == ["Allerdale", "Carlisle", "Copeland"]
    assert len(gld[gld["utla_code"] == "E06000065"]) == 7  # North Yorkshire
    assert len(gld[gld["utla_code"] == "E06000066"]) == 4  # Somerset
    # Barnsley and Sheffield: their current codes, not the published ones
    assert {"E08000038", "E08000039"} <= set(gld.index)
    assert not {"E08000016", "E08000019"} & set(gld.index)


def test_small_areas_kept_as_published(dist: pd.DataFrame, raw: pd.DataFrame) -> None:
    scilly = _row(dist, "eyfs:gld_all", "E06000053")
    assert (scilly["count"], scilly["denominator"]) == (4, 5)
    city = _row(dist, "eyfs:gld_all", "E09000001")
    assert (city["count"], city["denominator"]) == (25, 37)
    # Isles of Scilly has no child eligible for free school meals: no row, not a 0%
    assert dist[
        (dist["district_code"] == "E06000053") & (dist["indicator_id"] == "eyfs:gld_fsm")
    ].empty
    assert dist["value"].between(0, 100).all()
    assert (dist["lower_ci_95"] <= dist["value"]).all()
    assert (dist["value"] <= dist["upper_ci_95"]).all()
