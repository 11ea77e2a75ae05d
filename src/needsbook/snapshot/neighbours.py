"""Snapshot table of DfE children's services statistical neighbours (2025 and 2021 models).

Each LA has up to 10 neighbours, ranked 1 (closest) to 10, with DfE's closeness band. DfE LA
numbers are put on ONS codes with ``codes.dfe_number_map`` and then on current codes with
``codes.map_codes``. The workbooks' "Old SNs" rows (neighbours computed for LAs that no longer
exist: old Dorset, Poole, Bournemouth, Northamptonshire, and Cumbria in the 2025 file) are kept
with ``area_type`` "Former UTLA". In the 2021 model Cumberland and Westmorland and Furness have no
neighbours (DfE printed "-"), so they have no rows; Cumbria has them instead.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.snapshot.codes import (
    CROSSWALK,
    CURRENT,
    DFE_LOOKUP,
    current_areas,
    dfe_number_map,
    map_codes,
)
from needsbook.snapshot.spec import TableSpec

MODELS = {
    "2025": "dfe_lait/statistical_neighbours_2025.csv",
    "2021": "dfe_lait/statistical_neighbours_2021.csv",
}
CLOSENESS = ("Extremely close", "Very close", "Close", "Somewhat close", "Not close")
COLUMNS = [
    "model",
    "area_code",
    "area_name",
    "area_type",
    "dfe_la_code",
    "rank",
    "neighbour_code",
    "neighbour_dfe_la_code",
    "neighbour_name",
    "neighbour_area_type",
    "closeness",
]


def _read_model(raw_dir: Path, path: str) -> pd.DataFrame:
    """Long (LA, rank, neighbour number, closeness) rows of one model; '-' rows dropped."""
    df = pd.read_csv(raw_dir / path, dtype=str)
    df = df[df["LA num"].notna() & df["LA num"].str.fullmatch(r"\d+")]
    if not df["LA num"].equals(df["LA number"]):
        raise ValueError(f"{path}: 'LA num' and 'LA number' disagree")
    rows = []
    for r in df.itertuples(index=False):
        rec = r._asdict()
        for rank in range(1, 11):
            num, close = rec[f"SN{rank}"], rec[f"SN{rank}_closeness"]
            if pd.isna(num) or num.strip() == "-":
                continue
            rows.append((int(r[0]), r[1], rank, int(num), str(close).strip()))
    return pd.DataFrame(rows, columns=["dfe", "name", "rank", "sn_dfe", "closeness"])


def build_statistical_neighbours(raw_dir: Path) -> pd.DataFrame:
    """Both DfE statistical-neighbour models, long: one row per LA x neighbour rank."""
    raw_dir = Path(raw_dir)
    numbers = dfe_number_map(raw_dir)
    cur = current_areas(raw_dir)
    names = dict(zip(cur["UTLACD"], cur["UTLANM"], strict=True))
    frames = []
    for model, path in MODELS.items():
        long = _read_model(raw_dir, path)
        file_names = dict(zip(long["dfe"], long["name"].str.replace(" (Pre LG)", ""), strict=False))
        unknown = set(long["dfe"]).union(long["sn_dfe"]) - set(numbers)
        if unknown:
            raise ValueError(f"{path}: DfE LA numbers with no ONS code: {sorted(unknown)}")
        area = map_codes(long["dfe"].map(numbers), raw_dir)
        nb = map_codes(long["sn_dfe"].map(numbers), raw_dir)
        if area["area_type"].isna().any() or nb["area_type"].isna().any():
            raise ValueError(f"{path}: LA codes that map to no area")
        closeness = long["closeness"].str.capitalize()
        if not closeness.isin(CLOSENESS).all():
            raise ValueError(f"{path}: unknown closeness {sorted(set(closeness) - set(CLOSENESS))}")
        frames.append(
            pd.DataFrame(
                {
                    "model": model,
                    "area_code": area["area_code"],
                    "area_name": area["area_code"].map(names).fillna(long["dfe"].map(file_names)),
                    "area_type": area["area_type"],
                    "dfe_la_code": long["dfe"],
                    "rank": long["rank"],
                    "neighbour_code": nb["area_code"],
                    "neighbour_dfe_la_code": long["sn_dfe"],
                    "neighbour_name": nb["area_code"]
                    .map(names)
                    .fillna(long["sn_dfe"].map(file_names)),
                    "neighbour_area_type": nb["area_type"],
                    "closeness": closeness,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    for col in ("dfe_la_code", "rank", "neighbour_dfe_la_code"):
        out[col] = out[col].astype("Int64")
    for col in COLUMNS:
        if str(out[col].dtype) != "Int64":
            out[col] = out[col].astype("str")
    # Newest model first, then by area and rank.
    out = out.sort_values(["model", "area_code", "rank"], ascending=[False, True, True])
    return out[COLUMNS].reset_index(drop=True)


def missing_neighbours(df: pd.DataFrame, raw_dir: Path) -> dict[str, list[str]]:
    """Current UTLAs with fewer than 10 neighbours, per model."""
    codes = set(current_areas(Path(raw_dir))["UTLACD"])
    out = {}
    for model, grp in df.groupby("model"):
        n = grp[grp["area_type"].eq("UTLA")].groupby("area_code").size()
        out[str(model)] = sorted(c for c in codes if n.get(c, 0) < 10)
    return out


TABLES = [
    TableSpec(
        name="statistical_neighbours",
        description=(
            "DfE Children's Services Statistical Neighbour Benchmarking Tool: the 10 nearest "
            "neighbours of each LA (rank 1 = closest) with DfE's closeness band, for the May 2025 "
            "and April 2021 models, on current ONS codes. Former LAs' neighbour lists ('Old SNs') "
            "are kept as 'Former UTLA'. In the 2021 model Cumberland and Westmorland and Furness "
            "have no neighbours (Cumbria has), and neighbours may be Cumbria (a former UTLA)."
        ),
        source_dataset="DfE Children's Services Statistical Neighbour Benchmarking Tool (via LAIT)",
        publisher="Department for Education",
        source_files=(*MODELS.values(), DFE_LOOKUP, CURRENT, CROSSWALK),
        build=build_statistical_neighbours,
        period_column="model",
        key=("model", "area_code", "rank"),
    ),
]
