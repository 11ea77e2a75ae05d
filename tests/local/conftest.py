"""Fixtures: the validated worked example and a throw-away copy of its folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from needsbook.local import LocalData, example_dir, load_local


@pytest.fixture(scope="session")
def example() -> LocalData:
    return load_local(example_dir(), "E10000034")


@pytest.fixture()
def example_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "E10000034"
    shutil.copytree(example_dir(), dest)
    return dest
