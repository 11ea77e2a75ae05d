"""UKHSA COVER childhood vaccination coverage: annual (financial-year) figures by UTLA.

Annual coverage = sum of the four quarters' numerators / sum of their denominators (how
Fingertips builds its annual COVER figures). Only complete years (all 4 quarters with numerator
and denominator) are kept for a UTLA. The file has no England or region rows, so those are the
sums over every valid UTLA-quarter row in the region / England (``source`` says so); they are
kept only when all 4 quarters contribute.

Two fixes to the tidy quarterly table, both logged:

* the quarter is taken from the workbook name (``2020_2021_Q3.ods``): 18 Leeds rows of the
  2020/21 Q3 workbook are labelled Q1 in ``fy_quarter``;
* 2021/22 Q1-Q2 rows under West Northamptonshire are North and West Northamptonshire combined
  (workbook footnote: "The data could not be provided separately for North and West
  Northamptonshire, therefore the combined data has been recorded under West Northamptonshire
  only"), so they are recoded to the DfE-style combined unit "E06000061 / E06000062". Neither
  authority then has a complete 2021/22.

City of London is published with Hackney and Isles of Scilly with Cornwall (kept as published).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.snapshot.codes import ENGLAND
from needsbook.snapshot.ind_common import (
    Meta,
    catalogue_meta,
    log,
    resolve_areas,
    source_frame,
)

DATA = "ukhsa_cover/cover_utla_quarterly_long.csv.gz"
SOURCE_FILES = (DATA,)
SOURCE = "UKHSA COVER"
SOURCE_SUMMED = "UKHSA COVER (sum of UTLAs)"

NORTHANTS_COMBINED = ("E06000061 / E06000062", "North Northamptonshire / West Northamptonshire")
_NORTHANTS_FIX = {("E06000062", "2021/22", 1), ("E06000062", "2021/22", 2)}


def _quarterly(raw_dir: Path) -> pd.DataFrame:
    c = pd.read_csv(
        raw_dir / DATA,
        dtype={
            "utla_ods_code": str,
            "utla_ons_code_mapped": str,
            "utla_name": str,
            "age": str,
            "vaccine": str,
            "financial_year": str,
            "fy_quarter": str,
            "source_file": str,
        },
    )
    c = c[c["vaccine"] != "cohort"].copy()
    parts = c["source_file"].str.extract(r"(\d{4})_(\d{4})_Q(\d)")
    c["period"] = parts[0] + "/" + parts[1].str[2:]
    c["quarter"] = parts[2].astype(int)
    labelled = "FY" + parts[0] + "_" + parts[1].str[2:] + "_Q" + parts[2]
    relabelled = int((labelled != c["fy_quarter"]).sum())
    if relabelled:
        log.info(
            "COVER: %d rows take their quarter from the workbook name, not fy_quarter", relabelled
        )
    c["code"] = c["utla_ons_code_mapped"]
    c["name"] = c["utla_name"].str.strip()
    fix = pd.Series(
        [
            (k, p, q) in _NORTHANTS_FIX
            for k, p, q in zip(c["code"], c["period"], c["quarter"], strict=True)
        ],
        index=c.index,
    )
    c.loc[fix, "code"], c.loc[fix, "name"] = NORTHANTS_COMBINED
    log.info(
        "COVER: %d West Northamptonshire rows (2021/22 Q1-Q2) recoded to %s",
        int(fix.sum()),
        NORTHANTS_COMBINED[0],
    )
    num = pd.to_numeric(c["numerator"], errors="coerce")
    den = pd.to_numeric(c["denominator"], errors="coerce")
    valid = num.notna() & den.notna() & (den > 0)
    over = valid & (num > den)
    if over.any():
        log.warning("COVER: %d quarter rows with numerator > denominator dropped", int(over.sum()))
    c = c.assign(numerator=num, denominator=den)[valid & ~over]
    key = ["period", "quarter", "code", "age", "vaccine"]
    dup = c.duplicated(key, keep=False)
    if dup.any():
        log.warning("COVER: %d duplicated UTLA-quarter rows dropped", int(dup.sum()))
        c = c[~dup]
    return c


def _annual(q: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    g = q.groupby([*by, "period", "age", "vaccine"], sort=True, observed=True)
    out = g.agg(
        count=("numerator", "sum"),
        denominator=("denominator", "sum"),
        quarters=("quarter", "nunique"),
    ).reset_index()
    return out[out["quarters"] == 4]


def rows(raw_dir: Path) -> tuple[pd.DataFrame, list[Meta]]:
    raw_dir = Path(raw_dir)
    q = _quarterly(raw_dir)
    names = q.groupby("code")["name"].min()
    utla = _annual(q, ["code"])
    utla["name"] = utla["code"].map(names)
    utla["source"] = SOURCE

    areas = resolve_areas(q["code"], raw_dir)
    q = q.assign(region=areas["parent_code"], mapped=areas["area_type"].notna())
    unmapped = int((~q["mapped"]).sum())
    if unmapped:
        log.warning(
            "COVER: %d quarter rows with unmapped codes left out of region/England sums", unmapped
        )
    q = q[q["mapped"]]
    region = _annual(q.assign(code=q["region"]), ["code"])
    region["name"] = region["code"]
    england = _annual(q.assign(code=ENGLAND), ["code"])
    england["name"] = "England"
    summed = pd.concat([region, england], ignore_index=True).assign(source=SOURCE_SUMMED)

    df = pd.concat([utla, summed], ignore_index=True)
    df["indicator_id"] = "cover:" + df["vaccine"] + "_" + df["age"]
    out = source_frame(
        indicator_id=df["indicator_id"],
        code=df["code"],
        name=df["name"],
        period=df["period"],
        year=df["period"].str[:4].astype(int) + 1,
        period_type="financial year",
        value=df["count"] / df["denominator"] * 100,
        count=df["count"],
        denominator=df["denominator"],
        source=df["source"],
    )
    pairs = df[["vaccine", "age"]].drop_duplicates().sort_values(["vaccine", "age"])
    metas = [_meta(v, a) for v, a in pairs.itertuples(index=False)]
    return out, metas


def _meta(vaccine: str, age: str) -> Meta:
    return catalogue_meta(f"cover:{vaccine}_{age}")
