"""Books built once per test session and shared by every test that reads a built book.

Three areas of different kinds: Worcestershire (a county with districts), Rutland (a small
unitary) and Halton (a unitary whose early help strategy is one of the reference documents),
plus four at the edges of the data (``BREADTH``).
They are built with the normal batch build into ``_build/test-books``; a file lock lets the
xdist workers share them, and an unchanged book (same data, templates and code) is reused, so
each book is built at most once per change. A fourth book, Worcestershire with the bundled
2013-2015 worked example as its local data (``--local-dir data/examples/E10000034``), is built
into ``_build/test-books/example``.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOKS = ROOT / "_build" / "test-books"
AREAS = {"E10000034": "Worcestershire", "E06000017": "Rutland", "E06000006": "Halton"}
# Areas at the edges of the data, built beside them: the smallest areas (City of London, Isles
# of Scilly, whose national figures are often merged with Hackney and Cornwall), a unitary
# created in 2023 (Cumberland) and a metropolitan district (Manchester).
BREADTH = {
    "E09000001": "City of London",
    "E06000053": "Isles of Scilly",
    "E06000063": "Cumberland",
    "E08000003": "Manchester",
}
ALL_AREAS = {**AREAS, **BREADTH}
EXAMPLE = BOOKS / "example"
EXAMPLE_DATA = ROOT / "data" / "examples" / "E10000034"


def built_books() -> Path:
    """The folder holding one built book per code of ``ALL_AREAS`` (built if missing or stale)."""
    from needsbook.build import BuildOptions
    from needsbook.build.batch import build_many

    BOOKS.mkdir(parents=True, exist_ok=True)
    with open(BOOKS.parent / "test-books.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        outcomes = build_many(
            list(ALL_AREAS), BuildOptions(area="", quiet=True), jobs=2, out_root=BOOKS
        )
        example = BuildOptions(area="", quiet=True, local_dir=EXAMPLE_DATA)
        outcomes += build_many(["E10000034"], example, jobs=1, out_root=EXAMPLE)
    failed = [f"{o.query}: {o.reason}" for o in outcomes if o.status == "failed"]
    if failed:
        raise RuntimeError("building the test books failed: " + "; ".join(failed))
    return BOOKS
