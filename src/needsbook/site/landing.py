"""The site's landing page: a national overview of every built book, searchable, filterable by
region, and a map of England shaded by an outcome indicator the reader picks.

``write_landing(root)`` scans ``<root>/<code>/<year>/_needsbook_build.json`` (the stamp each
finished book carries; also ``<root>/<code>/_needsbook_build.json``, a book published before
books were kept by data year) and writes ``<root>/index.html``: one self-contained page (inline
CSS, inline script, an inline SVG map; no network) with

- what the books cover: how many areas, which data years, which needsbook version built them;
- a search box and a region filter over the list of areas: each area's name links to its page
  (``<code>/index.html``, every year built) and each data year to that year's book (the list is
  the page's primary navigation and works without JavaScript);
- a map of England's upper-tier areas (boundaries from the snapshot's ``utla_boundaries``
  table, or the raw ONS file in ``../shared/data-raw``; with neither, no map) shaded by an
  outcome indicator at the latest data year built, with a legend, and the same values as a
  table (:mod:`needsbook.site.choropleth`); areas with a book are outlined and link to it;
- links to the methods and data sources pages.

Run it by hand with ``python -m needsbook.site.landing [ROOT]`` (default ``_build/html``): it
rewrites every area page under ``ROOT`` and then the landing page.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from needsbook import paths
from needsbook.build.fingerprint import STAMP, read_stamp
from needsbook.build.outdir import is_landing, is_year_book
from needsbook.errors import InputError, NeedsbookError
from needsbook.escape import html_text
from needsbook.files import atomic_write
from needsbook.messages import clip_path
from needsbook.site import choropleth
from needsbook.site.geo import MAP_WIDTH, RAW_BOUNDARIES, Feature, map_features, svg_paths
from needsbook.site.page import TITLE, document, join_words

__all__ = [
    "RAW_BOUNDARIES",
    "AreaBooks",
    "BuiltBook",
    "areas_of",
    "built_books",
    "map_features",
    "map_svg",
    "render_landing",
    "svg_paths",
    "write_landing",
]

if TYPE_CHECKING:
    from needsbook.areas import Area

REFERENCE_AREA = "E10000034"  # whose methods and data sources pages the landing page links


@dataclass(frozen=True)
class BuiltBook:
    code: str
    name: str
    kind: str
    region_name: str
    year: int
    href: str = ""  # the book's folder, relative to the root: "<code>/<year>" (or "<code>")
    needsbook: str = ""  # the version that built it


@dataclass(frozen=True)
class AreaBooks:
    """An area with its books, latest year first; ``href``: its area page (or, for a book
    published before books were kept by year, that book)."""

    code: str
    name: str
    kind: str
    region_name: str
    href: str
    books: tuple[BuiltBook, ...] = field(default_factory=tuple)


def _registry(data_dir: Path | None) -> dict[str, Area]:
    from needsbook.areas import all_areas

    try:
        return {a.code: a for a in all_areas(data_dir)}
    except Exception:  # no snapshot: still list the books, by code
        return {}


def built_books(root: Path, data_dir: Path | None = None) -> list[BuiltBook]:
    """The books under ``root`` (those with a build stamp naming their area, and year for the
    year layout, and a front page), named from the area registry; by name, latest year
    first."""
    registry = _registry(data_dir)
    root = Path(root)
    books: dict[tuple[str, int], BuiltBook] = {}
    stamps = [*sorted(root.glob(f"*/*/{STAMP}")), *sorted(root.glob(f"*/{STAMP}"))]
    for stamp in stamps:
        folder = stamp.parent
        info = read_stamp(folder)
        if info is None or not (folder / "index.html").is_file():
            continue
        layered = folder.parent != root
        code = str(info.get("area_code") or "")
        try:
            year = int(info.get("year") or 0)
        except (TypeError, ValueError):
            year = 0
        if layered:
            if not is_year_book(folder) or folder.parent.name != code or int(folder.name) != year:
                continue
        elif folder.name != code:
            continue
        if (code, year) in books:  # a year book and an old book of the same year: the first
            continue
        area = registry.get(code)
        books[(code, year)] = BuiltBook(
            code=code,
            name=area.name if area else code,
            kind=area.kind if area else "",
            region_name=area.region_name if area else "",
            year=year,
            href=folder.relative_to(root).as_posix(),
            needsbook=str(info.get("needsbook") or ""),
        )
    return sorted(books.values(), key=lambda b: (b.name.lower(), b.code, -b.year))


def areas_of(books: list[BuiltBook], root: Path) -> list[AreaBooks]:
    """The books grouped by area (by name); an area's link is its area page when needsbook
    wrote one, else its latest book."""
    grouped: dict[str, list[BuiltBook]] = {}
    for b in books:
        grouped.setdefault(b.code, []).append(b)
    out = []
    for code, mine in grouped.items():
        mine.sort(key=lambda b: -b.year)
        page = Path(root) / code / "index.html"
        layered = any(b.href != code for b in mine)
        href = (
            f"{code}/index.html" if layered and is_landing(page) else f"{mine[0].href}/index.html"
        )
        b = mine[0]
        out.append(AreaBooks(code, b.name, b.kind, b.region_name, href, tuple(mine)))
    return sorted(out, key=lambda a: (a.name.lower(), a.code))


# --- the map --------------------------------------------------------------------------------


def map_svg(
    areas: list[AreaBooks] | list[BuiltBook],
    features: list[Feature],
    layer: choropleth.Layer | None = None,
    names: dict[str, str] | None = None,
) -> str:
    """The inline SVG map: every area a shape titled with its name (and, with a ``layer``,
    shaded by its value, titled with value and period); areas with a book are links."""
    shapes, height = svg_paths(features)
    if not shapes:
        return ""
    names = {**{code: name for code, name, _ in features}, **(names or {})}
    hrefs: dict[str, str] = {}
    for a in areas:
        names[a.code] = a.name
        hrefs[a.code] = a.href if isinstance(a, AreaBooks) else f"{a.code}/index.html"
    background, links = choropleth.map_shapes(shapes, names, hrefs, layer)
    missing = len({a.code for a in areas} - set(shapes))
    note = (
        f"<p class='map-note'>{missing} area(s) with a book have no boundary on the map.</p>"
        if missing > 0
        else ""
    )
    return (
        f'<svg role="group" aria-labelledby="map-caption" viewBox="0 0 {MAP_WIDTH} {height}" '
        f'width="{MAP_WIDTH}" height="{height}">\n{choropleth.HATCH}\n'
        f'<g aria-hidden="true">{background}</g>\n<g>{links}</g>\n</svg>{note}'
    )


def _map_section(
    areas: list[AreaBooks],
    features: list[Feature],
    maps: list[choropleth.Layer],
    names: dict[str, str],
    year: int,
) -> str:
    """The map with its picker, legend and table (or, without indicator values, the map of
    the areas with a book; without boundaries, a sentence)."""
    if not features:
        return "<p>No boundary data is available for the map; use the list.</p>"
    layer = choropleth.default_layer(maps)
    svg = map_svg(areas, features, layer, names)
    if not svg:
        return "<p>No boundary data is available for the map; use the list.</p>"
    if layer is None:
        return (
            '<figure class="map">\n<figcaption id="map-caption">Map of England\'s upper-tier '
            "local authorities. Areas with a book are outlined and link to it; the list of areas "
            f"has the same links.</figcaption>\n{svg}</figure>"
        )
    codes = sorted(names, key=lambda c: (names[c].lower(), c))
    hrefs = {a.code: a.href for a in areas}
    caption = (
        f"Map of England's {len(codes)} upper-tier local authorities, shaded by the indicator "
        f"chosen: lighter for lower values, darker for higher ones (whether higher is better "
        f"depends on the indicator); hatched where there is no data. Figures for data year "
        f"{year}: each indicator's latest period up to {year}. Areas outlined in black have a "
        "book and link to it. Each area's value is in its title and in the table below the map."
    )
    return (
        f"{choropleth.picker_html(maps, layer)}\n"
        f'<figure class="map">\n<figcaption id="map-caption">{html_text(caption)}</figcaption>\n'
        f"{choropleth.legend_html(layer, with_books=bool(areas))}\n{svg}</figure>\n"
        f"{choropleth.table_html(layer, codes, names, hrefs)}\n"
        f'<script type="application/json" id="map-data">'
        f"{choropleth.payload(maps, codes, names)}</script>"
    )


# --- the page -------------------------------------------------------------------------------

CSS = """
.layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 30rem); gap: 2rem; }
@media (max-width: 60rem) { .layout { grid-template-columns: 1fr; } }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.filters label { display: block; font-weight: 600; }
.filters input, .filters select { font-size: 1rem; padding: .4rem; border: 2px solid var(--ink);
  min-width: 14rem; }
.years-list { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap;
  gap: .25rem .75rem; }
"""

SCRIPT = """
(function () {
  var q = document.getElementById("q"), region = document.getElementById("region");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#areas tbody tr"));
  var status = document.getElementById("count");
  function apply() {
    var text = q.value.trim().toLowerCase(), reg = region.value, shown = 0, keep = {};
    rows.forEach(function (tr) {
      var ok = (!text || tr.dataset.search.indexOf(text) >= 0) &&
               (!reg || tr.dataset.region === reg);
      tr.hidden = !ok;
      if (ok) { shown += 1; keep[tr.dataset.code] = true; }
    });
    document.querySelectorAll(".map a[data-code]").forEach(function (a) {
      a.classList.toggle("filtered-out", !keep[a.dataset.code]);
    });
    status.textContent = shown + " of " + rows.length + " areas shown";
  }
  q.addEventListener("input", apply);
  region.addEventListener("change", apply);
  document.getElementById("filters").addEventListener("submit", function (e) {
    e.preventDefault(); apply();
  });
  apply();
})();
"""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def coverage(areas: list[AreaBooks]) -> str:
    """What the books cover, in one sentence: areas, data years and needsbook versions."""
    if not areas:
        return "No books have been built yet."
    books = [b for a in areas for b in a.books]
    years = sorted({b.year for b in books if b.year})
    versions = sorted({b.needsbook for b in books if b.needsbook})
    year_text = (
        f"for the data year{'s' if len(years) > 1 else ''} {join_words([str(y) for y in years])}"
        if years
        else "for an unrecorded data year"
    )
    built = f", built with needsbook {join_words(versions)}" if versions else ""
    return f"{_plural(len(books), 'book')} for {_plural(len(areas), 'area')}, {year_text}{built}."


def render_landing(
    areas: list[AreaBooks],
    snapshot_date: str,
    map_html: str,
    reference: str | None = None,
) -> str:
    """The landing page's HTML. ``reference``: the folder (relative) of the book whose methods
    and data sources pages to link."""
    esc = html_text
    regions = sorted({a.region_name for a in areas if a.region_name})
    rows = []
    for a in areas:
        search = esc(f"{a.name} {a.code} {a.region_name} {a.kind}".lower())
        years = "".join(
            f'<li><a href="{esc(b.href)}/index.html">{b.year or "book"}</a></li>' for b in a.books
        )
        rows.append(
            f'<tr data-code="{esc(a.code)}" data-region="{esc(a.region_name)}" '
            f'data-search="{search}"><td><a href="{esc(a.href)}">{esc(a.name)}</a></td>'
            f"<td>{esc(a.kind)}</td><td>{esc(a.region_name)}</td><td>{esc(a.code)}</td>"
            f'<td><ul class="years-list" aria-label="Books for {esc(a.name)}, by data year">'
            f"{years}</ul></td></tr>"
        )
    options = "".join(f'<option value="{esc(r)}">{esc(r)}</option>' for r in regions)
    about = (
        f'<li><a href="{esc(reference)}/book/methods/index.html">Methods, assumptions and '
        "caveats</a></li>"
        f'<li><a href="{esc(reference)}/book/data-sources.html">Data sources and licences</a></li>'
        if reference
        else ""
    )
    empty = (
        "" if areas else "<p>No books have been built yet: run <code>needsbook build</code>.</p>\n"
    )
    body = f"""<header>
<p class="meta">needsbook {esc(_version())}</p>
<h1>{esc(TITLE)}</h1>
<p>One book for each English upper-tier local authority, built from open national statistics:
the population aged 0-19, deprivation and modelled need for early help, outcomes and services,
benchmarked against England and the region.</p>
<p class="meta" id="coverage">{esc(coverage(areas))} National data snapshot built on
<strong>{esc(snapshot_date)}</strong>.</p>
</header>
<main id="main">
<div class="layout">
<section id="list" aria-labelledby="list-heading">
<h2 id="list-heading">Find an area</h2>
<form id="filters" class="filters" role="search" aria-label="Filter the areas">
<div><label for="q">Search by name or code</label>
<input id="q" name="q" type="search" autocomplete="off"></div>
<div><label for="region">Region</label>
<select id="region" name="region"><option value="">All regions</option>{options}</select></div>
</form>
<p id="count" role="status" aria-live="polite">{_plural(len(areas), "area")}</p>
{empty}<table id="areas">
<caption>Areas with a needs assessment book: the area's page lists every year built</caption>
<thead><tr><th scope="col">Area</th><th scope="col">Type</th><th scope="col">Region</th>
<th scope="col">ONS code</th><th scope="col">Data years</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</section>
<section aria-labelledby="map-heading">
<h2 id="map-heading">England at a glance</h2>
{map_html}
</section>
</div>
<section aria-labelledby="about-heading">
<h2 id="about-heading">About these assessments</h2>
<ul>{about}</ul>
</section>
</main>"""
    scripts = [f"<script>{SCRIPT}{choropleth.SCRIPT}</script>"]
    return document(TITLE, body, skip_to="main", css=CSS + choropleth.CSS, scripts=tuple(scripts))


def _version() -> str:
    from needsbook import __version__

    return __version__


def _reference(areas: list[AreaBooks]) -> str | None:
    by_code = {a.code: a for a in areas}
    area = by_code.get(REFERENCE_AREA) or (areas[0] if areas else None)
    return area.books[0].href if area and area.books else None


def write_landing(
    root: Path | str | None = None,
    data_dir: Path | None = None,
    raw_dir: Path | None = None,
) -> Path:
    """Write ``<root>/index.html`` listing every book under ``root``; returns its path.

    An ``index.html`` that needsbook did not write is never replaced (InputError)."""
    from needsbook.snapshot.manifest import read_manifest_header

    root = Path(root) if root else paths.build_dir() / "html"
    out = root / "index.html"
    if out.exists() and not is_landing(out):
        raise InputError(
            f"{clip_path(out)} was not written by needsbook: the landing page was not written "
            "(move that file away, then run `python -m needsbook.site.landing "
            f"{clip_path(root)}`)"
        )
    root.mkdir(parents=True, exist_ok=True)
    areas = areas_of(built_books(root, data_dir), root)
    try:
        snapshot_date = read_manifest_header(paths.snapshot_dir(data_dir)).get("built", "unknown")
    except Exception:
        snapshot_date = "unknown"
    map_html = ""
    if areas:
        features = map_features(data_dir, raw_dir)
        year = max((b.year for a in areas for b in a.books), default=0)
        maps, names = _indicator_maps(year, data_dir, features)
        map_html = _map_section(areas, features, maps, names, year)
    page = render_landing(areas, snapshot_date, map_html, _reference(areas))
    atomic_write(out, page.encode("utf-8"))
    return out


def _indicator_maps(
    year: int, data_dir: Path | None, features: list[Feature]
) -> tuple[list[choropleth.Layer], dict[str, str]]:
    """Every outcome indicator's map for the data year, and every area's name (from the
    registry, else the boundaries); no maps when the snapshot cannot give the values."""
    names = {code: name for code, name, _ in features}
    names.update({code: a.name for code, a in _registry(data_dir).items()})
    if not year or not features:
        return [], names
    try:
        return choropleth.layers(year, data_dir), names
    except (NeedsbookError, OSError, KeyError, ValueError):  # no snapshot to benchmark
        return [], names


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("root", nargs="?", type=Path, default=None, help="default: _build/html")
    p.add_argument("--data-dir", type=Path, default=None)
    args = p.parse_args(argv)
    from needsbook.site.pages import refresh_pages

    root = args.root or paths.build_dir() / "html"
    try:
        pages = refresh_pages(root, None, args.data_dir)
    except (NeedsbookError, OSError) as exc:
        print(f"needsbook: error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)
    for warning in pages.warnings:
        print(f"needsbook: warning: {warning}", file=sys.stderr)
    if pages.landing is None:
        return InputError.exit_code
    print(f"wrote {pages.landing} and {len(pages.area_pages)} area page(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
