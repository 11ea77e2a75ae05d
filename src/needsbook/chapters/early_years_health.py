"""Outcomes chapter sections: maternal and early years health over three years, and good level
of development by district.

The numbers come from :mod:`needsbook.outcomes.pooled` (the three-year measures, built on the
benchmarking engine's rows) and the snapshot's district table; this module writes their text,
charts and tables. The single-year verdicts elsewhere in the chapter are the engine's; the
three-year figure here is a separate, labelled measure, and the text says so where the two
differ.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from needsbook import formatting
from needsbook.areas import Area
from needsbook.chapters.base import Section
from needsbook.chapters.text import and_join, lower_first
from needsbook.charts import PALETTE, RAG, small_multiples
from needsbook.outcomes.catalogue import Indicator
from needsbook.outcomes.compare import (
    BETTER,
    HIGHER,
    LOWER,
    NO_DATA,
    NOT_COMPARED,
    SIMILAR,
    WORSE,
    load_data,
)
from needsbook.outcomes.pooled import (
    AVERAGE,
    GLD_ID,
    MIN_EVENTS,
    MIN_YEARS,
    NONE,
    PER_BIRTH,
    POOLED,
    SMALL,
    USE,
    DistrictGLD,
    annual,
    district_gld,
    pooled,
)
from needsbook.polarity import NO_JUDGEMENT

TITLE = "Maternal and early years health over three years"
BIRTHS_SOURCE = "ONS mid-year population estimates (population aged 0)"
#: How a withheld reconstructed count is shown: 1-4, or a total that would reveal one.
HIDDEN = f"<{SMALL[1] + 1}"
NOT_SHOWN = "not shown (small numbers)"
DISTRICT_TITLE = "Good level of development by district"
#: What each per-live-birth indicator counts, for sentences ("fewer than 20 infant deaths").
EVENTS = {
    "lait:InfMort": "infant deaths",
    "lait:Low_Birth_Weight_Babies": "low birth weight babies",
    "lait:6wksBreast": "breastfed babies",
}
_FIFTHS = {
    1: "the best fifth",
    2: "the second-best fifth",
    3: "the middle fifth",
    4: "the second-worst fifth",
    5: "the worst fifth",
}
_FIFTHS_NEUTRAL = {
    1: "the lowest fifth",
    2: "the second-lowest fifth",
    3: "the middle fifth",
    4: "the second-highest fifth",
    5: "the highest fifth",
}
_VERDICT = {
    BETTER: "significantly better than",
    WORSE: "significantly worse than",
    SIMILAR: "similar to",
    HIGHER: "significantly higher than",
    LOWER: "significantly lower than",
}
_MEASURE = {POOLED: "Three-year pooled", AVERAGE: "Three-year average"}


# --- words ----------------------------------------------------------------------------------


def _amount(ind: Indicator, value: float) -> str:
    """A difference in the indicator's unit: '2.7 percentage points', '0.3 per 1,000 ...'."""
    number = formatting.fixed(abs(value), ind.decimals)
    return f"{number} percentage points" if ind.unit == "%" else f"{number} {ind.unit}"


def _england(ind: Indicator, value: float) -> str:
    """England's figure in a sentence: '52.7%' for percentages, else the number alone."""
    return ind.format(value) if ind.unit == "%" else ind.number(value)


def _fifth(ind: Indicator, fifth: object) -> str:
    words = _FIFTHS_NEUTRAL if ind.polarity == NO_JUDGEMENT else _FIFTHS
    return f"{words[int(fifth)]} of English areas"  # type: ignore[call-overload]


def _fifths_by_year(ind: Indicator, years: pd.DataFrame) -> str:
    """'the middle fifth of English areas in 2020 and 2021, and the second-best fifth in 2022'."""
    have = years.dropna(subset=["fifth"])
    if have.empty:
        return ""
    groups: list[tuple[int, list[str]]] = []
    for r in have.itertuples(index=False):
        if groups and groups[-1][0] == int(r.fifth):
            groups[-1][1].append(str(r.period_label))
        else:
            groups.append((int(r.fifth), [str(r.period_label)]))
    if len(groups) == 1:
        fifth, labels = groups[0]
        each = "in each of " if len(labels) > 2 else "in "
        return f"{_fifth(ind, fifth)} {each}{and_join(labels)}"
    parts = [f"{_fifth(ind, groups[0][0])} in {and_join(groups[0][1])}"]
    words = _FIFTHS_NEUTRAL if ind.polarity == NO_JUDGEMENT else _FIFTHS
    parts += [f"{words[f]} in {and_join(labels)}" for f, labels in groups[1:]]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _volatility(ind: Indicator, r: pd.Series) -> str:
    """Whether a single year can be judged on its own, and why."""
    reasons = []
    if r["few_events"]:
        reasons.append(f"some years rest on fewer than {MIN_EVENTS} {EVENTS.get(ind.id, 'events')}")
    if r["swings_exceed_gap"]:
        reasons.append(
            f"changes from one year to the next (up to {_amount(ind, r['max_swing'])}) are "
            f"larger than the gap to England ({_amount(ind, r['difference'])})"
        )
    if reasons:
        return f"A single year is too volatile to judge: {and_join(reasons)}."
    if pd.isna(r["difference"]) or pd.isna(r["max_swing"]):
        return (
            "Without a gap to England to set them against, how much single years move cannot "
            "be judged, so a single year is a weak guide."
        )
    if r["method"] == POOLED:
        return (
            f"Single years here rest on at least {MIN_EVENTS} "
            f"{EVENTS.get(ind.id, 'events')} each and change less from year to year than the "
            "gap to England, so a single year is a fair guide."
        )
    return (
        "Changes from one year to the next are smaller than the gap to England's average, so "
        "a single year is a fair guide."
    )


def _single(ind: Indicator, area_name: str, r: pd.Series) -> str:
    """The engine's verdict on the latest single year, in words."""
    period = r["single_period"]
    if r["single_direction"] == NO_DATA or pd.isna(r["single_value"]):
        return f"There is no single-year figure for {area_name} for {period}."
    text = f"In {period} alone the figure was {ind.format(r['single_value'])}"
    if pd.notna(r["single_fifth"]):
        text += f", in {_fifth(ind, r['single_fifth'])}"
    return text + "."


def _agreement(r: pd.Series) -> str:
    single, three = r["single_direction"], r["direction"]
    if single in (NO_DATA, NOT_COMPARED) or three == NOT_COMPARED:
        return ""
    if single == three:
        return "The single year points the same way as the three-year figure."
    if r["volatile"]:
        why = "one year in one area moves a lot by chance"
    else:
        why = (
            "they measure different things: the single year places the area among English "
            "areas, while the three-year figure tests its gap to England"
        )
    return (
        f"The single year and the three-year figure point different ways because {why}; the "
        "three-year pooled value is the firmer guide."
    )


def _missing(r: pd.Series) -> str:
    gaps = list(r["missing_labels"])
    return f" ({and_join(gaps)} not published)" if gaps else ""


def indicator_sentence(ind: Indicator, area_name: str, r: pd.Series, years: pd.DataFrame) -> str:
    """The three-year finding for one indicator, with the single year and its caveat."""
    name = ind.name
    if r["method"] == NONE:
        if not r["years"]:
            return f"{name}: no figures for {area_name} in the last three years."
        text = (
            f"{name}: {area_name} has a figure for only {r['period_label']} of the last three "
            "years, too few for a three-year figure."
        )
        if r["single_direction"] == NO_DATA or pd.isna(r["single_value"]):
            return f"{text} It has no figure for {r['single_period']}, the latest year."
        return (
            f"{text} {_single(ind, area_name, r)} With one year only, how much the figure moves "
            "from year to year cannot be judged, so this single year is a weak guide."
        )
    period = f"{r['period_label']}{_missing(r)}"
    if r["method"] == POOLED:
        if r["suppressed"]:
            head = (
                f"{name}, three-year pooled, {period}: fewer than {SMALL[1] + 1} "
                f"{EVENTS.get(ind.id, 'events')} in the three years, too few to show a rate."
            )
            return f"{head} {_single(ind, area_name, r)} {_volatility(ind, r)}"
        head = (
            f"{name}, three-year pooled, {period}: {ind.format(r['value'])} (approximate 95% "
            f"confidence interval {ind.number(r['lower_ci_95'])} to "
            f"{ind.number(r['upper_ci_95'])})"
        )
        if pd.isna(r["england"]):
            head += ", not compared: England's pooled value is not available."
        else:
            verdict = _VERDICT.get(str(r["direction"]), "not compared with")
            head += f", {verdict} England's {_england(ind, r['england'])} over the same years."
        parts = [head, _single(ind, area_name, r)]
    else:
        head = (
            f"{name}, three-year average, {period}: {ind.format(r['value'])}"
            + (
                f" against England's {_england(ind, r['england'])} over the same years"
                if pd.notna(r["england"])
                else ""
            )
            + " (no confidence interval: the source publishes no counts and no population "
            "stands in for its denominator)."
        )
        fifths = _fifths_by_year(ind, years)
        parts = [head]
        if fifths:
            parts.append(f"{area_name} was in {fifths}.")
        else:
            parts.append(_single(ind, area_name, r))
    parts.append(_volatility(ind, r))
    if r["method"] == POOLED:
        parts.append(_agreement(r))
    return " ".join(p for p in parts if p)


# --- maternal and early years health over three years -----------------------------------------


def _table(
    area: Area, cat_inds: list[Indicator], rows: pd.DataFrame, summary: pd.DataFrame
) -> pd.DataFrame:
    records = []
    by_id = summary.set_index("indicator_id")
    for ind in cat_inds:
        unit = ind.unit
        for y in rows[rows["indicator_id"] == ind.id].itertuples(index=False):
            records.append(
                {
                    "Indicator": ind.name,
                    "Area": area.name if y.place == "area" else "England",
                    "Measure": "Single year",
                    "Period": y.period_label,
                    "Value": float(y.value),
                    "95% CI lower": np.nan,
                    "95% CI upper": np.nan,
                    "Unit": unit,
                    "Live births (approximated by the population aged 0)": y.births,
                    "_births_period": "" if pd.isna(y.births_year) else f"mid-{y.births_year}",
                    "Reconstructed events (approximate)": _events(y.events),
                    "Fifth of English areas (single year)": ""
                    if pd.isna(y.fifth_label)
                    else str(y.fifth_label),
                    "Compared with England (three-year)": "",
                    "Single year too volatile to judge": "",
                }
            )
        if ind.id not in by_id.index:
            continue
        r = by_id.loc[ind.id]
        if r["method"] not in (POOLED, AVERAGE):
            continue
        pooled_rows = r["method"] == POOLED
        summary_rows = rows[
            (rows["indicator_id"] == ind.id) & (rows["place"] == "area") & rows["in_window"]
        ]
        records.append(
            {
                "Indicator": ind.name,
                "Area": area.name,
                "Measure": _MEASURE[r["method"]],
                "Period": r["period_label"],
                "Value": r["value"],
                "95% CI lower": r["lower_ci_95"],
                "95% CI upper": r["upper_ci_95"],
                "Unit": unit,
                "Live births (approximated by the population aged 0)": r["births"],
                "_births_period": _mid_years(summary_rows, r["years"]) if pooled_rows else "",
                "Reconstructed events (approximate)": _pooled_events(r, summary_rows)
                if pooled_rows
                else "",
                "Fifth of English areas (single year)": "",
                "Compared with England (three-year)": str(r["comparison"])
                if pooled_rows and pd.notna(r["comparison"])
                else "Not compared (no interval)",
                "Single year too volatile to judge": "Yes" if r["volatile"] else "No",
            }
        )
        records.append(
            {
                "Indicator": ind.name,
                "Area": "England",
                "Measure": _MEASURE[r["method"]],
                "Period": r["period_label"],
                "Value": r["england"],
                "95% CI lower": np.nan,
                "95% CI upper": np.nan,
                "Unit": unit,
                "Live births (approximated by the population aged 0)": np.nan,
                "_births_period": "",
                "Reconstructed events (approximate)": "",
                "Fifth of English areas (single year)": "",
                "Compared with England (three-year)": "",
                "Single year too volatile to judge": "",
            }
        )
    table = pd.DataFrame(records)
    if table.empty:
        return table
    periods = list(table.pop("_births_period"))
    births = "Live births (approximated by the population aged 0)"
    table[births] = table[births].round().astype("Int64")
    table.attrs["decimals"] = {"Value": 1, "95% CI lower": 1, "95% CI upper": 1}
    table.attrs["sources"] = {births: BIRTHS_SOURCE}
    table.attrs["periods"] = {births: periods}
    return table


def _mid_years(rows: pd.DataFrame, years: tuple[int, ...]) -> str:
    """The mid-year estimates a pooled row's births come from: 'mid-2021 to mid-2023'."""
    used = sorted({int(y) for y in rows.loc[rows["year"].isin(years), "births_year"].dropna()})
    if not used:
        return ""
    return f"mid-{used[0]}" if len(used) == 1 else f"mid-{used[0]} to mid-{used[-1]}"


def _pooled_events(r: pd.Series, years: pd.DataFrame) -> str:
    """The pooled count, unless a year's count is withheld (the total would reveal it)."""
    used = years[years["year"].isin(r["years"])]
    if any(_events(x) == HIDDEN for x in used["events"]):
        return NOT_SHOWN
    return _events(r["events"])


def _events(x: object) -> str:
    """A reconstructed count as the table shows it: whole, and '<5' for 1 to 4."""
    if x is None or pd.isna(x):  # type: ignore[arg-type]
        return ""
    v = float(x)  # type: ignore[arg-type]
    if v > 0 and round(v) <= SMALL[1]:
        return HIDDEN
    return formatting.count(round(v))


def _chart_frame(
    area: Area, inds: list[Indicator], rows: pd.DataFrame, summary: pd.DataFrame
) -> pd.DataFrame:
    by_id = summary.set_index("indicator_id")
    frames = []
    for order, ind in enumerate(inds):
        part = rows[rows["indicator_id"] == ind.id]
        if part.empty or not (part["place"] == "area").any():
            continue
        r = by_id.loc[ind.id]
        method = str(r["method"])
        panel = f"{ind.label}|{'per cent' if ind.unit == '%' else ind.unit}"
        lines = pd.DataFrame(
            {
                "layer": "year",
                "panel": panel,
                "panel_order": order,
                "panel_name": ind.name,
                "series": np.where(part["place"] == "area", area.name, "England"),
                "year": part["year"].astype(int),
                "period": part["period_label"],
                "value": part["value"].astype(float),
                "value_text": [ind.format(v) for v in part["value"]],
            }
        )
        frames.append(lines)
        if method in (POOLED, AVERAGE) and pd.notna(r["value"]):
            ys = [int(y) for y in r["years"]]
            ci = (
                f"{ind.number(r['lower_ci_95'])} to {ind.number(r['upper_ci_95'])}"
                if method == POOLED
                else "none (no counts published)"
            )
            frames.append(
                pd.DataFrame(
                    [
                        {
                            "layer": "three-year",
                            "panel": panel,
                            "panel_order": order,
                            "panel_name": ind.name,
                            "series": f"{_MEASURE[method]}, {r['period_label']}",
                            "start": min(ys) - 0.4,
                            "end": max(ys) + 0.4,
                            "pooled": float(r["value"]),
                            "lower": r["lower_ci_95"],
                            "upper": r["upper_ci_95"],
                            "period": r["period_label"],
                            "value_text": ind.format(r["value"]),
                            "ci_text": ci,
                        }
                    ]
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def chart(frame: pd.DataFrame, area_name: str, description: str) -> alt.FacetChart:
    """Small multiples: every single year of the area (solid, circles) and England (dashed,
    squares), with the area's three-year value as a bar across its years and, where pooled,
    its approximate 95% confidence interval as a shaded band."""
    order = [area_name, "England"]
    x = small_multiples.year_x(titleFontWeight="normal")
    years = alt.Chart().transform_filter("datum.layer == 'year'")
    three = alt.Chart().transform_filter("datum.layer == 'three-year'")
    tooltip = [
        alt.Tooltip("panel_name:N", title="Indicator"),
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("value_text:N", title="Value"),
    ]
    across = alt.X("start:Q", scale=alt.Scale(zero=False, nice=False))
    band = small_multiples.band(
        three.transform_filter("isValid(datum.lower)"),
        across,
        alt.Y("lower:Q", scale=alt.Scale(zero=False)),
        rect=True,
        x2="end:Q",
        tooltip=tooltip,
    )
    bar = three.mark_rule(color=PALETTE[0], strokeWidth=4).encode(
        x=across,
        x2="end:Q",
        y=alt.Y("pooled:Q", scale=alt.Scale(zero=False)),
        tooltip=[*tooltip, alt.Tooltip("ci_text:N", title="95% confidence interval")],
    )
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False))
    lines, points = small_multiples.series_lines(
        years, x, y, order, tooltip, legend=alt.Legend(title=None, orient="top")
    )
    title = alt.Title(
        f"{area_name}: single years and the three-year figure",
        subtitle=[
            f"Solid line, circles: {area_name}; dashed line, squares: England.",
            "Thick bar across three years: the three-year value; shaded band: its "
            "approximate 95% confidence interval (pooled indicators only).",
        ],
    )
    return small_multiples.panels(
        alt.layer(band, bar, lines, points, data=frame), title, description
    )


def _notes(inds: list[Indicator], summary: pd.DataFrame) -> list[str]:
    averaged = [
        lower_first(i.name)
        for i in inds
        if i.id not in PER_BIRTH
        and (summary.loc[summary["indicator_id"] == i.id, "method"] != NONE).any()
    ]
    per_birth = [i for i in inds if i.id in PER_BIRTH]
    notes = [
        "The published figures are single-year values without counts, so for "
        f"{and_join([lower_first(i.name) for i in per_birth])} the counts are reconstructed: "
        "each year's published rate or percentage multiplied by the number of babies aged under "
        "1 at mid-year (ONS estimates, standing in for live births; the nearest year's estimate "
        "where one is missing). The three-year pooled value is the sum of the reconstructed "
        "counts over the sum of births; its 95% confidence interval (exact Poisson below 10 "
        "events and Byar's method from 10 for rates, Wilson's score method for percentages) is "
        "approximate. England is pooled the same way over the same years, and the area is "
        "similar to England when England's pooled value lies inside the area's interval.",
        "Babies aged under 1 stand in for term births (low birth weight) and for babies due a "
        "6-8 week review (breastfeeding); this changes the width of the interval more than the "
        "pooled value, which is the births-weighted average of the published yearly figures.",
        f"A single year is called too volatile to judge when one of the three years rests on "
        f"fewer than {MIN_EVENTS} reconstructed events, or when the changes from one year to the "
        "next are larger than the gap to England. The single-year comparisons elsewhere in this "
        "chapter place each year among English areas; the three-year figure is a separate "
        "measure.",
        f"A three-year figure needs at least {MIN_YEARS} of the three years. Reconstructed "
        f"counts from 1 to {SMALL[1]} are not shown, nor a three-year count or pooled value "
        "that would reveal one.",
    ]
    if averaged:
        notes.insert(
            2,
            f"For {and_join(averaged)} no population in the data used can stand in for the "
            "denominator, so the three-year figure is the average of the yearly values, with "
            "no interval, and the area's place among English areas is given for each year.",
        )
    return notes


def early_years_health(area: Area, year: int, data_dir: Path | str | None = None) -> Section:
    """Infant mortality, low birth weight, breastfeeding, under-18 conceptions and the 2-2½
    year review over the last three years, beside every single year."""
    cat = load_data(data_dir).catalogue
    inds = list(cat.for_use(USE))
    rows = annual(area.code, year, data_dir)
    summary = pooled(area.code, year, data_dir, rows)
    intro = (
        f"Single years of these indicators move a lot by chance in one area, so each is also "
        f"shown for {area.name} over the last three years as a separate measure: the three-year "
        "pooled value where live births give a denominator, otherwise the three-year average."
    )
    sentences = []
    for ind in inds:
        r = summary[summary["indicator_id"] == ind.id].iloc[0]
        years = rows[
            (rows["indicator_id"] == ind.id) & (rows["place"] == "area") & rows["in_window"]
        ]
        sentences.append(indicator_sentence(ind, area.name, r, years))
    text = " ".join([intro, *sentences])
    source = "; ".join(dict.fromkeys(i.source for i in inds))
    source += f"; {BIRTHS_SOURCE}, 2019-2024"
    frame = _chart_frame(area, inds, rows, summary)
    table = _table(area, inds, rows, summary)
    return Section(
        "early_years_health",
        TITLE,
        text,
        table,
        chart(frame, area.name, text) if not frame.empty else None,
        source=source,
        notes=_notes(inds, summary),
    )


# --- good level of development by district ----------------------------------------------------


def _district_phrase(d: DistrictGLD, column: str, against: str) -> str:
    rows = d.rows[~d.rows["suppressed"]]
    if rows.empty:
        return ""
    groups = {
        k: list(rows.loc[rows[column] == k, "district_name"])
        for k in (WORSE, BETTER, SIMILAR, HIGHER, LOWER)
    }
    parts = []
    for key, words in ((WORSE, "significantly worse"), (BETTER, "significantly better")):
        if groups[key]:
            parts.append(f"{words} in {and_join(groups[key])}")
    if groups[SIMILAR]:
        rest = "elsewhere" if parts else f"in all {len(groups[SIMILAR])} districts"
        parts.append(f"similar {rest}")
    if not parts:
        return f"Compared with {against}: not compared."
    return f"Compared with {against}: {and_join(parts)}."


def _district_chart(d: DistrictGLD, area_name: str, ind: Indicator, text: str) -> alt.LayerChart:
    rows = d.rows[~d.rows["suppressed"]].copy()
    categories = {
        BETTER: ("Better than England", RAG["Better"], "triangle-up"),
        SIMILAR: ("Similar to England", RAG["Similar"], "circle"),
        WORSE: ("Worse than England", RAG["Worse"], "triangle-down"),
        NOT_COMPARED: ("Not compared", RAG["Not compared"], "cross"),
    }
    rows["category"] = [
        categories.get(k, categories[NOT_COMPARED])[0] for k in rows["england_direction"]
    ]
    rows["value_text"] = [ind.format(v) for v in rows["value"]]
    rows["ci_text"] = [
        f"{ind.number(lo)} to {ind.number(hi)}"
        for lo, hi in zip(rows["lower_ci_95"], rows["upper_ci_95"], strict=True)
    ]
    rows["county_text"] = rows["county_comparison"].fillna("Not compared")
    domain = [c[0] for c in categories.values()]
    y = alt.Y(
        "district_name:N",
        sort=alt.EncodingSortField("value", order="descending"),
        title=None,
    )
    base = alt.Chart(rows)
    whiskers = base.mark_rule(color="#0b0c0c", strokeWidth=1.5).encode(
        y=y, x=alt.X("lower_ci_95:Q", scale=alt.Scale(zero=False)), x2="upper_ci_95:Q"
    )
    points = base.mark_point(filled=True, size=90, stroke="#0b0c0c", strokeWidth=0.8).encode(
        y=y,
        x=alt.X("value:Q", title="Per cent with a good level of development"),
        color=alt.Color(
            "category:N",
            scale=alt.Scale(domain=domain, range=[c[1] for c in categories.values()]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        shape=alt.Shape(
            "category:N",
            scale=alt.Scale(domain=domain, range=[c[2] for c in categories.values()]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("district_name:N", title="District"),
            alt.Tooltip("value_text:N", title="Good level of development"),
            alt.Tooltip("ci_text:N", title="95% confidence interval"),
            alt.Tooltip("county_text:N", title="Compared with the county"),
            alt.Tooltip("category:N", title="Compared with England"),
        ],
    )
    refs = pd.DataFrame(
        [
            {"name": f"{name} {ind.format(v)}", "value": v, "kind": kind, "line": line}
            for kind, name, line, v in (
                ("county", area_name, "Solid", d.county),
                ("England", "England", "Dashed", d.england),
            )
            if v is not None
        ],
        columns=["name", "value", "kind", "line"],
    )
    layers: list[alt.Chart] = [whiskers, points]
    if not refs.empty:
        rule = alt.Chart(refs).mark_rule(strokeWidth=1.5, color="#505a5f")
        layers.insert(
            0,
            rule.encode(
                x="value:Q",
                strokeDash=alt.StrokeDash(
                    "kind:N",
                    scale=alt.Scale(domain=["county", "England"], range=[[1, 0], [5, 3]]),
                    legend=None,
                ),
            ),
        )
    lines = ". ".join(f"{r.line} grey line: {r.name}" for r in refs.itertuples(index=False))
    return alt.layer(*layers).properties(
        width=460,
        height=alt.Step(26),
        title=alt.Title(
            f"Good level of development by district of {area_name}, {d.period}",
            subtitle=[
                "Markers: district values (shape and colour: compared with England); black "
                "lines: 95% confidence intervals.",
                f"{lines}." if lines else "No county or England figure to draw.",
            ],
            offset=22,
        ),
        description=text,
    )


def district_section(area: Area, year: int, data_dir: Path | str | None = None) -> Section:
    """Each district's good level of development with its 95% confidence interval, beside the
    county and England."""
    d = district_gld(area, year, data_dir)
    cat = load_data(data_dir).catalogue
    ind = cat.entry(GLD_ID)
    empty = pd.DataFrame()
    if d.status == "no districts":
        text = (
            f"{area.name} has no districts: it is a single-tier authority, so good level of "
            "development is shown for the area as a whole elsewhere in this chapter."
        )
        return Section("district_gld", DISTRICT_TITLE, text, empty, None)
    if d.status == "not available" or ind is None:
        text = (
            "District figures for good level of development are not available in the data "
            f"used, so {area.name}'s districts cannot be compared here."
        )
        return Section("district_gld", DISTRICT_TITLE, text, empty, None)
    if d.status == "no data":
        text = (
            f"No district figures for good level of development are available for "
            f"{area.name}'s districts at or before {year}."
        )
        return Section("district_gld", DISTRICT_TITLE, text, empty, None)
    shown = d.rows[~d.rows["suppressed"]]
    refs = []
    if d.county is not None:
        refs.append(f"{area.name} {ind.format(d.county)}")
    if d.england is not None:
        refs.append(f"England {ind.format(d.england)}")
    by = (
        "former district (the districts the area was formed from)"
        if len(area.districts) <= 1
        else "district"
    )
    text = (
        f"Good level of development at the end of reception, {d.period}, by {by} of "
        f"{area.name}" + (f" ({', '.join(refs)})" if refs else "") + ": "
    )
    if len(shown):
        top, bottom = shown.iloc[0], shown.iloc[-1]
        text += (
            f"from {ind.format(bottom['value'])} in {bottom['district_name']} to "
            f"{ind.format(top['value'])} in {top['district_name']}."
        )
    else:
        text += "no district figure can be shown."
    for column, against, bench in (
        ("county_direction", f"{area.name} as a whole", d.county),
        ("england_direction", "England", d.england),
    ):
        if bench is None:
            text += f" {against[0].upper() + against[1:]} has no figure to compare with."
        elif len(shown):
            text += " " + _district_phrase(d, column, against)
    hidden = list(d.rows.loc[d.rows["suppressed"], "district_name"])
    if hidden:
        text += f" Figures for {and_join(hidden)} rest on small numbers and are not shown."
    if d.missing:
        text += f" No figure is published for {and_join(list(d.missing))}."
    table = pd.DataFrame(
        {
            "District": d.rows["district_name"],
            "Code": d.rows["district_code"],
            "Period": d.rows["period"],
            "Children assessed": d.rows["denominator"].round().astype("Int64"),
            "Children with a good level of development": d.rows["count"].round().astype("Int64"),
            "Good level of development (%)": d.rows["value"].astype(float),
            "95% CI lower (%)": d.rows["lower_ci_95"].astype(float),
            "95% CI upper (%)": d.rows["upper_ci_95"].astype(float),
            "Compared with the county": d.rows["county_comparison"].where(
                ~d.rows["suppressed"], "Not shown (small numbers)"
            ),
            "Compared with England": d.rows["england_comparison"].where(
                ~d.rows["suppressed"], "Not shown (small numbers)"
            ),
        }
    )
    for name, value in ((f"{area.name} (county)", d.county), ("England", d.england)):
        if value is not None:
            table.loc[len(table)] = {
                "District": name,
                "Code": "",
                "Period": d.period,
                "Good level of development (%)": value,
                "Compared with the county": "",
                "Compared with England": "",
            }
    table["Children assessed"] = table["Children assessed"].astype("Int64")
    table["Children with a good level of development"] = table[
        "Children with a good level of development"
    ].astype("Int64")
    chart_ = _district_chart(d, area.name, ind, text) if len(shown) else None
    return Section(
        "district_gld",
        DISTRICT_TITLE,
        text,
        table,
        chart_,
        source=d.source or ind.source,
        notes=[
            "A district is significantly better or worse than the county (or England) when the "
            "county's (or England's) value lies outside the district's 95% confidence interval "
            "(Wilson score method). Each district is part of the county, so the county's value "
            "partly reflects the district itself.",
            f"Counts from 1 to {SMALL[1]} of children with, or without, a good level of "
            "development are not shown, nor the figures that would reveal them.",
        ],
    )


def sections(area: Area, year: int, data_dir: Path | str | None = None) -> list[Section]:
    """Both sections, in the order the outcomes chapter shows them."""
    return [early_years_health(area, year, data_dir), district_section(area, year, data_dir)]
