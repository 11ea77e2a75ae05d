"""Chart styling: the Government Analysis Function categorical palette and GOV.UK RAG colours.

Colour is never the only cue: charts pair colour with shape, dash or direct labels, and every
chart in the book is followed by its data table and a text summary.
"""

from __future__ import annotations

import altair as alt

from needsbook.charts import composition, schema_table
from needsbook.charts.values import chart_values

# Analysis Function accessible categorical palette (dark blue, turquoise, dark pink, orange,
# dark grey, light purple), in the order it is meant to be used.
PALETTE = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
# GOV.UK colours for benchmark comparisons (Better / Similar / Worse / not compared).
RAG = {
    "Better": "#00703c",
    "Similar": "#ffdd00",
    "Worse": "#d4351c",
    "Best": "#005a30",
    "Worst": "#942514",
    "Higher": "#1d70b8",
    "Lower": "#5694ca",
    "Not compared": "#b1b4b6",
}
TEXT = "#0b0c0c"
FONT = "Arial, Helvetica, sans-serif"


def _theme() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig(
        config={
            "font": FONT,
            "background": "#ffffff",
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 300},
            "range": {"category": PALETTE},
            "axis": {
                "labelColor": TEXT,
                "titleColor": TEXT,
                "labelFontSize": 12,
                "titleFontSize": 13,
                "gridColor": "#e5e5e5",
                "labelLimit": 0,  # never cut a label short with an ellipsis
                "titleLimit": 0,
            },
            "legend": {
                "labelColor": TEXT,
                "titleColor": TEXT,
                "labelFontSize": 12,
                "titleFontSize": 13,
                "orient": "bottom",
                "labelLimit": 0,
                "titleLimit": 0,
            },
            # long titles are wrapped to the chart's width (charts.fit), never cut
            "title": {"color": TEXT, "fontSize": 15, "anchor": "start", "limit": 0},
            "line": {"strokeWidth": 2.5},
        }
    )


@alt.theme.register("needsbook", enable=False)
def needsbook_theme() -> alt.theme.ThemeConfig:
    return _theme()


def _safe_html_renderer(spec: dict, **metadata: object) -> dict[str, str]:
    """Altair's HTML renderer, with the chart's JSON unable to end its ``<script>``."""
    from altair.vegalite.v6.display import html_renderer

    from needsbook.escape import script_safe_html

    bundle = dict(html_renderer(spec, **metadata))
    bundle["text/html"] = script_safe_html(bundle["text/html"])
    return bundle


RENDERER = "needsbook-html"
alt.renderers.register(RENDERER, _safe_html_renderer)
DATA = "needsbook-values"
alt.data_transformers.register(DATA, chart_values)


def enable() -> None:
    """Use the needsbook theme and the plain HTML renderer (offline via the vendored bundle),
    with data in chart specs escaped for the script that holds them, never limited in rows
    and with floats to 12 significant figures (:mod:`needsbook.charts.values`); charts are
    composed without Altair's no-op copies (:mod:`needsbook.charts.composition`) and its
    schema table is built once (:mod:`needsbook.charts.schema_table`)."""
    composition.enable()
    schema_table.enable()
    alt.theme.enable("needsbook")
    alt.renderers.enable(RENDERER)
    alt.data_transformers.enable(DATA)
