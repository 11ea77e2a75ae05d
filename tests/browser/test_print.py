"""The print edition's HTML, laid out at the width of an A4 page's text (print media): no table,
figure, picture or code block is wider than the page, so nothing is clipped when it is printed;
every chart picture loads, offline, and has its text summary as alt text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from needsbook.report.edition import read_edition
from needsbook.report.pdf import chart_images, render_html
from tests.books import AREAS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CODES = ("E06000017", "E10000034")  # Rutland, Worcestershire
YEAR = 2025
# A4 is 210 mm wide; print.css leaves 16 mm each side: 178 mm of text at 96 CSS px per inch.
CONTENT_PX = round((210 - 16 - 16) / 25.4 * 96)
MEASURE = """() => {
  const right = document.documentElement.clientWidth;
  const name = el => el.tagName.toLowerCase()
    + (el.querySelector("caption, figcaption")
       ? ` "${el.querySelector("caption, figcaption").textContent.trim().slice(0, 60)}"` : "");
  const wide = [];
  for (const el of document.querySelectorAll("table, figure, img, pre, div.table, dl, ul, ol")) {
    const r = el.getBoundingClientRect();
    if (r.left < -0.5 || r.right > right + 0.5)
      wide.push(`${name(el)}: ${Math.round(r.left)}-${Math.round(r.right)} px, page ${right}`);
  }
  const imgs = [...document.querySelectorAll("img")].map(i => ({
    alt: i.getAttribute("alt") || "", loaded: i.complete && i.naturalWidth > 0}));
  return {wide, imgs, scroll: document.documentElement.scrollWidth, right,
          tables: document.querySelectorAll("table").length};
}"""


@pytest.fixture(scope="module")
def print_pages(books: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Each area's print HTML (as write_pdf prints it) and its edition."""
    folder = tmp_path_factory.mktemp("print-html")
    out = {}
    for code in CODES:
        edition = read_edition(books / code, area_name=AREAS[code], area_code=code, year=YEAR)
        path = folder / f"{code}.html"
        path.write_text(render_html(edition, chart_images(edition)), encoding="utf-8")
        out[code] = (path, edition)
    return out


@pytest.mark.parametrize("code", CODES)
def test_nothing_is_wider_than_an_a4_page(
    browser: Any, print_pages: dict[str, tuple], code: str
) -> None:
    path, edition = print_pages[code]
    context = browser.new_context(viewport={"width": CONTENT_PX, "height": 1123})
    requests: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            requests.append(url)
            route.abort()

    context.route("**/*", guard)
    try:
        page = context.new_page()
        page.emulate_media(media="print")
        page.goto(path.as_uri(), wait_until="load")
        seen = page.evaluate(MEASURE)
    finally:
        context.close()
    assert requests == []  # self-contained: nothing fetched
    assert seen["right"] == CONTENT_PX
    assert seen["wide"] == []
    assert seen["scroll"] <= seen["right"]
    assert seen["tables"] == len(edition.tables)
    assert len(seen["imgs"]) == len(edition.figures)
    for img, figure in zip(seen["imgs"], edition.figures, strict=True):
        assert img["loaded"], figure.caption
        assert img["alt"].strip() and img["alt"] == figure.chart.description
