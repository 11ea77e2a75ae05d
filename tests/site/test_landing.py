"""The landing page: every area and every year built (from the books' stamps), what they cover,
offline, escaped, with an accessible map."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from needsbook.areas import Area
from needsbook.build.fingerprint import STAMP
from needsbook.site import landing
from needsbook.site.pages import refresh_pages
from tests.books import ALL_AREAS, Books

RAW_BOUNDARIES = Path(__file__).resolve().parents[2].parent / "shared" / "data-raw"


def fake_book(
    root: Path,
    code: str,
    year: int = 2024,
    stamp: bool = True,
    legacy: bool = False,
    stamp_year: int | None = None,
) -> Path:
    """A stamped book folder: ``<root>/<code>/<year>`` (``legacy``: ``<root>/<code>``)."""
    book = root / code if legacy else root / code / str(year)
    (book / "book" / "methods").mkdir(parents=True)
    (book / "index.html").write_text("<html></html>")
    if stamp:
        info = {"area_code": code, "year": stamp_year or year, "needsbook": "0.1.0"}
        (book / STAMP).write_text(json.dumps(info))
    return book


SQUARE = {"type": "Polygon", "coordinates": [[[-2, 52], [-1, 52], [-1, 53], [-2, 53], [-2, 52]]]}
ISLANDS = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[-1, 50], [0, 50], [0, 51], [-1, 51], [-1, 50]]],
        [[[1, 50], [1.5, 50], [1.5, 50.5], [1, 50]]],
    ],
}
FEATURES = [
    ("E10000034", "Worcestershire", SQUARE),
    ("E06000017", "Rutland", ISLANDS),
    ("E06000001", "Hartlepool", SQUARE),
]


def test_lists_every_year_of_every_stamped_book(tmp_path: Path) -> None:
    fake_book(tmp_path, "E10000034")
    fake_book(tmp_path, "E06000017", year=2023)
    fake_book(tmp_path, "E06000017", year=2024)
    fake_book(tmp_path, "E06000006", year=2022, legacy=True)  # published before years were kept
    fake_book(tmp_path, "E06000001", stamp=False)  # a half-copied folder: not a book
    fake_book(tmp_path, "E06000002", year=2021, stamp_year=2024)  # in the wrong year's folder
    (tmp_path / "logs").mkdir()
    books = landing.built_books(tmp_path)
    assert [(b.code, b.name, b.region_name, b.year, b.href) for b in books] == [
        ("E06000006", "Halton", "North West", 2022, "E06000006"),
        ("E06000017", "Rutland", "East Midlands", 2024, "E06000017/2024"),
        ("E06000017", "Rutland", "East Midlands", 2023, "E06000017/2023"),
        ("E10000034", "Worcestershire", "West Midlands", 2024, "E10000034/2024"),
    ]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BeautifulSoup:
    """Worcestershire 2024, Rutland 2023 and 2024, Halton's book of 2022 published before
    years were kept apart; the area pages and landing page written as after a build."""
    fake_book(tmp_path, "E10000034")
    fake_book(tmp_path, "E06000017", year=2023)
    fake_book(tmp_path, "E06000017", year=2024)
    fake_book(tmp_path, "E06000006", year=2022, legacy=True)
    monkeypatch.setattr(landing, "map_features", lambda *a, **k: FEATURES)
    pages = refresh_pages(tmp_path)
    assert pages.warnings == [] and sorted(pages.area_pages) == ["E06000017", "E10000034"]
    assert pages.landing == tmp_path / "index.html"
    return BeautifulSoup(pages.landing.read_text(), "html.parser")


def test_each_area_links_its_page_and_each_year_its_book(site: BeautifulSoup) -> None:
    rows = {tr["data-code"]: tr for tr in site.select("#areas tbody tr")}
    assert list(rows) == ["E06000006", "E06000017", "E10000034"]  # by name
    links = {c: [(a["href"], a.text) for a in tr.select("a")] for c, tr in rows.items()}
    assert links == {
        "E06000006": [("E06000006/index.html", "Halton"), ("E06000006/index.html", "2022")],
        "E06000017": [
            ("E06000017/index.html", "Rutland"),  # the area page: every year built
            ("E06000017/2024/index.html", "2024"),  # latest first
            ("E06000017/2023/index.html", "2023"),
        ],
        "E10000034": [
            ("E10000034/index.html", "Worcestershire"),
            ("E10000034/2024/index.html", "2024"),
        ],
    }
    assert rows["E06000017"]["data-region"] == "East Midlands"


def test_the_page_says_what_the_books_cover(site: BeautifulSoup) -> None:
    coverage = " ".join(site.select_one("#coverage").text.split())
    assert coverage.startswith(
        "4 books for 3 areas, for the data years 2022, 2023 and 2024, built with needsbook 0.1.0."
    )
    assert re.search(r"snapshot built on \d{4}-\d{2}-\d{2}\.$", coverage)
    assert site.select_one("#count").text == "3 areas"


def test_methods_and_sources_link_worcestershires_latest_book(site: BeautifulSoup) -> None:
    hrefs = [a["href"] for a in site.select("a")]
    assert "E10000034/2024/book/methods/index.html" in hrefs
    assert "E10000034/2024/book/data-sources.html" in hrefs


def test_search_and_region_filter_are_kept(site: BeautifulSoup) -> None:
    assert site.select_one('label[for="q"]') and site.select_one("input#q[type=search]")
    regions = [o["value"] for o in site.select("#region option")]
    assert regions == ["", "East Midlands", "North West", "West Midlands"]


def test_map_links_the_areas_with_a_book(site: BeautifulSoup) -> None:
    links = {a["data-code"]: (a["href"], a["aria-label"]) for a in site.select(".map a")}
    assert sorted(links) == ["E06000017", "E10000034"]  # Halton has no boundary here
    assert links["E06000017"][0] == "E06000017/index.html"
    assert links["E06000017"][1].startswith("Rutland: ")
    hartlepool = site.select_one('.map path[data-code="E06000001"]')
    assert hartlepool.parent.name == "g" and hartlepool.title.text.startswith("Hartlepool: ")
    assert "1 area(s) with a book have no boundary" in site.text


def test_the_page_is_self_contained(site: BeautifulSoup) -> None:
    page = str(site)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    scripts = site.select("script")
    assert [s.get("type") for s in scripts] == ["application/json", None]
    assert not [s for s in scripts if s.get("src")]
    assert site.select_one('meta[name="generator"]')["content"].startswith("needsbook ")


def test_hostile_area_names_are_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    evil = "</script><script>window.__pwned=1</script><img src=x onerror=alert(1)> \"&'"
    real = landing._registry(None)
    monkeypatch.setattr(
        landing,
        "_registry",
        lambda _d: {
            **real,
            "E06000017": Area(**{**vars(real["E06000017"]), "name": evil, "region_name": evil}),
        },
    )
    monkeypatch.setattr(landing, "map_features", lambda *a, **k: FEATURES)
    fake_book(tmp_path, "E06000017")
    page = landing.write_landing(tmp_path).read_text()
    soup = BeautifulSoup(page, "html.parser")
    assert "<script>window" not in page and "<img" not in page
    assert page.count("</script>") == 2  # the data and the script, nothing else closes
    assert soup.select_one("#areas tbody tr a").text == evil
    assert soup.select_one('.map a[data-code="E06000017"]')["aria-label"].startswith(evil)
    data = json.loads(soup.select_one("#map-data").string)
    assert evil in data["names"]  # as text, through the JSON escapes


def test_svg_paths_fit_the_box_and_keep_every_ring() -> None:
    paths, height = landing.svg_paths([("A", "a", SQUARE), ("B", "b", ISLANDS)], width=200)
    assert set(paths) == {"A", "B"} and height > 0
    assert paths["B"].count("M") == 2 and paths["A"].count("M") == 1
    numbers = [int(n) for n in re.findall(r"-?\d+", "".join(paths.values()))]
    assert min(numbers) >= 0 and max(numbers) <= max(200, height)


def test_no_books_gives_a_page_that_says_so(tmp_path: Path) -> None:
    page = landing.write_landing(tmp_path).read_text()
    assert "No books have been built yet" in page


@pytest.mark.skipif(
    not (RAW_BOUNDARIES / landing.RAW_BOUNDARIES).is_file(),
    reason="the raw boundary file (../shared/data-raw) is not beside the project",
)
def test_map_has_every_current_area(tmp_path: Path) -> None:
    features = landing.map_features()
    codes = {code for code, _, _ in features}
    assert len(codes) == 153
    assert {"E10000034", "E06000017", "E08000038", "E08000039"} <= codes  # current codes
    svg = landing.map_svg([], features)
    assert len(svg) < 400_000  # the map itself stays small


def test_module_command_writes_the_area_pages_and_the_landing_page(tmp_path: Path) -> None:
    fake_book(tmp_path, "E06000017")
    assert landing.main([str(tmp_path)]) == 0
    assert "Rutland" in (tmp_path / "index.html").read_text()
    assert 'href="2024/index.html"' in (tmp_path / "E06000017" / "index.html").read_text()


@pytest.mark.slow
def test_the_test_books_site_lists_and_links_every_test_book(books: Books) -> None:
    soup = BeautifulSoup((books.root / "index.html").read_text(), "html.parser")
    rows = {tr["data-code"]: tr for tr in soup.select("#areas tbody tr")}
    assert set(rows) == set(ALL_AREAS)  # the worked example's root beside them is not an area
    for code, tr in rows.items():
        hrefs = [a["href"] for a in tr.select("a")]
        book = (books / code).relative_to(books.root).as_posix()  # <code>/<year>
        assert hrefs[0] == f"{code}/index.html" and f"{book}/index.html" in hrefs
        page = BeautifulSoup((books.root / code / "index.html").read_text(), "html.parser")
        assert f"{book.split('/')[1]}/index.html" in [a["href"] for a in page.select("a")]
