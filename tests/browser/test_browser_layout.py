"""At a 1280x800 window nothing is cut off: tables, figures and charts fit the content column,
no scroll container hides part of its content, chart titles sit inside their chart and are never
shortened with an ellipsis, and each chart draws one legend per title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from needsbook.build.chapters import CHAPTERS
from tests.browser.test_browser_site import book

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AREAS = ("E10000034", "E06000017")  # as built by the `site` fixture (conftest.py)
VIEWPORT = {"width": 1280, "height": 800}
CHART_TIMEOUT_MS = 30_000
CHARTS_DRAWN = """() => [...document.querySelectorAll('div[id^="altair-viz-"]')]
  .every(c => c.querySelector("svg, canvas"))"""
PAGES = ("03_outcomes", "08_evidence", "05_services")
SHOTS = Path(__file__).resolve().parents[2] / "_build" / "browser-shots"
# Everything in the article that could stick out, and whether each part is within bounds. A
# visually hidden element (1 px, e.g. a stacked table's headings) is not a scroll container.
MEASURE = """() => {
  const article = document.querySelector("article.bd-article");
  const box = article.getBoundingClientRect();
  const right = Math.min(box.right - parseFloat(getComputedStyle(article).paddingRight),
                         window.innerWidth);
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : "");
  const problems = [];
  for (const el of article.querySelectorAll(
      "table, figure, img, svg.marks, canvas, .vega-embed, details, div.output, pre")) {
    const r = el.getBoundingClientRect();
    if (r.width > 1 && r.right > right + 1)
      problems.push(`${name(el)} ends at ${Math.round(r.right)} px, the column at ${right} px`);
  }
  for (const el of article.querySelectorAll("*")) {
    const overflow = getComputedStyle(el).overflowX;
    if (el.clientWidth > 1 && ["auto", "scroll", "hidden"].includes(overflow)
        && el.scrollWidth > el.clientWidth + 1)
      problems.push(`${name(el)} hides ${el.scrollWidth - el.clientWidth} px (${overflow})`);
  }
  const charts = [];
  for (const svg of article.querySelectorAll("svg.marks")) {
    const s = svg.getBoundingClientRect();
    const titles = [...svg.querySelectorAll(".role-title-text text")];
    for (const t of titles) {
      const b = t.getBoundingClientRect();
      if (b.width && (b.left < s.left - 1 || b.right > s.right + 1))
        problems.push(`chart title "${t.textContent}" outside its chart`);
      if (t.textContent.trim().endsWith("\u2026"))
        problems.push(`chart title "${t.textContent}" cut short`);
    }
    const legends = [...svg.querySelectorAll(".role-legend-title text")].map(t => t.textContent);
    if (new Set(legends).size !== legends.length)
      problems.push(`a chart draws several legends titled ${legends.join(", ")}`);
    charts.push(titles.length);
  }
  return {problems, charts: charts.length, tables: article.querySelectorAll("table").length};
}"""


def open_everything(pg: Any) -> None:
    """Open every collapsed data table so its size counts."""
    pg.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    pg.wait_for_timeout(200)


@pytest.mark.parametrize("code", AREAS)
@pytest.mark.parametrize("chapter", PAGES)
def test_nothing_is_cut_off_at_1280_px(
    code: str, chapter: str, browser: Any, server: str, site: Path
) -> None:
    assert chapter in {c.slug for c in CHAPTERS}
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    try:
        pg = context.new_page()
        pg.goto(f"{server}{book(site, code)}/notebooks/{chapter}.html", wait_until="load")
        pg.wait_for_function(CHARTS_DRAWN, timeout=CHART_TIMEOUT_MS)
        open_everything(pg)
        found = pg.evaluate(MEASURE)
        SHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SHOTS / f"{code}-{chapter}.png"), full_page=True)
    finally:
        context.close()
    assert found["tables"] > 0
    assert found["problems"] == [], f"{code} {chapter}:\n" + "\n".join(found["problems"])
