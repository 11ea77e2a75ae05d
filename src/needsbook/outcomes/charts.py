"""Altair charts for the outcomes chapter: spine chart, trends, neighbours, gaps, outcome star.

Colour is never the only cue: comparison markers also differ in shape and every row of the
spine chart states its comparison in words; series in line charts differ in colour, dash and
point shape.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from needsbook.charts import PALETTE, RAG, annotations, small_multiples
from needsbook.charts.annotations import Event
from needsbook.outcomes.findings import Finding
from needsbook.polarity import LOW_IS_GOOD

# Spine chart layout (pixels): text columns, then the spine, then the comparison in words.
SPINE_COLUMNS = {"name": 0, "period": 212, "value": 340, "england": 390, "label": 578}
SPINE_LEFT, SPINE_WIDTH = 400, 170
SPINE_TOTAL = 680
ROW = 21
LIGHT_GREY, DARK_GREY = "#c8cacc", "#8b8e91"

#: Legend category per finding label, with its colour and marker shape.
MARKERS = {
    "Better than England": (RAG["Better"], "triangle-up"),
    "Similar to England": (RAG["Similar"], "circle"),
    "Worse than England": (RAG["Worse"], "triangle-down"),
    "Higher than England": (RAG["Higher"], "diamond"),
    "Lower than England": (RAG["Lower"], "square"),
    "Fifth of areas (no test)": ("#ffffff", "circle"),
    "Not compared": (RAG["Not compared"], "cross"),
}
SERIES_COLOURS = dict(zip(["area", "England", "region", "neighbours"], PALETTE[:4], strict=True))


def _category(f: Finding) -> str:
    if not f.has_data:
        return "No data"
    if f.method == "quintiles":
        return "Fifth of areas (no test)" if f.quintile is not None else "Not compared"
    return {
        "better": "Better than England",
        "worse": "Worse than England",
        "similar": "Similar to England",
        "higher": "Higher than England",
        "lower": "Lower than England",
    }.get(f.direction, "Not compared")


def spine_frame(bench: pd.DataFrame, items: list[Finding], stages: dict[str, str]) -> pd.DataFrame:
    """One row per chart line (life-stage headings and indicators) with spine positions."""
    by_id = {f.indicator_id: f for f in items}
    records = []
    for stage, title in stages.items():
        part = bench[bench["life_stage"] == stage]
        if part.empty:
            continue
        records.append({"kind": "stage", "name": title})
        for r in part.itertuples(index=False):
            f = by_id[r.indicator_id]
            rec = {
                "kind": "indicator",
                "name": f.indicator.label,
                "full_name": f.name,
                "period": f.period,
                "value_text": f.indicator.number(f.value),
                "england_text": f.indicator.number(f.england) if f.england is not None else "n/a",
                "has_england": f.england is not None,
                "label": f.label,
                "category": _category(f),
                "unit": f.indicator.unit,
                "region_text": f.indicator.number(f.region),
                "neighbours_text": f.indicator.number(f.neighbours),
                "trend": f.trend_label,
                "polarity": f.polarity,
            }
            rec.update(_positions(r, f))
            records.append(rec)
    df = pd.DataFrame(records)
    df.insert(0, "row", np.arange(len(df)))
    return df


def _positions(r: object, f: Finding) -> dict[str, float]:
    """Spine positions in [0, 1]: England (or the areas' median) at 0.5, better to the right."""
    lo, q1, q3, hi = (getattr(r, c) for c in ("area_min", "area_q1", "area_q3", "area_max"))
    if pd.isna(lo):
        return {}
    centre = f.england if f.england is not None else (q1 + q3) / 2
    sign = -1.0 if f.polarity == LOW_IS_GOOD else 1.0
    ends = sorted(sign * (v - centre) for v in (lo, q1, q3, hi))
    values = [*ends]
    if f.value is not None:
        values.append(sign * (f.value - centre))
    half = max(abs(v) for v in values) or 1.0

    def pos(t: float) -> float:
        return 0.5 + t / (2 * half)

    out = {
        "worst": pos(ends[0]),
        "p25": pos(ends[1]),
        "p75": pos(ends[2]),
        "best": pos(ends[3]),
    }
    if f.value is not None:
        out["marker"] = pos(sign * (f.value - centre))
    return out


def spine_chart(frame: pd.DataFrame, area_name: str, description: str) -> alt.LayerChart:
    """Fingertips-style spine chart with the indicator table drawn beside it."""
    frame = frame.copy()
    for c in ("worst", "p25", "p75", "best", "marker"):
        if c in frame:
            frame[f"{c}_px"] = SPINE_LEFT + frame[c] * SPINE_WIDTH
    height = ROW * len(frame)
    scale = alt.Scale(domain=[0, SPINE_TOTAL], range=[0, SPINE_TOTAL])
    y = alt.Y("row:O", axis=None, scale=alt.Scale(paddingInner=0.2, paddingOuter=0.1))
    base = alt.Chart(frame).encode(y=y)
    ind = base.transform_filter(alt.datum.kind == "indicator")

    def text_column(field: str, at: float, align: str = "left", limit: float = 0) -> alt.Chart:
        return ind.mark_text(align=align, baseline="middle", fontSize=11, limit=limit).encode(
            x=alt.XValue(at), text=alt.Text(f"{field}:N")
        )

    def span(a: str, b: str, colour: str) -> alt.Chart:
        return (
            ind.transform_filter(f"isValid(datum.{a})")
            .mark_bar(color=colour, height=ROW * 0.55)
            .encode(x=alt.X(f"{a}_px:Q", scale=scale, axis=None), x2=alt.X2(f"{b}_px:Q"))
        )

    stages = (
        base.transform_filter(alt.datum.kind == "stage")
        .mark_text(align="left", baseline="middle", fontSize=12, fontWeight="bold", dy=2)
        .encode(x=alt.XValue(0), text=alt.Text("name:N"))
    )
    england = (
        ind.transform_filter("isValid(datum.worst) && datum.has_england")
        .mark_tick(color="#0b0c0c", thickness=2, size=ROW * 0.9)
        .encode(x=alt.XValue(SPINE_LEFT + SPINE_WIDTH / 2))
    )
    categories = list(MARKERS)
    legend = alt.Legend(
        title=f"{area_name} compared with England",
        columns=2,
        orient="bottom",
        titleLimit=600,
        labelLimit=260,
    )
    marker = (
        ind.transform_filter("isValid(datum.marker)")
        .mark_point(size=85, filled=True, stroke="#0b0c0c", strokeWidth=1, opacity=1)
        .encode(
            x=alt.X("marker_px:Q", scale=scale, axis=None),
            fill=alt.Fill(
                "category:N",
                scale=alt.Scale(domain=categories, range=[MARKERS[c][0] for c in categories]),
                legend=legend,
            ),
            shape=alt.Shape(
                "category:N",
                scale=alt.Scale(domain=categories, range=[MARKERS[c][1] for c in categories]),
                legend=legend,
            ),
            tooltip=[
                alt.Tooltip("full_name:N", title="Indicator"),
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("value_text:N", title=area_name),
                alt.Tooltip("unit:N", title="Unit"),
                alt.Tooltip("england_text:N", title="England"),
                alt.Tooltip("region_text:N", title="Region"),
                alt.Tooltip("neighbours_text:N", title="Neighbours' average"),
                alt.Tooltip("label:N", title="Compared with England"),
                alt.Tooltip("trend:N", title="Recent trend"),
            ],
        )
    )
    head = [
        ("Indicator", SPINE_COLUMNS["name"], "left"),
        ("Period", SPINE_COLUMNS["period"], "left"),
        ("Value", SPINE_COLUMNS["value"], "right"),
        ("England", SPINE_COLUMNS["england"], "right"),
        ("Worse \u2190 England \u2192 Better", SPINE_LEFT + SPINE_WIDTH / 2, "center"),
        ("Comparison", SPINE_COLUMNS["label"], "left"),
    ]
    heads = [
        alt.Chart(pd.DataFrame({"t": [t]}))
        .mark_text(align=a, baseline="bottom", fontSize=11, fontWeight="bold", dy=-6)
        .encode(x=alt.XValue(at), y=alt.YValue(0), text=alt.Text("t:N"))
        for t, at, a in head
    ]
    layers = [
        *heads,
        stages,
        text_column("name", SPINE_COLUMNS["name"], limit=SPINE_COLUMNS["period"] - 8),
        text_column("period", SPINE_COLUMNS["period"], limit=84),
        text_column("value_text", SPINE_COLUMNS["value"], align="right"),
        text_column("england_text", SPINE_COLUMNS["england"], align="right"),
        span("worst", "p25", LIGHT_GREY),
        span("p25", "p75", DARK_GREY),
        span("p75", "best", LIGHT_GREY),
        england,
        marker,
        text_column("label", SPINE_COLUMNS["label"], limit=SPINE_TOTAL - SPINE_COLUMNS["label"]),
    ]
    return alt.layer(*layers).properties(
        width=SPINE_TOTAL,
        height=height,
        title=alt.Title(
            f"{area_name} compared with England and all English upper-tier areas",
            subtitle=[
                "Grey bar: range of all areas (light: worst to 25th and 75th percentile to best; "
                "dark: middle half).",
                "Black tick: England. Better is always to the right (higher, where there is no "
                "judgement).",
            ],
            offset=18,
        ),
        description=description,
    )


# --------------------------------------------------------------------------------------
# Trends
# --------------------------------------------------------------------------------------
def trend_chart(
    data: pd.DataFrame,
    title: str,
    description: str,
    series_order: list[str],
    columns: int = 2,
    events: dict[str, list[Event]] | None = None,
) -> alt.FacetChart:
    """Small multiples of one line per series; the area's 95% CI as a band where it has one;
    dated events (policy, the Census 2021 population base, definition changes) as dashed
    vertical lines with a short label.

    ``data`` columns: ``panel`` (facet title, "|" splits lines), ``year``, ``period``,
    ``series`` (names in ``series_order``, the area first), ``value``, ``lower``, ``upper``,
    ``value_text``; optional ``indicator_id`` and ``period_type`` (else ``panel_name`` names
    the catalogue indicator). ``events``: the events per panel (by default
    :func:`needsbook.charts.annotations.panel_events` of ``data``; ``{}`` draws none).
    """
    if events is None:
        events = annotations.panel_events(data)
    x = small_multiples.year_x(
        labelExpr="datum.value == floor(datum.value) ? datum.label : ''",
        titleFontSize=10,
        titleFontWeight="normal",
        titleColor="#505a5f",
    )
    tooltip = [
        alt.Tooltip("panel_name:N", title="Indicator"),
        alt.Tooltip("series:N", title="Area"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("value_text:N", title="Value"),
        alt.Tooltip("ci_text:N", title="95% confidence interval"),
    ]
    area = f"datum.series == '{_escape(series_order[0])}' && isValid(datum.lower)"
    band = small_multiples.band(
        alt.Chart().transform_filter(area), x, alt.Y("lower:Q", scale=alt.Scale(zero=False))
    )
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False))
    lines, points = small_multiples.series_lines(alt.Chart(), x, y, series_order, tooltip)
    layers = [band, lines, points]
    marks = _event_rows(data, events)
    if len(marks):
        data = pd.concat([data, marks], ignore_index=True)
        plain = "!isValid(datum.event_label)"
        lines, points = lines.transform_filter(plain), points.transform_filter(plain)
        layers = [band, lines, points, *annotations.rule_layers(x)]
    return small_multiples.panels(
        alt.layer(*layers, data=data), title, description, columns=columns
    )


def _event_rows(data: pd.DataFrame, events: dict[str, list[Event]]) -> pd.DataFrame:
    """One row per event per panel (the panel's facet fields, the line's place as ``year``)."""
    parts = []
    keep = [c for c in ("panel", "panel_name", "panel_order") if c in data]
    for panel, found in events.items():
        part = data[data["panel"] == panel]
        if part.empty or not found:
            continue
        rows = annotations.mark_rows(found)
        for c in keep:
            rows[c] = part[c].iloc[0]
        parts.append(rows)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


# --------------------------------------------------------------------------------------
# Statistical neighbours
# --------------------------------------------------------------------------------------
def neighbours_chart(data: pd.DataFrame, area_name: str, description: str) -> alt.FacetChart:
    """Ranked bars (best at the top) of the area, its neighbours and its region per indicator,
    with 95% CIs where published and England as a vertical line.

    ``data`` columns: ``panel``, ``panel_order``, ``place``, ``kind`` (area / neighbour /
    region), ``value``, ``lower``, ``upper``, ``order`` (1 = best), ``england``, ``value_text``.
    """
    kinds = [area_name, "Statistical neighbour", "Region"]
    colours = [PALETTE[0], "#b1b4b6", PALETTE[2]]
    y = alt.Y(
        "place:N",
        sort=alt.EncodingSortField("order", op="min", order="ascending"),
        title=None,
        axis=alt.Axis(labelLimit=120, labelFontSize=10),
    )
    bars = (
        alt.Chart()
        .mark_bar(height={"band": 0.75})
        .encode(
            y=y,
            x=alt.X("value:Q", title=None),
            color=alt.Color(
                "kind_label:N",
                scale=alt.Scale(domain=kinds, range=colours),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("panel_name:N", title="Indicator"),
                alt.Tooltip("place:N", title="Area"),
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("value_text:N", title="Value"),
                alt.Tooltip("ci_text:N", title="95% confidence interval"),
            ],
        )
    )
    errors = (
        alt.Chart()
        .transform_filter("isValid(datum.lower)")
        .mark_rule(color="#0b0c0c", strokeWidth=1.2)
        .encode(y=y, x="lower:Q", x2="upper:Q")
    )
    england = (
        alt.Chart()
        .transform_filter("isValid(datum.england)")
        .mark_rule(color="#0b0c0c", strokeDash=[4, 2], strokeWidth=1.5)
        .encode(x="england:Q", tooltip=[alt.Tooltip("england_text:N", title="England")])
    )
    return (
        alt.layer(bars, errors, england, data=data)
        .properties(width=170, height=alt.Step(13))
        .facet(
            facet=alt.Facet(
                "panel:N",
                sort=alt.SortField("panel_order"),
                title=None,
                header=alt.Header(
                    labelExpr="split(datum.value, '|')",
                    labelAnchor="start",
                    labelFontSize=11,
                    labelLimit=190,
                ),
            ),
            columns=2,
            spacing=16,
        )
        .resolve_scale(y="independent", x="independent")
        .properties(
            title=alt.Title(
                f"{area_name} among its statistical neighbours and region",
                subtitle="Best at the top. Dashed line: England. Black lines: 95% confidence "
                "intervals (where published).",
            ),
            description=description,
        )
    )


# --------------------------------------------------------------------------------------
# Free school meals gaps
# --------------------------------------------------------------------------------------
def gap_chart(data: pd.DataFrame, description: str) -> alt.FacetChart:
    """Dumbbells: children eligible for free school meals and all children, per place.

    ``data`` columns: ``measure``, ``place``, ``group`` ("All children" / "Eligible for free
    school meals"), ``value``, ``value_text``, ``gap_text``, ``place_order``.
    """
    groups = ["Eligible for free school meals", "All children"]
    y = alt.Y("place:N", sort=alt.SortField("place_order"), title=None)
    rule = (
        alt.Chart()
        .mark_rule(color="#6f777b", strokeWidth=2)
        .encode(
            y=y, x=alt.X("min(value):Q", title=None, scale=alt.Scale(zero=False)), x2="max(value):Q"
        )
    )
    dots = (
        alt.Chart()
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            y=y,
            x=alt.X("value:Q", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "group:N",
                scale=alt.Scale(domain=groups, range=[PALETTE[3], PALETTE[0]]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            shape=alt.Shape(
                "group:N",
                scale=alt.Scale(domain=groups, range=["diamond", "circle"]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("place:N", title="Area"),
                alt.Tooltip("group:N", title="Pupils"),
                alt.Tooltip("value_text:N", title="Value"),
                alt.Tooltip("gap_text:N", title="Gap"),
            ],
        )
    )
    gap = (
        alt.Chart()
        .transform_filter(alt.datum.group == "All children")
        .mark_text(align="left", dx=10, fontSize=11)
        .encode(y=y, x=alt.X("value:Q"), text="gap_text:N")
    )
    return (
        alt.layer(rule, dots, gap, data=data)
        .properties(width=300, height=alt.Step(26))
        .facet(
            row=alt.Row(
                "measure:N",
                sort=alt.SortField("measure_order"),
                title=None,
                header=alt.Header(
                    labelAngle=0,
                    labelAlign="left",
                    labelAnchor="start",
                    labelOrient="top",
                    labelFontWeight="bold",
                    labelFontSize=12,
                ),
            )
        )
        .resolve_scale(x="independent", y="independent")
        .properties(
            title=alt.Title(
                "Children eligible for free school meals compared with all children",
                subtitle="Text: the gap between all children and those eligible for free "
                "school meals.",
            ),
            description=description,
        )
    )


# --------------------------------------------------------------------------------------
# Outcome star (accessible dot plot)
# --------------------------------------------------------------------------------------
def star_chart(data: pd.DataFrame, area_name: str, description: str) -> alt.LayerChart:
    """Domain scores as a dot plot: the area (circle), expected from deprivation (diamond),
    England at 0 (vertical line). Right = better.

    ``data`` columns: ``domain_title``, ``domain_order``, ``series`` (area name /
    "Expected from deprivation"), ``score``, ``score_text``, ``indicators``.
    """
    series = [area_name, "Expected from deprivation"]
    y = alt.Y(
        "domain_title:N",
        sort=alt.SortField("domain_order"),
        title=None,
        axis=alt.Axis(labelLimit=260),
    )
    x = alt.X("score:Q", title="Score: standard deviations from England (right = better)")
    link = (
        alt.Chart(data)
        .transform_filter("isValid(datum.score)")
        .mark_rule(color="#b1b4b6", strokeWidth=3)
        .encode(y=y, x="min(score):Q", x2="max(score):Q")
    )
    zero = alt.Chart(pd.DataFrame({"score": [0.0], "label": ["England = 0"]}))
    rule = zero.mark_rule(color="#0b0c0c", strokeWidth=2).encode(x="score:Q")
    label = zero.mark_text(align="left", dx=4, dy=-6, fontSize=11, baseline="bottom").encode(
        x="score:Q", y=alt.value(0), text="label:N"
    )
    dots = (
        alt.Chart(data)
        .transform_filter("isValid(datum.score)")
        .mark_point(filled=True, size=120, opacity=1, stroke="#0b0c0c", strokeWidth=0.5)
        .encode(
            y=y,
            x=x,
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=series, range=[PALETTE[0], PALETTE[1]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            shape=alt.Shape(
                "series:N",
                scale=alt.Scale(domain=series, range=["circle", "diamond"]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("domain_title:N", title="Domain"),
                alt.Tooltip("series:N", title="Score"),
                alt.Tooltip("score_text:N", title="Value"),
                alt.Tooltip("indicators:N", title="Indicators"),
            ],
        )
    )
    missing = (
        alt.Chart(data)
        .transform_filter(f"datum.series == '{_escape(area_name)}' && !isValid(datum.score)")
        .mark_text(align="left", fontSize=11, color="#505a5f")
        .encode(y=y, x=alt.datum(0.0), text=alt.value("  no data"))
    )
    return alt.layer(link, rule, label, dots, missing).properties(
        width=400,
        height=alt.Step(30),
        title=alt.Title(
            f"Outcome star for {area_name}: domain scores against England and expectation",
            subtitle="Circle: actual score. Diamond: score expected for an area this deprived. "
            "Right of the line = better than England.",
        ),
        description=description,
    )
