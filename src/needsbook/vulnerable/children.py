"""Vulnerable children: factors identified at assessment, looked-after children, care leavers,
youth justice and child poverty.

Every value, verdict and trend is the benchmarking engine's. Factors identified at the end of
children's social care assessments are read from the engine when the data has them; when it
does not, the section says so plainly.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from needsbook.chapters.base import Section, first_sentence
from needsbook.chapters.text import and_join, in_period, lower_first
from needsbook.charts import PALETTE
from needsbook.outcomes.compare import BETTER, HIGHER, LOWER, WORSE, load_data
from needsbook.polarity import JUDGED
from needsbook.snapshot import ind_c3
from needsbook.vulnerable.measures import Context, Measure, area_years, in_data, sources
from needsbook.vulnerable.send import FIFTHS_NOTE
from needsbook.vulnerable.tables import (
    HeadedSection,
    bulleted,
    indicator_table,
    measures_chart,
    no_judgement_note,
)

TOP_FACTORS = 5
LOOKED_AFTER = (
    "csc:cla_rate",
    "lait:Emotional_LAC",
    "lait:LACHealth%",
    "lait:LACDental%",
    "lait:LACVaccinations%",
    "lait:LACSubstance",
    "lait:LAC_Convictions",
    "lait:LACStable_2016on",
    "lait:LAC_LongStable%",
    "lait:Stability_School",
    "lait:Children_missing",
)
LOOKED_AFTER_CHART = (
    "lait:Emotional_LAC",
    "lait:LACHealth%",
    "lait:LACStable_2016on",
    "lait:LAC_LongStable%",
)
CARE_LEAVERS = (
    "lait:CareLeaverEET",
    "lait:CareLeaverAcc",
    "lait:CareLeaversNEET",
    "lait:StayingPut",
)
YOUTH_JUSTICE = ("lait:FirstYJS",)
CHILD_POVERTY = ("lait:ChildPov",)
SDQ_NOTE = (
    "The emotional and behavioural health score is the average Strengths and Difficulties "
    "Questionnaire score, from 0 to 40: 0 to 13 is considered normal, 14 to 16 borderline and "
    "17 or more a cause for concern; a lower score is better."
)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ref(m: Measure) -> str:
    return f" (England {m.ref(m.england)})" if m.england is not None else ""


def _names(items: list[Measure]) -> str:
    return and_join([m.short_name for m in items])


def _engine_notes(ctx: Context, items: list[Measure]) -> list[str]:
    """The engine's data-quality notes (e.g. an England figure it could not use)."""
    notes = load_data(ctx.data_dir).notes
    return [f"{m.indicator.name}: {notes[m.id]}" for m in items if m.id in notes]


def _simple(
    ctx: Context,
    key: str,
    title: str,
    ids: tuple[str, ...],
    what: str,
    headline: str,
    chart_ids: tuple[str, ...],
    notes: list[str],
    sentences: bool = True,
) -> Section:
    """A section of one headline, each indicator's sentence (unless ``sentences`` is False:
    the headline says it all), a trend chart and the table."""
    items = ctx.items(ids)
    listed = list(items.values())
    if not any(m.has_data for m in listed):
        return Section(
            key,
            title,
            f"There is no data on {what} for {ctx.area.name} up to {ctx.year}.",
            indicator_table(listed),
            None,
            source=sources(listed),
        )
    lines = [m.sentence() for m in listed if m.has_data] if sentences or not headline else []
    plain = " ".join([headline, *lines]).strip()
    summary = bulleted(headline, lines) if len(lines) > 2 else plain
    chart = measures_chart(ctx, ctx.frame(items), items, chart_ids, f"{title} over time", plain)
    return HeadedSection(
        key,
        title,
        summary,
        indicator_table(listed),
        chart,
        source=sources(listed),
        notes=[FIFTHS_NOTE, *notes, *no_judgement_note(listed), *_engine_notes(ctx, listed)],
        headline=first_sentence(headline or plain),
    )


def recent_values(ctx: Context, m: Measure, years: int = 5) -> str:
    """'Its figures for the latest five years: 95.0 in 2020, 64.0 in 2021, ... and 95.0 in
    2024.' (the engine's values; '' with fewer than two years)."""
    frame = ctx.frame({m.id: m})
    own = area_years(frame, ctx.area.name, m.id).tail(years)
    if len(own) < 2:
        return ""
    values = [
        f"{m.ref(v)} {in_period(str(p))}" for p, v in zip(own["period"], own["value"], strict=True)
    ]
    count = {2: "two", 3: "three", 4: "four", 5: "five"}.get(len(own), str(len(own)))
    return f"Its figures for the latest {count} years: {and_join(values)}."


def _judged_headline(ctx: Context, items: list[Measure], what: str) -> str:
    """'Of the 9 measures of looked-after children's health and stability for X that have a
    better and a worse direction, 2 are in the worst two fifths of English areas (a and b) and
    4 in the best two fifths (c, d, e and f).' (the engine's verdicts: fifths of all areas)."""
    shown = [m for m in items if m.shown and m.indicator.polarity in JUDGED]
    if not shown:
        return ""
    worse = [m for m in shown if m.direction == WORSE]
    better = [m for m in shown if m.direction == BETTER]
    n_worse = {0: "none is", 1: "1 is"}.get(len(worse), f"{len(worse)} are")
    text = (
        f"Of the {len(shown)} measures of {what} for {ctx.area.name} that have a better and a "
        f"worse direction, {n_worse} in the worst two fifths of English areas"
    )
    text += f" ({_names(worse)})" if worse else ""
    text += f" and {len(better) or 'none'} in the best two fifths"
    text += f" ({_names(better)})" if better else ""
    return text + "."


# --- factors at assessment --------------------------------------------------------------------


def factor_ids(ctx: Context) -> list[tuple[str, str]]:
    """(rate id, share id) of every factor the catalogue has and the data holds, in catalogue
    order."""
    catalogue = load_data(ctx.data_dir).catalogue
    known = set(catalogue.ids)
    out = []
    for f in ind_c3.factors(catalogue):
        rate, share = f"{ind_c3.PREFIX}{f}", f"{ind_c3.PREFIX}{f}{ind_c3.SHARE}"
        if rate in known and in_data(rate, ctx.year, ctx.data_dir):
            out.append((rate, share if share in known else ""))
    return out


def _factor_name(m: Measure) -> str:
    """'Domestic abuse concerning a parent or carer' from the catalogue's short name
    'Domestic abuse: parent or carer' ('... concerning the child' for 'child')."""
    head, sep, tail = m.indicator.label.partition(": ")
    if not sep:
        return head
    return f"{head} concerning {'the' if tail == 'child' else 'a'} {tail}"


def factor_table(rates: list[Measure], shares: dict[str, Measure]) -> pd.DataFrame:
    """One row per factor: the rate and the share, each with England, the neighbours and the
    engine's comparisons."""
    rows = []
    for r in rates:
        s = shares.get(r.id)
        rows.append(
            {
                "Factor": _factor_name(r),
                "Period": r.period,
                "Rate per 10,000 aged 0-17": r.number(r.value, "no data")
                if r.shown or not r.has_data
                else "not shown",
                "England rate": r.number(r.england),
                "Neighbours' average rate": r.number(r.neighbours),
                "Rate compared with England": r.label,
                "Rate compared with neighbours": r.neighbours_comparison if r.shown else "",
                "Rate: recent trend": r.trend_text,
                "Share of assessments with factors (%)": ""
                if s is None
                else (s.number(s.value, "no data") if s.shown or not s.has_data else "not shown"),
                "England share (%)": "" if s is None else s.number(s.england),
                "Share compared with England": "" if s is None else s.label,
            }
        )
    return pd.DataFrame(rows)


def factor_chart(
    rates: list[Measure], shares: dict[str, Measure], area_name: str, description: str
) -> alt.LayerChart | None:
    """Bars: the area's share of assessments with each factor; England and the neighbours'
    average as differently shaped points (colour is not the only cue)."""
    rows = []
    for r in rates:
        s = shares.get(r.id)
        if s is None or not s.shown:
            continue
        for series, v in ((area_name, s.value), ("England", s.england)):
            if v is not None:
                rows.append({"factor": _factor_name(r), "series": series, "value": v})
        if s.neighbours is not None:
            rows.append(
                {
                    "factor": _factor_name(r),
                    "series": "Statistical neighbours' average",
                    "value": s.neighbours,
                }
            )
    if not rows:
        return None
    df = pd.DataFrame(rows)
    df["value_text"] = [f"{v:.1f}%" for v in df["value"]]
    order = df[df["series"] == area_name].sort_values("value", ascending=False)["factor"].tolist()
    y = alt.Y("factor:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("value:Q", title="% of assessments with factors recorded")
    tooltip = [
        alt.Tooltip("factor:N", title="Factor"),
        alt.Tooltip("series:N", title="Area"),
        alt.Tooltip("value_text:N", title="Share"),
    ]
    bars = (
        alt.Chart(df[df["series"] == area_name])
        .mark_bar(color=PALETTE[0])
        .encode(x=x, y=y, tooltip=tooltip)
    )
    others = ["England", "Statistical neighbours' average"]
    points = (
        alt.Chart(df[df["series"].isin(others)])
        .mark_point(filled=True, size=70, stroke="#0b0c0c", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            shape=alt.Shape(
                "series:N",
                scale=alt.Scale(domain=others, range=["diamond", "triangle-up"]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=others, range=["#0b0c0c", PALETTE[2]]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=tooltip,
        )
    )
    return alt.layer(bars, points).properties(
        width=420,
        height=max(120, 22 * len(order)),
        title=f"Factors identified at assessment: {area_name} (bars) against England and "
        "neighbours (points)",
        description=description,
    )


def factors(ctx: Context) -> Section:
    title = "Factors identified at the end of assessment"
    pairs = factor_ids(ctx)
    if not pairs:
        names = and_join(
            [
                "domestic abuse",
                "parents' mental health",
                "drug and alcohol misuse",
                "neglect",
                "exploitation",
            ]
        )
        catalogued = ind_c3.factors(load_data(ctx.data_dir).catalogue)
        table = pd.DataFrame(
            {
                "Factor": [f.replace("_", " ") for f in catalogued],
                "In the data": ["not in the data"] * len(catalogued),
            }
        )
        return Section(
            "factors",
            title,
            "Factors identified at the end of children's social care assessments (such as "
            f"{names}) are not in the data this book holds, so they cannot be shown for "
            f"{ctx.area.name}.",
            table,
            None,
            source="DfE Characteristics of children in need",
        )
    items = ctx.items([i for pair in pairs for i in pair if i])
    rates = [items[r] for r, _ in pairs if r in items]
    shares = {r: items[s] for r, s in pairs if s and s in items}
    listed = list(items.values())
    if not any(m.shown for m in listed):
        return Section(
            "factors",
            title,
            "There is no published data on factors identified at the end of children's social "
            f"care assessments for {ctx.area.name} up to {ctx.year}.",
            factor_table(rates, shares),
            None,
            source=sources(listed),
        )
    shown = sorted(
        (s for s in shares.values() if s.shown and (s.value or 0.0) > 0),
        key=lambda m: m.value or 0.0,
        reverse=True,
    )
    top = shown[:TOP_FACTORS]
    text = []
    if top:
        text.append(
            "The factors most often identified at the end of children's social care "
            f"assessments in {ctx.area.name} {in_period(top[0].period)} were "
            + and_join([f"{lower_first(_factor_name(m))} ({m.text(m.value)})" for m in top])
            + " (shares of assessments with any factor recorded)."
        )
    higher = [r for r in rates if r.shown and r.direction == HIGHER]
    lower = [r for r in rates if r.shown and r.direction == LOWER]
    if higher:
        text.append(
            "Identified significantly more often than in England (per 10,000 children aged 0-17): "
            + and_join(
                [
                    f"{lower_first(_factor_name(r))} ({r.number(r.value)}; England "
                    f"{r.number(r.england)})"
                    for r in higher
                ]
            )
            + "."
        )
    if lower:
        text.append(
            "Significantly less often than in England: "
            + and_join([lower_first(_factor_name(r)) for r in lower])
            + "."
        )
    nb_higher = [r for r in rates if r.shown and r.neighbours_comparison == "Higher"]
    if nb_higher:
        text.append(
            "Significantly more often than the statistical neighbours' average: "
            + and_join([lower_first(_factor_name(r)) for r in nb_higher])
            + "."
        )
    if not higher and not lower and any(r.shown for r in rates):
        text.append("No factor is identified significantly more or less often than in England.")
    summary = " ".join(text)
    notes = [
        "Rates are episodes of need with the factor recorded per 10,000 children aged 0-17; "
        "shares are of assessments with at least one factor recorded (an assessment can record "
        "several factors). Compared with England by the area's 95% confidence interval.",
    ]
    note = next((m.indicator.polarity_note for m in rates if m.indicator.polarity_note), "")
    if note:
        notes.append(f"Direction of the comparisons. {note}")
    if any(m.has_data and m.suppressed for m in listed):
        notes.append("Figures resting on fewer than 5 episodes are not shown.")
    return Section(
        "factors",
        title,
        summary,
        factor_table(rates, shares),
        factor_chart(rates, shares, ctx.area.name, summary) if ctx.charts else None,
        source=sources(listed),
        notes=notes,
    )


# --- looked-after children --------------------------------------------------------------------


def looked_after(ctx: Context) -> Section:
    items = ctx.items(LOOKED_AFTER)
    judged = [m for k, m in items.items() if k != "csc:cla_rate"]
    headline = _judged_headline(ctx, judged, "looked-after children's health and stability")
    return _simple(
        ctx,
        "looked_after",
        "Looked-after children's health and stability",
        LOOKED_AFTER,
        "looked-after children's health and stability",
        headline,
        LOOKED_AFTER_CHART,
        [SDQ_NOTE],
    )


# --- care leavers ----------------------------------------------------------------------------


def care_leavers_headline(ctx: Context, items: dict[str, Measure]) -> str:
    eet, acc = items.get(CARE_LEAVERS[0]), items.get(CARE_LEAVERS[1])
    parts = []
    if eet and eet.shown:
        parts.append(
            f"{eet.value_text} of care leavers aged 19-21 in {ctx.area.name} were in education, "
            f"employment or training {in_period(eet.period)}{_ref(eet)}, {eet.verdict}"
        )
    if acc and acc.shown:
        parts.append(
            f"{acc.value_text} were in suitable accommodation{_ref(acc)}, {acc.verdict}"
            if parts
            else f"{acc.value_text} of care leavers aged 19-21 in {ctx.area.name} were in "
            f"suitable accommodation {in_period(acc.period)}{_ref(acc)}, {acc.verdict}"
        )
    return _cap("; ".join(parts)) + "." if parts else ""


def care_leavers(ctx: Context) -> Section:
    items = ctx.items(CARE_LEAVERS)
    return _simple(
        ctx,
        "care_leavers",
        "Care leavers",
        CARE_LEAVERS,
        "care leavers",
        care_leavers_headline(ctx, items),
        CARE_LEAVERS,
        [],
    )


# --- youth justice and child poverty ----------------------------------------------------------


def youth_justice(ctx: Context) -> Section:
    m = ctx.items(YOUTH_JUSTICE).get(YOUTH_JUSTICE[0])
    headline = ""
    if m is not None and m.shown:
        headline = m.sentence(
            f"First-time entrants to the youth justice system in {ctx.area.name}", False
        )
        headline = f"{headline} {recent_values(ctx, m)}".strip()
    return _simple(
        ctx,
        "youth_justice",
        "First-time entrants to the youth justice system",
        YOUTH_JUSTICE,
        "first-time entrants to the youth justice system",
        headline,
        YOUTH_JUSTICE,
        [],
        sentences=False,
    )


def child_poverty(ctx: Context) -> Section:
    m = ctx.items(CHILD_POVERTY).get(CHILD_POVERTY[0])
    headline = ""
    if m is not None and m.shown:
        headline = (
            f"{m.value_text} of children aged under 16 in {ctx.area.name} lived in relative "
            f"low-income families {in_period(m.period)}{_ref(m)}, {m.verdict}."
        )
        headline = f"{_cap(headline)} {recent_values(ctx, m)}".strip()
    return _simple(
        ctx,
        "child_poverty",
        "Children in low-income families",
        CHILD_POVERTY,
        "children in low-income families",
        headline,
        CHILD_POVERTY,
        [],
        sentences=False,
    )
