"""Boundary tables: join exactly to the deprivation tables, Vega-ready, and guarded by suites."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from need_helpers import RAW, table

from needsbook.need.geometry import polygons, signed_area
from needsbook.validate import validate_frame


def test_lsoa_boundaries_match_imd2019_lsoas_and_their_areas(snap: Path) -> None:
    geo = table(snap, "lsoa11_boundaries")
    imd = table(snap, "imd2019_lsoa11")
    assert len(geo) == 32844 and geo["lsoa11_code"].is_unique
    merged = imd[["lsoa11_code", "lad_code", "utla_code"]].merge(
        geo, on="lsoa11_code", how="outer", indicator=True, suffixes=("", "_geo")
    )
    assert (merged["_merge"] == "both").all()
    assert (merged["lad_code"] == merged["lad_code_geo"]).all()
    assert (merged["utla_code"] == merged["utla_code_geo"]).all()


def test_district_and_area_boundaries_use_current_codes(snap: Path) -> None:
    lads = table(snap, "lad_boundaries")
    districts = table(snap, "area_districts")
    pairs = set(zip(lads["district_code"], lads["utla_code"], strict=True))
    assert pairs == set(zip(districts["district_code"], districts["area_code"], strict=True))
    utla = table(snap, "utla_boundaries")
    assert set(utla["area_code"]) == set(table(snap, "areas")["area_code"])
    for codes in (set(lads["district_code"]), set(utla["area_code"])):
        assert {"E08000038", "E08000039"} <= codes  # Barnsley, Sheffield on May 2025 codes
        assert not {"E08000016", "E08000019"} & codes


@pytest.mark.parametrize(
    ("name", "dp", "step"), [("lsoa11_boundaries", 4, 40), ("lad_boundaries", 4, 1)]
)
def test_geometry_is_rounded_and_wound_for_vega(snap: Path, name: str, dp: int, step: int) -> None:
    geo = table(snap, name).iloc[::step]
    for text in geo["geometry"]:
        geom = json.loads(text)
        for poly in polygons(geom):
            assert signed_area(poly[0]) < 0  # exterior clockwise (d3/Vega)
            assert all(signed_area(h) > 0 for h in poly[1:])
            assert all(round(v, dp) == v for ring in poly for p in ring for v in p)


def test_suites_pass_on_the_snapshot(snap: Path) -> None:
    for name in ("lsoa11_boundaries", "lad_boundaries", "utla_boundaries"):
        report = validate_frame(name, table(snap, name))
        assert report.success, report.text()
        assert report.evaluated >= 15


def _failures(name: str, df: pd.DataFrame) -> set[tuple[str, str]]:
    report = validate_frame(name, df)
    assert not report.success
    return {(f.expectation, f.column) for f in report.failures}


def test_suites_fail_on_broken_copies(snap: Path) -> None:
    lsoa = table(snap, "lsoa11_boundaries").head(2000).copy()
    lsoa.loc[5, "geometry"] = '{"type":"Point","coordinates":[0,0]}'
    lsoa.loc[6, "lsoa11_code"] = lsoa.loc[7, "lsoa11_code"]
    lsoa.loc[8, "utla_code"] = None
    got = _failures("lsoa11_boundaries", lsoa)
    assert ("expect_column_values_to_match_regex", "geometry") in got
    assert ("expect_column_values_to_be_unique", "lsoa11_code") in got
    assert ("expect_column_values_to_not_be_null", "utla_code") in got
    assert ("expect_table_row_count_to_equal", "(table)") in got

    lads = table(snap, "lad_boundaries")
    lads.loc[0, "label_lat"] = 60.2  # Shetland is not in England
    lads.loc[1, "geometry"] = lads.loc[1, "geometry"][:-3]  # truncated text
    got = _failures("lad_boundaries", lads)
    assert ("expect_column_values_to_be_between", "label_lat") in got
    assert ("expect_column_values_to_match_regex", "geometry") in got

    utla = table(snap, "utla_boundaries").drop(columns="region_code")
    got = _failures("utla_boundaries", utla)
    assert ("expect_table_columns_to_match_ordered_list", "region_code") in got or any(
        e == "expect_table_columns_to_match_ordered_list" for e, _ in got
    )


@pytest.mark.needs_raw
@pytest.mark.skipif(not RAW.is_dir(), reason=f"raw data not found at {RAW}")
def test_district_and_area_tables_rebuild_identically_from_raw(snap: Path) -> None:
    from needsbook.snapshot import boundaries

    pd.testing.assert_frame_equal(
        boundaries.build_lad_boundaries(RAW), table(snap, "lad_boundaries"), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        boundaries.build_utla_boundaries(RAW), table(snap, "utla_boundaries"), check_dtype=False
    )
