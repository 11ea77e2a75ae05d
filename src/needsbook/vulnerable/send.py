"""Special educational needs: EHC plans, requests for assessment and 20-week timeliness.

Every value, verdict and trend is the benchmarking engine's (DfE LAIT values, compared by
fifths of all English upper-tier areas). The timeliness section describes the area's own
year-to-year changes, because the share of plans issued within 20 weeks swings widely in many
areas: it shows every year's value, the range and each change, never a single fold change.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from needsbook import formatting
from needsbook.chapters.base import Section
from needsbook.chapters.text import and_join, in_period
from needsbook.vulnerable.measures import Context, Measure, area_years, sources
from needsbook.vulnerable.tables import (
    chart_frame,
    indicator_table,
    line_chart,
    measures_chart,
    no_judgement_note,
)

PLANS = ("lait:SEN_CASES_JAN", "lait:SEN_TotStat", "lait:SEN_TotSENSuP")
REQUESTS = (
    "lait:SEN_INIT_REQ",
    "lait:EHCP_Initial_req_refused",
    "lait:SEN_ASSESSMENT",
    "lait:SEN_PLAN_ISSUED",
    "lait:SEN_AppealableDec",
)
TIMELINESS = ("lait:SEN_EHC_All_20wks", "lait:SEN_EHC_Excpt_20wks")
#: A change of at least this many percentage points from one year to the next is a large swing.
SWING_POINTS = 20

FIFTHS_NOTE = (
    "Figures from DfE's Local Authority Interactive Tool are published without counts or "
    "confidence intervals, so each area is placed in fifths of all English upper-tier areas (no "
    "significance test is possible) and no trend test can be made; the earlier value is the "
    "earliest of the five latest years. Figures with confidence intervals are compared with "
    "England by whether England's value lies inside the area's 95% confidence interval."
)
NUMBERS_NOTE = (
    "Numbers of plans, requests and assessments are not compared with England or the region, "
    "whose figures are totals; the neighbours' average is the mean of the statistical "
    "neighbours' own numbers. They cover children and young people aged 0-25, so they are not "
    "turned into a rate per child aged 0-17."
)
SEN2_NOTE = (
    "From 2023 DfE collected these figures for each child rather than as local authority "
    "totals; DfE warns that data quality in 2023 may have been affected."
)
SEN2_REFUSED_NOTE = (
    "From 2023 DfE collected these figures for each child rather than as local authority "
    "totals, so the share of requests refused before 2023 is not comparable with later years "
    "(it is shown in the chart but not used for the earlier value); DfE warns that data "
    "quality in 2023 may have been affected."
)
PRIMARY_NEED = (
    "Pupils' primary type of special educational need (such as speech, language and "
    "communication needs, or social, emotional and mental health needs), which the "
    "Worcestershire 2015 needs assessment reported, is not in the open data this book holds "
    "after 2022, so it is not shown."
)


def _ref(m: Measure) -> str:
    """' (England 5.3%)' or '' when England has no comparable figure."""
    return f" (England {m.ref(m.england)})" if m.england is not None else ""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _no_data(ctx: Context, key: str, title: str, what: str, items: list[Measure]) -> Section:
    return Section(
        key,
        title,
        f"There is no data on {what} for {ctx.area.name} up to {ctx.year}.",
        indicator_table(items),
        None,
        source=sources(items) or "DfE, via DfE LAIT",
    )


# --- EHC plans --------------------------------------------------------------------------------


def plans_headline(ctx: Context, plans: Measure | None, share: Measure | None) -> str:
    """'Worcestershire maintained 6,970 education, health and care (EHC) plans in January
    2025, up from 4,182 in January 2021; 5.7% of pupils in its schools had a plan in 2024/25
    (England 5.3%), in the middle 20% of English areas.'"""
    parts = []
    if plans and plans.shown:
        change = plans.change_text
        parts.append(
            f"{ctx.area.name} maintained {plans.value_text} education, health and care (EHC) "
            f"plans {in_period(plans.period)}" + (f", {change}" if change else "")
        )
    if share and share.shown:
        whose = "its" if parts else f"{ctx.area.name}'s"
        parts.append(
            f"{share.value_text} of pupils in {whose} schools had an EHC plan "
            f"{in_period(share.period)}{_ref(share)}, {share.verdict}"
        )
    return _cap("; ".join(parts)) + "." if parts else ""


def _plans_chart(ctx: Context, items: dict[str, Measure], summary: str) -> alt.FacetChart | None:
    over_time = ctx.frame(items)
    frame = chart_frame(over_time, items, ["lait:SEN_TotStat", "lait:SEN_TotSENSuP"])
    numbers = chart_frame(over_time, items, ["lait:SEN_CASES_JAN"])
    frame = pd.concat([frame, numbers.assign(panel_order=2)], ignore_index=True)
    return line_chart(
        frame,
        ctx.area.name,
        ctx.area.region_name,
        "EHC plans and SEN support over time",
        summary,
        columns=3,
    )


def send_plans(ctx: Context) -> Section:
    title = "Education, health and care plans"
    items = ctx.items(PLANS)
    listed = list(items.values())
    plans, share, support = (items.get(i) for i in PLANS)
    if not any(m.has_data for m in listed):
        return _no_data(ctx, "send_plans", title, "EHC plans", listed)
    text = [plans_headline(ctx, plans, share)]
    if share and share.shown and share.change_text:
        text.append(f"The share of pupils with a plan was {share.change_text}.")
    if support is not None:
        text.append(support.sentence("Pupils receiving SEN support without a plan"))
    if plans and plans.shown and plans.neighbours is not None:
        text.append(
            f"The statistical neighbours maintained {plans.text(plans.neighbours)} plans on "
            f"average; {ctx.area.name} ranks {plans.rank_text} among them."
        )
    summary = " ".join(t for t in text if t)
    chart = _plans_chart(ctx, items, summary) if ctx.charts else None
    return Section(
        "send_plans",
        title,
        summary,
        indicator_table(listed),
        chart,
        source=sources(listed),
        notes=[FIFTHS_NOTE, NUMBERS_NOTE, *no_judgement_note(listed)],
    )


# --- requests and assessments ----------------------------------------------------------------


def requests_headline(ctx: Context, items: dict[str, Measure]) -> str:
    """'Worcestershire received 1,883 initial requests for an EHC needs assessment in 2024, up
    from 630 in 2020, and refused 17.5% of initial requests (England 27.1%), in the ...'"""
    req, refused = items.get(REQUESTS[0]), items.get(REQUESTS[1])
    parts = []
    if req and req.shown:
        change = req.change_text
        parts.append(
            f"{ctx.area.name} received {req.value_text} initial requests for an EHC needs "
            f"assessment {in_period(req.period)}" + (f", {change}" if change else "")
        )
    if refused and refused.shown:
        who = "it" if parts else ctx.area.name
        parts.append(
            f"{who} refused {refused.value_text} of initial requests "
            f"{in_period(refused.period)}{_ref(refused)}, {refused.verdict}"
        )
    return _cap(", and ".join(parts)) + "." if parts else ""


def send_requests(ctx: Context) -> Section:
    title = "Requests for EHC needs assessments"
    items = ctx.items(REQUESTS)
    listed = list(items.values())
    if not any(m.has_data for m in listed):
        return _no_data(ctx, "send_requests", title, "requests for EHC needs assessments", listed)
    text = [requests_headline(ctx, items)]
    assessed, issued = items.get(REQUESTS[2]), items.get(REQUESTS[3])
    if assessed and assessed.shown:
        line = f"It completed {assessed.value_text} needs assessments {in_period(assessed.period)}"
        if issued and issued.shown:
            line += (
                f"; {issued.value_text} of assessments led to a plan{_ref(issued)}, "
                f"{issued.verdict}"
            )
        text.append(line + ".")
    elif issued is not None:
        text.append(issued.sentence())
    appeals = items.get(REQUESTS[4])
    if appeals is not None:
        text.append(appeals.sentence())
    summary = " ".join(t for t in text if t)
    chart = measures_chart(
        ctx,
        ctx.frame(items),
        items,
        REQUESTS,
        "Requests for EHC needs assessments, refusals, plans and appeals over time",
        summary,
        columns=3,
    )
    notes = [FIFTHS_NOTE, NUMBERS_NOTE, SEN2_REFUSED_NOTE]
    return Section(
        "send_requests",
        title,
        summary,
        indicator_table(listed),
        chart,
        source=sources(listed),
        notes=notes + no_judgement_note(listed),
    )


# --- timeliness ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Volatility:
    """An indicator's yearly values for the area and how much they moved."""

    years: pd.DataFrame  # year, period, value (the engine's rows)

    @property
    def changes(self) -> pd.DataFrame:
        """Each change from one year with data to the next: ``start, end, change``."""
        y = self.years
        return pd.DataFrame(
            {
                "start": y["period"].iloc[:-1].to_list(),
                "end": y["period"].iloc[1:].to_list(),
                "change": (y["value"].diff().iloc[1:]).to_list(),
            }
        )

    @property
    def large(self) -> pd.DataFrame:
        c = self.changes
        return c[c["change"].abs() >= SWING_POINTS]

    @property
    def low(self) -> pd.Series | None:
        return None if self.years.empty else self.years.loc[self.years["value"].idxmin()]

    @property
    def high(self) -> pd.Series | None:
        return None if self.years.empty else self.years.loc[self.years["value"].idxmax()]

    @property
    def biggest(self) -> pd.Series | None:
        c = self.changes
        return None if c.empty else c.loc[c["change"].abs().idxmax()]


def _values_text(v: Volatility) -> str:
    return "; ".join(
        f"{p}: {formatting.percent(x)}"
        for p, x in zip(v.years["period"], v.years["value"], strict=True)
    )


def _changes_text(v: Volatility) -> str:
    return "; ".join(
        f"{a} to {b}: {formatting.points(c, sign=True)}"
        for a, b, c in zip(v.changes["start"], v.changes["end"], v.changes["change"], strict=True)
    )


def volatility_text(area_name: str, v: Volatility) -> str:
    """Every year's value, the range and the changes, in plain words."""
    y = v.years
    if len(y) < 2:
        return ""
    every = and_join(
        [f"{formatting.percent(x)} in {p}" for p, x in zip(y["period"], y["value"], strict=True)]
    )
    low, high, big = v.low, v.high, v.biggest
    assert low is not None and high is not None and big is not None
    text = (
        f"Every year's figure for {area_name}: {every}. Over these years it ranged from "
        f"{formatting.percent(low['value'])} ({low['period']}) to "
        f"{formatting.percent(high['value'])} ({high['period']}); the largest change from one "
        f"year to the next was {formatting.points(abs(big['change']))} percentage points "
        f"({big['start']} to {big['end']})."
    )
    n, k = len(v.large), len(v.changes)
    if n:
        text += (
            f" In {n} of the {k} changes from one year to the next the figure moved by "
            f"{SWING_POINTS} percentage points or more: the swings are large, "
            "so a single year, or the change between two years, is a poor guide to how the "
            "service performs."
        )
    else:
        text += f" No change from one year to the next reached {SWING_POINTS} percentage points."
    return text


def send_timeliness(ctx: Context) -> Section:
    title = "EHC plans issued within 20 weeks"
    items = ctx.items(TIMELINESS)
    listed = list(items.values())
    main, excl = (items.get(i) for i in TIMELINESS)
    frame = ctx.frame(items)
    vol = {k: Volatility(area_years(frame, ctx.area.name, k)) for k in items}
    table = indicator_table(listed)
    table["Values by year"] = [_values_text(vol[m.id]) for m in listed]
    table["Lowest"] = [
        "" if vol[m.id].low is None else formatting.percent(vol[m.id].low["value"])  # type: ignore[index]
        for m in listed
    ]
    table["Highest"] = [
        "" if vol[m.id].high is None else formatting.percent(vol[m.id].high["value"])  # type: ignore[index]
        for m in listed
    ]
    table["Changes from one year to the next (percentage points)"] = [
        _changes_text(vol[m.id]) for m in listed
    ]
    if not any(m.has_data for m in listed):
        return Section(
            "send_timeliness",
            title,
            f"There is no data on how quickly EHC plans are issued for {ctx.area.name} up to "
            f"{ctx.year}. {PRIMARY_NEED}",
            table,
            None,
            source=sources(listed) or "DfE, via DfE LAIT",
            notes=[PRIMARY_NEED],
        )
    text = []
    if main and main.shown:
        head = (
            f"{main.value_text} of new EHC plans in {ctx.area.name} were issued within 20 weeks "
            f"{in_period(main.period)}{_ref(main)}, {main.verdict}"
        )
        if len(vol[main.id].large):
            head += "; the figure has swung widely from year to year"
        text.append(_cap(head) + ".")
        text.append(volatility_text(ctx.area.name, vol[main.id]))
    elif main is not None:
        text.append(main.sentence())
    if excl is not None:
        text.append(
            excl.sentence("Excluding cases where an exception to the time limit applies", False)
        )
    text.append(PRIMARY_NEED)
    summary = " ".join(t for t in text if t)
    chart = measures_chart(
        ctx, frame, items, TIMELINESS, "New EHC plans issued within 20 weeks, every year", summary
    )
    notes = [
        FIFTHS_NOTE,
        "A large swing is a change of "
        f"{SWING_POINTS} percentage points or more from one year to the next.",
        SEN2_NOTE,
    ]
    return Section(
        "send_timeliness",
        title,
        summary,
        table,
        chart,
        source=sources(listed),
        notes=notes,
    )
