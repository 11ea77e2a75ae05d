"""The published site in headless Chromium: charts draw, nothing errors or leaves the machine,
links and downloads resolve, and axe-core finds no serious or critical WCAG 2.1 AA violation."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from needsbook.build.chapters import CHAPTERS, STATIC_PAGES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AREAS = ("E10000034", "E06000017")  # as built by the `site` fixture (conftest.py)
CHART_TIMEOUT_MS = 30_000
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('div[id^="altair-viz-"]')];
  return charts.every(c => c.querySelector("svg, canvas"));
}"""


def book_pages(code: str) -> list[str]:
    return [
        f"{code}/index.html",
        *(f"{code}/{p}" for p in STATIC_PAGES),
        *(f"{code}/{c.html}" for c in CHAPTERS),
    ]


def visit(page: Any, url: str) -> None:
    """Open a page and wait until every chart container has drawn its SVG or canvas."""
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    page.wait_for_function(CHARTS_DRAWN, timeout=CHART_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # only ever the local server
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.mark.parametrize("code", AREAS)
def test_every_page_renders_offline_without_errors(
    code: str, page: tuple[Any, Any], server: str
) -> None:
    pg, watch = page
    problems = []
    for path in book_pages(code):
        watch.clear()
        visit(pg, server + path)
        problems += [f"{path}: {p}" for p in watch.problems()]
    assert problems == []


@pytest.mark.parametrize("code", AREAS)
@pytest.mark.parametrize("chapter", [c.slug for c in CHAPTERS])
def test_every_chart_container_draws_svg_or_canvas(
    code: str, chapter: str, page: tuple[Any, Any], server: str
) -> None:
    pg, watch = page
    visit(pg, f"{server}{code}/notebooks/{chapter}.html")
    counts = pg.evaluate(
        """() => {
      const charts = [...document.querySelectorAll('div[id^="altair-viz-"]')];
      return {charts: charts.length,
              drawn: charts.filter(c => c.querySelector("svg, canvas")).length,
              marks: charts.filter(c => c.querySelector("svg .mark-rect, svg .mark-line,"
                 + " svg .mark-symbol, svg .mark-shape, svg .mark-tick, svg .mark-text,"
                 + " svg .mark-rule, svg .mark-area, canvas")).length};
    }"""
    )
    assert counts["charts"] > 0
    assert counts["drawn"] == counts["charts"]
    assert counts["marks"] == counts["charts"]  # drawn with data marks, not an empty frame
    assert watch.problems() == []


@pytest.mark.parametrize("code", AREAS)
def test_navigation_links_resolve(code: str, page: tuple[Any, Any], server: str) -> None:
    pg, _ = page
    checked: dict[str, int] = {}
    broken = []
    for path in book_pages(code):
        visit(pg, server + path)
        hrefs = pg.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert any("notebooks/" in h for h in hrefs), f"{path} has no link to a chapter"
        for href in hrefs:
            url = urldefrag(urljoin(pg.url, href)).url
            if urlparse(url).netloc != urlparse(server).netloc:
                continue  # an external link (e.g. the licence): not followed offline
            if url not in checked:
                checked[url] = status(url)
            if checked[url] != 200:
                broken.append(f"{path} -> {href} ({checked[url]})")
    assert len(checked) > 10
    assert broken == []


@pytest.mark.parametrize("code", AREAS)
def test_downloads_exist_and_the_zip_holds_data_and_notebooks(
    code: str, page: tuple[Any, Any], server: str, site: Path
) -> None:
    pg, watch = page
    zip_url = None
    for chapter in CHAPTERS:
        visit(pg, f"{server}{code}/{chapter.html}")
        links = pg.eval_on_selector_all(
            "a[href*='downloads/']", "els => els.map(e => [e.href, e.textContent.trim()])"
        )
        tables = pg.locator("details.needsbook-table").count()
        csvs = [h for h, _ in links if h.endswith(".csv")]
        assert len(csvs) >= tables > 0, chapter.slug
        for href, text in links:
            assert text.startswith("Download"), href
            assert status(href) == 200, href
        zip_url = next(h for h, _ in links if h.endswith("-data.zip"))
    # the browser really downloads a CSV when the link is clicked
    with pg.expect_download() as info:
        pg.locator("a[download][href*='downloads/'][href$='.csv']").first.click()
    saved = Path(info.value.path())
    assert saved.read_bytes().startswith(b"area_code,section,")
    with urllib.request.urlopen(zip_url, timeout=10) as r:
        data = r.read()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
    assert "README.txt" in names
    assert {f"notebooks/{c.slug}.ipynb" for c in CHAPTERS} <= names
    on_disk = {p.name for p in (site / code / "downloads").glob("*.csv")}
    assert on_disk and {f"data/{n}" for n in on_disk} <= names
    assert watch.problems() == []


def test_landing_page_lists_filters_and_maps_the_books(page: tuple[Any, Any], server: str) -> None:
    pg, watch = page
    visit(pg, server + "index.html")
    rows = pg.locator("#areas tbody tr")
    assert rows.count() == len(AREAS)
    list_links = pg.eval_on_selector_all("#areas a", "els => els.map(e => e.getAttribute('href'))")
    assert sorted(list_links) == sorted(f"{c}/index.html" for c in AREAS)
    pg.fill("#q", "rutl")
    assert pg.locator("#areas tbody tr:not([hidden])").all_inner_texts()[0].startswith("Rutland")
    assert pg.locator("#areas tbody tr:not([hidden])").count() == 1
    assert "1 of 2" in pg.inner_text("#count")
    pg.fill("#q", "")
    pg.select_option("#region", "West Midlands")
    visible = pg.locator("#areas tbody tr:not([hidden])")
    assert visible.count() == 1 and "Worcestershire" in visible.inner_text()
    pg.select_option("#region", "")
    assert pg.locator("#areas tbody tr:not([hidden])").count() == len(AREAS)
    # the map: each book a focusable link with a text name
    map_links = pg.eval_on_selector_all(
        ".map a", "els => els.map(e => [e.getAttribute('href'), e.getAttribute('aria-label')])"
    )
    if map_links:  # drawn when boundaries are available (snapshot table or raw file)
        assert sorted(map_links) == [
            ["E06000017/index.html", "Rutland"],
            ["E10000034/index.html", "Worcestershire"],
        ]
        pg.locator('.map a[href="E06000017/index.html"]').click()
        pg.wait_for_url("**/E06000017/book/intro.html")  # the book's index redirects there
        assert "Rutland" in pg.title()
    for href in list_links + pg.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        url = urljoin(server, href)
        if urlparse(url).netloc == urlparse(server).netloc:
            assert status(url) == 200, href
    assert watch.problems() == []


def axe_targets() -> list[tuple[str, str]]:
    targets = [("landing", "index.html")]
    for code in AREAS:
        targets += [
            (f"{code} intro", f"{code}/book/intro.html"),
            (f"{code} methods", f"{code}/book/methods/index.html"),
            (f"{code} data sources", f"{code}/book/data-sources.html"),
            *((f"{code} {c.slug}", f"{code}/{c.html}") for c in CHAPTERS),
        ]
    return targets


@pytest.mark.parametrize(("name", "path"), axe_targets(), ids=[t[0] for t in axe_targets()])
def test_axe_finds_no_serious_wcag21_aa_violation(
    name: str, path: str, page: tuple[Any, Any], server: str, axe_source: str
) -> None:
    pg, watch = page
    visit(pg, server + path)
    pg.add_script_tag(content=axe_source)
    violations = pg.evaluate(
        """async (tags) => {
      const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""",
        WCAG_21_AA,
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"{path}:\n" + json.dumps(blocking, indent=1)
    assert watch.problems() == []
