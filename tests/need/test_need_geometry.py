"""Pure-Python polygon helpers: rounding with Vega winding, labels and traced boundaries."""

from __future__ import annotations

from needsbook.need.geometry import boundary_lines, label_point, round_geometry, signed_area


def square(x: float, y: float, size: float = 1.0) -> dict:
    """A clockwise (d3/Vega) square."""
    ring = [[x, y], [x, y + size], [x + size, y + size], [x + size, y], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_rounding_keeps_clockwise_exteriors_and_drops_flat_rings() -> None:
    anticlockwise = {"type": "Polygon", "coordinates": [square(0, 0)["coordinates"][0][::-1]]}
    fixed = round_geometry(anticlockwise, 4)
    assert fixed is not None and signed_area(fixed["coordinates"][0]) < 0
    tiny = square(5, 5, 0.00001)
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square(0, 0)["coordinates"], tiny["coordinates"]],
    }
    out = round_geometry(multi, 3)
    assert out == {"type": "Polygon", "coordinates": square(0, 0)["coordinates"]}
    assert round_geometry(tiny, 3) is None


def test_rounding_rounds_and_removes_repeated_points() -> None:
    ring = [[0.123456, 0.0], [0.123457, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.123456, 0.0]]
    out = round_geometry({"type": "Polygon", "coordinates": [ring]}, 4)
    assert out is not None
    pts = out["coordinates"][0]
    assert all(round(v, 4) == v for p in pts for v in p)
    assert pts[0] == pts[-1] and len(pts) == len({tuple(p) for p in pts}) + 1


def test_label_point_of_a_square_is_its_centre() -> None:
    assert label_point(square(2, 4, 2)) == (3.0, 5.0)


def test_boundary_lines_trace_outline_and_group_borders() -> None:
    shapes = [
        ("a", square(0, 0)),
        ("a", square(1, 0)),
        ("b", square(0, 1)),
        ("b", square(1, 1)),
    ]
    outline, inner = boundary_lines(shapes)
    assert outline is not None and inner is not None
    assert outline["coordinates"] == [
        [[0, 0], [0, 1], [0, 2], [1, 2], [2, 2], [2, 1], [2, 0], [1, 0], [0, 0]]
    ]
    assert inner["coordinates"] == [[[0, 1], [1, 1], [2, 1]]]
    _, none = boundary_lines([("a", square(0, 0)), ("a", square(1, 0))])
    assert none is None  # one group: no internal boundary
