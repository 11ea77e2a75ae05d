"""Fixtures for the deprivation and need tests: the snapshot they read (the committed one, or
``NEEDSBOOK_DATA_DIR`` when set) and chapters built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from need_helpers import LATEST

from needsbook.chapters import need
from needsbook.chapters.base import Chapter
from needsbook.need.estimate import NeedEstimate


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


@pytest.fixture(scope="session")
def every_estimate(snap: Path) -> dict[str, NeedEstimate]:
    """The default model's need estimate for each of England's 153 areas in ``LATEST``,
    worked out once for every all-areas check."""
    from needsbook.data import load_table
    from needsbook.need import estimate_need

    codes = load_table("areas", snap)["area_code"]
    return {code: estimate_need(code, LATEST, snap) for code in codes}
