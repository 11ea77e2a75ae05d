"""The shared small-multiples parts: series told apart by more than colour, whole-year axes,
the interval band, and a grid of panels in their own order with their own scales."""

from __future__ import annotations

import altair as alt
import pandas as pd

from needsbook.charts import PALETTE
from needsbook.charts import small_multiples as sm

ORDER = ["Worcestershire", "England", "West Midlands", "Statistical neighbours' average"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "panel": ["Infant mortality|per 1,000", "Smoking"] * 2,
            "panel_order": [1, 0] * 2,
            "year": [2023, 2023, 2024, 2024],
            "series": ["Worcestershire"] * 4,
            "value": [3.0, 9.0, 4.0, 8.0],
            "lower": [2.0, 8.0, 3.0, 7.0],
            "upper": [4.0, 10.0, 5.0, 9.0],
        }
    )


def test_each_series_differs_in_colour_dash_and_shape() -> None:
    x, y = sm.year_x(), alt.Y("value:Q")
    lines, points = sm.series_lines(alt.Chart(), x, y, ORDER, [alt.Tooltip("value:Q")])
    line, point = lines.to_dict()["encoding"], points.to_dict()["encoding"]
    assert line["color"]["scale"] == {"domain": ORDER, "range": PALETTE[:4]}
    dashes, shapes = line["strokeDash"]["scale"]["range"], point["shape"]["scale"]["range"]
    assert dashes[0] == [1, 0] and shapes[0] == "circle"  # the area: solid, circles
    assert len({str(d) for d in dashes}) == len(set(shapes)) == 4
    assert point["tooltip"] == [{"field": "value", "type": "quantitative"}]
    two = sm.series_lines(alt.Chart(), x, y, ORDER[:2], [])[0].to_dict()["encoding"]
    assert two["strokeDash"]["scale"]["range"] == [[1, 0], [6, 3]]  # England: dashed


def test_the_year_axis_shows_whole_years() -> None:
    x = sm.year_x("Year (31 March)", titleFontWeight="normal").to_dict()
    assert x["title"] == "Year (31 March)" and x["scale"] == {"zero": False, "nice": False}
    assert x["axis"] == {
        "format": "d",
        "tickMinStep": 1,
        "labelAngle": 0,
        "titleFontWeight": "normal",
    }
    assert sm.year_x().to_dict()["title"] == sm.YEAR_TITLE


def test_the_band_runs_from_the_lower_to_the_upper_limit() -> None:
    area = sm.band(alt.Chart(), sm.year_x(), alt.Y("lower:Q")).to_dict()
    assert area["mark"] == {"type": "area", "opacity": 0.22, "color": PALETTE[0]}
    assert area["encoding"]["y2"] == {"field": "upper"}
    rect = sm.band(alt.Chart(), alt.X("start:Q"), alt.Y("lower:Q"), rect=True, x2="end:Q")
    assert rect.to_dict()["mark"]["type"] == "rect"
    assert rect.to_dict()["encoding"]["x2"] == {"field": "end"}


def test_panels_in_their_order_each_with_its_own_scales() -> None:
    layer = alt.layer(alt.Chart().mark_line().encode(x=sm.year_x(), y="value:Q"), data=_frame())
    chart = sm.panels(layer, "Trends", "What the chart shows.", columns=3).to_dict()
    assert chart["facet"]["field"] == "panel"
    assert chart["facet"]["sort"] == {"field": "panel_order"}
    assert chart["facet"]["header"]["labelExpr"] == "split(datum.value, '|')"  # "|": new line
    assert chart["columns"] == 3 and chart["spec"]["width"] == 250
    assert chart["resolve"] == {"scale": {"y": "independent", "x": "independent"}}
    assert (chart["title"], chart["description"]) == ("Trends", "What the chart shows.")
    shared = sm.panels(layer, "Trends", "", shared_x=True).to_dict()
    assert shared["resolve"] == {"scale": {"y": "independent"}}
