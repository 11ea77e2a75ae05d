"""Sections on early help assessments: providers, districts, deprivation quintiles, targeting
against the book's open need model and the concentration curve."""

from __future__ import annotations

import pandas as pd

from needsbook.chapters.base import Section
from needsbook.formatting import fixed, percent, rate, ratio
from needsbook.local.example import REPORT_2015_NEED_SHARES
from needsbook.services import local_eha as eha
from needsbook.services.common import (
    SMALL_NOTE,
    LocalContext,
    count_text,
    declare_sources,
    during,
    population_source,
)

NOT_SHOWN = "not shown"  # a value hidden by the small-number rule


def eha_sections(ctx: LocalContext) -> list[Section]:
    if ctx.table("eha_assessments") is None or ctx.table("eha_assessments").empty:
        return []
    src = ctx.source("eha_assessments")
    population = population_source(ctx.population_year)
    pop_src = f"; {population}; {ctx.need_source}"
    prov = eha.providers(ctx)
    period = prov.attrs["period"]
    total = prov.loc[prov["Lead provider"] == "All providers"].iloc[0]
    text = eha.summary_sentences(ctx)["providers"]
    text += (
        f" That is {_rate(total['Rate per 1,000 aged 0-19'])} children and young people "
        f"aged 0-19 over the whole period (population mid-{ctx.population_year})."
    )
    notes = [SMALL_NOTE]
    if ctx.is_example:
        notes.append(
            "The 2015 assessment prints 43.0 per 1,000 overall: its population (about 127,400 aged "
            f"0-19 in 2014) is smaller than the mid-{ctx.population_year} population used here."
        )
    out = [
        Section(
            "eha_providers",
            f"Early help assessments by lead provider, {period}",
            text,
            prov,
            source=src + pop_src,
            notes=notes,
        )
    ]
    dist = eha.districts(ctx)
    if dist is not None:
        out.append(
            Section(
                "eha_districts",
                f"Early help assessments by district, {period}",
                _district_text(dist, period, src),
                dist,
                source=src + pop_src,
                notes=[SMALL_NOTE],
            )
        )
    q = eha.quintiles(ctx)
    # the ratio's source as in the targeting table; the rest as the measure's name says
    q.attrs["sources"] = {"Targeting ratio (EHA share / need share)": ctx.need_source}
    most, least = eha.group_shares(ctx)
    tr = eha.targeting(ctx)
    open_tr = tr.set_index("Group of areas")
    need_most = open_tr.loc[eha.MOST, "% of modelled need"]
    need_least = open_tr.loc[eha.LEAST, "% of modelled need"]
    qtext = (
        f"{_share(most).capitalize()} of EHAs {during(period)} went to families in the most "
        f"deprived 40% of areas in England (quintiles 1-2) and {_share(least)} to the least "
        f"deprived 40% ({src}). {ctx.model_words_start} puts {_pct(need_most)} and "
        f"{_pct(need_least)} of {ctx.area.name}'s need in those areas."
    )
    empty = [
        why
        for g in (eha.MOST, eha.LEAST)
        if (why := eha.why_not_applicable(open_tr, g)) is not None
    ]
    if empty:
        qtext += f" Note: {' and '.join(empty)}."
    out.append(
        Section(
            "eha_quintiles",
            f"Early help assessments by deprivation quintile, {period}",
            qtext,
            q,
            chart=eha.quintile_chart(q, qtext),
            source=src + pop_src,
            notes=[
                "Quintiles are national: quintile 1 is the most deprived 20% of neighbourhoods "
                "in England (Index of Multiple Deprivation).",
                SMALL_NOTE,
            ],
        )
    )
    ttext = _targeting_text(open_tr, period, ctx.model_words)
    tnotes = [
        f"A ratio within {ratio(eha.TARGETING_TOLERANCE)} of 1 is read as about in proportion "
        "to need.",
    ]
    if ctx.is_example:
        tnotes.append(
            "The Worcestershire 2015 needs assessment used its own need model, built from "
            "individual birth records that are not public, which put "
            f"{_pct(REPORT_2015_NEED_SHARES[eha.MOST])} of need in the most deprived 40% and "
            f"{_pct(REPORT_2015_NEED_SHARES[eha.LEAST])} in the least deprived 40%: "
            f"{_gap(REPORT_2015_NEED_SHARES[eha.MOST], need_most)} in the most deprived 40% "
            f"and {_gap(REPORT_2015_NEED_SHARES[eha.LEAST], need_least)} in the least deprived "
            f"40% than {ctx.model_words} puts there. The open data cannot check those shares, "
            f"so this book judges targeting only with {ctx.model_words}, which follows where "
            f"children live: {_pct(q['% of children aged 0-19'].iloc[:2].sum())} of "
            f"{ctx.area.name}'s 0-19s live in quintiles 1-2 and "
            f"{_pct(q['% of children aged 0-19'].iloc[3:].sum())} in "
            "quintiles 4-5. The assessments are from 2013-2015 (then ranked by the 2010 index), "
            "while the population and deprivation used here are more recent."
        )
    out.append(
        Section(
            "eha_targeting",
            f"Targeting: early help against modelled need, {period}",
            ttext,
            tr,
            source=f"{src}; {ctx.need_source}",
            notes=tnotes,
        )
    )
    curve = declare_sources(
        eha.concentration(ctx),
        src,
        {
            "Cumulative % of modelled need": ctx.need_source,
            "Cumulative % of children aged 0-19": population,
        },
    )
    half = curve["Cumulative % of EHAs"].iloc[1]
    need_half = curve["Cumulative % of modelled need"].iloc[1]
    reaches = (
        f"Up to quintile 2, it reaches {_pct(half)} of EHAs against "
        f"{_pct(need_half)} of need ({period}). "
        if half == half
        else f"Up to quintile 2 it reaches {_pct(need_half)} of need ({period}); the "
        "EHA curve is not shown, because a quintile's count is hidden (small numbers). "
    )
    ctext = (
        "The concentration curve adds up EHAs and modelled need from the most deprived "
        f"quintile to the least. {reaches}"
        + (
            "A curve above the dashed diagonal means EHAs are more concentrated in deprived "
            "areas than need is; below it, less."
        )
    )
    out.append(
        Section(
            "eha_concentration",
            f"Concentration curve of early help against need, {period}",
            ctext,
            curve,
            chart=eha.concentration_chart(curve, ctext),
            source=src + pop_src,
        )
    )
    trend = _trend_section(ctx, src)
    if trend is not None:
        out.insert(1, trend)
    return out


def _pct(value: float) -> str:
    """'52.0%' ('not shown' where the small-number rule hides it)."""
    return percent(value, missing=NOT_SHOWN)


def _ratio(value: float) -> str:
    """'1.45' ('not shown' where the small-number rule hides it)."""
    return ratio(value, missing=NOT_SHOWN)


def _rate(value: float) -> str:
    """'43.0 per 1,000' ('not shown' where the small-number rule hides it)."""
    return rate(value, "per 1,000", missing=NOT_SHOWN)


def _share(value: float) -> str:
    """'52.0%', or words saying the share is hidden."""
    return percent(value, missing="an undisclosed share (small numbers)")


def _gap(theirs: float, ours: float) -> str:
    """'37.9 points more' / 'less': one model's share of need against another's."""
    gap = round(float(theirs), 1) - round(float(ours), 1)
    return f"{fixed(abs(gap), 1)} points {'more' if gap > 0 else 'less'}"


def _targeting_text(tr: pd.DataFrame, period: str, model_words: str) -> str:
    """The open model's ratios in words; a group with no need is "not applicable" and why."""
    parts, readings, missing = [], [], []
    for group in (eha.MOST, eha.LEAST):
        words, value = eha.GROUP_WORDS[group], tr.loc[group, "Targeting ratio"]
        if (why := eha.why_not_applicable(tr, group)) is not None:
            missing.append(f"For the {words} it is not applicable: {why}.")
            continue
        parts.append(f"{_ratio(value)} for the {words}")
        if value == value:
            readings.append(f"the {words.removesuffix(' 40%')} areas get {eha.reading(value)}")
    text = f"With {model_words}, the targeting ratio (share of EHAs divided by share of need)"
    if parts:
        text += f" is {' and '.join(parts)} ({period})"
        text += (": " + " and ".join(readings) + ". ") if readings else ". "
    else:
        text += f" cannot be worked out ({period}). "
    missing.append("A ratio of 1 means EHAs are in proportion to need.")
    return text + " ".join(missing)


def _district_text(dist: pd.DataFrame, period: str, src: str) -> str:
    shown = dist.dropna(subset=["Rate per 1,000 aged 0-19"])
    text = f"Rates of EHAs per 1,000 aged 0-19 by district, {period} ({src})."
    if len(shown):
        top = shown.sort_values("Rate per 1,000 aged 0-19").iloc[-1]
        text += f" The highest is {top['District']}: {_rate(top['Rate per 1,000 aged 0-19'])}."
    return text


def _trend_section(ctx: LocalContext, src: str) -> Section | None:
    """EHAs per period and the fold change from the first to the latest, when the data holds
    more than one period."""
    t = eha.totals(ctx)
    if t is None or len(t) < 2:
        return None
    first, last = t["Assessments"].iloc[0], t["Assessments"].iloc[-1]  # NaN where hidden
    fold = last / first if first > 0 else float("nan")
    text = (
        f"Early help assessments rose from {count_text(t['Assessments'].iloc[0])} in "
        f"{t['Period'].iloc[0]} to {count_text(t['Assessments'].iloc[-1])} in "
        f"{t['Period'].iloc[-1]}: {_ratio(fold)} times as many ({src})."
        if fold == fold and fold >= 1
        else f"Early help assessments by period ({src}); fold change "
        f"{_ratio(fold)} from the first period to the latest."
    )
    return Section(
        "eha_trend",
        "Early help assessments over time",
        text,
        t,
        source=src,
        notes=[
            "Fold change: the latest period's EHAs divided by the first period's. "
            "Periods of different lengths are not comparable: check the period labels.",
            SMALL_NOTE,
        ],
    )
