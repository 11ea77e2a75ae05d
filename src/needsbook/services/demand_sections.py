"""Sections for the public demand data: a summary table and trend charts per group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from needsbook.areas import Area
from needsbook.chapters.base import Section
from needsbook.chapters.text import and_join, in_period, lower_first
from needsbook.charts import annotations
from needsbook.charts.annotations import Event
from needsbook.formatting import RATIO_DP, apply_decimals, decimals, fmt_ci, ratio, value
from needsbook.outcomes.charts import trend_chart
from needsbook.services.demand import MEASURES, Measure, demand_series

GROUP_KEYS = {
    "Social care": "demand_social_care",
    "Special educational needs": "demand_send",
    "Vaccination": "demand_vaccination",
}
GROUP_NOTES = {
    "Social care": "Referrals to child and adolescent mental health services and to speech and "
    "language therapy, which the Worcestershire 2015 needs assessment reported, are not in the "
    "national open data used here; a council can add them to its own analysis.",
    "Special educational needs": "Requests for EHC needs assessments, the share refused, "
    "assessments and the number of plans are in the chapter on special educational needs and "
    "vulnerable children.",
}
GROUP_TITLES = {
    "Social care": "Demand on children's social care",
    "Special educational needs": "Education, health and care (EHC) plans",
    "Vaccination": "Childhood vaccination coverage",
}


NOT_AVAILABLE = "not available"


def _num(number: float, unit: str) -> str:
    """'4.9%' or '399.8 per 10,000 aged 0-17' (the book's rule for the unit)."""
    return value(number, unit, missing=NOT_AVAILABLE)


def sentence(row: pd.Series, area_name: str, history: bool = True) -> str:
    """'Referrals to children's social care: 399.8 per 10,000 aged 0-17 in 2023/24 (England
    515.7), significantly lower; 1.45 times the 2012/13 value.' (``history=False`` leaves out
    the change since the first period, for summaries about now)."""
    unit = str(row["unit"])
    text = (
        f"{row['measure']}: {_num(row['value'], unit)} {in_period(str(row['period']))} in "
        f"{area_name} (England {_num(row['england'], unit)}"
    )
    text += ")"
    comp = str(row["comparison"])
    if str(row.get("comparison_method", "")).startswith("quintiles"):
        label = str(row.get("comparison_label", ""))
        if label.endswith("20%"):  # placed among all areas: no significance test
            text += f", in the {label.lower()} of English areas"
    elif comp in ("Higher", "Lower", "Better", "Worse", "Best", "Worst"):
        word = {"Best": "better", "Worst": "worse"}.get(comp, comp.lower())
        text += f", significantly {word} than England"
    elif comp == "Similar":
        text += ", not significantly different from England"
    if history and not np.isnan(row["fold_change"]) and row["first_year"] != row["year"]:
        text += f"; {ratio(row['fold_change'])} times its {row['first_period']} value"
    trend = str(row["trend"])
    if trend in ("Increasing", "Decreasing"):
        text += f", and {trend.lower()} over the latest five years"
    return text + f" ({row['source']})."


VALUE_COLUMNS = ("Value", "95% CI lower", "95% CI upper", "England", "Neighbours' average")
FOLD = "Fold-change since first period (ratio)"


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The group's measures with values in their own units (rates and percentages to one
    decimal, counts whole) and the fold-change to two."""
    dp = max((decimals(u) for u in summary["unit"]), default=1)
    table = pd.DataFrame(
        {
            "Measure": summary["measure"],
            "Unit": summary["unit"],
            "Period": summary["period"],
            "Value": summary["value"].astype("float64").round(dp),
            "95% CI lower": summary["lower_ci_95"].astype("float64").round(dp),
            "95% CI upper": summary["upper_ci_95"].astype("float64").round(dp),
            "England": summary["england"].astype("float64").round(dp),
            "Neighbours' average": summary["neighbours"].astype("float64").round(dp),
            "Compared with England": summary["comparison_label"],
            "First period": summary["first_period"],
            "First value": summary["first_value"].astype("float64").round(dp),
            FOLD: summary["fold_change"].astype("float64").round(RATIO_DP),
            "Recent trend": summary["trend_label"],
            "Source": summary["source"],
        }
    )
    return apply_decimals(
        table, {c: dp for c in (*VALUE_COLUMNS, "First value")} | {FOLD: RATIO_DP}
    )


def no_data_rows(missing: list[Measure]) -> pd.DataFrame:
    """Table rows for measures the area has no latest value for: named, marked "no data"."""
    from needsbook.outcomes.catalogue import load_catalogue

    cat = load_catalogue()
    return pd.DataFrame(
        {
            "Measure": [m.name for m in missing],
            "Unit": [cat[m.indicator_id].unit for m in missing],
            "Period": ["no data"] * len(missing),
            "Compared with England": ["No data"] * len(missing),
            "Source": [cat[m.indicator_id].source for m in missing],
        }
    )


def _chart_frame(series: pd.DataFrame, area_name: str, group: str) -> tuple[pd.DataFrame, list]:
    names = {
        "area": area_name,
        "england": "England",
        "neighbours": "Statistical neighbours' average",
    }
    d = series[series["group"] == group].copy()
    d["series"] = d["series"].map(names)
    d["panel"] = d["measure"] + "|" + d["unit"]
    d["panel_name"] = d["measure"]
    order = {m.name: i for i, m in enumerate(MEASURES)}
    d["panel_order"] = d["measure"].map(order)
    d["lower"] = d["lower_ci_95"]
    d["upper"] = d["upper_ci_95"]
    d["value_text"] = [value(v, u, missing="") for v, u in zip(d["value"], d["unit"], strict=True)]
    d["ci_text"] = [
        fmt_ci(lo, hi, u, missing="")
        for lo, hi, u in zip(d["lower"], d["upper"], d["unit"], strict=True)
    ]
    cols = ["panel", "panel_name", "panel_order", "indicator_id", "year", "period", "series"]
    cols += ["value", "lower", "upper", "value_text", "ci_text"]
    return d[cols], [area_name, "England", "Statistical neighbours' average"]


def event_notes(
    rows: pd.DataFrame, frame: pd.DataFrame, by_panel: dict[str, list[Event]]
) -> list[str]:
    """The summary table's Note per measure: each dated event between its first and latest
    period, with the first period after it ("COVID-19 lockdown, first period after: 2019/20")."""
    notes = []
    for r in rows.itertuples(index=False):
        part = frame[frame["indicator_id"] == r.indicator_id]
        found = by_panel.get(str(part["panel"].iloc[0]), []) if len(part) else []
        labels = dict(zip(part["year"], part["period"], strict=False))
        notes.append(
            "; ".join(
                f"{e.label}, first period after: {labels.get(e.year, e.year)}"
                for e in found
                if e.year is not None and r.first_year < e.year <= r.year
            )
        )
    return notes


def demand_sections(
    area: Area, year: int, summary: pd.DataFrame, data_dir: object = None
) -> list[Section]:
    series = demand_series(area.code, year, data_dir)  # type: ignore[arg-type]
    out = []
    for group, key in GROUP_KEYS.items():
        rows = summary[summary["group"] == group]
        title = GROUP_TITLES[group]
        if rows.empty:
            out.append(
                Section(
                    key,
                    title,
                    f"No {lower_first(title)} data for {area.name} up to {year}.",
                    pd.DataFrame({"Measure": []}),
                    source="DfE; UKHSA",
                )
            )
            continue
        sentences = [sentence(r, area.name) for _, r in rows.iterrows()]
        rising = rows[rows["rising"] == True]  # noqa: E712 (object column with None)
        lead = ""
        if group == "Social care":
            lead = (
                f"Rising: {and_join([lower_first(m) for m in rising['measure']])}. "
                if len(rising)
                else "None of these measures is rising significantly. "
            )
        summary_text = lead + " ".join(f"{s}" for s in sentences[:4])
        frame, order = _chart_frame(series, area.name, group)
        by_panel = annotations.panel_events(frame, data_dir=data_dir)  # type: ignore[arg-type]
        chart = (
            trend_chart(frame, title, summary_text, order, columns=2, events=by_panel)
            if len(frame)
            else None
        )
        table = summary_table(rows)
        table["Note"] = event_notes(rows, frame, by_panel)
        missing = [m for m in MEASURES if m.group == group and m.key not in set(rows["key"])]
        table = pd.concat([table, no_data_rows(missing)], ignore_index=True)
        table["Note"] = table["Note"].fillna("")
        notes = [" ".join(sentences[4:])] if len(sentences) > 4 else []
        if missing:
            notes.append(
                f"{area.name} has no published value for the latest period of "
                + and_join([lower_first(m.name) for m in missing])
                + "; the chart shows earlier years where there are any."
            )
        notes.append(
            ("Rates are per 10,000 children aged 0-17. " if group == "Social care" else "")
            + "Compared with England by the area's 95% confidence interval where the source "
            "gives counts (DfE LAIT gives none: not compared); fold change: the latest value "
            "divided by the first; the trend tests the latest five years "
            "(Fingertips method)."
        )
        if group in GROUP_NOTES:
            notes.append(GROUP_NOTES[group])
        notes += annotations.describe(e for found in by_panel.values() for e in found)
        out.append(
            Section(
                key,
                title,
                summary_text,
                table,
                chart=chart,
                source="; ".join(dict.fromkeys(rows["source"])),
                notes=notes,
            )
        )
    return out
