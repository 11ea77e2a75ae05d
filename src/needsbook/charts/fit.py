"""Charts that fit the page: titles wrapped to the chart's width, one legend per field.

Vega draws a chart title on one line however long it is, so a long title widens the chart
beyond the page column. :func:`wrapped_title` splits a long title (and subtitle) into lines no
wider than the chart, or than ``MIN_TITLE_PX`` for a narrow chart (its axis labels widen it).
:func:`legends` lists the legends Vega will draw, so a test can check that each field has one
legend (colour, shape and dash of one field share a legend only when their scales have the
same domain).
"""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt

DEFAULT_WIDTH = 560  # the theme's continuous width
TITLE_CHAR_PX = 8.0  # average width of a character of a 15 px bold Arial title (7.6 measured)
SUBTITLE_CHAR_PX = 6.5  # and of an 11 px subtitle
MIN_TITLE_PX = 640  # inside the page column at 1280 px (about 780 px)


def chart_width(chart: Any) -> float:
    """The drawing width of a chart in pixels, as far as its spec says (else the default)."""
    if isinstance(chart, alt.HConcatChart):
        return sum(chart_width(c) for c in chart.hconcat) or DEFAULT_WIDTH
    if isinstance(chart, alt.VConcatChart):
        return max((chart_width(c) for c in chart.vconcat), default=DEFAULT_WIDTH)
    if isinstance(chart, alt.LayerChart):
        own = chart.width if isinstance(chart.width, int | float) else None
        return own or max((chart_width(c) for c in chart.layer), default=DEFAULT_WIDTH)
    width = getattr(chart, "width", alt.Undefined)
    width = float(width) if isinstance(width, int | float) else DEFAULT_WIDTH
    return width * _facet_columns(chart)


def _facet_columns(chart: Any) -> int:
    """How many panels a faceted chart draws side by side (1 when it is not faceted)."""
    if isinstance(chart, alt.FacetChart):
        columns = chart.columns
    else:
        encoding = chart.to_dict(validate=False).get("encoding", {})
        columns = encoding.get("facet", {}).get("columns")
    return int(columns) if isinstance(columns, int) and columns > 0 else 1


def title_px(chart: Any) -> float:
    """How wide a chart's title lines may be."""
    return max(chart_width(chart), MIN_TITLE_PX)


def wrap(text: str | list[str], width_px: float, char_px: float = TITLE_CHAR_PX) -> str | list[str]:
    """``text`` as lines that fit ``width_px`` (unchanged when it fits on one line)."""
    lines = text if isinstance(text, list) else [text]
    chars = int(width_px / char_px)
    out = [piece for line in lines for piece in (textwrap.wrap(line, chars) or [line])]
    return out[0] if len(out) == 1 else out


def wrapped_title(chart: Any) -> Any:
    """A top-level chart's title and subtitle wrapped to its width (Undefined: no title)."""
    title = getattr(chart, "title", alt.Undefined)
    if title is alt.Undefined:
        return title
    width = title_px(chart)
    if isinstance(title, str | list):
        return wrap(title, width)
    params = title.to_dict() if hasattr(title, "to_dict") else dict(title)
    for key, char_px in (("text", TITLE_CHAR_PX), ("subtitle", SUBTITLE_CHAR_PX)):
        if isinstance(params.get(key), str | list):
            params[key] = wrap(params[key], width, char_px)
    return alt.TitleParams(**params)


def legends(chart: Any) -> list[dict[str, Any]]:
    """The legends Vega draws for the chart (each with its title and encodings)."""
    import vl_convert as vlc

    spec = vlc.vegalite_to_vega(chart.to_dict())
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        found.extend(node.get("legends", []))
        for mark in node.get("marks", []):
            if mark.get("type") == "group":
                walk(mark)

    walk(spec)
    return found
