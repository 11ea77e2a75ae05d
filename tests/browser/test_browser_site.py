"""The published site in headless Chromium: charts draw, nothing errors or leaves the machine,
links and downloads resolve, the landing page's map follows the indicator picked, and axe-core
finds no serious or critical WCAG 2.1 AA violation.

The site is in the area/year layout: ``<code>/<year>/`` per book, ``<code>/index.html`` per
area and the landing page ``index.html``."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from needsbook.build.chapters import CHAPTERS, STATIC_PAGES
from needsbook.build.outdir import year_books
from needsbook.site import choropleth
from tests.books import ALL_AREAS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AREAS = ("E10000034", "E06000017")  # the books whose every page is checked
SITE_AREAS = ALL_AREAS  # every book on the site (the shared test books, tests/books.py)
CHART_TIMEOUT_MS = 30_000
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('div[id^="altair-viz-"]')];
  return charts.every(c => c.querySelector("svg, canvas"));
}"""


def book(site: Path, code: str) -> str:
    """The site path of the area's (latest) book: ``<code>/<year>``."""
    (latest, *_) = year_books(site / code)
    return f"{code}/{latest.name}"


def book_pages(prefix: str) -> list[str]:
    return [
        f"{prefix}/index.html",
        *(f"{prefix}/{p}" for p in STATIC_PAGES),
        *(f"{prefix}/{c.html}" for c in CHAPTERS),
    ]


def visit(page: Any, url: str) -> None:
    """Open a page and wait until every chart container has drawn its SVG or canvas."""
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    page.wait_for_function(CHARTS_DRAWN, timeout=CHART_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")


@dataclass
class Seen:
    """What one visit to a page found: its problems, its links (absolute, as the browser
    resolved them) and its downloads (href, link text), and how many data tables it has."""

    url: str
    problems: list[str]
    hrefs: list[str]
    downloads: list[tuple[str, str]]
    tables: int


_TOURS: dict[str, dict[str, Seen]] = {}


def tour(code: str, page: tuple[Any, Any], server: str, site: Path) -> dict[str, Seen]:
    """Every page of the area's book (and its area page), each visited once per session:
    the tests that read pages (errors, links, downloads) assert on the same visits."""
    if code not in _TOURS:
        pg, watch = page
        seen = {}
        for path in [f"{code}/index.html", *book_pages(book(site, code))]:
            watch.clear()
            visit(pg, server + path)
            seen[path] = Seen(
                url=pg.url,
                problems=watch.problems(),
                hrefs=pg.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"),
                downloads=[
                    (h, t)
                    for h, t in pg.eval_on_selector_all(
                        "a[href*='downloads/']",
                        "els => els.map(e => [e.href, e.textContent.trim()])",
                    )
                ],
                tables=pg.locator("details.needsbook-table").count(),
            )
        watch.clear()
        _TOURS[code] = seen
    return _TOURS[code]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # only ever the local server
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.mark.parametrize("code", AREAS)
def test_every_page_renders_offline_without_errors(
    code: str, page: tuple[Any, Any], server: str, site: Path
) -> None:
    seen = tour(code, page, server, site)
    assert len(seen) == 2 + len(STATIC_PAGES) + len(CHAPTERS)
    assert [f"{path}: {p}" for path, visit in seen.items() for p in visit.problems] == []


@pytest.mark.parametrize("code", AREAS)
@pytest.mark.parametrize("chapter", [c.slug for c in CHAPTERS])
def test_every_chart_container_draws_svg_or_canvas(
    code: str, chapter: str, page: tuple[Any, Any], server: str, site: Path
) -> None:
    pg, watch = page
    visit(pg, f"{server}{book(site, code)}/notebooks/{chapter}.html")
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
def test_navigation_links_resolve(
    code: str, page: tuple[Any, Any], server: str, site: Path
) -> None:
    seen = tour(code, page, server, site)
    checked: dict[str, int] = {}
    broken = []
    for path in book_pages(book(site, code)):
        hrefs = seen[path].hrefs
        assert any("notebooks/" in h for h in hrefs), f"{path} has no link to a chapter"
        for href in hrefs:
            url = urldefrag(urljoin(seen[path].url, href)).url
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
    prefix = book(site, code)
    seen = tour(code, page, server, site)
    for chapter in CHAPTERS:
        links, tables = (
            seen[f"{prefix}/{chapter.html}"].downloads,
            seen[f"{prefix}/{chapter.html}"].tables,
        )
        csvs = [h for h, _ in links if h.endswith(".csv")]
        assert len(csvs) >= tables > 0, chapter.slug
        for href, text in links:
            assert text.startswith("Download"), href
            assert status(href) == 200, href
        zip_url = next(h for h, _ in links if h.endswith("-data.zip"))
    # the browser really downloads a CSV when the link is clicked
    visit(pg, f"{server}{prefix}/{CHAPTERS[-1].html}")
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
    on_disk = {p.name for p in (site / prefix / "downloads").glob("*.csv")}
    assert on_disk and {f"data/{n}" for n in on_disk} <= names
    assert watch.problems() == []


def test_landing_page_lists_filters_and_maps_the_books(
    page: tuple[Any, Any], server: str, site: Path
) -> None:
    pg, watch = page
    visit(pg, server + "index.html")
    rows = pg.locator("#areas tbody tr")
    assert rows.count() == len(SITE_AREAS)
    list_links = pg.eval_on_selector_all("#areas a", "els => els.map(e => e.getAttribute('href'))")
    expected = [[f"{c}/index.html", f"{book(site, c)}/index.html"] for c in SITE_AREAS]
    assert sorted(list_links) == sorted(h for pair in expected for h in pair)  # area, year
    pg.fill("#q", "rutl")
    assert pg.locator("#areas tbody tr:not([hidden])").all_inner_texts()[0].startswith("Rutland")
    assert pg.locator("#areas tbody tr:not([hidden])").count() == 1
    assert f"1 of {len(SITE_AREAS)}" in pg.inner_text("#count")
    pg.fill("#q", "")
    pg.select_option("#region", "West Midlands")
    visible = pg.locator("#areas tbody tr:not([hidden])")
    assert visible.count() == 1 and "Worcestershire" in visible.inner_text()
    pg.select_option("#region", "")
    assert pg.locator("#areas tbody tr:not([hidden])").count() == len(SITE_AREAS)
    # the map: each area with a book a focusable link named with its value
    map_links = pg.eval_on_selector_all(
        ".map a", "els => els.map(e => [e.getAttribute('href'), e.getAttribute('aria-label')])"
    )
    if map_links:  # drawn when boundaries are available (snapshot table or raw file)
        assert sorted(h for h, _ in map_links) == sorted(f"{c}/index.html" for c in SITE_AREAS)
        assert sorted(label.split(":")[0] for _, label in map_links) == sorted(SITE_AREAS.values())
        pg.locator('.map a[href="E06000017/index.html"]').click()
        pg.wait_for_url("**/E06000017/index.html")  # the area page: every year built
        assert pg.title().startswith("Rutland")
        pg.locator(f'a[href="{book(site, "E06000017").split("/")[1]}/index.html"]').click()
        pg.wait_for_url("**/E06000017/*/book/intro.html")  # the book's index redirects there
        assert "Rutland" in pg.title()
    visit(pg, server + "index.html")
    for href in list_links + pg.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        url = urljoin(server, href)
        if urlparse(url).netloc == urlparse(server).netloc:
            assert status(url) == 200, href
    assert watch.problems() == []


MAP_STATE = """() => [...document.querySelectorAll(".map path[data-code]")].map(p => [
  p.getAttribute("data-code"), p.getAttribute("class"), getComputedStyle(p).fill,
  p.querySelector("title").textContent])"""
TABLE_STATE = """() => [...document.querySelectorAll("#values tbody tr")].map(tr => [
  tr.getAttribute("data-code"), ...[...tr.querySelectorAll("td")].map(td => td.textContent)])"""


def _rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))


def test_the_map_and_table_follow_the_indicator_picked(
    page: tuple[Any, Any], server: str, site: Path, axe_source: str
) -> None:
    pg, watch = page
    visit(pg, server + "index.html")
    if not pg.locator(".map path[data-code]").count():
        pytest.skip("no boundaries in the snapshot or ../shared/data-raw: no map")
    year = max(int(book(site, c).split("/")[1]) for c in AREAS)
    maps = {m.id: m for m in choropleth.layers(year)}
    default = pg.input_value("#indicator")
    assert pg.is_visible("#indicator")  # the script shows the picker
    assert maps[default].key
    before = pg.evaluate(MAP_STATE), pg.evaluate(TABLE_STATE)
    picked = "lait:InfMort" if default != "lait:InfMort" else "lait:ChildPov"
    pg.select_option("#indicator", picked)
    layer = maps[picked]
    shapes, table = pg.evaluate(MAP_STATE), pg.evaluate(TABLE_STATE)
    assert (shapes, table) != before
    data = json.loads(pg.text_content("#map-data") or "{}")
    names = dict(zip(data["codes"], data["names"], strict=True))
    assert len(shapes) == 153
    for code, css, fill, title in shapes:
        assert css == f"area {layer.css_class(code)}", code
        cls = layer.values[code][1]
        if layer.values[code][0]:
            assert fill == _rgb(choropleth.CLASS_COLOURS[cls]), code  # the class's colour
        else:
            assert choropleth.HATCH_ID in fill, code  # the hatch, no colour
        assert title == layer.describe(names[code], code), code  # name, value and period
    assert len(table) == 153
    for code, value, period, comparison in table:
        number, _, expected = layer.values[code]
        assert (value, period, comparison) == (number or "no data", layer.period, expected)
    assert pg.inner_text("#legend-title") == layer.title
    legend = pg.eval_on_selector_all("#legend-classes li", "els => els.map(e => e.textContent)")
    assert legend == [c.text for c in layer.legend] + [layer.no_data_text] * bool(layer.no_data)
    label = pg.get_attribute('.map a[data-code="E06000017"]', "aria-label")
    assert label == layer.describe("Rutland", "E06000017")
    caption = pg.text_content("#values-caption") or ""
    assert caption.startswith(f"{layer.name}, {layer.period}")
    pg.add_script_tag(content=axe_source)  # still accessible after the change
    violations = pg.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}}))
          .violations.filter(v => v.impact === "serious" || v.impact === "critical")
          .map(v => v.id)""",
        WCAG_21_AA,
    )
    assert violations == []
    assert watch.problems() == []


def axe_targets() -> list[tuple[str, str, str]]:
    """(name, area code or "", path: in the area's book, or from the site root without one)."""
    targets = [("landing", "", "index.html")]
    for code in AREAS:
        targets += [
            (f"{code} area page", "", f"{code}/index.html"),
            (f"{code} intro", code, "book/intro.html"),
            (f"{code} methods", code, "book/methods/index.html"),
            (f"{code} data sources", code, "book/data-sources.html"),
            *((f"{code} {c.slug}", code, c.html) for c in CHAPTERS),
        ]
    return targets


@pytest.mark.parametrize(("name", "code", "path"), axe_targets(), ids=[t[0] for t in axe_targets()])
def test_axe_finds_no_serious_wcag21_aa_violation(
    name: str,
    code: str,
    path: str,
    page: tuple[Any, Any],
    server: str,
    site: Path,
    axe_source: str,
) -> None:
    pg, watch = page
    path = f"{book(site, code)}/{path}" if code else path
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
