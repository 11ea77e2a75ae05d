"""Shared fixtures: the repo root, the committed snapshot, and a throw-away copy of it; the
order tests run in, and (``--prebuild-books``) the shared test books built while they run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.books import Books

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT.parent / "shared" / "data-raw"


#: Fixtures that build books: a test using one is marked ``slow`` (left out of ``make test-fast``).
BOOK_FIXTURES = {"books", "site", "two_books"}
#: The shared books (tests/books.py, tests/year_books.py), built by one process beside the tests.
PREBUILD = (
    "from tests.books import built_books; from tests.year_books import year_books; "
    "built_books(); year_books()"
)
PREBUILD_LOG = ROOT / "_build" / "test-books-prebuild.log"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--prebuild-books",
        action="store_true",
        help="build the shared test books in a process of their own from the start of the "
        "session (make test), while the tests that do not read them run first",
    )


def pytest_configure(config: pytest.Config) -> None:
    """With ``--prebuild-books``, the controlling process (xdist's, or the only one) starts
    the shared books' build; each test that reads them waits on the books' file lock."""
    if not config.getoption("prebuild_books") or hasattr(config, "workerinput"):
        return
    PREBUILD_LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(PREBUILD_LOG, "w") as log:
        config._needsbook_prebuild = subprocess.Popen(  # type: ignore[attr-defined]
            [sys.executable, "-c", PREBUILD],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the books' build if no test waited for it (a run that selected none)."""
    proc: subprocess.Popen[bytes] | None = getattr(config, "_needsbook_prebuild", None)
    if proc is not None and proc.poll() is None:
        proc.terminate()  # the build removes its staging folders and exits
        proc.wait()


def _reads_books(item: pytest.Item) -> bool:
    return bool(BOOK_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that need ../shared/data-raw or the shared books; run the modules that
    read the shared books last (the browser checks, the longest, first among them), so the
    other tests run while the books are built."""
    skip_raw = pytest.mark.skip(reason=f"needs {RAW} beside the project")
    late: set[Path] = set()
    for item in items:
        if "needs_raw" in item.keywords and not RAW.is_dir():
            item.add_marker(skip_raw)
        if _reads_books(item):
            item.add_marker(pytest.mark.slow)
            late.add(item.path)
    browser = ROOT / "tests" / "browser"

    def order(item: pytest.Item) -> tuple[bool, bool]:
        reads = item.path in late
        return reads, reads and not item.path.is_relative_to(browser)

    items.sort(key=order)


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
