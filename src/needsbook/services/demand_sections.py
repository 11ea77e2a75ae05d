"""Sections for the public demand data: a summary table and trend charts per group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from needsbook.areas import Area
from needsbook.chapters.base import Section
from needsbook.chapters.text import and_join, in_period, lower_first
from needsbook.outcomes.charts import trend_chart
from needsbook.services.demand import MEASURES, demand_series

GROUP_KEYS = {
    "Social care": "demand_social_care",
    "Special educational needs": "demand_send",
    "Vaccination": "demand_vaccination",
}
NOT_AVAILABLE = {
    "Social care": "Referrals to child and adolescent mental health services and to speech and "
    "language therapy (seed report Figs 37-38) are not in the national open data used here; a "
    "council can add them to its own analysis.",
    "Special educational needs": "Requests for EHC needs assessments are not in the national "
    "data used here: the chapter shows plans issued within 20 weeks and pupils with a plan.",
}
GROUP_TITLES = {
    "Social care": "Demand on children's social care",
    "Special educational needs": "Education, health and care (EHC) plans",
    "Vaccination": "Childhood vaccination coverage",
}


def _num(value: float, unit: str) -> str:
    if value is None or np.isnan(value):
        return "not available"
    return f"{value:,.1f}%" if unit.startswith("%") else f"{value:,.1f} {unit}"


def sentence(row: pd.Series, area_name: str) -> str:
    """'Referrals to children's social care: 399.8 per 10,000 aged 0-17 in 2023/24 (England
    515.7), significantly lower; 1.45 times the 2012/13 value.'"""
    unit = str(row["unit"])
    text = (
        f"{row['measure']}: {_num(row['value'], unit)} {in_period(str(row['period']))} in "
        f"{area_name} (England {_num(row['england'], unit)}"
    )
    text += ")"
    comp = str(row["comparison"])
    if comp in ("Higher", "Lower", "Better", "Worse"):
        text += f", significantly {comp.lower()} than England"
    elif comp == "Similar":
        text += ", not significantly different from England"
    if not np.isnan(row["fold_change"]) and row["first_year"] != row["year"]:
        text += f"; {row['fold_change']:.2f} times its {row['first_period']} value"
    trend = str(row["trend"])
    if trend in ("Increasing", "Decreasing"):
        text += f", and {trend.lower()} over the latest five years"
    return text + f" ({row['source']})."


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Measure": summary["measure"],
            "Unit": summary["unit"],
            "Period": summary["period"],
            "Value": summary["value"].round(1),
            "95% CI lower": summary["lower_ci_95"].astype("float64").round(1),
            "95% CI upper": summary["upper_ci_95"].astype("float64").round(1),
            "England": summary["england"].round(1),
            "Neighbours' average": summary["neighbours"].round(1),
            "Compared with England": summary["comparison"],
            "First period": summary["first_period"],
            "First value": summary["first_value"].round(1),
            "Fold-change since first period (ratio)": summary["fold_change"].round(2),
            "Recent trend": summary["trend"],
            "Source": summary["source"],
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
    d["value_text"] = d["value"].map(lambda v: f"{v:,.1f}")
    d["ci_text"] = [
        "" if np.isnan(lo) else f"{lo:,.1f} to {hi:,.1f}"
        for lo, hi in zip(d["lower"].astype(float), d["upper"].astype(float), strict=True)
    ]
    cols = ["panel", "panel_name", "panel_order", "year", "period", "series", "value"]
    cols += ["lower", "upper", "value_text", "ci_text"]
    return d[cols], [area_name, "England", "Statistical neighbours' average"]


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
        chart = trend_chart(frame, title, summary_text, order, columns=2) if len(frame) else None
        table = summary_table(rows)
        table.attrs["decimals"] = {"Fold-change since first period (ratio)": 2}
        notes = [" ".join(sentences[4:])] if len(sentences) > 4 else []
        notes.append(
            ("Rates are per 10,000 children aged 0-17. " if group == "Social care" else "")
            + "Compared with England by the area's 95% confidence interval where the source "
            "gives counts (DfE LAIT gives none: not compared); fold-change is the latest value "
            "divided by the first (seed method M21); the trend tests the latest five years "
            "(Fingertips method)."
        )
        if group in NOT_AVAILABLE:
            notes.append(NOT_AVAILABLE[group])
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
