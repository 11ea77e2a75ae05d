"""Chapter 3, outcomes: how children in the area are doing compared with England, their region
and their children's-services statistical neighbours, and which way it is moving (as in the
Worcestershire 2015 needs assessment, Figs 1-9 and 32-34).

All numbers come from :mod:`needsbook.outcomes`; this module only arranges them into sections
with text, charts and tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.areas import Area, resolve_area
from needsbook.chapters.base import Chapter, Section
from needsbook.chapters.text import (
    and_join,
    change,
    lower_first,
    number,
    ordinal,
)
from needsbook.charts import annotations
from needsbook.data import load_table
from needsbook.escape import md, trusted
from needsbook.outcomes import charts
from needsbook.outcomes.catalogue import Catalogue, Indicator
from needsbook.outcomes.compare import (
    ENGLAND,
    NO_CI_REASON,
    POOLED_REASON,
    OutcomeData,
    area_benchmarks,
    benchmarks,
    group_ranks,
    load_data,
    neighbour_series,
    series,
)
from needsbook.outcomes.findings import Finding, findings, findings_table, key_findings
from needsbook.outcomes.stars import DERIVED, area_domain_scores
from needsbook.polarity import JUDGED, NO_JUDGEMENT
from needsbook.polarity import sign as polarity_sign

SOCIAL_CARE_TRIO = ("csc:cin_rate", "csc:cpp_rate", "csc:cla_rate")
GLD = ("lait:FSP_NEW_GOODDEV", "lait:FSP_Gooddev_FSM")
ATTAINMENT = ("lait:AVG_Attain8_Score", "lait:FSM_AVG_Attain8_Score")
#: Difference (in SDs) between actual and expected domain scores called "about as expected".
AS_EXPECTED = 0.25
KEY_FINDINGS = 8


@dataclass
class OutcomesChapter(Chapter):
    """The outcomes chapter: its sections and the findings its text was written from."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def key_findings(self) -> list[str]:
        """An overview sentence, then the most important findings (worse first)."""
        return [_overview(self.area_name, self.findings)] + [
            f.sentence for f in key_findings(self.findings, KEY_FINDINGS)
        ]


def _fmt(value: object, decimals: int = 1) -> str:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return ""
    return f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]


def _overview(area_name: str, items: list[Finding]) -> str:
    with_data = [f for f in items if f.has_data]
    tested = [f for f in with_data if f.method == "confidence interval"]
    worse = [f for f in tested if f.significant and f.direction == "worse"]
    better = [f for f in tested if f.significant and f.direction == "better"]
    fifths = [f for f in with_data if f.method == "quintiles" and f.quintile is not None]
    judged = [f for f in fifths if f.polarity != NO_JUDGEMENT]
    worst = [f for f in judged if f.quintile == 5]
    best = [f for f in judged if f.quintile == 1]
    text = f"{area_name} has data for {len(with_data)} of the {len(items)} outcome indicators."
    if tested:
        text += (
            f" {len(tested)} can be tested against England: {len(worse)} "
            f"{'is' if len(worse) == 1 else 'are'} significantly worse and {len(better)} "
            "significantly better."
        )
    if judged:
        text += (
            f" {len(judged)} can only be placed in fifths of English areas (no test possible): "
            f"{len(worst)} {'is' if len(worst) == 1 else 'are'} in the worst fifth and "
            f"{len(best)} in the best fifth."
        )
    return text


def _names(items: list[Finding]) -> str:
    """'children looked after, infant mortality and MMR first dose at 24 months'."""
    return and_join([lower_first(f.name) for f in items])


def _not_shown(cat: Catalogue) -> str:
    """One sentence on the indicators the data cannot supply, and one on LAIT's alias."""
    absent = [lower_first(str(m["name"])) for m in cat.not_available if not m.get("alias_of")]
    text = f"Not available in the data used: {and_join(absent)}." if absent else ""
    for m in cat.not_available:
        if m.get("alias_of"):
            shown = cat[str(m["alias_of"])].name
            text += (
                ' The indicator the DfE tool calls "Emergency Hospital Admissions 0-14yr olds" '
                f"is, by its definition and values, {lower_first(shown)}, so it is shown once, "
                "under that name; there is no indicator of all emergency admissions of children."
            )
    return text.strip()


def _sources(inds: list[Indicator]) -> str:
    return "; ".join(dict.fromkeys(i.source for i in inds))


# --- spine chart ----------------------------------------------------------------------------


def spine(
    area: Area, year: int, data: OutcomeData, items: list[Finding], bench: pd.DataFrame
) -> Section:
    cat = data.catalogue
    frame = charts.spine_frame(bench, items, cat.life_stages)
    tested = [f for f in items if f.has_data and f.method == "confidence interval"]
    worse = [f for f in tested if f.significant and f.direction == "worse"]
    better = [f for f in tested if f.significant and f.direction == "better"]
    worst = [
        f
        for f in items
        if f.method == "quintiles" and f.quintile == 5 and f.polarity != NO_JUDGEMENT
    ]
    summary = (
        f"The chart places {area.name}'s value for each of the {len(items)} indicators against "
        "England and the range of all English upper-tier areas."
    )
    if worse:
        summary += f" Significantly worse than England: {_names(worse)}."
    if better:
        summary += f" Significantly better: {_names(better)}."
    if worst:
        summary += (
            f" Among the worst fifth of areas (no significance test possible): {_names(worst)}."
        )
    summary += (
        f" Each indicator uses its latest period at or before {year}; the period is shown for "
        "each one."
    )
    chart = charts.spine_chart(frame, area.name, summary)
    by_id = {f.indicator_id: f for f in items}
    table = pd.DataFrame(
        {
            "Life stage": bench["stage_title"],
            "Indicator": [by_id[i].name for i in bench["indicator_id"]],
            "Period": bench["period_label"],
            "Unit": bench["unit"],
            "Count": [_fmt(v, 0) for v in bench["count"]],
            "Value": [
                cat[i].number(v) for i, v in zip(bench["indicator_id"], bench["value"], strict=True)
            ],
            "95% CI lower": [
                _fmt(v, d) for v, d in zip(bench["lower_ci_95"], bench["decimals"], strict=True)
            ],
            "95% CI upper": [
                _fmt(v, d) for v, d in zip(bench["upper_ci_95"], bench["decimals"], strict=True)
            ],
            "England": [
                _fmt(v, d) for v, d in zip(bench["england"], bench["decimals"], strict=True)
            ],
            "Region": [
                _fmt(v, d) for v, d in zip(bench["region_value"], bench["decimals"], strict=True)
            ],
            "Neighbours' average": [
                _fmt(v, d) for v, d in zip(bench["neighbours_mean"], bench["decimals"], strict=True)
            ],
            "Compared with England": [by_id[i].label for i in bench["indicator_id"]],
            "How compared": [
                "95% confidence interval"
                if by_id[i].method == "confidence interval"
                else "fifths of all areas"
                for i in bench["indicator_id"]
            ],
            "Compared with region": bench["region_comparison"].fillna("Not compared"),
            "Compared with neighbours": bench["neighbours_comparison"].fillna("Not compared"),
            "Recent trend": bench["trend_label"],
            "Why no trend": bench["trend_reason"].fillna(""),
            "Rank (1 = best)": [
                "" if pd.isna(r) else f"{int(r)} of {n}"
                for r, n in zip(bench["rank"], bench["n_areas"], strict=True)
            ],
            "Quartile band (A = best)": bench["band"].fillna(""),
            "Rank among neighbours": [
                "" if pd.isna(r) else f"{int(r)} of {int(n)}"
                for r, n in zip(bench["neighbours_rank"], bench["neighbours_ranked"], strict=True)
            ],
            "Polarity": bench["polarity"],
        }
    )
    notes = [
        "Indicators with confidence intervals are compared with England by whether England's "
        "value lies inside the area's 95% confidence interval. DfE's Local Authority Interactive "
        "Tool publishes values only, so for those indicators the chart shows which fifth of all "
        "English upper-tier areas the area falls in; no significance test is possible.",
        "Children in need, child protection and looked-after rates: "
        + lower_first(cat["csc:cla_rate"].polarity_note),
    ]
    notes += [f"{cat[i].name}: {n}" for i, n in data.notes.items()]
    notes.append(_not_shown(cat))
    return Section(
        "spine",
        "Children's outcomes compared with England",
        summary,
        table,
        chart,
        source=_sources(list(cat.for_use("outcomes"))),
        notes=notes,
    )


# --- findings by life stage -----------------------------------------------------------------


def life_stages(area: Area, data: OutcomeData, items: list[Finding]) -> Section:
    parts = []
    for stage, title in data.catalogue.life_stages.items():
        stage_items = [f for f in items if f.life_stage == stage]
        if stage_items:
            bullets = "\n".join(f"- {md(f.sentence)}" for f in stage_items)
            parts.append(f"**{md(title)}**\n\n{bullets}")
    intro = md(
        'What each indicator shows, by life stage. "Significantly" means England\'s value lies '
        "outside the area's 95% confidence interval; fifths (quintiles) rank all English "
        "upper-tier areas where no interval is published."
    )
    summary = trusted("\n\n".join([intro, *parts]))  # our Markdown, its text escaped
    table = findings_table(items).drop(columns=["Value", "England", "Difference from England"])
    return Section(
        "life_stages",
        "What the indicators show, by life stage",
        summary,
        table,
        None,
        source=_sources([f.indicator for f in items]),
    )


# --- trends ---------------------------------------------------------------------------------


def _trend_frame(
    area: Area, data: OutcomeData, bench: pd.DataFrame, ids: list[str], items: dict[str, Finding]
) -> pd.DataFrame:
    names = {area.code: area.name, ENGLAND: "England", area.region_code: area.region_name}
    cat = data.catalogue
    frames = []
    for order, ind_id in enumerate(ids):
        ind = cat[ind_id]
        row = bench[bench["indicator_id"] == ind_id].iloc[0]
        upto = int(row["year"]) if pd.notna(row["year"]) else 0
        s = series(data, [ind_id], list(names), upto)
        s = s.assign(series=s["area_code"].map(names))
        nb = neighbour_series(data, [ind_id], area.code, upto).assign(
            series="Statistical neighbours' average", lower_ci_95=np.nan, upper_ci_95=np.nan
        )
        df = pd.concat(
            [s[["year", "period", "series", "value", "lower_ci_95", "upper_ci_95"]], nb],
            ignore_index=True,
        )
        # Years before a definition change stay on the chart, marked by the change's line.
        df["indicator_id"] = ind_id
        if "period_type" in row.index and pd.notna(row["period_type"]):
            df["period_type"] = row["period_type"]
        f = items[ind_id]
        df["panel"] = f"{ind.label}|{_unit_text(ind)}|{area.name}: {_trend_phrase(f)}"
        df["panel_name"] = ind.name
        df["panel_order"] = order
        df["value_text"] = [ind.format(v) for v in df["value"]]
        df["ci_text"] = [
            f"{ind.number(lo)} to {ind.number(hi)}" if pd.notna(lo) else "not published"
            for lo, hi in zip(df["lower_ci_95"], df["upper_ci_95"], strict=True)
        ]
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out = out.rename(columns={"lower_ci_95": "lower", "upper_ci_95": "upper"})
    out["year"] = out["year"].astype(int)
    return out.dropna(subset=["value"]).reset_index(drop=True)


_SHORT_REASONS = {
    NO_CI_REASON: "no published counts",
    "fewer than 5 valid points": "too few years",
    POOLED_REASON: "pooled years overlap",
}


def _trend_phrase(f: Finding) -> str:
    """'increasing and getting worse' or 'no trend test (fewer than 5 years of data)'."""
    if f.trend_from:
        return f.trend_label.lower()
    reason = _SHORT_REASONS.get(f.trend_reason or "", f.trend_reason or "not possible")
    return f"no trend test ({reason})"


def _unit_text(ind: Indicator) -> str:
    return "per cent" if ind.unit == "%" else ind.unit


def _series_order(area: Area) -> list[str]:
    return [area.name, "England", area.region_name, "Statistical neighbours' average"]


def _trend_table(
    df: pd.DataFrame, data: OutcomeData, by_panel: dict[str, list[annotations.Event]]
) -> pd.DataFrame:
    table = df[["panel_name", "series", "period", "value_text", "ci_text"]].copy()
    table.columns = ["Indicator", "Area", "Period", "Value", "95% confidence interval"]
    table["Note"] = annotations.frame_notes(df, by_panel)
    return table


def trends(
    area: Area, year: int, data: OutcomeData, items: list[Finding], bench: pd.DataFrame
) -> Section:
    by_id = {f.indicator_id: f for f in items}
    ids = [
        i.id
        for i in data.catalogue.for_use("outcomes")
        if i.key and i.id not in SOCIAL_CARE_TRIO and by_id[i.id].has_data
    ]
    if not ids:
        summary = f"None of the key indicators has data for {area.name}."
        return Section("trends", "Trends in key outcomes", summary, pd.DataFrame(), None)
    df = _trend_frame(area, data, bench, ids, by_id)
    tested = [by_id[i] for i in ids if by_id[i].trend_from]
    untested = [by_id[i] for i in ids if not by_id[i].trend_from]
    summary = (
        f"The charts show {area.name}, England, the {area.region_name} region and the average of "
        f"its 10 statistical neighbours for every year available; the shaded band is "
        f"{area.name}'s 95% confidence interval where one is published."
    )
    for f in tested:
        summary += f" {f.name}: {_trend_phrase(f)} ({f.trend_from} to {f.trend_to})."
    no_counts = [f for f in untested if f.trend_reason == NO_CI_REASON]
    too_few = [f for f in untested if f.trend_reason != NO_CI_REASON]
    if no_counts:
        summary += (
            f" No trend test is possible for {_names(no_counts)}: the source publishes no counts "
            "or confidence intervals."
        )
    if too_few:
        summary += f" There are too few comparable years to test {_names(too_few)}."
    by_panel = annotations.panel_events(df)
    chart = charts.trend_chart(
        df, f"Trends in key outcomes, {area.name}", summary, _series_order(area), events=by_panel
    )
    notes = annotations.describe(e for events in by_panel.values() for e in events)
    notes += [  # breaks the chart marks already explain are described by their event
        f"{data.catalogue[i].name}: {data.catalogue[i].series_note}"
        for i in ids
        if data.catalogue[i].series_note and not data.catalogue[i].comparable_from
    ]
    notes.append(
        "The neighbours' average is the mean of the values of the statistical neighbours that have "
        "one, shown only when at least 5 of the 10 do."
    )
    return Section(
        "trends",
        "Trends in key outcomes",
        summary,
        _trend_table(df, data, by_panel),
        chart,
        source=_sources([data.catalogue[i] for i in ids]),
        notes=notes,
    )


# --- social care ------------------------------------------------------------------------------


def social_care(
    area: Area,
    year: int,
    data: OutcomeData,
    items: list[Finding],
    bench: pd.DataFrame,
    data_dir: Path | str | None,
) -> Section:
    by_id = {f.indicator_id: f for f in items}
    ids = [i for i in SOCIAL_CARE_TRIO if by_id[i].has_data]
    pop = load_table("population_0_17", data_dir)
    first_year = min(
        (int(y) for y in data.rows.loc[data.rows["indicator_id"].isin(ids), "year"]), default=year
    )
    pop = pop[(pop["area_code"] == area.code) & pop["year"].between(first_year - 1, year)]
    pop = pop.sort_values("year")
    summary = " ".join(by_id[i].sentence for i in SOCIAL_CARE_TRIO)
    if len(pop) > 1:
        first, last = pop.iloc[0], pop.iloc[-1]
        moved = change(first["population"], last["population"])
        summary += (
            f" The number of children aged 0-17 {moved} between mid-{int(first['year'])} "
            f"({number(first['population'])}) and mid-{int(last['year'])} "
            f"({number(last['population'])}); the rates are per 10,000 children, so they allow "
            "for that change."
        )
    frames = []
    if ids:
        frames.append(_trend_frame(area, data, bench, ids, by_id))
    if len(pop):
        p = pd.DataFrame(
            {
                "year": pop["year"].astype(int).to_numpy(),
                "period": pop["year"].astype(int).astype(str).map(lambda y: f"mid-{y}").to_numpy(),
                "series": area.name,
                "value": pop["population"].astype(float).to_numpy(),
                "lower": np.nan,
                "upper": np.nan,
                "panel": f"Children aged 0-17 (population)|{area.name}, ONS mid-year estimates",
                "panel_name": "Children aged 0-17",
                "panel_order": len(ids),
            }
        )
        p["value_text"] = [number(v) for v in p["value"]]
        p["ci_text"] = "not applicable"
        frames.append(p)
    if not frames:
        return Section(
            "social_care",
            "Children in need, on child protection plans and looked after",
            summary,
            pd.DataFrame(),
            None,
        )
    df = pd.concat(frames, ignore_index=True)
    by_panel = annotations.panel_events(df)
    chart = charts.trend_chart(
        df,
        f"Children in need, on child protection plans and looked after, {area.name}",
        summary,
        _series_order(area),
        events=by_panel,
    )
    notes = ["Polarity: " + lower_first(data.catalogue["csc:cla_rate"].polarity_note)]
    notes += annotations.describe(e for events in by_panel.values() for e in events)
    if "csc:cla_rate" in ids:
        notes.append(
            "Looked-after rates before 2021 are recalculated from DfE's counts and the rebased "
            "ONS 0-17 estimates, so they can differ by a little from the rates DfE published "
            "at the time."
        )
    return Section(
        "social_care",
        "Children in need, on child protection plans and looked after",
        summary,
        _trend_table(df, data, by_panel),
        chart,
        source=_sources([data.catalogue[i] for i in SOCIAL_CARE_TRIO])
        + "; ONS mid-year population estimates (0-17), as published by DfE",
        notes=notes,
    )


# --- statistical neighbours --------------------------------------------------------------------


def neighbours(
    area: Area, year: int, data: OutcomeData, items: list[Finding], bench_all: pd.DataFrame
) -> Section:
    by_id = {f.indicator_id: f for f in items}
    cat = data.catalogue
    nb = data.neighbours[data.neighbours["area_code"] == area.code].sort_values("rank")
    codes = [area.code, *nb["neighbour_code"]]
    ids = [i.id for i in cat.for_use("outcomes") if i.key or i.id in SOCIAL_CARE_TRIO]
    sel = bench_all[bench_all["indicator_id"].isin(ids) & bench_all["area_code"].isin(codes)].copy()
    frames = []
    top, bottom = [], []
    for order, ind_id in enumerate(ids):
        ind = cat[ind_id]
        part = sel[sel["indicator_id"] == ind_id].dropna(subset=["value"]).reset_index(drop=True)
        if part.empty or area.code not in set(part["area_code"]):
            continue
        mine = bench_all[
            (bench_all["indicator_id"] == ind_id) & (bench_all["area_code"] == area.code)
        ].iloc[0]
        rows = pd.DataFrame(
            {
                "place": part["area_name"],
                "kind_label": np.where(
                    part["area_code"] == area.code, area.name, "Statistical neighbour"
                ),
                "value": part["value"],
                "lower": part["lower_ci_95"],
                "upper": part["upper_ci_95"],
            }
        )
        if pd.notna(mine["region_value"]):
            rows.loc[len(rows)] = [
                f"{area.region_name} (region)",
                "Region",
                mine["region_value"],
                mine["region_lower"],
                mine["region_upper"],
            ]
        ranks = group_ranks(part, codes).set_index("area_code")
        rows["group_rank"] = pd.Series(
            part["area_code"].map(ranks["group_rank"]), index=rows.index, dtype="Int64"
        )
        n = int(ranks["group_ranked"].iloc[0])
        my_rank = int(mine["neighbours_rank"])
        sign = polarity_sign(ind.polarity) or 1.0
        order_key = rows["value"] * -sign
        rows["order"] = order_key.rank(method="first").astype(int)
        if ind.polarity in JUDGED and n >= 6:
            if my_rank <= 3:
                top.append(f"{lower_first(ind.name)} ({ordinal(my_rank)} of {n})")
            elif my_rank > n - 3:
                bottom.append(f"{lower_first(ind.name)} ({ordinal(my_rank)} of {n})")
        better = {1.0: "higher is better", -1.0: "lower is better"}.get(
            polarity_sign(ind.polarity), "no judgement"
        )
        rows["panel"] = f"{ind.label}|{by_id[ind_id].period}; {better}|{_unit_text(ind)}"
        rows["panel_name"] = ind.name
        rows["panel_order"] = order
        rows["period"] = by_id[ind_id].period
        rows["england"] = mine["england"]
        rows["england_text"] = ind.number(mine["england"])
        rows["value_text"] = [ind.format(v) for v in rows["value"]]
        rows["ci_text"] = [
            f"{ind.number(lo)} to {ind.number(hi)}" if pd.notna(lo) else "not published"
            for lo, hi in zip(rows["lower"], rows["upper"], strict=True)
        ]
        rows["rank_among_neighbours"] = [
            f"{ordinal(int(r))} of {n}" if pd.notna(r) else "" for r in rows["group_rank"]
        ]
        rows = rows.drop(columns="group_rank")
        frames.append(rows)
    names = and_join(list(nb["neighbour_name"]))
    summary = (
        f"{area.name}'s 10 statistical neighbours (DfE children's services model, 2025) are "
        f"{names}."
    )
    if top:
        summary += f" Among them {area.name} ranks in the best three for {and_join(top)}."
    if bottom:
        summary += f" It ranks in the worst three for {and_join(bottom)}."
    if not frames:
        summary += f" None of the key indicators has data for {area.name}."
        return Section(
            "neighbours", "Comparison with statistical neighbours", summary, pd.DataFrame(), None
        )
    df = pd.concat(frames, ignore_index=True)
    chart = charts.neighbours_chart(df, area.name, summary)
    table = df[
        ["panel_name", "period", "place", "value_text", "ci_text", "rank_among_neighbours"]
    ].copy()
    table.columns = [
        "Indicator",
        "Period",
        "Area",
        "Value",
        "95% confidence interval",
        "Rank (1 = best)",
    ]
    return Section(
        "neighbours",
        "Comparison with statistical neighbours",
        summary,
        table,
        chart,
        source="DfE Children's Services Statistical Neighbour Benchmarking Tool (2025 model); "
        + _sources([cat[i] for i in ids]),
        notes=[
            "Ranks put the best value first (the highest for indicators with no judgement); the "
            "region is shown for reference and not ranked."
        ],
    )


# --- free school meals gaps ----------------------------------------------------------------------


def gaps(area: Area, year: int, data: OutcomeData, bench_all: pd.DataFrame) -> Section:
    cat = data.catalogue
    rows, sentences = [], []
    for measure_order, (measure, (all_id, fsm_id), unit_word) in enumerate(
        (
            ("School readiness (% with a good level of development)", GLD, "percentage points"),
            ("Attainment 8 score at GCSE", ATTAINMENT, "points"),
        )
    ):
        a = bench_all[bench_all["indicator_id"] == all_id].set_index("area_code")
        f = bench_all[bench_all["indicator_id"] == fsm_id].set_index("area_code")
        gap_all = (a["value"] - f["value"]).dropna()
        mine = a.loc[area.code]
        ind_all, ind_fsm = cat[all_id], cat[fsm_id]
        places = [
            (area.name, a.loc[area.code, "value"], f.loc[area.code, "value"]),
            (
                f"{area.region_name} (region)",
                mine["region_value"],
                f.loc[area.code, "region_value"],
            ),
            ("England", mine["england"], f.loc[area.code, "england"]),
        ]
        for order, (place, v_all, v_fsm) in enumerate(places):
            if pd.isna(v_all) or pd.isna(v_fsm):
                continue
            gap = v_all - v_fsm
            for group, v in (("All children", v_all), ("Eligible for free school meals", v_fsm)):
                rows.append(
                    {
                        "measure": measure,
                        "measure_order": measure_order,
                        "place": place,
                        "place_order": order,
                        "group": group,
                        "value": float(v),
                        "value_text": ind_all.format(v),
                        "gap": float(gap),
                        "gap_text": f"gap {gap:.1f}",
                        "period": str(mine["period_label"]),
                    }
                )
        v_all, v_fsm = places[0][1], places[0][2]
        if pd.isna(v_all) or pd.isna(v_fsm):
            sentences.append(
                f"{measure}: figures for both groups of children are not available for {area.name}."
            )
            continue
        gap = v_all - v_fsm
        eng_gap = places[2][1] - places[2][2]
        if measure.startswith("School"):
            head = (
                f"{measure}, {mine['period_label']}: {ind_fsm.format(v_fsm)} of children eligible "
                f"for free school meals against {ind_all.format(v_all)} of all children in "
                f"{area.name}"
            )
        else:
            head = (
                f"{measure}, {mine['period_label']}: pupils eligible for free school meals "
                f"average {ind_fsm.number(v_fsm)} against {ind_all.number(v_all)} for all "
                f"pupils in {area.name}"
            )
        if gap <= 0:
            gap_text = (
                f", so there is no gap: children eligible for free school meals did as well or "
                f"better (England's gap {eng_gap:.1f} {unit_word})"
            )
        else:
            gap_text = f", a gap of {gap:.1f} {unit_word} (England {eng_gap:.1f})"
        sentences.append(f"{head}{gap_text}; {_gap_rank(gap, gap_all)}.")
    summary = " ".join(sentences)
    if not rows:
        return Section(
            "gaps",
            "Gaps for children eligible for free school meals",
            summary,
            pd.DataFrame(),
            None,
        )
    df = pd.DataFrame(rows)
    chart = charts.gap_chart(df, summary)
    table = df.pivot_table(
        index=["measure_order", "measure", "period", "place_order", "place"],
        columns="group",
        values="value",
        aggfunc="first",
    ).reset_index()
    table["Gap"] = table["All children"] - table["Eligible for free school meals"]
    table = table.drop(columns=["measure_order", "place_order"])
    table.columns.name = None
    table = table.rename(columns={"measure": "Measure", "period": "Period", "place": "Area"})
    for col in ("All children", "Eligible for free school meals", "Gap"):
        table[col] = [_fmt(v, 1) for v in table[col]]
    return Section(
        "gaps",
        "Gaps for children eligible for free school meals",
        summary,
        table,
        chart,
        source=_sources([cat[i] for i in (*GLD, *ATTAINMENT)]),
        notes=[
            "These are the inequality gaps public data allow. Gaps by neighbourhood "
            "deprivation, as in the 2015 Worcestershire needs assessment, need pupil-level data "
            "held locally."
        ],
    )


def _gap_rank(gap: float, gaps: pd.Series) -> str:
    """Where an area's gap sits among all areas' gaps (its own included in ``gaps``)."""
    wider = int((gaps < gap).sum())
    others = len(gaps) - 1
    if wider == 0:
        return f"it is the narrowest of the {others + 1} areas with both figures"
    if wider == others:
        return f"it is the widest of the {others + 1} areas with both figures"
    return f"the gap is wider than in {wider} of the other {others} areas with both figures"


# --- outcome star ----------------------------------------------------------------------------


def star(area: Area, year: int, data: OutcomeData, data_dir: Path | str | None) -> Section:
    d = area_domain_scores(area.code, year, data_dir)
    groups: dict[str, list[str]] = {}
    for r in d.itertuples(index=False):
        if pd.isna(r.score):
            groups.setdefault("no data", []).append(r.domain_title.lower())
            continue
        vs_eng = "better than England" if r.score > 0 else "worse than England"
        if pd.isna(r.expected):
            vs_exp = "no expected score"
        elif r.score - r.expected > AS_EXPECTED:
            vs_exp = "better than expected"
        elif r.score - r.expected < -AS_EXPECTED:
            vs_exp = "worse than expected"
        else:
            vs_exp = "about as expected"
        groups.setdefault(f"{vs_eng} and {vs_exp}", []).append(r.domain_title.lower())
    order = sorted(
        groups, key=lambda k: (not k.startswith("worse"), "worse than expected" not in k, k)
    )
    summary = (
        "The outcome star combines the indicators into eight areas of children's lives (the "
        "domains of the 2015 Worcestershire needs assessment); a score "
        "of 0 is England's level and each point is one standard deviation (the typical "
        "difference between areas); higher is better. "
    )
    summary += " ".join(
        f"{k[0].upper() + k[1:]}: {and_join(v)}." for k, v in ((k, groups[k]) for k in order)
    )
    long = pd.concat(
        [
            d.assign(series=area.name, score=d["score"]),
            d.assign(series="Expected from deprivation", score=d["expected"]),
        ],
        ignore_index=True,
    )
    long["score_text"] = [_fmt(v, 2) for v in long["score"]]
    long["indicators"] = long["indicators"].fillna("none with data")
    chart = charts.star_chart(
        long[["domain_title", "domain_order", "series", "score", "score_text", "indicators"]],
        area.name,
        summary,
    )
    table = pd.DataFrame(
        {
            "Domain": d["domain_title"],
            "Indicators": d["indicators"].fillna("none with data"),
            "Score (England = 0)": [_fmt(v, 2) for v in d["score"]],
            "Expected from deprivation": [_fmt(v, 2) for v in d["expected"]],
            "Score minus expected": [_fmt(v, 2) for v in d["score"] - d["expected"]],
            "Areas in regression": d["n_fit"],
            "R squared": [_fmt(v, 2) for v in d["r_squared"]],
        }
    )
    imd = d["imd_score"].iloc[0]
    notes = [
        f"Expected scores show what the area's deprivation alone would predict: they come from "
        f"a straight line fitted across all English upper-tier areas between each domain score "
        f"and the area's IMD 2019 average deprivation score ({area.name}: {_fmt(imd, 1)}). "
        f"'About as expected' means within {AS_EXPECTED} of the expected score. "
        "The scores describe position; they are not significance tests.",
    ]
    if d["imd_source"].iloc[0] == DERIVED:
        notes.append(
            f"{area.name} was created after the IMD 2019 summaries were published; its IMD "
            "average score is derived from its neighbourhoods' IMD 2019 ranks (see the methods "
            "page)."
        )
    return Section(
        "star",
        "Outcome star: domains compared with England and with expectation",
        summary,
        table,
        chart,
        source="needsbook outcome star, rebuilt from the indicators above (see the methods "
        "page); MHCLG English Indices of Deprivation 2019",
        notes=notes,
    )


def comparator_group(
    area: Area, year: int, data: OutcomeData, bench: pd.DataFrame, codes: tuple[str, ...]
) -> Section:
    """The area beside England, its region and an analyst's own comparator group."""
    names = data.areas.set_index("area_code")["area_name"]
    members = [str(names.get(c, c)) for c in codes if c != area.code]
    cat = data.catalogue
    verdicts = ["Better", "Worse", "Similar", "Higher", "Lower"]
    tested = bench[bench["group_comparison"].isin(verdicts)]
    counts = tested["group_comparison"].value_counts()
    summary = (
        f"This edition also compares {area.name} with a group of {len(members)} areas chosen "
        f"for it: {and_join(members)}. The group average is the mean of their values (the "
        "area itself left out), shown beside England and the region. Compared with the "
        f"group's average by its 95% confidence interval, {area.name} is significantly better for "
        f"{int(counts.get('Better', 0))} indicators, significantly worse for "
        f"{int(counts.get('Worse', 0))} and similar for {int(counts.get('Similar', 0))}"
    )
    neutral = int(counts.get("Higher", 0) + counts.get("Lower", 0))
    if neutral:
        summary += f"; {neutral} indicators without a judgement differ significantly"
    summary += ". Indicators published without counts or intervals are not compared with the group."

    def numbers(column: str) -> list[str]:
        return [cat[i].number(v) for i, v in zip(bench["indicator_id"], bench[column], strict=True)]

    table = pd.DataFrame(
        {
            "Indicator": [cat[i].name for i in bench["indicator_id"]],
            "Period": bench["period_label"],
            "Unit": bench["unit"],
            area.name: numbers("value"),
            "England": numbers("england"),
            "Region": numbers("region_value"),
            "Comparator group average": numbers("group_mean"),
            "Areas in the average": bench["group_n"].astype(int),
            "Compared with England": bench["comparison"].fillna("Not compared"),
            "Compared with region": bench["region_comparison"].fillna("Not compared"),
            "Compared with the group": bench["group_comparison"].fillna("Not compared"),
        }
    )
    return Section(
        "comparators",
        "Comparison with a chosen group of areas",
        summary,
        table,
        None,
        source=_sources(list(cat.for_use("outcomes"))),
    )


def build(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    comparators: tuple[str, ...] = (),
) -> OutcomesChapter:
    """All sections of the outcomes chapter for one area and data year (with ``comparators``,
    also the comparison with that group of areas)."""
    from needsbook.chapters import early_years_health

    area = resolve_area(area_code, data_dir)
    data = load_data(data_dir)
    items = findings(area.code, year, data_dir)
    codes = tuple(resolve_area(c, data_dir).code for c in comparators)
    bench = area_benchmarks(area.code, year, data_dir, codes)
    bench = bench[bench["outcome"]].reset_index(drop=True)
    bench_all = benchmarks(year, data_dir)
    bench_all = bench_all[bench_all["outcome"]]
    sections = [
        spine(area, year, data, items, bench),
        life_stages(area, data, items),
        trends(area, year, data, items, bench),
        social_care(area, year, data, items, bench, data_dir),
        neighbours(area, year, data, items, bench_all),
        gaps(area, year, data, bench_all),
        star(area, year, data, data_dir),
        *early_years_health.sections(area, year, data_dir),
    ]
    if codes:
        sections.insert(1, comparator_group(area, year, data, bench, codes))
    return OutcomesChapter(area.code, area.name, int(year), sections, findings=items)
