"""The site's landing page: every built book, searchable, filterable by region, and on a map.

``write_landing(root)`` scans ``<root>/*/_needsbook_build.json`` (the stamp each finished book
carries) and writes ``<root>/index.html``: one self-contained page (inline CSS, inline script, an
inline SVG map; no network) with

- a search box and a region filter over the list of areas (the list is the page's primary
  navigation and works without JavaScript);
- an England map drawn from the snapshot's ``utla_boundaries`` table (or, if the snapshot has no
  boundaries yet, from the raw ONS file in ``../shared/data-raw``; with neither, no map), in
  which every built area is a link named after the area;
- the data year, the snapshot date, and links to the methods and data sources pages.

Run it by hand with ``python -m needsbook.site.landing [ROOT]`` (default ``_build/html``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from needsbook import __version__, paths
from needsbook.build.fingerprint import STAMP, read_stamp
from needsbook.build.outdir import LANDING_GENERATOR, is_landing
from needsbook.errors import InputError, NeedsbookError
from needsbook.escape import html_text
from needsbook.files import atomic_write
from needsbook.messages import clip_path

BOUNDARIES_TABLE = "utla_boundaries"
RAW_BOUNDARIES = "geography/boundaries/ctyua_may2023_uk_buc.geojson"
MAP_WIDTH = 560  # SVG user units; the map scales to its container


@dataclass(frozen=True)
class BuiltBook:
    code: str
    name: str
    kind: str
    region_name: str
    year: int


def built_books(root: Path, data_dir: Path | None = None) -> list[BuiltBook]:
    """The books under ``root`` (those with a build stamp), named from the area registry."""
    from needsbook.areas import all_areas

    try:
        registry = {a.code: a for a in all_areas(data_dir)}
    except Exception:  # no snapshot: still list the books, by code
        registry = {}
    books = []
    for stamp in sorted(Path(root).glob(f"*/{STAMP}")):
        info = read_stamp(stamp.parent)
        if info is None:
            continue
        code = str(info.get("area_code") or stamp.parent.name)
        if stamp.parent.name != code or not (stamp.parent / "index.html").is_file():
            continue
        area = registry.get(code)
        books.append(
            BuiltBook(
                code=code,
                name=area.name if area else code,
                kind=area.kind if area else "",
                region_name=area.region_name if area else "",
                year=int(info.get("year") or 0),
            )
        )
    return sorted(books, key=lambda b: b.name.lower())


# --- the map --------------------------------------------------------------------------------


def _features_from_snapshot(data_dir: Path | None) -> list[tuple[str, str, dict[str, Any]]]:
    from needsbook.data import load_table
    from needsbook.snapshot.manifest import read_manifest

    snap = paths.snapshot_dir(data_dir)
    if BOUNDARIES_TABLE not in {e.table for e in read_manifest(snap)}:
        return []
    df = load_table(BOUNDARIES_TABLE, data_dir)
    return [
        (str(r.area_code), str(r.area_name), json.loads(r.geometry))
        for r in df.itertuples(index=False)
    ]


def _features_from_raw(
    raw_dir: Path | None, data_dir: Path | None
) -> list[tuple[str, str, dict[str, Any]]]:
    """Fallback: the ONS May 2023 county/unitary boundaries, on today's codes via the registry's
    former codes (Barnsley and Sheffield were renumbered in 2025)."""
    path = Path(raw_dir or paths.default_raw_dir()) / RAW_BOUNDARIES
    if not path.is_file():
        return []
    from needsbook.data import load_table

    areas = load_table("areas", data_dir)
    current = {str(c): str(c) for c in areas["area_code"]}
    for code, former in zip(areas["area_code"], areas.get("former_codes", []), strict=False):
        for old in str(former or "").replace(",", ";").split(";"):
            if old.strip():
                current.setdefault(old.strip(), str(code))
    fc = json.loads(path.read_text())
    out = []
    for f in fc["features"]:
        props = f["properties"]
        code = current.get(props.get("CTYUA23CD", ""))
        if code:
            out.append((code, props.get("CTYUA23NM", code), f["geometry"]))
    return out


def map_features(
    data_dir: Path | None = None, raw_dir: Path | None = None
) -> list[tuple[str, str, dict[str, Any]]]:
    """(area code, name, GeoJSON geometry in lon/lat) for every English upper-tier area."""
    try:
        features = _features_from_snapshot(data_dir)
    except Exception:
        features = []
    return features or _features_from_raw(raw_dir, data_dir)


def _rings(geometry: dict[str, Any]) -> Iterable[list[list[float]]]:
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon


def svg_paths(
    features: list[tuple[str, str, dict[str, Any]]], width: int = MAP_WIDTH
) -> tuple[dict[str, str], int]:
    """SVG path data per area code, in a ``width`` wide box (equirectangular at England's middle
    latitude; whole units, repeated points dropped); returns the paths and the box height."""
    xs, ys = [], []
    for _, _, geom in features:
        for ring in _rings(geom):
            xs.extend(p[0] for p in ring)
            ys.extend(p[1] for p in ring)
    if not xs:
        return {}, 0
    k = math.cos(math.radians((min(ys) + max(ys)) / 2))
    scale = (width - 4) / ((max(xs) - min(xs)) * k)
    height = math.ceil((max(ys) - min(ys)) * scale) + 4
    x0, y1 = min(xs), max(ys)
    out: dict[str, str] = {}
    for code, _, geom in features:
        parts = []
        for ring in _rings(geom):
            pts: list[tuple[int, int]] = []
            for lon, lat in ((p[0], p[1]) for p in ring):
                pt = (round((lon - x0) * k * scale) + 2, round((y1 - lat) * scale) + 2)
                if not pts or pt != pts[-1]:
                    pts.append(pt)
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts.pop()
            if len(pts) >= 3:
                parts.append("M" + "L".join(f"{x} {y}" for x, y in pts) + "Z")
        if parts:
            out[code] = out.get(code, "") + "".join(parts)
    return out, height


def map_svg(books: list[BuiltBook], features: list[tuple[str, str, dict[str, Any]]]) -> str:
    """The inline SVG map: built areas are links (named, focusable); the rest are background."""
    shapes, height = svg_paths(features)
    if not shapes:
        return ""
    built = {b.code: b for b in books}
    background, links = [], []
    for code, d in sorted(shapes.items()):
        book = built.get(code)
        if book is None:
            background.append(f'<path class="area" d="{d}"/>')
            continue
        name = html_text(book.name)
        links.append(
            f'<a href="{code}/index.html" aria-label="{name}" data-code="{code}">'
            f'<path class="area built" d="{d}"><title>{name}</title></path></a>'
        )
    missing = len(books) - len(links)
    note = (
        f"<p class='map-note'>{missing} built area(s) have no boundary on the map.</p>"
        if missing > 0
        else ""
    )
    return (
        '<figure class="map">\n<figcaption id="map-caption">Map of England\'s upper-tier '
        "local authorities. Areas with a book are shaded and link to it; the list of areas has "
        "the same links.</figcaption>\n"
        f'<svg role="group" aria-labelledby="map-caption" viewBox="0 0 {MAP_WIDTH} {height}" '
        f'width="{MAP_WIDTH}" height="{height}">\n'
        f'<g aria-hidden="true">{"".join(background)}</g>\n<g>{"".join(links)}</g>\n'
        f"</svg>{note}</figure>"
    )


# --- the page -------------------------------------------------------------------------------

CSS = """
:root { --ink: #0b0c0c; --muted: #505a5f; --link: #1d58a0; --focus: #ffdd00;
  --built: #1d70b8; --built-hover: #003078; --other: #dee0e2; --line: #b1b4b6; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--ink); margin: 0; line-height: 1.5; background: #fff; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem; }
header { border-bottom: 4px solid var(--built); }
h1 { font-size: 1.9rem; margin: .5rem 0; }
a { color: var(--link); }
a:focus, input:focus, select:focus { outline: 3px solid var(--focus); outline-offset: 0;
  box-shadow: 0 0 0 5px var(--ink); }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--focus); color: var(--ink); padding: .5rem; }
.meta { color: var(--muted); }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 28rem); gap: 2rem; }
@media (max-width: 60rem) { .layout { grid-template-columns: 1fr; } }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.filters label { display: block; font-weight: 600; }
.filters input, .filters select { font-size: 1rem; padding: .4rem; border: 2px solid var(--ink);
  min-width: 14rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { border-bottom: 2px solid var(--ink); }
.map svg { width: 100%; height: auto; max-height: 80vh; }
.map .area { fill: var(--other); stroke: #fff; stroke-width: .6; }
.map .area.built { fill: var(--built); }
.map a:hover .area.built, .map a:focus .area.built { fill: var(--built-hover); }
.map a:focus { outline: none; }
.map a:focus .area.built { stroke: var(--focus); stroke-width: 2; }
.map a.filtered-out .area.built { fill: #8eb8dc; }
.map figcaption, .map-note { color: var(--muted); font-size: .9rem; }
footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .9rem; }
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


def _summary_years(books: list[BuiltBook]) -> str:
    years = sorted({b.year for b in books if b.year})
    if not years:
        return "unknown"
    return str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]} (see the list)"


def render_landing(
    books: list[BuiltBook], snapshot_date: str, map_html: str, reference: str | None = None
) -> str:
    """The landing page's HTML. ``reference``: the book whose methods/sources pages to link."""
    esc = html_text
    regions = sorted({b.region_name for b in books if b.region_name})
    ref = reference or (books[0].code if books else None)
    rows = []
    for b in books:
        search = esc(f"{b.name} {b.code} {b.region_name} {b.kind}".lower())
        rows.append(
            f'<tr data-code="{b.code}" data-region="{esc(b.region_name)}" '
            f'data-search="{search}"><td><a href="{b.code}/index.html">{esc(b.name)}</a></td>'
            f"<td>{esc(b.kind)}</td><td>{esc(b.region_name)}</td><td>{b.code}</td>"
            f"<td>{b.year or ''}</td></tr>"
        )
    options = "".join(f'<option value="{esc(r)}">{esc(r)}</option>' for r in regions)
    about = (
        f'<li><a href="{ref}/book/methods/index.html">Methods, assumptions and caveats</a></li>'
        f'<li><a href="{ref}/book/data-sources.html">Data sources and licences</a></li>'
        if ref
        else ""
    )
    empty = (
        "" if books else "<p>No books have been built yet: run <code>needsbook build</code>.</p>\n"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{LANDING_GENERATOR} {esc(__version__)}">
<title>Children and young people's early help needs assessments</title>
<link rel="icon" href="data:,">
<style>{CSS}</style>
</head>
<body>
<a class="skip" href="#list">Skip to the list of areas</a>
<header>
<p class="meta">needsbook {esc(__version__)}</p>
<h1>Children and young people's early help needs assessments</h1>
<p>One book for each English upper-tier local authority, built from open national statistics:
the population aged 0-19, deprivation and modelled need for early help, benchmarked against
England and the region.</p>
<p class="meta">{len(books)} area(s). Data year: <strong>{esc(_summary_years(books))}</strong>.
National data snapshot built on <strong>{esc(snapshot_date)}</strong>.</p>
</header>
<main>
<div class="layout">
<section id="list" aria-labelledby="list-heading">
<h2 id="list-heading">Find an area</h2>
<form id="filters" class="filters" role="search" aria-label="Filter the areas">
<div><label for="q">Search by name or code</label>
<input id="q" name="q" type="search" autocomplete="off"></div>
<div><label for="region">Region</label>
<select id="region" name="region"><option value="">All regions</option>{options}</select></div>
</form>
<p id="count" role="status" aria-live="polite">{len(books)} areas</p>
{empty}<table id="areas">
<caption>Areas with a needs assessment book</caption>
<thead><tr><th scope="col">Area</th><th scope="col">Type</th><th scope="col">Region</th>
<th scope="col">ONS code</th><th scope="col">Data year</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</section>
<section aria-labelledby="map-heading">
<h2 id="map-heading">Map</h2>
{map_html or "<p>No boundary data is available for the map; use the list.</p>"}
</section>
</div>
<section aria-labelledby="about-heading">
<h2 id="about-heading">About these assessments</h2>
<ul>{about}</ul>
</section>
</main>
<footer>
<p>Contains public sector information licensed under the Open Government Licence v3.0 (DfE, ONS,
MHCLG, OHID, UKHSA) and data from mySociety (CC BY 4.0). Contains OS data &copy; Crown copyright
and database right.</p>
</footer>
<script>{SCRIPT}</script>
</body>
</html>
"""


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
    books = built_books(root, data_dir)
    try:
        snapshot_date = read_manifest_header(paths.snapshot_dir(data_dir)).get("built", "unknown")
    except Exception:
        snapshot_date = "unknown"
    features = map_features(data_dir, raw_dir) if books else []
    codes = {b.code for b in books}
    reference = "E10000034" if "E10000034" in codes else None
    page = render_landing(books, snapshot_date, map_svg(books, features), reference)
    atomic_write(out, page.encode("utf-8"))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("root", nargs="?", type=Path, default=None, help="default: _build/html")
    p.add_argument("--data-dir", type=Path, default=None)
    args = p.parse_args(argv)
    try:
        out = write_landing(args.root, args.data_dir)
    except (NeedsbookError, OSError) as exc:
        print(f"needsbook: error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
