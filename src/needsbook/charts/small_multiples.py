"""Small multiples over the years: one panel per indicator or measure, in a grid.

The parts the trend charts (outcomes, services, vulnerable children), the maternal and early
years three-year chart and the deprivation-adjusted ratio chart share: the year axis, the 95%
interval band, series that differ in colour, dash and point shape (colour is never the only
cue), and the grid of panels, each titled in bold ("|" in a panel name starts a new line).
"""

from __future__ import annotations

from typing import Any

import altair as alt

from needsbook.charts.theme import PALETTE

YEAR_TITLE = "Year (the year the period ends)"
BAND_OPACITY = 0.22
#: Each series' dash and point shape, in series order (the area first: solid, circles).
DASHES = ([1, 0], [6, 3], [2, 2], [8, 2, 2, 2])
SHAPES = ("circle", "square", "triangle-up", "diamond")
#: The legend of the series' colours (names up to 260 px, two to a row).
SERIES_LEGEND = alt.Legend(title=None, orient="top", labelLimit=260, columns=2)
PANEL_HEADER = alt.Header(
    labelExpr="split(datum.value, '|')",
    labelAnchor="start",
    labelFontSize=12,
    labelFontWeight="bold",
    labelLimit=300,
)


def year_x(title: str = YEAR_TITLE, **axis: Any) -> alt.X:
    """The ``year`` field across a panel: whole years, labels level, no padding to zero;
    ``axis`` adds to or overrides the axis properties."""
    return alt.X(
        "year:Q",
        title=title,
        axis=alt.Axis(**{"format": "d", "tickMinStep": 1, "labelAngle": 0, **axis}),
        scale=alt.Scale(zero=False, nice=False),
    )


def band(
    base: alt.Chart,
    x: alt.X,
    y: alt.Y,
    *,
    rect: bool = False,
    colour: str = PALETTE[0],
    **encoding: Any,
) -> alt.Chart:
    """A 95% interval as a shaded band from ``y`` (the lower limit) to ``upper``: an area
    along ``x``, or with ``rect`` a rectangle (``x2`` in ``encoding``)."""
    mark = base.mark_rect if rect else base.mark_area
    return mark(opacity=BAND_OPACITY, color=colour).encode(
        x=x, y=y, y2=alt.Y2("upper:Q"), **encoding
    )


def series_lines(
    base: alt.Chart,
    x: alt.X,
    y: alt.Y,
    order: list[str],
    tooltip: list[alt.Tooltip],
    legend: alt.Legend = SERIES_LEGEND,
) -> tuple[alt.Chart, alt.Chart]:
    """A line and points for each value of ``series``, in ``order``: colour, dash and point
    shape all differ, and the points carry the tooltip."""

    def scale(values: object) -> dict[str, Any]:
        return {"sort": order, "scale": alt.Scale(domain=order, range=list(values)[: len(order)])}

    colour = alt.Color("series:N", **scale(PALETTE), legend=legend)
    lines = base.mark_line(strokeWidth=2).encode(
        x=x, y=y, color=colour, strokeDash=alt.StrokeDash("series:N", **scale(DASHES), legend=None)
    )
    points = base.mark_point(filled=True, size=40).encode(
        x=x,
        y=y,
        color=colour,
        shape=alt.Shape("series:N", **scale(SHAPES), legend=alt.Legend(title=None, orient="top")),
        tooltip=tooltip,
    )
    return lines, points


def panels(
    layer: alt.LayerChart,
    title: str | alt.TitleParams,
    description: str,
    *,
    columns: int = 2,
    width: int = 250,
    height: int = 150,
    shared_x: bool = False,
) -> alt.FacetChart:
    """``layer`` once per ``panel`` (in ``panel_order``), ``columns`` to a row, each panel
    with its own y scale and, unless ``shared_x``, its own years.

    Made in one step rather than Altair's chain of methods: each step copies the chart, and
    each copy of a layered chart copies its layers three times over."""
    resolve = {"y": "independent"} if shared_x else {"y": "independent", "x": "independent"}
    spec = layer.copy(deep=False)
    spec.data, spec.width, spec.height = alt.Undefined, width, height
    return alt.FacetChart(
        spec=spec,
        facet=alt.Facet(
            "panel:N", sort=alt.SortField("panel_order"), title=None, header=PANEL_HEADER
        ),
        data=layer.data,
        columns=columns,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(**resolve)),
        title=title,
        description=description,
    )
