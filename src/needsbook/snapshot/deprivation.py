"""Snapshot tables for deprivation: IMD 2019 (LSOA 2011), IoD 2025 (LSOA 2021), IMD 2019 UTLAs.

LSOAs are put in current districts and UTLAs through ONS best-fit lookups; Barnsley and Sheffield
use their May 2025 codes (E08000038/39), as in ``area_districts``. Neither LSOA file includes the
Income Deprivation Affecting Children Index (IDACI): it is only available here as the IMD 2019
upper-tier summary (``imd_utla_summary``). IMD 2019 LSOA *scores* are not in the data either
(ranks and deciles only); IoD 2025 has scores.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.snapshot.codes import (
    CROSSWALK,
    CURRENT,
    crosswalk,
    current_areas,
    map_codes,
    parent_codes,
)
from needsbook.snapshot.population import LSOA11_LOOKUP, lsoa11_areas
from needsbook.snapshot.spec import TableSpec

IMD2019_LSOA = "imd/imd2019_england_lsoa11.csv.gz"
IMD2019_SUB = "imd/imd2019_england_lsoa11_subdomains.csv.gz"
IMD2025_LSOA = "imd/imd2025_england_lsoa21.csv.gz"
IMD2019_UTLA = "imd/imd2019_utla19_summaries_all_domains.csv"
LSOA21_LOOKUP = "geography/lookups/lsoa21_to_ward24_lad24_utla23_rgn24_ew.csv.gz"

# Short names for the IMD and its seven domains (the 2019 "Housing_and_Access" and 2025
# "Housing_and_Services" columns are both the Barriers to Housing and Services domain).
DOMAINS_2019 = {
    "IMD": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education": "education",
    "Health": "health",
    "Crime": "crime",
    "Housing_and_Access": "barriers",
    "Environment": "environment",
}
DOMAINS_2025 = {
    ("Housing_and_Services" if k == "Housing_and_Access" else k): v for k, v in DOMAINS_2019.items()
}
N_LSOA11 = 32844
N_LSOA21 = 33755


def _int(s: pd.Series) -> pd.Series:
    if not (s.dropna() % 1 == 0).all():
        raise ValueError(f"non-integer values in {s.name}")
    return s.astype("Int64")


def build_imd2019_lsoa11(raw_dir: Path) -> pd.DataFrame:
    """IMD 2019 ranks and deciles per English LSOA11, plus the children and young people
    education sub-domain, with current district and UTLA codes."""
    raw_dir = Path(raw_dir)
    imd = pd.read_csv(raw_dir / IMD2019_LSOA, dtype={"lsoa11_code": str})
    sub = pd.read_csv(raw_dir / IMD2019_SUB, dtype={"lsoa11_code": str})
    geo = lsoa11_areas(raw_dir)
    if set(imd["lsoa11_code"]) != set(geo["lsoa11_code"]) or len(imd) != N_LSOA11:
        raise ValueError(f"{IMD2019_LSOA}: LSOAs differ from the English LSOA11 lookup")
    out = geo[["lsoa11_code", "lsoa11_name", "lad_code", "utla_code"]].copy()
    out["year"] = pd.array([2019] * len(out), dtype="Int64")
    imd = imd.set_index("lsoa11_code").reindex(out["lsoa11_code"])
    for src, short in DOMAINS_2019.items():
        out[f"{short}_rank"] = _int(imd[f"{src}_rank"]).array
        out[f"{short}_decile"] = _int(imd[f"{src}_decile"]).array
    sub = sub.set_index("lsoa11_code").reindex(out["lsoa11_code"])
    out["cyp_education_rank"] = _int(sub["Children_and_young_people_rank"]).array
    out["cyp_education_decile"] = _int(sub["Children_and_young_people_decile"]).array
    return out.sort_values("lsoa11_code", ignore_index=True)


def build_imd2025_lsoa21(raw_dir: Path) -> pd.DataFrame:
    """IoD 2025 scores, ranks and deciles per English LSOA21, with current district and UTLA."""
    raw_dir = Path(raw_dir)
    imd = pd.read_csv(raw_dir / IMD2025_LSOA, dtype={"lsoa21_code": str})
    lk = pd.read_csv(raw_dir / LSOA21_LOOKUP, dtype=str)
    lk = lk[lk["LSOA21CD"].str.startswith("E")].reset_index(drop=True)
    if set(imd["lsoa21_code"]) != set(lk["LSOA21CD"]) or len(imd) != N_LSOA21:
        raise ValueError(f"{IMD2025_LSOA}: LSOAs differ from the English LSOA21 lookup")
    utla = map_codes(lk["UTLA23CD"], raw_dir)
    lad = map_codes(lk["LAD24CD"], raw_dir)
    if not utla["area_type"].eq("UTLA").all():
        raise ValueError(f"{LSOA21_LOOKUP}: UTLA23 codes that are not current UTLAs")
    out = pd.DataFrame(
        {
            "lsoa21_code": lk["LSOA21CD"],
            "lsoa21_name": lk["LSOA21NM"],
            "lad_code": lad["area_code"].where(lad["area_type"].eq("UTLA"), lk["LAD24CD"]),
            "utla_code": utla["area_code"],
        }
    ).astype("str")
    out["year"] = pd.array([2025] * len(out), dtype="Int64")
    imd = imd.set_index("lsoa21_code").reindex(out["lsoa21_code"])
    for src, short in DOMAINS_2025.items():
        out[f"{short}_score"] = imd[f"{src}_score"].astype("float64").to_numpy()
        out[f"{short}_rank"] = _int(imd[f"{src}_rank"]).array
        out[f"{short}_decile"] = _int(imd[f"{src}_decile"]).array
    return out.sort_values("lsoa21_code", ignore_index=True)


# File 11 measures kept: (source column prefix, short prefix) x (source measure, short measure).
_SUMMARY_MEASURES = {
    "Average score": "average_score",
    "Rank of average score": "rank_of_average_score",
    "Average rank": "average_rank",
    "Rank of average rank": "rank_of_average_rank",
    "Proportion of LSOAs in most deprived 10% nationally": "prop_lsoas_most_deprived_10pc",
    "Rank of proportion of LSOAs in most deprived 10% nationally": (
        "rank_of_prop_lsoas_most_deprived_10pc"
    ),
}
_SUMMARY_DOMAINS = {
    "IMD": ("imd", tuple(_SUMMARY_MEASURES)),
    "IDACI": ("idaci", tuple(_SUMMARY_MEASURES)),
    "IDAOPI": ("idaopi", ("Average score", "Rank of average score")),
    "Income": ("income", ("Average score", "Rank of average score")),
    "Employment": ("employment", ("Average score", "Rank of average score")),
    "Education, Skills and Training": ("education", ("Average score", "Rank of average score")),
    "Health Deprivation and Disability": ("health", ("Average score", "Rank of average score")),
    "Crime": ("crime", ("Average score", "Rank of average score")),
    "Barriers to Housing and Services": ("barriers", ("Average score", "Rank of average score")),
    "Living Environment": ("environment", ("Average score", "Rank of average score")),
}
_SUMMARY_EXTRA = {
    "IMD 2019 - Extent": "imd_extent",
    "IMD 2019 - Rank of extent": "imd_rank_of_extent",
    "IMD 2019 - Local concentration": "imd_local_concentration",
    "IMD 2019 - Rank of local concentration": "imd_rank_of_local_concentration",
}


def _former_regions(raw_dir: Path) -> dict[str, str]:
    """Region of each former UTLA code, from the region of its successors."""
    cw = crosswalk(raw_dir)
    parents = parent_codes(raw_dir)
    regions = cw["new_code"].map(parents)
    return dict(zip(cw["old_code"], regions, strict=True))


def build_imd_utla_summary(raw_dir: Path) -> pd.DataFrame:
    """IMD 2019 upper-tier summaries (File 11) for the 151 UTLAs of 2019, on current codes."""
    raw_dir = Path(raw_dir)
    src = pd.read_csv(raw_dir / IMD2019_UTLA)
    # Some headers have a double space ("Proportion  of"): normalise before looking up.
    src.columns = [" ".join(str(c).split()) for c in src.columns]
    mapped = map_codes(src["utla19_code"], raw_dir)
    if mapped["area_type"].isna().any():
        raise ValueError(f"{IMD2019_UTLA}: unknown UTLA codes")
    cur = current_areas(raw_dir)
    names = dict(zip(cur["UTLACD"], cur["UTLANM"], strict=True))
    former = _former_regions(raw_dir)
    parents = parent_codes(raw_dir)
    is_former = mapped["area_type"].eq("Former UTLA")
    out = pd.DataFrame(
        {
            "area_code": mapped["area_code"],
            "area_name": mapped["area_code"].map(names).fillna(src["utla19_name"]),
            "area_type": mapped["area_type"],
            "parent_code": mapped["area_code"]
            .map(parents)
            .where(~is_former, mapped["area_code"].map(former)),
            "year": pd.array([2019] * len(src), dtype="Int64"),
        }
    )
    for dom, (short, measures) in _SUMMARY_DOMAINS.items():
        for m in measures:
            col = f"{dom} - {m}"
            name = f"{short}_{_SUMMARY_MEASURES[m]}"
            out[name] = _int(src[col]) if m.startswith("Rank") else src[col].astype("float64")
    for col, name in _SUMMARY_EXTRA.items():
        out[name] = _int(src[col]) if "Rank" in col else src[col].astype("float64")
    out["area_code_original"] = mapped["area_code_original"]
    out["series_break"] = mapped["series_break"]
    if out["area_code"].duplicated().any():
        raise ValueError(f"{IMD2019_UTLA}: two UTLA codes map to one current area")
    text = ["area_code", "area_name", "area_type", "parent_code", "area_code_original"]
    out[[*text, "series_break"]] = out[[*text, "series_break"]].astype("str")
    return out.sort_values("area_code", ignore_index=True)


_MHCLG = "Ministry of Housing, Communities and Local Government"
TABLES = [
    TableSpec(
        name="imd2019_lsoa11",
        description=(
            "English Indices of Deprivation 2019 per LSOA (2011): rank (1 = most deprived of "
            "32,844) and decile (1 = most deprived 10%) for the IMD and its 7 domains, plus the "
            "Education domain's Children and Young People sub-domain. LSOA scores and IDACI are "
            "not in the source data (IDACI is in imd_utla_summary). Current district (LAD 2023) "
            "and UTLA codes; Barnsley/Sheffield on their May 2025 codes. A few ranks are tied in "
            "the source."
        ),
        source_dataset="English Indices of Deprivation 2019, Files 1-2 (via humaniverse/IMD)",
        publisher=_MHCLG,
        source_files=(IMD2019_LSOA, IMD2019_SUB, LSOA11_LOOKUP, CURRENT, CROSSWALK),
        build=build_imd2019_lsoa11,
        period_column="year",
        key=("lsoa11_code",),
    ),
    TableSpec(
        name="imd2025_lsoa21",
        description=(
            "English Indices of Deprivation 2025 per LSOA (2021): score, rank (1 = most deprived "
            "of 33,755) and decile for the IMD and its 7 domains (IDACI is not in the source "
            "data). District (LAD 2024) and UTLA from ONS's best-fit LSOA21->ward 2024->LAD 2024 "
            "lookup (E01027305 falls in Cherwell, Oxfordshire); Barnsley/Sheffield on their May "
            "2025 codes."
        ),
        source_dataset="English Indices of Deprivation 2025, File 7 (via humaniverse/IMD)",
        publisher=_MHCLG,
        source_files=(IMD2025_LSOA, LSOA21_LOOKUP, CURRENT, CROSSWALK),
        build=build_imd2025_lsoa21,
        period_column="year",
        key=("lsoa21_code",),
    ),
    TableSpec(
        name="imd_utla_summary",
        description=(
            "IMD 2019 upper-tier LA summaries (File 11) for the 151 UTLAs of 2019: IMD and IDACI "
            "average score/rank, proportion of LSOAs in the most deprived 10%, extent and local "
            "concentration, and average scores for IDAOPI and the 7 domains, each with its rank "
            "among the 151 (1 = most deprived). Recoded areas are on current codes; Cumbria and "
            "Northamptonshire stay 'Former UTLA' (no summary for their successors E06000061-64)."
        ),
        source_dataset="English Indices of Deprivation 2019, File 11: upper-tier LA summaries",
        publisher=_MHCLG,
        source_files=(IMD2019_UTLA, CURRENT, CROSSWALK),
        build=build_imd_utla_summary,
        period_column="year",
        key=("area_code",),
    ),
]
