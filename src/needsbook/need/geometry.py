"""Small pure-Python helpers for GeoJSON polygons in lon/lat (no shapely needed).

Rings follow the d3-geo / Vega convention that the boundary files already use: exterior rings
clockwise, holes anticlockwise (the opposite of RFC 7946). Rounding can flip or flatten a tiny
ring; :func:`round_geometry` re-checks every ring's orientation and drops rings with no area, so a
rounded shape never turns into a "fill the whole plot" polygon in Vega.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

Ring = list[list[float]]
Polygon = list[Ring]


def signed_area(ring: Ring) -> float:
    """Planar shoelace area in degrees squared: negative for clockwise rings (x = lon, y = lat)."""
    total = 0.0
    for (x1, y1), (x2, y2) in pairwise(ring):
        total += x1 * y2 - x2 * y1
    return total / 2


def polygons(geometry: dict[str, Any]) -> list[Polygon]:
    """The polygons of a Polygon or MultiPolygon geometry."""
    kind = geometry["type"]
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"expected a Polygon or MultiPolygon geometry, got {kind!r}")


def _round_ring(ring: Ring, dp: int, exterior: bool) -> Ring | None:
    out: Ring = []
    for x, y in ring:
        point = [round(float(x), dp), round(float(y), dp)]
        if not out or point != out[-1]:
            out.append(point)
    if len(out) < 4 or out[0] != out[-1]:
        return None
    area = signed_area(out)
    if area == 0:
        return None
    if (area > 0) == exterior:  # exterior must be clockwise (negative), holes anticlockwise
        out.reverse()
    return out


def round_geometry(geometry: dict[str, Any], dp: int) -> dict[str, Any] | None:
    """Round coordinates to ``dp`` decimals, drop repeated points and flat rings, fix winding.

    Returns a Polygon or MultiPolygon (``None`` if nothing with an area is left).
    """
    kept: list[Polygon] = []
    for poly in polygons(geometry):
        exterior = _round_ring(poly[0], dp, exterior=True)
        if exterior is None:
            continue
        holes = [h for h in (_round_ring(r, dp, exterior=False) for r in poly[1:]) if h]
        kept.append([exterior, *holes])
    if not kept:
        return None
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def to_text(geometry: dict[str, Any]) -> str:
    """Compact GeoJSON text for a geometry object."""
    return json.dumps(geometry, separators=(",", ":"))


def label_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """The centroid of the largest exterior ring: a place to put a label (lon, lat)."""
    best = max((poly[0] for poly in polygons(geometry)), key=lambda r: abs(signed_area(r)))
    area = signed_area(best)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in pairwise(best):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if area == 0:
        xs, ys = zip(*best, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (6 * area), cy / (6 * area)


def bounds(geometries: Iterable[dict[str, Any]]) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) over the exterior rings of some geometries."""
    xs: list[float] = []
    ys: list[float] = []
    for geometry in geometries:
        for poly in polygons(geometry):
            xs.extend(p[0] for p in poly[0])
            ys.extend(p[1] for p in poly[0])
    if not xs:
        raise ValueError("no coordinates")
    return min(xs), min(ys), max(xs), max(ys)


def features(
    rows: Iterable[dict[str, Any]], geometry_column: str = "geometry"
) -> list[dict[str, Any]]:
    """GeoJSON features from records whose ``geometry_column`` holds GeoJSON text; the other
    fields become the feature's ``properties``."""
    out = []
    for row in rows:
        props = {k: v for k, v in row.items() if k != geometry_column}
        out.append(
            {
                "type": "Feature",
                "geometry": json.loads(row[geometry_column]),
                "properties": props,
            }
        )
    return out


Point = tuple[float, float]
Segment = tuple[Point, Point]


def _segments(ring: Ring) -> list[Segment]:
    out = []
    for p, q in pairwise(ring):
        a, b = (p[0], p[1]), (q[0], q[1])
        if a != b:
            out.append((a, b) if a < b else (b, a))
    return out


def chain(segments: Iterable[Segment]) -> list[list[list[float]]]:
    """Join segments that share end points into as few lines as possible (deterministic)."""
    neighbours: dict[Point, list[Point]] = {}
    for a, b in sorted(set(segments)):
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    used: set[Segment] = set()

    def walk(start: Point) -> list[list[float]]:
        line = [list(start)]
        here = start
        while True:
            step = next(
                (n for n in neighbours[here] if ((here, n) if here < n else (n, here)) not in used),
                None,
            )
            if step is None:
                return line
            used.add((here, step) if here < step else (step, here))
            line.append(list(step))
            here = step

    lines = []
    # Open lines start at points where the number of segments is odd, then closed loops.
    starts = [p for p in sorted(neighbours) if len(neighbours[p]) % 2] + sorted(neighbours)
    for p in starts:
        while any(((p, n) if p < n else (n, p)) not in used for n in neighbours[p]):
            lines.append(walk(p))
    return lines


def boundary_lines(
    shapes: Iterable[tuple[str, dict[str, Any]]],
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Outline and internal group boundaries of a set of polygons that share edges.

    ``shapes`` are (group, geometry) pairs, e.g. (district code, LSOA geometry). A segment used an
    odd number of times over all shapes is on the outline; one used an even number of times
    overall but an odd number of times within some group separates two groups. Returns two
    MultiLineString geometries (outline, group boundaries); None where there are no lines.
    Drawn from the same shapes as the map, the lines follow its edges exactly.
    """
    total: dict[Segment, int] = {}
    by_group: dict[tuple[str, Segment], int] = {}
    for group, geometry in shapes:
        for poly in polygons(geometry):
            for ring in poly:
                for seg in _segments(ring):
                    total[seg] = total.get(seg, 0) + 1
                    by_group[(group, seg)] = by_group.get((group, seg), 0) + 1
    outline = {s for s, n in total.items() if n % 2}
    inner = {s for (_, s), n in by_group.items() if n % 2} - outline

    def multiline(segs: set[Segment]) -> dict[str, Any] | None:
        return {"type": "MultiLineString", "coordinates": chain(segs)} if segs else None

    return multiline(outline), multiline(inner)
