"""Put published area codes on today's 153 upper-tier LAs, marking what cannot be mapped.

Rules (from ``geography/lookups/utla_crosswalk_to_current_2025.csv``):

* ``unchanged`` and ``recode_same_area`` (e.g. Buckinghamshire 2020, North Yorkshire and Somerset
  2023): mapped to the current code; same area, so no series break.
* ``recode_boundary_change`` (Barnsley and Sheffield 2025, Northumberland and Gateshead 2013):
  mapped to the current code, with ``series_break`` saying the boundary changed.
* ``merged_into`` / ``split_into`` (Bournemouth, Poole, old Dorset, Northamptonshire, Cumbria):
  *not* mapped. Rows keep their own code with ``area_type`` "Former UTLA": an old county's value
  is never passed off as one of its successors'.
* DfE joint reporting units such as ``"E06000061 / E06000062"`` keep their combined code with
  ``area_type`` "DfE combined unit".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

ENGLAND = "E92000001"
REGION_NAMES = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
}
# DfE 3-digit numbers used for England and regions (LAIT, EES files).
DFE_NUMBER_TO_REGION = {
    970: ENGLAND,
    980: "E12000001",
    981: "E12000002",
    982: "E12000003",
    983: "E12000004",
    984: "E12000005",
    985: "E12000006",
    986: "E12000007",
    989: "E12000008",
    990: "E12000009",
}
MAPPED = {"unchanged", "recode_same_area", "recode_boundary_change"}

CROSSWALK = "geography/lookups/utla_crosswalk_to_current_2025.csv"
CURRENT = "geography/lookups/utla_england_current_2025.csv"
DFE_LOOKUP = "lookups/dfe_la_code_lookup.csv"


@cache
def crosswalk(raw_dir: Path) -> pd.DataFrame:
    return pd.read_csv(Path(raw_dir) / CROSSWALK, dtype=str)


@cache
def current_areas(raw_dir: Path) -> pd.DataFrame:
    return pd.read_csv(Path(raw_dir) / CURRENT, dtype=str)


@cache
def code_map(raw_dir: Path) -> pd.DataFrame:
    """One row per published code: ``code -> area_code, area_type, series_break``."""
    cw = crosswalk(raw_dir)
    rows: dict[str, tuple[str, str, str | None]] = {}
    for code in current_areas(raw_dir)["UTLACD"]:
        rows[code] = (code, "UTLA", None)
    for r in cw.itertuples(index=False):
        old, rel = r.old_code, r.relationship
        if rel == "recode_same_area":
            rows.setdefault(old, (r.new_code, "UTLA", None))
        elif rel == "recode_boundary_change":
            note = f"published as {old} ({r.old_name}) before the boundary change {r.change_date}"
            rows.setdefault(old, (r.new_code, "UTLA", note))
        elif rel in {"merged_into", "split_into"}:
            note = f"{r.old_name} ({old}) ended {r.change_date}: not comparable with its successors"
            rows.setdefault(old, (old, "Former UTLA", note))
        elif rel == "dfe_combined_unit_contains":
            note = f"DfE joint reporting unit for {r.old_name}"
            rows.setdefault(old, (old, "DfE combined unit", note))
    # Chains (old -> recode -> current): follow until stable.
    for code, (target, kind, note) in list(rows.items()):
        seen = {code}
        while target in rows and rows[target][0] != target and target not in seen:
            seen.add(target)
            target = rows[target][0]
        rows[code] = (target, kind, note)
    rows[ENGLAND] = (ENGLAND, "England", None)
    for rc in REGION_NAMES:
        rows[rc] = (rc, "Region", None)
    out = pd.DataFrame.from_dict(
        rows, orient="index", columns=["area_code", "area_type", "series_break"]
    )
    out.index.name = "code"
    return out.reset_index()


def map_codes(codes: pd.Series, raw_dir: Path) -> pd.DataFrame:
    """Map published codes to current ones; unknown codes come back with area_type NA.

    Returns a frame aligned to ``codes`` with ``area_code``, ``area_type``, ``series_break`` and
    ``area_code_original`` (the code as published).
    """
    cm = code_map(Path(raw_dir)).set_index("code")
    key = codes.astype("string").str.strip()
    out = cm.reindex(key.to_numpy()).reset_index(drop=True)
    out.index = codes.index
    out["area_code_original"] = key
    return out


@cache
def dfe_number_map(raw_dir: Path) -> dict[int, str]:
    """DfE 3-digit LA number -> published ONS code, preferring the newest code for each number."""
    lk = pd.read_csv(Path(raw_dir) / DFE_LOOKUP, dtype={"old_la_code": "Int64"})
    lk = lk.sort_values("last_year").drop_duplicates("old_la_code", keep="last")
    out = dict(zip(lk["old_la_code"].astype(int), lk["new_la_code"], strict=True))
    out.update(DFE_NUMBER_TO_REGION)
    return out


def parent_codes(raw_dir: Path) -> dict[str, str]:
    """Current UTLA code -> region code; region -> England."""
    cur = current_areas(Path(raw_dir))
    out = dict(zip(cur["UTLACD"], cur["RGNCD"], strict=True))
    out.update({rc: ENGLAND for rc in REGION_NAMES})
    return out
