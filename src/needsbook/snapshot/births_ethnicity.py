"""Live births mid-2022 to mid-2023 (ONS) and ethnic group (Census 2021) for England, its
regions and the 153 current upper-tier areas.

Both sources are on April 2023 boundaries; codes are put on current ones with
``needsbook.snapshot.codes`` (Barnsley and Sheffield: their 2025 codes, ``area_code_original``
keeping the published one). Welsh areas are dropped.

* ``births``: the births column of ONS's components of change (MYE3) for mid-2022 to mid-2023.
* ``ethnicity``: the 19 ethnic groups of ONS's 20-category classification (the 20th, "Does not
  apply", is 0 everywhere and is dropped) for usual residents of **all ages** (the source has
  no age breakdown), with the broad group (Asian, Black, Mixed, White, Other) taken from each
  category's prefix and ``percent`` = the group's share of the area's residents.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.snapshot.codes import CROSSWALK, CURRENT
from needsbook.snapshot.ind_common import log, resolve_areas
from needsbook.snapshot.spec import TableSpec

BIRTHS = "ons_population/mye23_components_of_change_utla_region_england.csv"
ETHNICITY = (
    "dfe_csc/ons-ethnic-population-la.csv",
    "dfe_csc/ons-ethnic-population-reg.csv",
    "dfe_csc/ons-ethnic-population-nat.csv",
)
AREA_TYPES = ("England", "Region", "UTLA")
BIRTHS_COLUMNS = (
    "area_code",
    "area_name",
    "area_type",
    "parent_code",
    "period",
    "year",
    "births",
    "area_code_original",
)
ETHNICITY_COLUMNS = (
    "area_code",
    "area_name",
    "area_type",
    "parent_code",
    "group_code",
    "group",
    "broad_group",
    "population",
    "percent",
    "area_code_original",
)
#: Category prefix (before ": ") -> broad group.
BROAD_GROUPS = {
    "Asian, Asian British or Asian Welsh": "Asian",
    "Black, Black British, Black Welsh, Caribbean or African": "Black",
    "Mixed or Multiple ethnic groups": "Mixed",
    "White": "White",
    "Other ethnic group": "Other",
}
DOES_NOT_APPLY = "Does not apply"
_TYPE_ORDER = {t: n for n, t in enumerate(AREA_TYPES)}


def _areas(codes: pd.Series, raw_dir: Path, what: str) -> pd.DataFrame:
    """Current code, type, name and parent for published codes; non-English rows dropped."""
    areas = resolve_areas(codes, raw_dir)
    ok = areas["area_type"].isin(AREA_TYPES)
    english = codes.astype("str").str.startswith("E")
    if (english & ~ok).any():
        log.warning(
            "%s: %d English rows with unmappable codes dropped (%s)",
            what,
            int((english & ~ok).sum()),
            "; ".join(sorted(set(codes[english & ~ok].astype(str)))),
        )
    return areas[ok]


def _order(df: pd.DataFrame, *extra: str) -> pd.DataFrame:
    rank = df["area_type"].map(_TYPE_ORDER)
    return (
        df.assign(_rank=rank)
        .sort_values(["_rank", "area_code", *extra], kind="mergesort")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def build_births(raw_dir: Path) -> pd.DataFrame:
    """Live births mid-2022 to mid-2023 (``BIRTHS_COLUMNS``)."""
    raw_dir = Path(raw_dir)
    d = pd.read_csv(raw_dir / BIRTHS, dtype=str, encoding="utf-8-sig")
    areas = _areas(d["Code"], raw_dir, "births")
    d = d.loc[areas.index]
    out = pd.DataFrame(
        {
            "area_code": areas["area_code"].astype("str"),
            "area_name": areas["current_name"].astype("str"),
            "area_type": areas["area_type"].astype("str"),
            "parent_code": areas["parent_code"].astype("str"),
            "period": "mid-2022 to mid-2023",
            "year": pd.array([2023] * len(d), dtype="Int64"),
            "births": pd.to_numeric(d["Births"], errors="raise").astype("Int64"),
            "area_code_original": areas["area_code_original"].astype("str"),
        }
    )
    out["period"] = out["period"].astype("str")
    return _order(out[list(BIRTHS_COLUMNS)])


def _read_ethnicity(path: Path) -> pd.DataFrame:
    d = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    d.columns = ["code", "name", "group_code", "group", "population"]
    return d


def build_ethnicity(raw_dir: Path) -> pd.DataFrame:
    """Census 2021 ethnic group, all ages (``ETHNICITY_COLUMNS``)."""
    raw_dir = Path(raw_dir)
    d = pd.concat([_read_ethnicity(raw_dir / f) for f in ETHNICITY], ignore_index=True)
    d = d[d["code"].str.startswith("E")]
    dna = d["group"] == DOES_NOT_APPLY
    if (pd.to_numeric(d.loc[dna, "population"]) != 0).any():
        log.warning("ethnicity: 'Does not apply' is not 0 everywhere; it is still dropped")
    d = d[~dna].copy()
    areas = _areas(d["code"], raw_dir, "ethnicity")
    d = d.loc[areas.index]
    prefix = d["group"].str.split(":").str[0].str.strip()
    broad = prefix.map(BROAD_GROUPS)
    if broad.isna().any():
        raise ValueError(f"ethnicity: unknown category prefix {sorted(set(prefix[broad.isna()]))}")
    pop = pd.to_numeric(d["population"], errors="raise").astype("int64")
    total = pop.groupby(areas["area_code"]).transform("sum")
    out = pd.DataFrame(
        {
            "area_code": areas["area_code"].astype("str"),
            "area_name": areas["current_name"].astype("str"),
            "area_type": areas["area_type"].astype("str"),
            "parent_code": areas["parent_code"].astype("str"),
            "group_code": pd.to_numeric(d["group_code"]).astype("Int64"),
            "group": d["group"].astype("str"),
            "broad_group": broad.astype("str"),
            "population": pop.astype("Int64"),
            "percent": (pop / total * 100).astype("float64"),
            "area_code_original": areas["area_code_original"].astype("str"),
        }
    )
    return _order(out[list(ETHNICITY_COLUMNS)], "group_code")


TABLES = [
    TableSpec(
        name="births",
        description=(
            "Live births from mid-2022 to mid-2023 (ONS mid-year estimates, components of "
            "change) for England, the 9 regions and the 153 current upper-tier LAs (April 2023 "
            "boundaries; Barnsley and Sheffield on their 2025 codes)"
        ),
        source_dataset=(
            "ONS Population estimates for England and Wales, mid-2023: MYE3 components of "
            "population change"
        ),
        publisher="Office for National Statistics",
        source_files=(BIRTHS, CURRENT, CROSSWALK),
        build=build_births,
        period_column="period",
        key=("area_code",),
    ),
    TableSpec(
        name="ethnicity",
        description=(
            "Census 2021 ethnic group (19 categories of ONS's 20-category classification; "
            "'Does not apply' is 0 and dropped) with broad group (Asian, Black, Mixed, White, "
            "Other) and the share of the area's usual residents, for England, the 9 regions and "
            "the 153 current upper-tier LAs. All ages: the source has no age breakdown, so "
            "these are not the shares among children"
        ),
        source_dataset=(
            "ONS Census 2021, ethnic group (20 categories), by 2023 upper-tier local "
            "authority, region and country (via DfE CSC outcomes and enablers)"
        ),
        publisher="Office for National Statistics",
        source_files=(*ETHNICITY, CURRENT, CROSSWALK),
        build=build_ethnicity,
        period_column=None,
        key=("area_code", "group_code"),
    ),
]
