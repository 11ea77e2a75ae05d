"""An area's page: every year built, latest first, each with its book and the downloads it
holds; written by needsbook (recognised as its own), escaped, never over a page of the user's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from needsbook.areas import Area
from needsbook.build import outdir
from needsbook.build.fingerprint import STAMP
from needsbook.errors import InputError
from needsbook.site import area_page

CODE = "E06000017"


def year_book(area: Path, year: int, downloads: tuple[str, ...] = (), version: str = "0.1.0"):
    book = area / str(year)
    (book / "downloads").mkdir(parents=True)
    (book / "index.html").write_text("<html></html>")
    for name in downloads:
        (book / "downloads" / name).write_bytes(b"x" * 250_000)
    stamp = {"area_code": area.name, "year": year, "needsbook": version}
    (book / STAMP).write_text(json.dumps(stamp))


def rows(page: Path) -> list[tuple[str, list[tuple[str, str]], str]]:
    soup = BeautifulSoup(page.read_text(), "html.parser")
    return [
        (
            tr.th.text,
            [(a["href"], " ".join(a.parent.text.split())) for a in tr.select("a")],
            tr.select("td")[-1].text,
        )
        for tr in soup.select("table.years tbody tr")
    ]


def test_every_year_latest_first_with_the_downloads_present(tmp_path: Path) -> None:
    area = tmp_path / CODE
    year_book(area, 2023, (f"{CODE}-data.zip",), version="0.0.9")
    year_book(
        area,
        2024,
        (
            f"{CODE}-2024-needs-assessment.pdf",
            f"{CODE}-2024-needs-assessment.docx",
            f"{CODE}-2024-at-a-glance.pdf",
            f"{CODE}-data.zip",
            f"{CODE}-2023-needs-assessment.pdf",  # another year's name: not this year's
        ),
    )
    (area / "2022").mkdir()  # no book in it: not listed
    page = area_page.write_area_page(area)
    assert page == area / "index.html" and outdir.is_landing(page)
    assert outdir.area_state(area)[0] == "foreign"  # because of the empty 2022 folder
    assert rows(page) == [
        (
            "2024",
            [
                ("2024/index.html", "Rutland 2024"),
                (
                    f"2024/downloads/{CODE}-2024-needs-assessment.pdf",
                    "The whole assessment (PDF), 0.2 MB",
                ),
                (
                    f"2024/downloads/{CODE}-2024-needs-assessment.docx",
                    "The whole assessment, editable (Word), 0.2 MB",
                ),
                (
                    f"2024/downloads/{CODE}-2024-at-a-glance.pdf",
                    "At a glance: four pages (PDF), 0.2 MB",
                ),
                (f"2024/downloads/{CODE}-data.zip", "All the data (zip of CSV files), 0.2 MB"),
            ],
            "needsbook 0.1.0",
        ),
        (
            "2023",
            [
                ("2023/index.html", "Rutland 2023"),
                (f"2023/downloads/{CODE}-data.zip", "All the data (zip of CSV files), 0.2 MB"),
            ],
            "needsbook 0.0.9",
        ),
    ]
    text = " ".join(BeautifulSoup(page.read_text(), "html.parser").header.text.split())
    assert "Rutland" in text and "East Midlands" in text and "2 data years built" in text


def test_the_page_links_the_landing_page_unless_that_is_someone_elses(tmp_path: Path) -> None:
    area = tmp_path / CODE
    year_book(area, 2024)
    assert 'href="../index.html"' in area_page.write_area_page(area).read_text()
    (tmp_path / "index.html").write_text("<p>the council's own site</p>")
    assert 'href="../index.html"' not in area_page.write_area_page(area).read_text()


def test_a_page_needsbook_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    area = tmp_path / CODE
    year_book(area, 2024)
    (area / "index.html").write_text("<p>notes</p>")
    with pytest.raises(InputError, match="not written by needsbook"):
        area_page.write_area_page(area)
    assert (area / "index.html").read_text() == "<p>notes</p>"


def test_the_area_page_is_ours_in_the_layout(tmp_path: Path) -> None:
    area = tmp_path / CODE
    year_book(area, 2024)
    area_page.write_area_page(area)
    assert outdir.area_state(area) == ("ours", "")
    assert sorted(p.name for p in area.iterdir()) == ["2024", "index.html"]


def test_hostile_names_are_text() -> None:
    evil = "<script>alert(1)</script>\"'&"
    html = area_page.render_area_page(
        CODE, evil, evil, evil, [area_page.YearBook(2024, evil, ())], landing=True
    )
    soup = BeautifulSoup(html, "html.parser")
    assert "<script>alert" not in html and soup.h1.text == evil
    assert soup.title.text.startswith(evil)
    assert not soup.select("body script")


def test_an_area_the_registry_does_not_know_is_listed_by_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import needsbook.areas

    def no_snapshot(_: object = None) -> list[Area]:
        raise FileNotFoundError("no snapshot")

    monkeypatch.setattr(needsbook.areas, "all_areas", no_snapshot)
    area = tmp_path / "E99999999"
    year_book(area, 2024)
    soup = BeautifulSoup(area_page.write_area_page(area).read_text(), "html.parser")
    assert soup.h1.text == "E99999999"
