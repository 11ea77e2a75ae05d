"""The landing page's map shaded by an outcome indicator the reader picks, with its legend and
the same values as a table.

Every value comes from the one benchmarking engine
(:func:`needsbook.outcomes.compare.benchmarks`: value, period and comparison with England for
each of England's upper-tier areas at the data year) and is written by the catalogue's one rule
for its unit (:meth:`needsbook.outcomes.catalogue.Indicator.format`). The areas are placed in
five classes by the engine's rule for fifths of all areas (PERCENTILE.INC quintile bins,
:func:`needsbook.stats.quantiles.percentile_inc_quintiles`), lowest values first.

The page is drawn for the default indicator on the server, so it reads the same without
JavaScript; every indicator's values travel in the page as JSON (an inline
``<script type="application/json">``), and a small inline script re-shades the map and rewrites
the legend and the table when the reader picks another one. No network is used.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from needsbook.escape import html_text

#: ColorBrewer "Blues", 5 classes: a single-hue sequential palette from light (lowest values)
#: to dark (highest), safe for every common colour-vision deficiency and in greyscale. Areas
#: without data are hatched (HATCH_ID), which no class resembles.
CLASS_COLOURS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
HATCH_ID = "no-data-hatch"
NO_DATA = "no data"


@dataclass(frozen=True)
class LegendClass:
    number: int  # 0 (lowest values) to 4 (highest)
    low: str
    high: str
    areas: int

    @property
    def text(self) -> str:
        span = self.low if self.low == self.high else f"{self.low} to {self.high}"
        return f"{span} ({_areas(self.areas)})"


@dataclass(frozen=True)
class Layer:
    """One indicator's map: every area's value (as text), class and comparison with England."""

    id: str
    name: str
    stage: str  # the life stage it belongs to (the picker's groups)
    unit: str
    suffix: str  # what follows a number to give the value with its unit ("%", " per 1,000 ...")
    period: str
    england: str  # England's value with its unit
    legend: tuple[LegendClass, ...]
    no_data: int  # areas without a value
    values: dict[str, tuple[str, int, str]]  # code -> (number or "", class or -1, comparison)
    key: bool = False  # a key indicator of the catalogue

    def label(self, code: str) -> str:
        """The area's value with its unit, or "no data"."""
        number = self.values.get(code, ("", -1, ""))[0]
        return f"{number}{self.suffix}" if number else NO_DATA

    def describe(self, name: str, code: str) -> str:
        """The area's name, value and period, as its map shape's title says it."""
        number = self.values.get(code, ("", -1, ""))[0]
        return f"{name}: {number}{self.suffix} ({self.period})" if number else f"{name}: {NO_DATA}"

    def css_class(self, code: str) -> str:
        number, cls, _ = self.values.get(code, ("", -1, ""))
        return f"c{cls}" if number and cls >= 0 else "nodata"

    @property
    def title(self) -> str:
        unit = f" ({self.unit})" if self.unit else ""
        return f"{self.name}, {self.period}{unit}. England: {self.england}."

    @property
    def no_data_text(self) -> str:
        return f"No data ({_areas(self.no_data)})"


def _areas(n: int) -> str:
    return f"{n} area" if n == 1 else f"{n} areas"


def classify(values: Sequence[float] | pd.Series) -> list[int]:
    """The class (0 = lowest values, 4 = highest; -1 = no value) of each value: the engine's
    quintile bins of all areas. With fewer than five values, every value is in the middle."""
    from needsbook.stats.quantiles import percentile_inc_quintiles

    arr = np.asarray(pd.to_numeric(pd.Series(list(values)), errors="coerce"), dtype=float)
    bins = np.asarray(percentile_inc_quintiles(arr), dtype=float)
    have = ~np.isnan(arr)
    if have.any() and np.isnan(bins[have]).all():  # too few values for quintiles
        bins[have] = 3
    return [int(b) - 1 if not np.isnan(b) else -1 for b in bins]


def layer_for(indicator: Any, rows: pd.DataFrame, stage: str = "") -> Layer:
    """The map of one catalogue indicator from its benchmark rows (one per area)."""
    values = pd.to_numeric(rows["value"], errors="coerce")
    classes = classify(values)
    comparisons = rows["comparison_label"].fillna("No data").astype(str)
    out: dict[str, tuple[str, int, str]] = {}
    for code, value, cls, comparison in zip(
        rows["area_code"].astype(str), values, classes, comparisons, strict=True
    ):
        out[code] = ("" if pd.isna(value) else indicator.number(value), cls, comparison)
    legend = []
    for number in range(len(CLASS_COLOURS)):
        members = values[[c == number for c in classes]]
        if len(members):
            low, high = indicator.number(members.min()), indicator.number(members.max())
            legend.append(LegendClass(number, low, high, len(members)))
    labels = rows.loc[values.notna(), "period_label"].dropna().astype(str)
    england = pd.to_numeric(rows["england"], errors="coerce").dropna()
    sample = indicator.format(1.0)
    return Layer(
        id=indicator.id,
        name=indicator.name,
        stage=stage,
        unit=indicator.unit,
        suffix=sample[len(indicator.number(1.0)) :],
        period=labels.iloc[0] if len(labels) else NO_DATA,
        england=indicator.format(england.iloc[0]) if len(england) else NO_DATA,
        legend=tuple(legend),
        no_data=int(values.isna().sum()),
        values=out,
        key=bool(indicator.key),
    )


def layers(year: int, data_dir: Path | str | None = None) -> list[Layer]:
    """One map per outcome indicator of the catalogue (its order), for the data year ``year``:
    the benchmark engine's rows for every upper-tier area. Indicators without rows are left
    out."""
    from needsbook.outcomes.catalogue import load_catalogue
    from needsbook.outcomes.compare import benchmarks

    catalogue = load_catalogue(data_dir=data_dir)
    bench = benchmarks(year, data_dir)
    out = []
    for indicator in catalogue.for_use("outcomes"):
        rows = bench[bench["indicator_id"] == indicator.id]
        if not rows.empty:
            stage = catalogue.life_stages.get(indicator.life_stage, "")
            out.append(layer_for(indicator, rows, stage))
    return out


def default_layer(maps: Sequence[Layer]) -> Layer | None:
    """The map shown first: the first key indicator with values, else the first with values."""
    shown = [m for m in maps if m.legend]
    return next(iter([m for m in shown if m.key] or shown or maps), None)


# --- HTML -----------------------------------------------------------------------------------

CSS = (
    """
.map { margin: 0; }
.map > svg { width: 100%; height: auto; max-height: 80vh; }
.map .area { fill: #dee0e2; stroke: #6f777b; stroke-width: .35; }
.map a .area { stroke: #0b0c0c; stroke-width: 1.4; }
.map a:hover .area { stroke-width: 2.6; }
.map a:focus { outline: none; }
.map a:focus .area { stroke: var(--focus); stroke-width: 3; }
.map a.filtered-out .area { stroke: #6f777b; stroke-width: .35; }
.map .area.nodata { fill: url(#"""
    + HATCH_ID
    + """); }
.map figcaption, .map-note { color: var(--muted); font-size: .9rem; }
.picker { margin: .5rem 0 1rem; }
.picker label { display: block; font-weight: 600; }
.picker select { font-size: 1rem; padding: .4rem; border: 2px solid var(--ink); max-width: 100%; }
.legend { margin: .5rem 0 1rem; }
.legend p { margin: .25rem 0; font-weight: 600; }
.legend li { display: flex; align-items: center; gap: .5rem; margin: .15rem 0; }
.legend svg { flex: none; }
.legend .key-built { fill: #fff; stroke: #0b0c0c; stroke-width: 1.4; }
details.values summary { cursor: pointer; color: var(--link); text-decoration: underline; }
"""
    + "".join(f".map .area.c{i} {{ fill: {c}; }}\n" for i, c in enumerate(CLASS_COLOURS))
)

HATCH = (
    f'<defs><pattern id="{HATCH_ID}" width="5" height="5" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="5" height="5" fill="#ffffff"/>'
    '<line x1="0" y1="0" x2="0" y2="5" stroke="#505a5f" stroke-width="1.6"/></pattern></defs>'
)


def _swatch(css_class: str) -> str:
    return (
        '<svg width="22" height="14" aria-hidden="true" focusable="false">'
        f'<rect class="{css_class}" x="1" y="1" width="20" height="12"/></svg>'
    )


def picker_html(maps: Sequence[Layer], selected: Layer) -> str:
    """The indicator picker (grouped by life stage); hidden until the script shows it, since
    without JavaScript only the default indicator is drawn."""
    groups: dict[str, list[str]] = {}
    for m in maps:
        chosen = " selected" if m.id == selected.id else ""
        option = f'<option value="{html_text(m.id)}"{chosen}>{html_text(m.name)}</option>'
        groups.setdefault(m.stage, []).append(option)
    body = "".join(
        f'<optgroup label="{html_text(stage)}">{"".join(opts)}</optgroup>'
        if stage
        else "".join(opts)
        for stage, opts in groups.items()
    )
    return (
        '<div id="indicator-picker" class="picker" hidden>\n'
        '<label for="indicator">Shade the map by</label>\n'
        f'<select id="indicator" aria-controls="legend values">{body}</select>\n</div>'
    )


def legend_html(layer: Layer, with_books: bool) -> str:
    """The legend: the indicator, period, unit and England's value; each class's range and
    number of areas; the hatch for no data; the outline of areas with a book."""
    items = [
        f"<li>{_swatch(f'area c{c.number}')}<span>{html_text(c.text)}</span></li>"
        for c in layer.legend
    ]
    if layer.no_data:
        items.append(
            f"<li>{_swatch('area nodata')}<span>{html_text(layer.no_data_text)}</span></li>"
        )
    books = (
        f'<ul class="plain"><li>{_swatch("key-built")}<span>Outlined in black: an area with a '
        "book (select it to open the area's books)</span></li></ul>"
        if with_books
        else ""
    )
    return (
        '<div id="legend" class="legend" aria-live="polite">\n'
        f'<p id="legend-title">{html_text(layer.title)}</p>\n'
        f'<ul id="legend-classes" class="plain">{"".join(items)}</ul>\n{books}</div>'
    )


def map_shapes(
    shapes: dict[str, str],
    names: dict[str, str],
    hrefs: dict[str, str],
    layer: Layer | None,
) -> tuple[str, str]:
    """The map's shapes as SVG: (every area without a book, the areas with one as links).
    Each shape's title (and each link's name) gives the area's name, value and period."""
    background, links = [], []
    for code, d in sorted(shapes.items()):
        name = names.get(code, code)
        text = html_text(layer.describe(name, code) if layer else name)
        cls = f" {layer.css_class(code)}" if layer else ""
        shape = (
            f'<path class="area{cls}" data-code="{html_text(code)}" d="{d}">'
            f"<title>{text}</title></path>"
        )
        href = hrefs.get(code)
        if href is None:
            background.append(shape)
        else:
            links.append(
                f'<a href="{html_text(href)}" aria-label="{text}" data-code="{html_text(code)}">'
                f"{shape}</a>"
            )
    return "".join(background), "".join(links)


def table_html(
    layer: Layer, codes: Sequence[str], names: dict[str, str], hrefs: dict[str, str]
) -> str:
    """The map's values as a table (every area, by name), in a disclosure below the map."""
    rows = []
    for code in codes:
        name = html_text(names.get(code, code))
        href = hrefs.get(code)
        area = f'<a href="{html_text(href)}">{name}</a>' if href else name
        number, _, comparison = layer.values.get(code, ("", -1, "No data"))
        rows.append(
            f'<tr data-code="{html_text(code)}"><th scope="row">{area}</th>'
            f'<td class="num">{html_text(number or NO_DATA)}</td>'
            f"<td>{html_text(layer.period)}</td><td>{html_text(comparison)}</td></tr>"
        )
    return (
        '<details class="values"><summary>The values on the map, as a table</summary>\n'
        '<table id="values">\n'
        f'<caption id="values-caption">{html_text(_caption(layer))}</caption>\n'
        '<thead><tr><th scope="col">Area</th>'
        f'<th scope="col" id="values-unit">{html_text(_value_heading(layer))}</th>'
        '<th scope="col">Period</th><th scope="col">Compared with England</th></tr></thead>\n'
        f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>\n</details>"
    )


def _caption(layer: Layer) -> str:
    return f"{layer.name}, {layer.period}, in every upper-tier area. England: {layer.england}."


def _value_heading(layer: Layer) -> str:
    return f"Value ({layer.unit})" if layer.unit else "Value"


def payload(maps: Sequence[Layer], codes: Sequence[str], names: dict[str, str]) -> str:
    """Every map's values for the script, as JSON safe inside ``<script>`` (no ``<``, ``>``
    or ``&``: they are written as JSON escapes)."""
    comparisons = sorted({v[2] for m in maps for v in m.values.values()} | {"No data"})
    index = {c: i for i, c in enumerate(comparisons)}
    data = {
        "codes": list(codes),
        "names": [names.get(c, c) for c in codes],
        "comparisons": comparisons,
        "noData": NO_DATA,
        "layers": {
            m.id: {
                "suffix": m.suffix,
                "period": m.period,
                "title": m.title,
                "caption": _caption(m),
                "heading": _value_heading(m),
                "legend": [[c.number, c.text] for c in m.legend],
                "noData": m.no_data_text if m.no_data else "",
                "values": [
                    [v[0], v[1], index[v[2]]]
                    for v in (m.values.get(c, ("", -1, "No data")) for c in codes)
                ],
            }
            for m in maps
        },
    }
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


SCRIPT = """
(function () {
  var node = document.getElementById("map-data"), select = document.getElementById("indicator");
  if (!node || !select) { return; }
  var data = JSON.parse(node.textContent), index = {}, rows = {};
  data.codes.forEach(function (code, i) { index[code] = i; });
  document.querySelectorAll("#values tbody tr[data-code]").forEach(function (tr) {
    rows[tr.getAttribute("data-code")] = tr;
  });
  var SVG = "http://www.w3.org/2000/svg";
  function swatch(cls, text) {
    var li = document.createElement("li"), svg = document.createElementNS(SVG, "svg");
    var rect = document.createElementNS(SVG, "rect"), span = document.createElement("span");
    svg.setAttribute("width", "22"); svg.setAttribute("height", "14");
    svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
    rect.setAttribute("class", cls); rect.setAttribute("x", "1"); rect.setAttribute("y", "1");
    rect.setAttribute("width", "20"); rect.setAttribute("height", "12");
    svg.appendChild(rect); span.textContent = text;
    li.appendChild(svg); li.appendChild(span);
    return li;
  }
  function show(id) {
    var layer = data.layers[id];
    if (!layer) { return; }
    function describe(i) {
      var v = layer.values[i];
      return v[0] ? data.names[i] + ": " + v[0] + layer.suffix + " (" + layer.period + ")"
                  : data.names[i] + ": " + data.noData;
    }
    document.querySelectorAll(".map path[data-code]").forEach(function (path) {
      var i = index[path.getAttribute("data-code")];
      if (i === undefined) { return; }
      var v = layer.values[i], text = describe(i), title = path.querySelector("title");
      path.setAttribute("class", "area " + (v[0] && v[1] >= 0 ? "c" + v[1] : "nodata"));
      if (title) { title.textContent = text; }
      if (path.parentNode.tagName.toLowerCase() === "a") {
        path.parentNode.setAttribute("aria-label", text);
      }
    });
    document.getElementById("legend-title").textContent = layer.title;
    var list = document.getElementById("legend-classes");
    list.textContent = "";
    layer.legend.forEach(function (item) {
      list.appendChild(swatch("area c" + item[0], item[1]));
    });
    if (layer.noData) { list.appendChild(swatch("area nodata", layer.noData)); }
    var caption = document.getElementById("values-caption");
    if (caption) {
      caption.textContent = layer.caption;
      document.getElementById("values-unit").textContent = layer.heading;
    }
    data.codes.forEach(function (code, i) {
      var tr = rows[code];
      if (!tr) { return; }
      var v = layer.values[i], cells = tr.querySelectorAll("td");
      cells[0].textContent = v[0] || data.noData;
      cells[1].textContent = layer.period;
      cells[2].textContent = data.comparisons[v[2]];
    });
  }
  select.addEventListener("change", function () { show(select.value); });
  document.getElementById("indicator-picker").hidden = false;
  show(select.value);  // a selection the browser restored (going back) is drawn too
})();
"""
