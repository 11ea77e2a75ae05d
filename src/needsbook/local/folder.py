"""Where an area's local service data lives: ``--local-dir`` or ``data/local/<area code>/``."""

from __future__ import annotations

from pathlib import Path

from needsbook import paths
from needsbook.errors import InputError


def local_folder(
    area_code: str, local_dir: str | Path | None = None, data_dir: str | Path | None = None
) -> Path | None:
    """The folder holding the area's local CSVs, or None when the area has none.

    ``local_dir`` (when given) is either the folder of CSVs itself or a folder holding one
    sub-folder per area code; it must exist. Without it, ``<data dir>/local/<area code>/`` is
    used when present.
    """
    if local_dir:
        folder = Path(local_dir)
        if not folder.is_dir():
            raise InputError(f"--local-dir {folder}: folder does not exist")
        per_area = folder / area_code
        return per_area if per_area.is_dir() else folder
    base = Path(data_dir) if data_dir else paths.default_data_dir()
    default = base / "local" / area_code
    return default if default.is_dir() else None
