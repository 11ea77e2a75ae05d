"""End-to-end: building another year for one area keeps both books; the landing page links
both. Rutland: the session's 2025 book (tests/books.py) in a site, a single build of 2024 into
the same layout, then a batch that finds it unchanged; Worcestershire: the two books
tests/year_books.py builds (shared), put in a site."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from bs4 import BeautifulSoup

from needsbook.build import BuildOptions, pipeline
from needsbook.build.batch import build_many
from needsbook.build.fingerprint import read_stamp
from needsbook.cli import main
from needsbook.site.pages import refresh_pages

if TYPE_CHECKING:
    from tests.books import Books

pytestmark = pytest.mark.slow

RUTLAND = "E06000017"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_building_another_year_for_one_area_keeps_both_books_and_the_landing_page_links_both(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    books: Books,
) -> None:
    root = tmp_path / "html"
    monkeypatch.setattr(pipeline, "default_root", lambda: root)  # _build/html, kept apart
    latest = books / RUTLAND  # the session's Rutland book, built by a batch for 2025
    assert latest.name == "2025"
    book_2025 = root / RUTLAND / "2025"
    shutil.copytree(latest, book_2025)
    before = tree(book_2025)

    assert main(["build", "--area", "Rutland", "--year", "2024"]) == 0
    book_2024 = root / RUTLAND / "2024"
    said = "".join(capsys.readouterr().err.split())  # the console wraps long lines
    final = f"Built Rutland (2024): {book_2024 / 'index.html'}; landing page: {root / 'index.html'}"
    assert "".join(final.split()) in said
    assert tree(book_2025) == before  # the 2025 book is kept, byte for byte
    for year in (2024, 2025):
        stamp = read_stamp(root / RUTLAND / str(year))
        assert stamp is not None and (stamp["area_code"], stamp["year"]) == (RUTLAND, year)
        intro = (root / RUTLAND / str(year) / "book" / "intro.html").read_text()
        assert "Rutland" in intro and str(year) in intro

    area = BeautifulSoup((root / RUTLAND / "index.html").read_text(), "html.parser")
    rows = area.select("table.years tbody tr")
    assert [tr.th.text for tr in rows] == ["2025", "2024"]  # latest first
    assert [tr.select_one("a")["href"] for tr in rows] == ["2025/index.html", "2024/index.html"]
    for tr, year in zip(rows, (2025, 2024), strict=True):  # each year's data zip is linked
        assert f"{year}/downloads/{RUTLAND}-data.zip" in [a["href"] for a in tr.select("a")]

    landing = BeautifulSoup((root / "index.html").read_text(), "html.parser")
    (row,) = landing.select("#areas tbody tr")
    assert [(a["href"], a.text) for a in row.select("a")] == [
        (f"{RUTLAND}/index.html", "Rutland"),
        (f"{RUTLAND}/2025/index.html", "2025"),
        (f"{RUTLAND}/2024/index.html", "2024"),
    ]
    assert "for the data years 2024 and 2025" in landing.select_one("#coverage").text
    for href in (a["href"] for a in landing.select("a[href]")):  # every link resolves on disk
        assert href.startswith("#") or (root / href.split("#")[0]).is_file(), href

    built = tree(book_2024)
    again = build_many(["Rutland"], BuildOptions(area="", year=2024, quiet=True), out_root=root)
    assert [o.status for o in again] == ["skipped"]  # a batch keeps the single build's book
    assert tree(book_2024) == built and tree(book_2025) == before


def test_the_two_year_books_of_worcestershire_are_listed_and_linked(tmp_path: Path) -> None:
    from tests.year_books import AREA, year_books

    books = year_books()
    root = tmp_path / "site"
    for year, book in books.items():
        shutil.copytree(book, root / AREA / str(year))
    pages = refresh_pages(root)
    assert pages.warnings == [] and list(pages.area_pages) == [AREA]
    assert pages.landing is not None
    years = sorted(books, reverse=True)
    area = BeautifulSoup(pages.area_pages[AREA].read_text(), "html.parser")
    rows = area.select("table.years tbody tr")
    assert [tr.th.text for tr in rows] == [str(y) for y in years]
    landing = BeautifulSoup(pages.landing.read_text(), "html.parser")
    (row,) = landing.select("#areas tbody tr")
    assert [a["href"] for a in row.select("a")] == [
        f"{AREA}/index.html",
        *(f"{AREA}/{y}/index.html" for y in years),
    ]
    for href in (a["href"] for a in landing.select("a[href]")):
        assert href.startswith("#") or (root / href).is_file(), href
