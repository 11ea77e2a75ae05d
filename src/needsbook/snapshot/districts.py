"""District (lower-tier) indicators: EYFS profile 2021/22 for every English district.

``district_indicators`` has one row per indicator and district, with the same indicator ids as
the upper-tier rows of the ``indicators`` table (so the catalogue's names and definitions
apply): ``eyfs:gld_all``, ``eyfs:cll_all`` (all children), ``eyfs:gld_fsm``, ``eyfs:cll_fsm``
(eligible for free school meals) and ``eyfs:gld_not_fsm``. ``value`` = number achieving /
number of children × 100 (unrounded; DfE publishes 1 dp), 95% Wilson limits from
``needsbook.stats``.

Districts are those of the 2021/22 publication (LAD 2021). Codes are put on today's districts
(``area_districts``):

* unchanged districts keep their code; Barnsley and Sheffield (recoded with a small boundary
  change in 2025) are moved to their current codes, as the upper-tier tables do;
* the 17 districts abolished in April 2023 (Cumbria's six, North Yorkshire's seven, Somerset's
  four) are **kept with their own code and name**, not aggregated: ``utla_code`` is the current
  upper-tier area they now lie in (Cumberland, Westmorland and Furness, North Yorkshire,
  Somerset) and ``current_district_code`` the current district (for those unitary areas, the
  area itself). A book on Cumberland can then show Allerdale, Carlisle and Copeland; summing
  ``count`` and ``denominator`` by ``current_district_code`` gives the current district.
  For every other district ``current_district_code`` equals ``district_code``.
* the "Outside of England and unknown" row (code ``z``, 736 children) is dropped.

DfE counts children in its district rows by where they live (hence that row) and in its local
authority rows by the authority of their school, so an area's districts need not add up to the
area's own figure in ``indicators`` (Worcestershire: 6,090 children in its districts, 6,094 in
its schools). Compare a district with its area's figure as two estimates, not as a part of it.

Small areas are kept as published (Isles of Scilly: 5 children; City of London: 37):
publishing counts is the chapters' business (``needsbook.stats.suppression``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.snapshot.codes import CROSSWALK, CURRENT, code_map
from needsbook.snapshot.geography import LADS, build_area_districts
from needsbook.snapshot.ind_common import log, to_number, value_from_counts
from needsbook.snapshot.ind_eyfs import DATA as EYFS
from needsbook.snapshot.ind_eyfs import SOURCE as EYFS_SOURCE
from needsbook.snapshot.spec import TableSpec
from needsbook.stats import wilson_ci

LAD22_LAD23 = "geography/lookups/geographr_lad22_lad23.csv"

COLUMNS = (
    "indicator_id",
    "district_code",
    "district_name",
    "utla_code",
    "current_district_code",
    "period",
    "year",
    "value",
    "count",
    "denominator",
    "lower_ci_95",
    "upper_ci_95",
    "source",
)
KEY = ("indicator_id", "district_code", "period")

# indicator id -> (characteristic_type, count column, published % column)
_INDICATORS = {
    "eyfs:gld_all": ("Total", "gld_number", "gld_percentage"),
    "eyfs:cll_all": ("Total", "comm_lang_lit_number", "comm_lang_lit_percentage"),
    "eyfs:gld_fsm": ("Known to be eligible for free school meals", "gld_number", "gld_percentage"),
    "eyfs:cll_fsm": (
        "Known to be eligible for free school meals",
        "comm_lang_lit_number",
        "comm_lang_lit_percentage",
    ),
    "eyfs:gld_not_fsm": (
        "Not known to be eligible for free school meals",
        "gld_number",
        "gld_percentage",
    ),
}


def district_codes(codes: pd.Series, raw_dir: Path) -> pd.DataFrame:
    """Published district codes -> ``district_code``, ``utla_code``, ``current_district_code``
    and ``current_name`` (NA where the code is not an English district of 2021 or later)."""
    raw_dir = Path(raw_dir)
    current = build_area_districts(raw_dir)
    utla_of = dict(zip(current["district_code"], current["area_code"], strict=True))
    names = dict(zip(current["district_code"], current["district_name"], strict=True))
    # Recoded upper-tier areas that are also districts (Barnsley, Sheffield 2025).
    cm = code_map(raw_dir)
    recoded = {
        c: t
        for c, t, kind in zip(cm["code"], cm["area_code"], cm["area_type"], strict=True)
        if kind == "UTLA" and c != t and t in utla_of
    }
    lk = pd.read_csv(raw_dir / LAD22_LAD23, dtype=str)
    merged = {
        a: b for a, b in zip(lk["LAD22CD"], lk["LAD23CD"], strict=True) if a != b and b in utla_of
    }
    rows = []
    for code in codes.astype("str"):
        if code in utla_of:
            rows.append((code, utla_of[code], code, names[code]))
        elif code in recoded:
            new = recoded[code]
            rows.append((new, utla_of[new], new, names[new]))
        elif code in merged:
            new = merged[code]
            rows.append((code, utla_of[new], new, pd.NA))
        else:
            rows.append((pd.NA, pd.NA, pd.NA, pd.NA))
    out = pd.DataFrame(
        rows,
        columns=["district_code", "utla_code", "current_district_code", "current_name"],
        index=codes.index,
    )
    return out


def build_district_indicators(raw_dir: Path) -> pd.DataFrame:
    """EYFS 2021/22 GLD and communication, language and literacy by district (``COLUMNS``)."""
    raw_dir = Path(raw_dir)
    d = pd.read_csv(
        raw_dir / EYFS, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""]
    )
    d = d[(d["geographic_level"] == "Local authority district") & (d["gender"] == "Total")]
    areas = district_codes(d["lad_code"], raw_dir)
    unknown = areas["district_code"].isna()
    if unknown.any():
        log.info(
            "district_indicators: %d rows without an English district dropped (%s)",
            int(unknown.sum()),
            "; ".join(sorted(set(d.loc[unknown, "lad_code"] + " " + d.loc[unknown, "lad_name"]))),
        )
    d, areas = d[~unknown], areas[~unknown]
    period = d["time_period"].str[:4] + "/" + d["time_period"].str[4:]
    frames = []
    for ind_id, (group, num_col, pct_col) in _INDICATORS.items():
        r = d["characteristic_type"] == group
        x = to_number(d.loc[r, num_col])
        n = to_number(d.loc[r, "children_number"])
        value = value_from_counts(
            x, n, to_number(d.loc[r, pct_col]), 100.0, what=f"district {ind_id}", tolerance=0.05
        )
        frames.append(
            pd.DataFrame(
                {
                    "indicator_id": ind_id,
                    "district_code": areas.loc[r, "district_code"],
                    "district_name": areas.loc[r, "current_name"].fillna(d.loc[r, "lad_name"]),
                    "utla_code": areas.loc[r, "utla_code"],
                    "current_district_code": areas.loc[r, "current_district_code"],
                    "period": period[r],
                    "year": period[r].str[:4].astype(int) + 1,
                    "value": value,
                    "count": x,
                    "denominator": n,
                    "source": EYFS_SOURCE,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out = out[out["value"].notna()].copy()
    lo, hi = np.full(len(out), np.nan), np.full(len(out), np.nan)
    ok = (out["count"].notna() & (out["denominator"] > 0)).to_numpy()
    lo[ok], hi[ok] = wilson_ci(
        out.loc[ok, "count"].to_numpy(float),
        out.loc[ok, "denominator"].to_numpy(float),
        confidence=0.95,
        multiplier=100.0,
    )
    out["lower_ci_95"], out["upper_ci_95"] = lo, hi
    for col in ("indicator_id", "district_code", "district_name", "utla_code"):
        out[col] = out[col].astype("str")
    out["current_district_code"] = out["current_district_code"].astype("str")
    out["period"] = out["period"].astype("str")
    out["source"] = out["source"].astype("str")
    out["year"] = out["year"].astype("Int64")
    for col in ("value", "count", "denominator", "lower_ci_95", "upper_ci_95"):
        out[col] = out[col].astype("float64")
    out = out[list(COLUMNS)].sort_values(
        ["indicator_id", "utla_code", "district_code"], kind="mergesort", ignore_index=True
    )
    return out


TABLES = [
    TableSpec(
        name="district_indicators",
        description=(
            "Early years foundation stage profile 2021/22 by lower-tier district: good level of "
            "development and communication, language and literacy, for all children and by "
            "free-school-meal eligibility, with counts, denominators and 95% Wilson CIs. "
            "Indicator ids as in the indicators table. Children are counted by the district "
            "they live in (the local authority rows of the indicators table count them by "
            "school). Districts abolished in April 2023 "
            "(Cumbria, North Yorkshire, Somerset) keep their own code and name and are attached "
            "to the current upper-tier area (utla_code) and district (current_district_code) "
            "they now lie in; Barnsley and Sheffield are on their 2025 codes"
        ),
        source_dataset=(
            "DfE Early years foundation stage profile results 2021/22, headline measures by "
            "characteristic, local authority district level (via DfE SEND-AP-Inclusion "
            "dashboard); ONS LAD 2022 to 2023 lookup"
        ),
        publisher="Department for Education; ONS (lookups)",
        source_files=(EYFS, LAD22_LAD23, CURRENT, LADS, CROSSWALK),
        build=build_district_indicators,
        period_column="period",
        key=KEY,
    ),
]
