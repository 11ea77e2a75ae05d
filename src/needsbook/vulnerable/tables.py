"""The indicator table and trend chart every section of the chapter uses.

The table has one row per indicator: its period, value, England, region and statistical
neighbours' figures, the engine's comparison with England (and with the neighbours where a
test is possible), the area's rank among its neighbours, the engine's recent trend and the
earlier value the text compares with. Values are written by the book's rule for each unit
(whole numbers for numbers of plans or requests, one decimal otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from needsbook import formatting
from needsbook.chapters.base import Section
from needsbook.chapters.text import lower_first
from needsbook.escape import Trusted, md, trusted
from needsbook.outcomes.charts import trend_chart
from needsbook.vulnerable.measures import NEIGHBOURS, Context, Measure


def unit_text(m: Measure) -> str:
    """The unit as a table or panel heading writes it ("%", "per 100,000 aged 10-17")."""
    unit = m.indicator.unit
    return "number" if m.is_number else unit


def indicator_table(items: Sequence[Measure]) -> pd.DataFrame:
    """One row per indicator (see the module docstring); empty rows say "no data"."""
    rows = []
    for m in items:
        shown = m.shown
        previous = m.earlier_value
        rows.append(
            {
                "Indicator": m.indicator.name,
                "Period": m.period,
                "Unit": unit_text(m),
                "Value": m.number(m.value, "no data") if shown or not m.has_data else "not shown",
                "England": "" if m.is_number else m.number(m.england),
                "Region": "" if m.is_number else m.number(m.region),
                "Neighbours' average": m.number(m.neighbours),
                "Compared with England": m.label,
                "How compared": _how(m),
                "Compared with neighbours": m.neighbours_comparison if shown else "",
                "Rank among neighbours": m.rank_text,
                "Recent trend": m.trend_text,
                "Why no trend": m.no_trend_reason,
                "Earlier value": "" if previous is None else m.number(previous),
                "Earlier period": "" if previous is None else str(m.previous_period),
                "Polarity": m.indicator.polarity,
            }
        )
    return pd.DataFrame(rows)


def _how(m: Measure) -> str:
    if not m.has_data:
        return ""
    if m.method.startswith("quintiles"):
        return "fifths of all areas"
    if m.method.startswith("95%"):
        return "95% confidence interval"
    return "not compared (a number, not a rate)"


def chart_frame(frame: pd.DataFrame, items: dict[str, Measure], ids: Sequence[str]) -> pd.DataFrame:
    """``trend_chart``'s input for the indicators ``ids`` from :func:`measures.series`."""
    parts = []
    for order, ind_id in enumerate(ids):
        m = items.get(ind_id)
        if m is None:
            continue
        d = frame[frame["indicator_id"] == ind_id].copy()
        if d.empty:
            continue
        d["panel"] = f"{m.indicator.label}|{_panel_unit(m)}"
        d["panel_name"] = m.indicator.name
        d["panel_order"] = order
        d["value_text"] = [m.text(v) for v in d["value"]]
        d["ci_text"] = [
            formatting.fmt_ci(lo, hi, m.indicator.unit, m.indicator.value_type, missing="")
            or "not published"
            for lo, hi in zip(d["lower"], d["upper"], strict=True)
        ]
        parts.append(d)
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def _panel_unit(m: Measure) -> str:
    if m.is_number:
        return "number"
    if m.indicator.unit == "%":
        return "per cent"
    return m.indicator.unit


def measures_chart(
    ctx: Context,
    frame: pd.DataFrame,
    items: dict[str, Measure],
    ids: Sequence[str],
    title: str,
    description: str,
    columns: int = 2,
) -> alt.FacetChart | None:
    """:func:`line_chart` of the measures ``ids`` for the context's area (None when the
    context draws no charts)."""
    if not ctx.charts:
        return None
    data = chart_frame(frame, items, list(ids))
    return line_chart(data, ctx.area.name, ctx.area.region_name, title, description, columns)


def line_chart(
    frame: pd.DataFrame,
    area_name: str,
    region_name: str,
    title: str,
    description: str,
    columns: int = 2,
) -> alt.FacetChart | None:
    """Small multiples: the area, England, its region and its neighbours' average over time
    (colour, dash and point shape differ by series). None when there is nothing to draw."""
    if frame.empty or "series" not in frame:
        return None
    order = [area_name, "England", region_name, NEIGHBOURS]
    present = [s for s in order if s in set(frame["series"])]
    return trend_chart(frame, title, description, present, columns=columns)


@dataclass
class HeadedSection(Section):
    """A section whose key finding is its headline (its summary may be a list)."""

    headline: str = ""


def bulleted(headline: str, sentences: Sequence[str]) -> Trusted:
    """The headline as a paragraph, then one bullet per sentence (escaped Markdown)."""
    parts = [md(headline)] if headline else []
    parts.append("\n".join(f"- {md(s)}" for s in sentences))
    return trusted("\n\n".join(parts))


def no_judgement_note(items: Sequence[Measure]) -> list[str]:
    """One note on why some indicators have no better or worse direction (the catalogue's
    reasons, each once)."""
    reasons: dict[str, list[str]] = {}
    for m in items:
        if m.indicator.polarity_note and m.has_data:
            reasons.setdefault(m.indicator.polarity_note, []).append(m.indicator.label)
    if not reasons:
        return []
    parts = [f"{'; '.join(names)}: {lower_first(note)}" for note, names in reasons.items()]
    return ["Direction of the comparisons. " + " ".join(parts)]
