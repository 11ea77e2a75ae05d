"""End-to-end: building 2023 and 2024 for one area keeps both books; the landing page links
both. Rutland: a single build into the default layout, then a batch into the same root;
Worcestershire: the two books tests/year_books.py builds (shared), put in a site."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from needsbook.build import BuildOptions, pipeline
from needsbook.build.batch import build_many
from needsbook.build.fingerprint import read_stamp
from needsbook.cli import main
from needsbook.site.pages import refresh_pages

pytestmark = pytest.mark.slow

RUTLAND = "E06000017"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_building_2023_and_2024_for_one_area_keeps_both_books_and_the_landing_page_links_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "html"
    monkeypatch.setattr(pipeline, "default_root", lambda: root)  # _build/html, kept apart
    assert main(["build", "--area", "Rutland", "--year", "2023"]) == 0
    book_2023 = root / RUTLAND / "2023"
    said = "".join(capsys.readouterr().err.split())  # the console wraps long lines
    final = f"Built Rutland (2023): {book_2023 / 'index.html'}; landing page: {root / 'index.html'}"
    assert "".join(final.split()) in said
    before = tree(book_2023)

    outcomes = build_many(["Rutland"], BuildOptions(area="", year=2024, quiet=True), out_root=root)
    assert [(o.status, o.out) for o in outcomes] == [("built", str(root / RUTLAND / "2024"))]
    assert tree(book_2023) == before  # the 2023 book is kept, byte for byte
    for year in (2023, 2024):
        stamp = read_stamp(root / RUTLAND / str(year))
        assert stamp is not None and (stamp["area_code"], stamp["year"]) == (RUTLAND, year)
        intro = (root / RUTLAND / str(year) / "book" / "intro.html").read_text()
        assert "Rutland" in intro and str(year) in intro

    area = BeautifulSoup((root / RUTLAND / "index.html").read_text(), "html.parser")
    rows = area.select("table.years tbody tr")
    assert [tr.th.text for tr in rows] == ["2024", "2023"]  # latest first
    assert [tr.select_one("a")["href"] for tr in rows] == ["2024/index.html", "2023/index.html"]
    for tr, year in zip(rows, (2024, 2023), strict=True):  # each year's data zip is linked
        assert f"{year}/downloads/{RUTLAND}-data.zip" in [a["href"] for a in tr.select("a")]

    landing = BeautifulSoup((root / "index.html").read_text(), "html.parser")
    (row,) = landing.select("#areas tbody tr")
    assert [(a["href"], a.text) for a in row.select("a")] == [
        (f"{RUTLAND}/index.html", "Rutland"),
        (f"{RUTLAND}/2024/index.html", "2024"),
        (f"{RUTLAND}/2023/index.html", "2023"),
    ]
    assert "for the data years 2023 and 2024" in landing.select_one("#coverage").text
    for href in (a["href"] for a in landing.select("a[href]")):  # every link resolves on disk
        assert href.startswith("#") or (root / href.split("#")[0]).is_file(), href

    again = build_many(["Rutland"], BuildOptions(area="", year=2023, quiet=True), out_root=root)
    assert [o.status for o in again] == ["skipped"]  # the kept book is that year's book
    assert tree(book_2023) == before


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
