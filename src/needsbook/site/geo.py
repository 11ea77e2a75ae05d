"""England's upper-tier areas as shapes: boundaries from the snapshot (or the raw ONS file),
projected to SVG path data for the landing page's map."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from needsbook import paths

BOUNDARIES_TABLE = "utla_boundaries"
RAW_BOUNDARIES = "geography/boundaries/ctyua_may2023_uk_buc.geojson"
MAP_WIDTH = 560  # SVG user units; the map scales to its container

Feature = tuple[str, str, dict[str, Any]]  # area code, name, GeoJSON geometry (lon/lat)


def _features_from_snapshot(data_dir: Path | None) -> list[Feature]:
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


def _features_from_raw(raw_dir: Path | None, data_dir: Path | None) -> list[Feature]:
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


def map_features(data_dir: Path | None = None, raw_dir: Path | None = None) -> list[Feature]:
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


def svg_paths(features: list[Feature], width: int = MAP_WIDTH) -> tuple[dict[str, str], int]:
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
