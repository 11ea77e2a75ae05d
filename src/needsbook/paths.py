"""Where things live: the repo root, the committed snapshot and the shared raw data."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path:
    """The project root (the folder holding ``_config.yml``), found from this file or the cwd."""
    env = os.environ.get("NEEDSBOOK_ROOT")
    if env:
        return Path(env).resolve()
    for start in (PACKAGE_DIR, Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if (candidate / "_config.yml").is_file() and (candidate / "notebooks").is_dir():
                return candidate
    raise FileNotFoundError(
        "cannot find the needsbook project root (a folder with _config.yml and notebooks/); "
        "set NEEDSBOOK_ROOT"
    )


def default_data_dir() -> Path:
    """The folder holding ``snapshot/`` (the committed national snapshot)."""
    env = os.environ.get("NEEDSBOOK_DATA_DIR")
    return Path(env).resolve() if env else repo_root() / "data"


def snapshot_dir(data_dir: Path | None = None) -> Path:
    return (Path(data_dir) if data_dir else default_data_dir()) / "snapshot"


def default_raw_dir() -> Path:
    """The official open data the snapshot is derived from: ``../shared/data-raw``."""
    env = os.environ.get("NEEDSBOOK_RAW_DIR")
    return Path(env).resolve() if env else repo_root().parent / "shared" / "data-raw"


def expectations_dir() -> Path:
    return repo_root() / "expectations"
