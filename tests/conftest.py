"""Shared fixtures: the repo root, the committed snapshot, and a throw-away copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.books import Books

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT.parent / "shared" / "data-raw"


#: Fixtures that build books: a test using one is marked ``slow`` (left out of ``make test-fast``).
BOOK_FIXTURES = {"books", "site", "two_books"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_raw = pytest.mark.skip(reason=f"needs {RAW} beside the project")
    for item in items:
        if "needs_raw" in item.keywords and not RAW.is_dir():
            item.add_marker(skip_raw)
        if BOOK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return ROOT / "data"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the committed data folder (for corrupting tables)."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "snapshot", target / "snapshot")
    return target


@pytest.fixture(scope="session")
def books() -> Books:
    """Worcestershire, Rutland and Halton (and the worked example), built once per session
    (see tests/books.py): ``books / code`` is an area's book, ``books.root`` their site."""
    from tests.books import built_books

    return built_books()
