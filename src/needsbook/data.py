"""Read snapshot tables (cached per process; the files are immutable once built)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from needsbook import paths
from needsbook.errors import DataError
from needsbook.messages import clip


@lru_cache(maxsize=64)
def _read(path: Path, mtime: float) -> pd.DataFrame:
    return pd.read_parquet(path)


def snapshot_key(data_dir: Path | str | None = None) -> tuple[str, int, int]:
    """Identifies one snapshot's content for in-process caches: its folder and its MANIFEST's
    modification time and size (``needsbook snapshot`` replaces both when it swaps tables)."""
    folder = paths.snapshot_dir(Path(data_dir) if data_dir else None)
    manifest = folder / "MANIFEST"
    if not folder.is_dir():
        raise DataError(
            f"no snapshot at {folder}: pass --data-dir with the folder holding snapshot/, "
            "or run `needsbook snapshot`"
        )
    stat = (manifest if manifest.is_file() else folder).stat()
    return str(folder.resolve()), stat.st_mtime_ns, stat.st_size


def load_table(name: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """A snapshot table by name, e.g. ``load_table("areas")``. Returns a copy."""
    path = paths.snapshot_dir(Path(data_dir) if data_dir else None) / f"{name}.parquet"
    if not path.is_file():
        raise DataError(
            f"snapshot table '{name}' not found at {path}; run `needsbook snapshot` "
            "to derive it, or pass --data-dir"
        )
    try:
        return _read(path, path.stat().st_mtime).copy()
    except Exception as exc:  # pyarrow raises its own types for damaged files
        raise DataError(
            f"snapshot table '{name}' at {path} cannot be read ({type(exc).__name__}: "
            f"{clip(exc, 120)}): the file is damaged or truncated; restore it (e.g. `git "
            "checkout data/snapshot`) or run `needsbook snapshot`"
        ) from exc


def load_table_or_none(name: str, data_dir: Path | str | None = None) -> pd.DataFrame | None:
    """:func:`load_table`, or None when the snapshot lacks the table or cannot read it (a data
    folder made before the table existed): for sections that then say the data is missing."""
    try:
        return load_table(name, data_dir)
    except DataError:
        return None
