"""Area lookups for fetched data, with or without the raw data folder.

``needsbook.snapshot.codes`` maps published codes to today's areas from three lookup files in
the raw data folder (``geography/lookups/utla_crosswalk_to_current_2025.csv``,
``geography/lookups/utla_england_current_2025.csv``, ``lookups/dfe_la_code_lookup.csv``). An
analyst who refreshes data may not have that folder, only the project with its snapshot.
:func:`lookup_dir` therefore returns the raw folder when it holds those files, and otherwise
writes the same three files - the columns ``codes`` reads - rebuilt from the snapshot's own
``areas``, ``area_districts`` and ``area_code_history`` tables, so that ``map_codes`` and
``resolve_areas`` give the same answers either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from needsbook.errors import DataError
from needsbook.snapshot.codes import CROSSWALK, CURRENT, DFE_LOOKUP, REGION_NAMES


@dataclass(frozen=True)
class AreaContext:
    """What the adapters need to put published codes on today's areas."""

    lookups: Path  # a folder ``needsbook.snapshot.codes`` can read
    areas: pd.DataFrame  # the snapshot ``areas`` table (153 current UTLAs)
    districts: pd.DataFrame  # the snapshot ``area_districts`` table


def _has_lookups(folder: Path | None) -> bool:
    return folder is not None and all((folder / f).is_file() for f in (CROSSWALK, CURRENT))


def _snapshot_table(snapshot_dir: Path, name: str) -> pd.DataFrame | None:
    path = snapshot_dir / f"{name}.parquet"
    return pd.read_parquet(path) if path.is_file() else None


def write_lookups_from_snapshot(snapshot_dir: Path, out_dir: Path) -> Path:
    """Write the three lookup files ``codes`` reads, rebuilt from snapshot tables; returns
    ``out_dir``. Raises :class:`DataError` if the snapshot lacks ``areas`` or its history."""
    areas = _snapshot_table(snapshot_dir, "areas")
    history = _snapshot_table(snapshot_dir, "area_code_history")
    districts = _snapshot_table(snapshot_dir, "area_districts")
    if areas is None or history is None:
        raise DataError(
            f"cannot map area codes: neither the raw data folder nor the snapshot tables "
            f"'areas' and 'area_code_history' in {snapshot_dir} are available"
        )
    lads = (
        districts.groupby("area_code")["district_code"].agg(";".join)
        if districts is not None
        else pd.Series(dtype="str")
    )
    current = pd.DataFrame(
        {
            "UTLACD": areas["area_code"],
            "UTLANM": areas["area_name"],
            "DFE_LA_CODE": areas["dfe_la_code"].astype("Int64").astype("str"),
            "UTLA_TYPE": areas["area_kind"],
            "RGNCD": areas["region_code"],
            "RGNNM": areas["region_code"].map(REGION_NAMES),
            "n_lads": areas["n_districts"].astype("Int64").astype("str"),
            "lad_codes": areas["area_code"].map(lads),
        }
    )
    crosswalk = history.reindex(
        columns=[
            "old_code",
            "old_name",
            "old_dfe_la_code",
            "change_date",
            "relationship",
            "new_code",
            "new_name",
            "new_dfe_la_code",
            "notes",
        ]
    )
    old = history[["old_dfe_la_code", "old_code", "old_name", "change_date"]].dropna(
        subset=["old_dfe_la_code"]
    )
    dfe = pd.concat(
        [
            pd.DataFrame(
                {
                    "old_la_code": old["old_dfe_la_code"],
                    "new_la_code": old["old_code"],
                    "la_name": old["old_name"],
                    "last_year": old["change_date"].str[:4],
                }
            ),
            pd.DataFrame(
                {
                    "old_la_code": areas["dfe_la_code"].astype("Int64").astype("str"),
                    "new_la_code": areas["area_code"],
                    "la_name": areas["area_name"],
                    "last_year": "9999",
                }
            ),
        ],
        ignore_index=True,
    )
    dfe = dfe[dfe["old_la_code"].str.fullmatch(r"\d+", na=False)]
    for rel, frame in ((CURRENT, current), (CROSSWALK, crosswalk), (DFE_LOOKUP, dfe)):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
    return out_dir


def lookup_dir(raw_dir: Path | None, snapshot_dir: Path, work_dir: Path) -> Path:
    """The raw data folder if it has the lookups, else lookups rebuilt from the snapshot
    under ``work_dir`` (see the module docstring)."""
    if _has_lookups(raw_dir):
        return Path(raw_dir)  # type: ignore[arg-type]
    return write_lookups_from_snapshot(snapshot_dir, Path(work_dir) / "lookups-from-snapshot")


def area_context(raw_dir: Path | None, snapshot_dir: Path, work_dir: Path) -> AreaContext:
    """Lookups plus the current areas and districts (from the snapshot, else the raw data)."""
    lookups = lookup_dir(raw_dir, snapshot_dir, work_dir)
    areas = _snapshot_table(snapshot_dir, "areas")
    districts = _snapshot_table(snapshot_dir, "area_districts")
    if areas is None or districts is None:
        if not _has_lookups(raw_dir):
            raise DataError(
                f"no snapshot at {snapshot_dir} and no raw data folder: cannot tell which "
                "areas are current (run `needsbook snapshot` first)"
            )
        from needsbook.snapshot.geography import build_area_districts, build_areas

        areas = build_areas(Path(raw_dir))  # type: ignore[arg-type]
        districts = build_area_districts(Path(raw_dir))  # type: ignore[arg-type]
    return AreaContext(lookups=lookups, areas=areas, districts=districts)
