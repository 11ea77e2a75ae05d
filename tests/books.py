"""Books built once per test session and shared by every test that reads a built book.

Three areas of different kinds: Worcestershire (a county with districts), Rutland (a small
unitary) and Halton (a unitary whose early help strategy is one of the reference documents),
plus four at the edges of the data (``BREADTH``).
They are built with the normal batch build into ``_build/test-books`` (the site layout:
``<code>/<year>/`` per book, an area page per code and the landing page); a file lock lets the
xdist workers share them, and an unchanged book (same data, templates and code) is reused, so
each book is built at most once per change. A fourth book, Worcestershire with the bundled
2013-2015 worked example as its local data (``--local-dir data/examples/E10000034``), is built
into ``_build/test-books/example``.

Tests reach a book as ``books / code`` (:class:`Books`): the folder of that area's book.
"""

from __future__ import annotations

import datetime
import fcntl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from needsbook.build.batch import AreaOutcome

ROOT = Path(__file__).resolve().parents[1]
BOOKS_ROOT = ROOT / "_build" / "test-books"
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
EXAMPLE_DATA = ROOT / "data" / "examples" / "E10000034"
#: The PDF, Word and at-a-glance editions, made by the build for the books whose editions
#: are tested (each edition takes longer than the book): all three for Worcestershire and
#: Rutland, the at-a-glance PDF for Halton; none for the areas at the edges of the data.
EDITIONS = ("--pdf", "--docx", "--summary-pdf")
EDITIONS_BY_AREA = {"E10000034": EDITIONS, "E06000017": EDITIONS, "E06000006": ("--summary-pdf",)}


def built_on(book: Path) -> datetime.date:
    """The day ``book`` was built (its stamp's date; the editions print it)."""
    from needsbook.build.fingerprint import read_stamp

    stamp = read_stamp(book) or {}
    return datetime.date.fromisoformat(stamp["built"])


def edition_file(book: Path, suffix: str) -> Path:
    """A book's edition file, e.g. ``edition_file(books / code, "needs-assessment.pdf")``."""
    code, year = book.parent.name, book.name
    return book / "downloads" / f"{code}-{year}-{suffix}"


@dataclass(frozen=True)
class Books:
    """A root of books in the site layout. ``books / code`` is the folder of that area's book,
    ``<root>/<code>/<year>`` (the year it was built for, else the latest year built there);
    ``books.root`` is the root (its ``index.html`` is the landing page)."""

    root: Path
    years: Mapping[str, int] = field(default_factory=dict)

    def __truediv__(self, code: str) -> Path:
        year = self.years.get(code)
        if year is None:
            from needsbook.build.outdir import year_books

            built = year_books(self.root / code)  # latest first
            if not built:
                raise FileNotFoundError(f"no book of {code} has been built in {self.root}")
            return built[0]
        return self.root / code / str(year)


BOOKS = Books(BOOKS_ROOT)
EXAMPLE = Books(BOOKS_ROOT / "example")


def _years(outcomes: list[AreaOutcome]) -> dict[str, int]:
    return {o.area_code: int(Path(o.out).name) for o in outcomes if o.status != "failed"}


def built_books() -> Books:
    """The books of every code of ``ALL_AREAS`` (built if missing or stale)."""
    from needsbook.build import BuildOptions
    from needsbook.build.batch import build_many

    BOOKS_ROOT.mkdir(parents=True, exist_ok=True)
    groups: dict[tuple[str, ...], list[str]] = {}
    for code in ALL_AREAS:
        groups.setdefault(EDITIONS_BY_AREA.get(code, ()), []).append(code)
    with open(BOOKS_ROOT.parent / "test-books.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        outcomes = []
        for editions, codes in groups.items():
            options = BuildOptions(area="", quiet=True, editions=editions)
            outcomes += build_many(codes, options, jobs=2, out_root=BOOKS_ROOT)
        example = BuildOptions(area="", quiet=True, local_dir=EXAMPLE_DATA)
        examples = build_many(["E10000034"], example, jobs=1, out_root=EXAMPLE.root)
    failed = [f"{o.query}: {o.reason}" for o in outcomes + examples if o.status == "failed"]
    if failed:
        raise RuntimeError("building the test books failed: " + "; ".join(failed))
    return Books(BOOKS_ROOT, _years(outcomes))
