"""The last findings chapter, what changed since the last assessment: this book's data year set
beside an earlier one (by default the year before).

The two years' rows come from the one benchmarking engine
(:func:`needsbook.outcomes.compare.area_benchmarks`), the outcomes of concern from the findings
(:attr:`needsbook.outcomes.findings.Finding.of_concern`, the definition the conclusions and
recommendations chapters use) and the recommendations from :func:`needsbook.recommend.recommend`,
each for both years with the same inputs; :mod:`needsbook.outcomes.changes` sets them side by
side. This module only phrases the result: a list per kind of change, each a table, and one CSV
download with both years' values, periods and verdicts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

from needsbook.areas import resolve_area
from needsbook.chapters.base import Chapter, Section
from needsbook.chapters.summary import GLANCE, glance_group
from needsbook.chapters.text import and_join, in_period, lower_first
from needsbook.outcomes.catalogue import Catalogue
from needsbook.outcomes.changes import (
    IMPROVED,
    NEITHER,
    WORSENED,
    Changes,
    changes,
    comparison_year,
)
from needsbook.outcomes.compare import area_benchmarks, load_data
from needsbook.outcomes.findings import Finding, findings
from needsbook.recommend import RuleResults, recommend
from needsbook.years import available_years

#: The download holding every change (``<area code>-what-changed.csv``).
DATA_TITLE = "What changed"
#: How many names a summary gives before "and N more" (each table lists them all).
NAMED = 6
RULES_SOURCE = "this assessment's recommendation rules (see Methods)"
ENGINE_SOURCE = "the outcome comparisons of this assessment and of the earlier one"
#: The kinds of change, as the download's first column names them.
COMPARISON = "Comparison with England changed"
TREND = "Recent trend changed"
NEW_CONCERN = "Newly of concern"
RESOLVED = "No longer of concern"
ADDED = "Recommendation added"
DROPPED = "Recommendation dropped"
NO_NEWER = "No newer data"
WHICH_WAY = {IMPROVED: "Better than before", WORSENED: "Worse than before"}
#: The lists, in the chapter's order: (section key, title; the notebook's headings).
LISTS = (
    ("comparisons", "Comparisons with England that changed"),
    ("trends", "Recent trends that changed"),
    ("new_concerns", "Outcomes newly of concern"),
    ("resolved_concerns", "Outcomes no longer of concern"),
    ("recommendations", "Recommendations added or dropped"),
    ("no_newer_data", "Indicators with no newer data"),
)
TITLES = dict(LISTS)


@dataclass
class ChangesChapter(Chapter):
    """The chapter's sections, the year compared with (None: the earliest year the data
    allow) and what changed."""

    compare_year: int | None = None
    changes: Changes | None = None
    data: pd.DataFrame = field(default_factory=pd.DataFrame)  # the download, every change

    @property
    def key_findings(self) -> list[str]:
        """The overview, then one sentence per list (only the overview when there is no
        earlier assessment)."""
        shown = self.sections if self.changes is not None else self.sections[:1]
        return [s.summary.split(". ")[0].rstrip(".") + "." for s in shown]


# --- words -----------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


def _named(names: list[str]) -> str:
    """The first :data:`NAMED` names, then how many more; separated by semicolons, because
    indicator names contain commas."""
    shown = "; ".join(names[:NAMED])
    return shown if len(names) <= NAMED else f"{shown}; and {len(names) - NAMED} more"


def _names(rows: pd.DataFrame) -> str:
    return _named([lower_first(str(n)) for n in rows["name"]])


def _counted(n: int, word: str, bare: bool = False) -> str:
    """'1 recommendation was', '2 recommendations were', 'none was' ('1 was' when ``bare``)."""
    if n == 0:
        return "none was"
    return f"{n if bare else _plural(n, word)} {'was' if n == 1 else 'were'}"


def _is(n: int) -> str:
    return "is" if n == 1 else "are"


def assessment(year: int) -> str:
    """How a data year's book is named in tables: "2023 assessment"."""
    return f"{year} assessment"


def _value(cat: Catalogue, indicator_id: str, value: object) -> str:
    return cat[indicator_id].format(None if pd.isna(value) else float(value))  # type: ignore[arg-type]


def _number(cat: Catalogue, indicator_id: str, value: object) -> str:
    """The value as the download gives it: the number alone ("" for no data)."""
    return "" if pd.isna(value) else cat[indicator_id].number(float(value))  # type: ignore[arg-type]


def _period(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)  # type: ignore[arg-type]


def _trend(r: pd.Series, side: str) -> str:
    """The recent trend as the book's tables write it, with the periods it covers."""
    label = str(r[f"trend_label_{side}"])
    start, end = r[f"trend_from_label_{side}"], r[f"trend_to_label_{side}"]
    if label == "Cannot be calculated" or pd.isna(start) or pd.isna(end):
        return label
    return f"{label} ({start} to {end})"


def state(cat: Catalogue, r: pd.Series, side: str) -> str:
    """One year's value, period and comparison with England: "Middle 20% (61.2% in 2022/23)"."""
    period = _period(r[f"period_label_{side}"])
    has_period = bool(period) and period != "no data"
    if pd.isna(r[f"value_{side}"]):
        return f"No data for {period}" if has_period else "No data"
    value = _value(cat, r["indicator_id"], r[f"value_{side}"])
    when = f" {in_period(period)}" if has_period else ""
    return f"{r[f'comparison_label_{side}']} ({value}{when})"


def which_way(r: pd.Series) -> str:
    """Which way a comparison with England moved, in words."""
    if r["movement"] in WHICH_WAY:
        return WHICH_WAY[r["movement"]]
    labels = (str(r["comparison_label_before"]), str(r["comparison_label_after"]))
    if "No data" in labels:
        return "Data for one of the years only"
    if "Not compared" in labels:
        return "Compared in one of the years only"
    return "Neither better nor worse (higher or lower is not judged)"


def trend_meaning(r: pd.Series) -> str:
    """What a changed trend means, in words."""
    if r["movement"]:
        return str(r["movement"])[:1].upper() + str(r["movement"])[1:]
    if r["trend_label_before"] == "Cannot be calculated":
        return "A trend can now be tested"
    if r["trend_label_after"] == "Cannot be calculated":
        return "The trend can no longer be tested"
    return "Neither better nor worse (the direction is not judged)"


def _sources(cat: Catalogue, rows: pd.DataFrame) -> str:
    return "; ".join(dict.fromkeys(cat[i].source for i in rows["indicator_id"])) or ENGINE_SOURCE


# --- sections --------------------------------------------------------------------------------


def _section(key: str, title: str, summary: str, table: pd.DataFrame, source: str) -> Section:
    return Section(key, title, summary, table, None, source=source)


def glance_chart(frame: pd.DataFrame, title: str, description: str) -> alt.LayerChart:
    """Outcome indicators by their comparison with England (the summary's groups), one bar
    per assessment, each labelled with its year and count (colour is not the only cue)."""
    years = list(dict.fromkeys(frame["Assessment"]))
    bars = (
        alt.Chart(frame)
        .mark_bar(stroke="#0b0c0c")
        .encode(
            y=alt.Y("Group:N", sort=list(GLANCE), title=None, axis=alt.Axis(labelLimit=0)),
            yOffset=alt.YOffset("Assessment:N", sort=years),
            x=alt.X(
                "Indicators:Q",
                title="Number of outcome indicators",
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            color=alt.Color(
                "Group:N",
                scale=alt.Scale(domain=list(GLANCE), range=list(GLANCE.values())),
                legend=None,
            ),
            opacity=alt.Opacity(
                "Assessment:N",
                sort=years,
                scale=alt.Scale(domain=years, range=[0.45, 1.0][-len(years) :]),
                legend=None,
            ),
            tooltip=["Assessment:N", "Group:N", "Indicators:Q"],
        )
    )
    labels = bars.mark_text(align="left", dx=4, color="#0b0c0c").encode(
        text="Label:N", color=alt.value("#0b0c0c"), opacity=alt.value(1)
    )
    return (bars + labels).properties(
        title=title, description=description, width=320, height=alt.Step(14)
    )


def glance_table(items: dict[int, list[Finding]]) -> pd.DataFrame:
    """How many outcome indicators fall in each of the summary's groups, per assessment."""
    rows = []
    for year, found in items.items():
        counts = Counter(glance_group(f) for f in found)
        for group in GLANCE:
            n = counts.get(group, 0)
            rows.append(
                {
                    "Assessment": assessment(year),
                    "Group": group,
                    "Indicators": n,
                    "Label": f"{year}: {n}",
                }
            )
    return pd.DataFrame(rows, columns=["Assessment", "Group", "Indicators", "Label"])


def overview(area_name: str, found: Changes, items: dict[int, list[Finding]]) -> Section:
    """Which two assessments are compared, and how their outcome indicators compare with
    England in each (a chart)."""
    y0, y1 = found.before_year, found.after_year
    summary = (
        f"This assessment of {area_name} (data year {y1}) is compared with the assessment for "
        f"{y0}: the {found.compared} outcome indicators are set side by side, each with the "
        "value, period, comparison with England and recent trend that each year's assessment "
        "shows. Where an indicator's latest period is the same in both years there is no newer "
        "data, and it is listed as such rather than as a change. The chart shows how many "
        "outcome indicators fall in each comparison with England in each assessment."
    )
    frame = glance_table(items)
    chart = glance_chart(
        frame,
        f"Outcome indicators for {area_name} compared with England: {y0} and {y1}",
        summary,
    )
    return Section(
        "overview",
        "Outcome indicators compared with England in each assessment",
        summary,
        frame.drop(columns="Label"),
        chart,
        source=ENGINE_SOURCE,
    )


def earliest(area_name: str, year: int, items: list[Finding]) -> Section:
    """The book is for the earliest year the data allow: nothing to compare with."""
    summary = (
        f"{year} is the earliest year the data allow for {area_name}, so there is no earlier "
        "assessment to compare this one with, and no change is listed. The chart shows how "
        f"{area_name}'s outcome indicators compare with England in {year}: the starting point "
        "for later assessments."
    )
    frame = glance_table({year: items})
    chart = glance_chart(
        frame, f"Outcome indicators for {area_name} compared with England: {year}", summary
    )
    return Section(
        "earliest",
        f"Outcome indicators compared with England in {year}",
        summary,
        frame.drop(columns="Label"),
        chart,
        source="the outcome comparisons of this assessment",
    )


def comparisons_section(area_name: str, found: Changes, cat: Catalogue) -> Section:
    rows = found.comparisons
    y0, y1 = found.before_year, found.after_year
    table = pd.DataFrame(
        {
            "Indicator": rows["name"],
            f"{assessment(y0)}": [state(cat, r, "before") for _, r in rows.iterrows()],
            f"{assessment(y1)}": [state(cat, r, "after") for _, r in rows.iterrows()],
            "Which way": [which_way(r) for _, r in rows.iterrows()],
        }
    )
    better = rows[rows["movement"] == IMPROVED]
    worse = rows[rows["movement"] == WORSENED]
    other = rows[rows["movement"] == NEITHER]
    parts = [f"{len(better)} better than before" if len(better) else ""]
    parts += [f"{len(worse)} worse" if len(worse) else ""]
    parts += [f"{len(other)} neither better nor worse" if len(other) else ""]
    summary = _change_summary(
        rows,
        "comparison with England",
        (y0, y1),
        area_name,
        f" ({and_join([p for p in parts if p])})",
        [("Worse than before", worse), ("Better than before", better)],
        "The table gives each year's comparison with its value and period; fifths rank all "
        "English areas where no significance test is possible.",
    )
    return _section("comparisons", TITLES["comparisons"], summary, table, _sources(cat, rows))


def _change_summary(
    rows: pd.DataFrame,
    what: str,
    years: tuple[int, int],
    area_name: str,
    counts: str,
    named: list[tuple[str, pd.DataFrame]],
    method: str,
) -> str:
    """What changed between two assessments: how many indicators' ``what`` changed (with
    ``counts``), the indicators in each of ``named`` (worse first), then ``method``."""
    y0, y1 = years
    if not len(rows):
        return (
            f"No outcome indicator's {what} changed between the {y0} and {y1} assessments of "
            f"{area_name}."
        )
    summary = (
        f"The {what} changed for {_plural(len(rows), 'outcome indicator')} between the {y0} "
        f"and {y1} assessments of {area_name}{counts}."
    )
    for label, frame in named:
        if len(frame):
            summary += f" {label}: {_names(frame)}."
    return f"{summary} {method}"


def trends_section(area_name: str, found: Changes, cat: Catalogue) -> Section:
    rows = found.trends
    y0, y1 = found.before_year, found.after_year
    table = pd.DataFrame(
        {
            "Indicator": rows["name"],
            f"{assessment(y0)}": [_trend(r, "before") for _, r in rows.iterrows()],
            f"{assessment(y1)}": [_trend(r, "after") for _, r in rows.iterrows()],
            "What it means": [trend_meaning(r) for _, r in rows.iterrows()],
        }
    )
    summary = _change_summary(
        rows,
        "recent trend",
        (y0, y1),
        area_name,
        "",
        [
            ("Now getting worse", rows[rows["movement"] == "now getting worse"]),
            ("Now getting better", rows[rows["movement"] == "now getting better"]),
        ],
        "A trend is tested over the five most recent comparable periods; the table gives the "
        "periods each year's test covers.",
    )
    return _section("trends", TITLES["trends"], summary, table, _sources(cat, rows))


def _concern_table(
    rows: pd.DataFrame, cat: Catalogue, why: str, reason: str, years: tuple[int, int]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Indicator": rows["name"],
            why: rows[reason],
            f"{assessment(years[0])}": [state(cat, r, "before") for _, r in rows.iterrows()],
            f"{assessment(years[1])}": [state(cat, r, "after") for _, r in rows.iterrows()],
        }
    )


def _no_data_then(rows: pd.DataFrame, side: str, year: int) -> str:
    """A sentence naming the rows with no value in one year (whether they were of concern
    then cannot be said), or ""."""
    missing = rows[rows[f"value_{side}"].isna()]
    if missing.empty:
        return ""
    n = len(missing)
    return (
        f" The {year} assessment has no data for {_names(missing)}, so it cannot say whether "
        f"{'it was' if n == 1 else 'they were'} of concern then."
        if side == "before"
        else f" The {year} assessment has no data for {_names(missing)}, so it cannot say "
        f"whether {'it is' if n == 1 else 'they are'} still of concern."
    )


def new_concerns_section(area_name: str, found: Changes, cat: Catalogue) -> Section:
    rows = found.new_concerns
    y0, y1 = found.before_year, found.after_year
    table = _concern_table(
        rows, cat, f"Why it is of concern in the {assessment(y1)}", "why_after", (y0, y1)
    )
    summary = (
        f"{_plural(len(rows), 'outcome')} for {area_name} {_is(len(rows))} of concern in the "
        f"{y1} assessment but {'was' if len(rows) == 1 else 'were'} not in {y0}: {_names(rows)}. "
        "An outcome is of concern when it is significantly worse than England, among the worst "
        "fifth of English areas, or getting worse." + _no_data_then(rows, "before", y0)
        if len(rows)
        else f"No outcome for {area_name} became of concern between the {y0} and {y1} "
        "assessments (of concern: significantly worse than England, among the worst fifth of "
        "English areas, or getting worse)."
    )
    return _section("new_concerns", TITLES["new_concerns"], summary, table, _sources(cat, rows))


def resolved_section(area_name: str, found: Changes, cat: Catalogue) -> Section:
    rows = found.resolved_concerns
    y0, y1 = found.before_year, found.after_year
    table = _concern_table(
        rows, cat, f"Why it was of concern in the {assessment(y0)}", "why_before", (y0, y1)
    )
    summary = (
        f"{_plural(len(rows), 'outcome')} for {area_name} {'was' if len(rows) == 1 else 'were'} "
        f"of concern in the {y0} assessment but {_is(len(rows))} not in {y1}: {_names(rows)}."
        + _no_data_then(rows, "after", y1)
        if len(rows)
        else f"No outcome for {area_name} stopped being of concern between the {y0} and {y1} "
        "assessments."
    )
    return _section(
        "resolved_concerns", TITLES["resolved_concerns"], summary, table, _sources(cat, rows)
    )


def _added_reason(title: str, results: RuleResults) -> str:
    rec = next(r for r in results.fired if r.title == title)
    names = and_join([lower_first(t.name) for t in rec.triggers])
    return f"{rec.priority.capitalize()} priority; the findings behind it: {names}."


def _dropped_reason(title: str, results: RuleResults, year: int) -> str:
    check = next((c for c in results.not_fired if c.title == title), None)
    if check is None:
        return f"It does not apply with the {year} data."
    return f"It no longer applies: {lower_first(check.outcome)}"


def recommendations_section(
    area_name: str, found: Changes, results: tuple[RuleResults, RuleResults]
) -> Section:
    y0, y1 = found.before_year, found.after_year
    titles = [*found.added, *found.dropped]
    table = pd.DataFrame(
        {
            "Recommendation": titles,
            "Change": ["Added"] * len(found.added) + ["Dropped"] * len(found.dropped),
            "Why": [_added_reason(t, results[1]) for t in found.added]
            + [_dropped_reason(t, results[1], y1) for t in found.dropped],
        }
    )
    kept = len(results[1].fired) - len(found.added)
    if titles:
        summary = (
            f"Between the {y0} and {y1} assessments of {area_name}, "
            f"{_counted(len(found.added), 'recommendation')} added and "
            f"{_counted(len(found.dropped), 'recommendation', bare=bool(found.added))} "
            "dropped; "
            f"{kept} {_is(kept)} made in both. The same rules were applied to each year's "
            "findings; the table gives what led to each recommendation added and why each one "
            "dropped no longer applies."
        )
    elif kept:
        summary = (
            f"The {y1} assessment makes the same {_plural(kept, 'recommendation')} for "
            f"{area_name} as the {y0} one: none was added or dropped."
        )
    else:
        summary = (
            f"Neither the {y0} nor the {y1} assessment makes a recommendation for {area_name}: "
            "none was added or dropped."
        )
    return _section("recommendations", TITLES["recommendations"], summary, table, RULES_SOURCE)


def no_newer_section(area_name: str, found: Changes, cat: Catalogue) -> Section:
    rows = found.no_newer_data
    y0, y1 = found.before_year, found.after_year
    table = pd.DataFrame(
        {
            "Indicator": rows["name"],
            "Latest period in both assessments": [_period(p) for p in rows["period_label_after"]],
            "Value": [
                _value(cat, i, v)
                for i, v in zip(rows["indicator_id"], rows["value_after"], strict=True)
            ],
            "Compared with England": rows["comparison_label_after"],
        }
    )
    summary = (
        f"{_plural(len(rows), 'outcome indicator')} for {area_name} "
        f"{'has' if len(rows) == 1 else 'have'} no newer data in the {y1} assessment than in "
        f"{y0}: {_names(rows)}. The latest period published is "
        "the same in both years, so nothing about "
        f"{'it' if len(rows) == 1 else 'them'} can have changed."
        if len(rows)
        else f"Every outcome indicator has a newer period in the {y1} assessment than in {y0}."
    )
    return _section("no_newer_data", TITLES["no_newer_data"], summary, table, _sources(cat, rows))


# --- the download ----------------------------------------------------------------------------


def _indicator_rows(
    change: str,
    rows: pd.DataFrame,
    cat: Catalogue,
    years: tuple[int, int],
    how: Callable[[pd.Series], str],
) -> pd.DataFrame:
    """Download rows for one kind of change: both years' period, value, comparison with
    England and recent trend, what the change means (``how``), the unit and the source."""
    y0, y1 = (assessment(y) for y in years)
    out: dict[str, list[str]] = {"Change": [], "Indicator or recommendation": []}
    for name in (y0, y1):
        for col in ("Period", "Value", "Compared with England", "Recent trend"):
            out[f"{col}, {name}"] = []
    out |= {"What it means": [], "Unit": [], "Source": []}
    for _, r in rows.iterrows():
        out["Change"].append(change)
        out["Indicator or recommendation"].append(str(r["name"]))
        for side, name in (("before", y0), ("after", y1)):
            out[f"Period, {name}"].append(_period(r[f"period_label_{side}"]))
            out[f"Value, {name}"].append(_number(cat, r["indicator_id"], r[f"value_{side}"]))
            out[f"Compared with England, {name}"].append(str(r[f"comparison_label_{side}"]))
            out[f"Recent trend, {name}"].append(_trend(r, side))
        out["What it means"].append(how(r))
        out["Unit"].append(cat[r["indicator_id"]].unit)
        out["Source"].append(cat[r["indicator_id"]].source)
    return pd.DataFrame(out)


def download_table(
    chapter_sections: dict[str, Section], found: Changes, cat: Catalogue
) -> pd.DataFrame:
    """Every change in one table: its kind, the indicator (or recommendation), both years'
    period, value, comparison with England and recent trend, and what it means."""
    years = (found.before_year, found.after_year)
    parts = [
        _indicator_rows(COMPARISON, found.comparisons, cat, years, which_way),
        _indicator_rows(TREND, found.trends, cat, years, trend_meaning),
        _indicator_rows(
            NEW_CONCERN, found.new_concerns, cat, years, lambda r: f"of concern: {r['why_after']}"
        ),
        _indicator_rows(
            RESOLVED,
            found.resolved_concerns,
            cat,
            years,
            lambda r: f"was of concern: {r['why_before']}",
        ),
        _indicator_rows(NO_NEWER, found.no_newer_data, cat, years, lambda r: "no newer data"),
    ]
    recs = chapter_sections["recommendations"].table
    columns = list(parts[0].columns)
    parts.append(
        pd.DataFrame(
            {
                "Change": [ADDED if c == "Added" else DROPPED for c in recs["Change"]],
                "Indicator or recommendation": recs["Recommendation"],
                "What it means": recs["Why"],
                "Source": RULES_SOURCE,
            },
            columns=columns,
        ).fillna("")
    )
    table = pd.concat(parts, ignore_index=True)
    table.attrs["period"] = f"data years {years[0]} and {years[1]}"
    return table


# --- build -----------------------------------------------------------------------------------


def concerns_of(items: list[Finding]) -> dict[str, str]:
    """A year's outcomes of concern (indicator id -> why, in the book's words)."""
    return {f.indicator_id: and_join(list(f.concern_reasons)) for f in items if f.of_concern}


def build(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    local_dir: Path | str | None = None,
    comparators: tuple[str, ...] = (),
    compare_year: int = 0,
) -> ChangesChapter:
    """What changed for one area between ``compare_year`` (0: the data year before ``year``)
    and ``year``."""
    area = resolve_area(area_code, data_dir)
    earlier = comparison_year(int(year), available_years(area, data_dir), int(compare_year or 0))
    if earlier is None:
        now = findings(area.code, int(year), data_dir)
        nothing = f"None: {int(year)} is the earliest year the data allow, so there is no "
        nothing += "earlier assessment to compare with."
        sections = [earliest(area.name, int(year), now)]
        sections += [_section(k, t, nothing, pd.DataFrame(), ENGINE_SOURCE) for k, t in LISTS]
        return ChangesChapter(area.code, area.name, int(year), sections)
    codes = tuple(resolve_area(c, data_dir).code for c in comparators)
    years = (earlier, int(year))
    rows = []
    for y in years:
        bench = area_benchmarks(area.code, y, data_dir, codes)
        rows.append(bench[bench["outcome"]].reset_index(drop=True))
    items = {y: findings(area.code, y, data_dir) for y in years}
    results = (
        recommend(area.code, years[0], data_dir, local_dir),
        recommend(area.code, years[1], data_dir, local_dir),
    )
    found = changes(
        rows[0],
        rows[1],
        years,
        concerns=(concerns_of(items[earlier]), concerns_of(items[int(year)])),
        recommendations=([r.title for r in results[0].fired], [r.title for r in results[1].fired]),
    )
    cat = load_data(data_dir).catalogue
    sections = [
        overview(area.name, found, items),
        comparisons_section(area.name, found, cat),
        trends_section(area.name, found, cat),
        new_concerns_section(area.name, found, cat),
        resolved_section(area.name, found, cat),
        recommendations_section(area.name, found, results),
        no_newer_section(area.name, found, cat),
    ]
    by_key = {s.key: s for s in sections}
    return ChangesChapter(
        area.code,
        area.name,
        int(year),
        sections,
        compare_year=earlier,
        changes=found,
        data=download_table(by_key, found, cat),
    )


# --- display ---------------------------------------------------------------------------------


def data_section(chapter: ChangesChapter) -> Section:
    """The download: every change, both years' values, periods and verdicts."""
    return Section("data", DATA_TITLE, "", chapter.data, None, source=ENGINE_SOURCE)


def show_overview(chapter: ChangesChapter) -> None:
    """The two assessments at a glance (or the starting point, when there is no earlier one),
    with its chart and data table; writes the chapter's download of every change."""
    from needsbook.chapters.display import show, write_download

    show(chapter.sections[0])
    if chapter.changes is not None:
        write_download(data_section(chapter), chapter.area_code, chapter.year)


def show_list(chapter: ChangesChapter, key: str) -> None:
    """One list: its summary, then its table shown open, its source and the link to the
    chapter's download of every change."""
    from IPython.display import HTML, display

    from needsbook.chapters.display import download_link_html, show_text, table_html
    from needsbook.escape import html_text

    section = chapter.section(key)
    show_text(section.summary)
    if chapter.changes is None or section.table.empty:
        return
    table = table_html(section.table, f"{section.title} for {chapter.area_name}")
    source = f"\n<p><small>Source: {html_text(section.source)}</small></p>\n"
    display(HTML(table + source + download_link_html(data_section(chapter), chapter.area_code)))
