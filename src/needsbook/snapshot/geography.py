"""Snapshot tables for the area registry: current UTLAs, their districts and their code history."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.snapshot.codes import CROSSWALK, CURRENT, REGION_NAMES, crosswalk, current_areas
from needsbook.snapshot.spec import TableSpec

LADS = "geography/lookups/dfe_lads.csv"
TYPE_NAMES = {
    "E06": "Unitary authority",
    "E08": "Metropolitan district",
    "E09": "London borough",
    "E10": "County council",
}


def build_areas(raw_dir: Path) -> pd.DataFrame:
    cur = current_areas(Path(raw_dir))
    cw = crosswalk(Path(raw_dir))
    former = (
        cw[cw["relationship"].isin(["recode_same_area", "recode_boundary_change"])]
        .groupby("new_code")["old_code"]
        .agg(lambda s: ";".join(sorted(set(s))))
    )
    out = pd.DataFrame(
        {
            "area_code": cur["UTLACD"],
            "area_name": cur["UTLANM"],
            "dfe_la_code": pd.to_numeric(cur["DFE_LA_CODE"]).astype("Int64"),
            "area_kind": cur["UTLACD"].str[:3].map(TYPE_NAMES),
            "region_code": cur["RGNCD"],
            "region_name": cur["RGNCD"].map(REGION_NAMES),
            "n_districts": pd.to_numeric(cur["n_lads"]).astype("Int64"),
            "former_codes": cur["UTLACD"].map(former).fillna(""),
        }
    )
    return out.sort_values("area_code", ignore_index=True)


def build_area_districts(raw_dir: Path) -> pd.DataFrame:
    """Member districts by code; names come from the DfE LAD list joined by code (the master
    list's ``lad_names`` is out of order for Essex)."""
    cur = current_areas(Path(raw_dir))
    lads = pd.read_csv(Path(raw_dir) / LADS, dtype=str)
    names = dict(zip(lads["lad_code"], lads["lad_name"], strict=True))
    rows = [
        (r.UTLACD, code.strip(), names[code.strip()])
        for r in cur.itertuples(index=False)
        for code in str(r.lad_codes).split(";")
    ]
    out = pd.DataFrame(rows, columns=["area_code", "district_code", "district_name"])
    return out.sort_values(["area_code", "district_code"], ignore_index=True)


def build_area_code_history(raw_dir: Path) -> pd.DataFrame:
    cw = crosswalk(Path(raw_dir))
    cols = {
        "old_code": "old_code",
        "old_name": "old_name",
        "old_dfe_la_code": "old_dfe_la_code",
        "change_date": "change_date",
        "relationship": "relationship",
        "new_code": "new_code",
        "new_name": "new_name",
        "new_dfe_la_code": "new_dfe_la_code",
        "notes": "notes",
    }
    out = cw[list(cols)].rename(columns=cols)
    out = out[out["relationship"] != "unchanged"]
    return out.astype("string").sort_values(["old_code", "new_code"], ignore_index=True)


_SRC = "ONS / DfE area codes and lookups (via geography/lookups)"
TABLES = [
    TableSpec(
        name="areas",
        description="The 153 current English upper-tier local authorities (as at May 2025)",
        source_dataset="ONS Counties and Unitary Authorities; DfE LA codes (dfe_las, hierarchy)",
        publisher="ONS; Department for Education",
        source_files=(CURRENT,),
        build=build_areas,
        key=("area_code",),
    ),
    TableSpec(
        name="area_districts",
        description="Member lower-tier districts (LAD 2023/2025) of each current upper-tier LA",
        source_dataset="ONS LAD to UTLA lookup (2023); DfE LA-LAD hierarchy",
        publisher="ONS; Department for Education",
        source_files=(CURRENT, LADS),
        build=build_area_districts,
        key=("area_code", "district_code"),
    ),
    TableSpec(
        name="area_code_history",
        description="Upper-tier LA code changes since 2009 and how each maps to current codes",
        source_dataset="ONS code history; DfE LA list; mySociety LA register (CC BY 4.0)",
        publisher="ONS; Department for Education; mySociety",
        source_files=(CROSSWALK,),
        build=build_area_code_history,
        licence="Open Government Licence v3.0; CC BY 4.0 (mySociety)",
    ),
]
