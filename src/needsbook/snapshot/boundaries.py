"""Snapshot tables of boundaries for maps: LSOA 2011, districts (LAD 2024) and UTLAs (2023).

One row per feature, the geometry stored as compact GeoJSON text (lon/lat, WGS84) with rings in
the d3/Vega order the raw files already use (exterior clockwise). Coordinates are rounded: LSOAs
and districts to 4 decimal places (about 10 m, finer than the 20 m and 500 m generalisation of the
sources), UTLAs to 3 (about 100 m; they are for England-wide maps). Codes are on today's areas:
Barnsley and Sheffield become E08000038/39 (the May 2025 boundary change moved a handful of
addresses, so the 2023/2024 shapes are kept). LSOAs take their district and UTLA from the same
LSOA11 lookup as ``imd2019_lsoa11``, so the tables join exactly.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pandas as pd

from needsbook.need.geometry import label_point, round_geometry, to_text
from needsbook.snapshot.codes import CROSSWALK, CURRENT, current_areas, map_codes
from needsbook.snapshot.population import LSOA11_LOOKUP, lsoa11_areas
from needsbook.snapshot.spec import TableSpec

LSOA11_DIR = "geography/boundaries/lsoa11_bgc_by_utla23"
LAD24 = "geography/boundaries/lad_may2024_uk_buc.geojson"
CTYUA23 = "geography/boundaries/ctyua_may2023_uk_buc.geojson"
LSOA_DP = 4
LAD_DP = 4
UTLA_DP = 3


def _rounded(features: list[dict[str, Any]], code_field: str, dp: int) -> pd.DataFrame:
    """Code, rounded geometry text and label point for each English feature."""
    rows = []
    for f in features:
        code = f["properties"][code_field]
        if not code.startswith("E"):
            continue
        geom = round_geometry(f["geometry"], dp)
        if geom is None:
            raise ValueError(f"{code}: no polygon left after rounding to {dp} dp")
        lon, lat = label_point(geom)
        rows.append((code, to_text(geom), round(lon, 4), round(lat, 4)))
    return pd.DataFrame(rows, columns=["code", "geometry", "label_lon", "label_lat"])


def _current(codes: pd.Series, raw_dir: Path) -> pd.Series:
    """Codes recoded to today's areas where the crosswalk says so (Barnsley, Sheffield)."""
    mapped = map_codes(codes, raw_dir)
    return mapped["area_code"].where(mapped["area_type"].eq("UTLA"), codes).astype("str")


def build_lsoa11_boundaries(raw_dir: Path) -> pd.DataFrame:
    """English LSOA 2011 boundaries (ONS BGC, 20 m) with current district and UTLA codes."""
    raw_dir = Path(raw_dir)
    features: list[dict[str, Any]] = []
    for path in sorted((raw_dir / LSOA11_DIR).glob("*.geojson.gz")):
        with gzip.open(path, "rt") as f:
            features.extend(json.load(f)["features"])
    geo = _rounded(features, "LSOA11CD", LSOA_DP).rename(columns={"code": "lsoa11_code"})
    file_utla = pd.Series(
        {f["properties"]["LSOA11CD"]: f["properties"]["UTLA23CD"] for f in features}
    )
    areas = lsoa11_areas(raw_dir).set_index("lsoa11_code")
    if geo["lsoa11_code"].duplicated().any() or set(geo["lsoa11_code"]) != set(areas.index):
        raise ValueError(f"{LSOA11_DIR}: LSOAs differ from the English LSOA11 lookup")
    recoded = _current(file_utla.reindex(areas.index).rename(None).reset_index(drop=True), raw_dir)
    if not (recoded.to_numpy() == areas["utla_code"].to_numpy()).all():
        raise ValueError(f"{LSOA11_DIR}: file UTLA differs from the LSOA11 lookup")
    geo = geo.set_index("lsoa11_code").reindex(areas.index).reset_index()
    out = pd.DataFrame(
        {
            "lsoa11_code": geo["lsoa11_code"],
            "lad_code": areas["lad_code"].to_numpy(),
            "utla_code": areas["utla_code"].to_numpy(),
            "geometry": geo["geometry"],
        }
    ).astype("str")
    return out.sort_values("lsoa11_code", ignore_index=True)


def build_lad_boundaries(raw_dir: Path) -> pd.DataFrame:
    """English district (LAD May 2024, BUC 500 m) boundaries on current codes, with their UTLA."""
    raw_dir = Path(raw_dir)
    with (raw_dir / LAD24).open() as f:
        fc = json.load(f)
    names = {x["properties"]["LAD24CD"]: x["properties"]["LAD24NM"] for x in fc["features"]}
    geo = _rounded(fc["features"], "LAD24CD", LAD_DP)
    geo.insert(1, "district_name", geo["code"].map(names))
    geo["code"] = _current(geo["code"], raw_dir).to_numpy()
    cur = current_areas(raw_dir)
    utla = {
        lad.strip(): r.UTLACD for r in cur.itertuples(index=False) for lad in r.lad_codes.split(";")
    }
    if set(geo["code"]) != set(utla):
        raise ValueError(f"{LAD24}: English districts differ from the current district list")
    out = geo.rename(columns={"code": "district_code"})
    out.insert(2, "utla_code", out["district_code"].map(utla))
    text = ["district_code", "district_name", "utla_code", "geometry"]
    out[text] = out[text].astype("str")
    return out.sort_values("district_code", ignore_index=True)


def build_utla_boundaries(raw_dir: Path) -> pd.DataFrame:
    """The 153 current English UTLAs (CTYUA May 2023, BUC 500 m) on current codes."""
    raw_dir = Path(raw_dir)
    with (raw_dir / CTYUA23).open() as f:
        fc = json.load(f)
    geo = _rounded(fc["features"], "CTYUA23CD", UTLA_DP)
    geo["code"] = _current(geo["code"], raw_dir).to_numpy()
    cur = current_areas(raw_dir).set_index("UTLACD")
    if set(geo["code"]) != set(cur.index):
        raise ValueError(f"{CTYUA23}: English UTLAs differ from the current UTLA list")
    out = geo.rename(columns={"code": "area_code"})
    out.insert(1, "area_name", out["area_code"].map(cur["UTLANM"]))
    out.insert(2, "region_code", out["area_code"].map(cur["RGNCD"]))
    text = ["area_code", "area_name", "region_code", "geometry"]
    out[text] = out[text].astype("str")
    return out.sort_values("area_code", ignore_index=True)


_ONS = "Office for National Statistics"
_CROWN = "Contains OS data (c) Crown copyright and database right"
TABLES = [
    TableSpec(
        name="lsoa11_boundaries",
        description=(
            "Boundaries of the 32,844 English LSOAs (2011), ONS generalised clipped (BGC, 20 m), "
            "as GeoJSON geometry text (lon/lat, 4 dp, exterior rings clockwise for Vega) with the "
            "current district and UTLA codes used by imd2019_lsoa11. " + _CROWN + " 2016."
        ),
        source_dataset=(
            "ONS LSOA (December 2011) Boundaries Generalised Clipped, converted to GeoJSON by "
            "Martin Chorley (martinjc/UK-GeoJSON, CC BY 4.0) and regrouped by 2023 UTLA"
        ),
        publisher=f"{_ONS}; Martin Chorley (conversion)",
        source_files=(LSOA11_DIR + "/*.geojson.gz", LSOA11_LOOKUP, CURRENT, CROSSWALK),
        build=build_lsoa11_boundaries,
        licence="Open Government Licence v3.0; CC BY 4.0 (GeoJSON conversion, Martin Chorley)",
        key=("lsoa11_code",),
    ),
    TableSpec(
        name="lad_boundaries",
        description=(
            "Boundaries of the 296 current English districts (LAD May 2024, ultra generalised "
            "clipped BUC, 500 m) as GeoJSON geometry text (4 dp) with their UTLA and a label "
            "point; Barnsley/Sheffield on their May 2025 codes. " + _CROWN + " 2024."
        ),
        source_dataset="ONS Local Authority Districts (May 2024) Boundaries UK BUC (via geographr)",
        publisher=_ONS,
        source_files=(LAD24, CURRENT, CROSSWALK),
        build=build_lad_boundaries,
        key=("district_code",),
    ),
    TableSpec(
        name="utla_boundaries",
        description=(
            "Boundaries of the 153 current English upper-tier LAs (Counties and Unitary "
            "Authorities May 2023, BUC 500 m) as GeoJSON geometry text (3 dp) with region and a "
            "label point; Barnsley/Sheffield on their May 2025 codes. " + _CROWN + " 2023."
        ),
        source_dataset=(
            "ONS Counties and Unitary Authorities (May 2023) Boundaries UK BUC "
            "(via DfE attendance-data-dashboard)"
        ),
        publisher=_ONS,
        source_files=(CTYUA23, CURRENT, CROSSWALK),
        build=build_utla_boundaries,
        key=("area_code",),
    ),
]
