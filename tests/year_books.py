"""Worcestershire's books for two data years, built once and shared by the tests that compare
them (the "what changed" chapter against the two books' own tables).

They are built into ``_build/test-books-years/E10000034/<year>`` with the normal build; a file
lock lets xdist workers share them, and an unchanged book (same data, templates and code: the
build's fingerprint) is reused, so each is built at most once per change.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEARS = ROOT / "_build" / "test-books-years"
AREA = "E10000034"
#: The data years built: the earlier is the one the later book's "what changed" chapter
#: compares with by default.
BOOK_YEARS = (2023, 2024)


def year_books() -> dict[int, Path]:
    """Year -> the built Worcestershire book for that data year (built if missing or stale)."""
    from needsbook.build import BuildOptions, build_area

    YEARS.mkdir(parents=True, exist_ok=True)
    books = {y: YEARS / AREA / str(y) for y in BOOK_YEARS}
    with open(YEARS.parent / "test-books-years.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for year, out in books.items():
            build_area(BuildOptions(area=AREA, year=year, out=out, quiet=True))
    return books
