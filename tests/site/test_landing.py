"""The landing page: lists the built books (from their stamps), offline, with an accessible map."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from needsbook.build.fingerprint import STAMP
from needsbook.site import landing

RAW_BOUNDARIES = Path(__file__).resolve().parents[2].parent / "shared" / "data-raw"


def fake_book(root: Path, code: str, year: int = 2024, stamp: bool = True) -> None:
    book = root / code
    (book / "book" / "methods").mkdir(parents=True)
    (book / "index.html").write_text("<html></html>")
    if stamp:
        (book / STAMP).write_text(json.dumps({"area_code": code, "year": year}))


SQUARE = {"type": "Polygon", "coordinates": [[[-2, 52], [-1, 52], [-1, 53], [-2, 53], [-2, 52]]]}
ISLANDS = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[-1, 50], [0, 50], [0, 51], [-1, 51], [-1, 50]]],
        [[[1, 50], [1.5, 50], [1.5, 50.5], [1, 50]]],
    ],
}


def test_lists_only_stamped_books_with_names_regions_and_years(tmp_path: Path) -> None:
    fake_book(tmp_path, "E10000034")
    fake_book(tmp_path, "E06000017", year=2023)
    fake_book(tmp_path, "E06000001", stamp=False)  # a half-copied folder: not a book
    (tmp_path / "logs").mkdir()
    books = landing.built_books(tmp_path)
    assert [(b.code, b.name, b.region_name, b.year) for b in books] == [
        ("E06000017", "Rutland", "East Midlands", 2023),
        ("E10000034", "Worcestershire", "West Midlands", 2024),
    ]


def test_page_links_each_book_and_the_methods_and_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_book(tmp_path, "E10000034")
    fake_book(tmp_path, "E06000017")
    monkeypatch.setattr(
        landing,
        "map_features",
        lambda *a, **k: [
            ("E10000034", "Worcestershire", SQUARE),
            ("E06000017", "Rutland", ISLANDS),
            ("E06000001", "Hartlepool", SQUARE),
        ],
    )
    out = landing.write_landing(tmp_path)
    assert out == tmp_path / "index.html"
    page = out.read_text()
    # the list: primary navigation, one link per book
    assert '<a href="E10000034/index.html">Worcestershire</a>' in page
    assert '<a href="E06000017/index.html">Rutland</a>' in page
    assert 'href="E10000034/book/methods/index.html"' in page
    assert 'href="E10000034/book/data-sources.html"' in page
    assert 'id="q"' in page and '<label for="q">' in page
    assert '<option value="East Midlands">' in page and '<option value="West Midlands">' in page
    assert "Data year: <strong>2024</strong>" in page
    assert re.search(r"snapshot built on <strong>\d{4}-\d{2}-\d{2}</strong>", page)
    # the map: every built area a named link; others only background
    links = re.findall(r'<a href="(E\d{8})/index.html" aria-label="([^"]+)"', page)
    assert sorted(links) == [("E06000017", "Rutland"), ("E10000034", "Worcestershire")]
    assert "Hartlepool" not in page
    assert "<title>Rutland</title>" in page
    # offline: nothing loaded from anywhere else
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert page.count("<script") == 1 and "<script src" not in page


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
    assert len(svg) < 400_000  # the whole landing page stays small


def test_module_command_writes_the_page(tmp_path: Path) -> None:
    fake_book(tmp_path, "E06000017")
    assert landing.main([str(tmp_path)]) == 0
    assert "Rutland" in (tmp_path / "index.html").read_text()
