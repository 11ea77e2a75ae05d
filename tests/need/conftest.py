"""Fixtures for the deprivation and need tests: the snapshot they read (the committed one, or
``NEEDSBOOK_DATA_DIR`` when set) and chapters built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from needsbook.chapters import need
from needsbook.chapters.base import Chapter


@pytest.fixture(scope="session")
def snap(data_dir: Path) -> Path:
    """The data folder (holding ``snapshot/``) the tests read."""
    env = os.environ.get("NEEDSBOOK_DATA_DIR")
    folder = Path(env) if env else data_dir
    if not (folder / "snapshot" / "lsoa11_boundaries.parquet").is_file():
        pytest.skip(f"no boundary tables in {folder / 'snapshot'}: run `needsbook snapshot`")
    return folder


@pytest.fixture(scope="session")
def rutland(snap: Path) -> Chapter:
    return need.build("E06000017", 2024, snap)


@pytest.fixture(scope="session")
def worcestershire(snap: Path) -> Chapter:
    return need.build("E10000034", 2024, snap)
