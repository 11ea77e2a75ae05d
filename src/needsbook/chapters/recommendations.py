"""Chapter 6, recommendations: what the area should do, each recommendation traced to the
findings that triggered it (with their numbers, periods and sources), the chapter holding them
and the evidence entries that support it; and an appendix of the rules that did not fire.

The rules are data (``data/recommendations/rules.yml``), applied by :mod:`needsbook.recommend`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

from needsbook.areas import resolve_area
from needsbook.build.chapters import CHAPTERS
from needsbook.chapters.base import Chapter, Section
from needsbook.escape import html_text
from needsbook.evidence.catalogue import load_catalogue
from needsbook.evidence.strength import strengths
from needsbook.recommend import RuleResults, recommend
from needsbook.recommend.model import Recommendation
from needsbook.recommend.rules import Rule, load_rules

RULES_SOURCE = "needsbook recommendation rules (data/recommendations/rules.yml)"
PRIORITY_ORDER = ("high", "medium", "low")
NOT_APPLIED = "does not apply"
PRIORITY_STYLE = {  # colour, shape: colour is never the only cue
    "high": ("#d4351c", "triangle-up"),
    "medium": ("#F46A25", "diamond"),
    "low": ("#12436D", "square"),
    NOT_APPLIED: ("#b1b4b6", "circle"),
}
PRIORITY_MEANING = {
    "high": "at least one finding is significantly worse than England (or among the worst fifth "
    "of areas) and getting worse",
    "medium": "at least one finding is significantly worse than England, among the worst fifth "
    "of areas, getting worse, or a service measure is worse than its benchmark",
    "low": "the findings are less severe (e.g. in the second-worst fifth of areas)",
}
#: Titles of chapters that may hold findings but are not (yet) in this book's CHAPTERS.
OTHER_CHAPTERS = {"04_services": "Services"}


@dataclass
class RecommendationsChapter(Chapter):
    results: RuleResults = field(default_factory=RuleResults)
    rules: dict[str, Rule] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # evidence id -> name
    strength: dict[str, str] = field(default_factory=dict)  # evidence id -> strength

    @property
    def key_findings(self) -> list[str]:
        """The overview sentence, then each recommendation with its priority."""
        head = self.sections[0].summary.split(". ")[0] + "."
        return [head] + [
            f"{r.title} ({r.priority} priority; {len(r.triggers)} "
            f"finding{'s' if len(r.triggers) != 1 else ''})."
            for r in self.results.fired
        ]


def chapter_title(slug: str) -> str:
    titles = {c.slug: c.title for c in CHAPTERS} | OTHER_CHAPTERS
    return titles.get(slug, slug)


def chapter_link(slug: str) -> str:
    """An HTML link to a chapter in this book, or its plain title when the book lacks it."""
    title = html_text(chapter_title(slug))
    if slug in {c.slug for c in CHAPTERS}:
        return f'<a href="{html_text(slug)}.html">{title} chapter</a>'
    return f"{title} chapter"


def reason(t: object) -> str:
    """A trigger's sentence with its source."""
    sentence = str(t.sentence).rstrip(".")  # type: ignore[attr-defined]
    return f"{sentence} (source: {t.source})."  # type: ignore[attr-defined]


# --- sections ---------------------------------------------------------------------------------


def overview(area_name: str, results: RuleResults, n_rules: int) -> Section:
    fired = results.fired
    counts = {p: sum(r.priority == p for r in fired) for p in PRIORITY_ORDER}
    if fired:
        by = ", ".join(f"{counts[p]} {p} priority" for p in PRIORITY_ORDER if counts[p])
        summary = (
            f"{len(fired)} of the {n_rules} recommendation rules apply to {area_name} ({by}). "
            f"The most pressing is to {fired[0].title[0].lower() + fired[0].title[1:]}. "
        )
    else:
        summary = (
            f"None of the {n_rules} recommendation rules applies to {area_name} with the data "
            "supplied. "
        )
    summary += (
        "Each recommendation follows from findings in earlier chapters, which are quoted with "
        "their numbers, periods and sources; the rules that did not apply are listed in the "
        "appendix at the end of this chapter."
    )
    skipped = results.not_fired
    table = pd.DataFrame(
        {
            "Recommendation": [r.title for r in fired] + [c.title for c in skipped],
            "Applies": ["Yes"] * len(fired) + ["No"] * len(skipped),
            "Priority": [r.priority for r in fired] + [NOT_APPLIED] * len(skipped),
            "Findings behind it": [len(r.triggers) for r in fired] + [0] * len(skipped),
            "Evidence entries": [len(r.evidence) for r in fired] + [0] * len(skipped),
            "Chapter holding the findings": [chapter_title(r.chapter) for r in fired]
            + [""] * len(skipped),
        }
    )
    numbered = [f"{n}. {r.title}" for n, r in enumerate(fired, start=1)]
    frame = table.assign(
        row=numbered + [c.title for c in skipped],
        label=[
            f"{r.priority.capitalize()} priority: {len(r.triggers)} "
            f"finding{'s' if len(r.triggers) != 1 else ''}"
            for r in fired
        ]
        + ["Does not apply"] * len(skipped),
    )
    order = list(frame["row"])
    present = [p for p in (*PRIORITY_ORDER, NOT_APPLIED) if (table["Priority"] == p).any()]
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=330))
    points = (
        alt.Chart(frame)
        .mark_point(size=160, filled=True, stroke="#0b0c0c", strokeWidth=1, opacity=1)
        .encode(
            y=y,
            x=alt.X(
                "Findings behind it:Q",
                title="Findings behind the recommendation",
                scale=alt.Scale(domain=[0, int(table["Findings behind it"].max()) + 3]),
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            fill=alt.Fill(
                "Priority:N",
                scale=alt.Scale(domain=present, range=[PRIORITY_STYLE[p][0] for p in present]),
            ),
            shape=alt.Shape(
                "Priority:N",
                scale=alt.Scale(domain=present, range=[PRIORITY_STYLE[p][1] for p in present]),
            ),
            tooltip=["Recommendation:N", "Priority:N", "Findings behind it:Q"],
        )
    )
    labels = (
        alt.Chart(frame)
        .mark_text(align="left", dx=12, fontSize=11)
        .encode(y=y, x="Findings behind it:Q", text="label:N")
    )
    chart = (points + labels).properties(
        width=220,
        height=30 * len(order),
        title=alt.Title(
            f"Recommendation rules for {area_name}: which apply, and their priority",
            subtitle=[
                "Shape and label show the priority; the position shows how many findings led",
                "to the recommendation. Rules that do not apply are listed last.",
            ],
        ),
        description=summary,
    )
    notes = [f"{p.capitalize()} priority: {PRIORITY_MEANING[p]}." for p in PRIORITY_ORDER]
    return Section(
        "overview",
        "Recommendations at a glance",
        summary,
        table,
        chart,
        source=f"{RULES_SOURCE}, applied to the findings of this book",
        notes=notes,
    )


def _trigger_rows(fired: list[Recommendation], names: dict[str, str]) -> pd.DataFrame:
    rows = []
    for r in fired:
        for t in r.triggers:
            rows.append(
                {
                    "Recommendation": r.title,
                    "Priority": r.priority,
                    "Finding": t.name,
                    "Value": t.value,
                    "Comparison": t.comparison,
                    "Period": t.period,
                    "Source": t.source,
                    "Chapter": chapter_title(t.chapter),
                    "Evidence entries": "; ".join(names.get(e, e) for e in r.evidence),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "Recommendation",
            "Priority",
            "Finding",
            "Value",
            "Comparison",
            "Period",
            "Source",
            "Chapter",
            "Evidence entries",
        ],
    )


def details(area_name: str, results: RuleResults, names: dict[str, str]) -> Section:
    fired = results.fired
    summary = (
        f"Each recommendation for {area_name} below gives its priority, what to do, why, the "
        "findings that led to it and the evidence entries that support it. Follow the links to "
        "the chapter that holds the findings and to each entry in the evidence review."
        if fired
        else f"There are no recommendations for {area_name} from the rules and data used."
    )
    return Section(
        "recommendations",
        "Recommendations and the findings behind them",
        summary,
        _trigger_rows(fired, names),
        None,
        source=f"{RULES_SOURCE}; findings as cited in each row",
    )


def recommendation_html(
    n: int, r: Recommendation, rule: Rule | None, names: dict[str, str], strength: dict[str, str]
) -> str:
    """One recommendation as accessible HTML: heading, priority, text, reasons, evidence."""
    e = html_text
    colour, _ = PRIORITY_STYLE.get(r.priority, ("#0b0c0c", ""))
    reasons = "".join(f"<li>{e(reason(t))}</li>" for t in r.triggers)
    chapters = list(dict.fromkeys([r.chapter, *(t.chapter for t in r.triggers)]))
    links = " and ".join(chapter_link(c) for c in chapters)
    evidence = "".join(
        f'<li><a href="05_evidence.html#programme-{e(i)}">{e(names.get(i, i))}</a> '
        f"(strength of evidence: {e(strength.get(i, 'not graded'))})</li>"
        for i in r.evidence
    )
    why = f"<p><strong>Why:</strong> {e(rule.why)}</p>" if rule else ""
    seed = (
        f" It follows the model report's recommendation{'s' if ',' in rule.seed else ''} "
        f"{e(rule.seed)} (Worcestershire, 2015)."
        if rule and rule.seed
        else ""
    )
    return (
        f'<section class="needsbook-recommendation" aria-labelledby="rec-{e(r.rule_id)}">\n'
        f'<h3 id="rec-{e(r.rule_id)}">{n}. {e(r.title)}</h3>\n'
        f'<p><strong style="border-left:6px solid {colour};padding-left:6px">'
        f"{e(r.priority.capitalize())} priority</strong>: {e(PRIORITY_MEANING[r.priority])}.</p>\n"
        f"<p>{e(r.text)}{seed}</p>\n{why}\n"
        f"<p><strong>The findings behind it</strong> (see the {links}):</p>\n<ul>{reasons}</ul>\n"
        + (
            f"<p><strong>Evidence entries</strong> (a rating is not a recommendation; see the "
            f'<a href="05_evidence.html">Evidence review chapter</a>):</p>\n<ul>{evidence}</ul>\n'
            if evidence
            else ""
        )
        + "</section>"
    )


def not_fired(area_name: str, results: RuleResults) -> Section:
    checks = results.not_fired
    summary = (
        f"{len(checks)} rules did not apply to {area_name}. For each, the table says what the "
        "rule looks for and why it did not apply, so readers can see what was checked. Where "
        "a service was not described in the data, the rule could not be checked: that is not "
        "evidence that all is well."
        if checks
        else f"Every rule applied to {area_name}."
    )
    table = pd.DataFrame(
        {
            "Rule": [c.title for c in checks],
            "What it looks for": [c.checked for c in checks],
            "Why it did not apply": [c.outcome for c in checks],
        }
    )
    return Section(
        "not_fired",
        "Appendix: rules that did not apply",
        summary,
        table,
        None,
        source=f"{RULES_SOURCE}, applied to the findings of this book",
    )


def build(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    local_dir: Path | str | None = None,
) -> RecommendationsChapter:
    """All sections of the recommendations chapter for one area and data year."""
    area = resolve_area(area_code, data_dir)
    rules = load_rules()
    results = recommend(area.code, int(year), data_dir, local_dir)
    cat = load_catalogue()
    names = dict(zip(cat.programmes["id"], cat.programmes["name"], strict=True))
    sections = [
        overview(area.name, results, len(rules)),
        details(area.name, results, names),
        not_fired(area.name, results),
    ]
    return RecommendationsChapter(
        area.code,
        area.name,
        int(year),
        sections,
        results=results,
        rules={r.id: r for r in rules},
        names=names,
        strength=strengths(cat).to_dict(),
    )


def show_recommendations(chapter: RecommendationsChapter) -> None:
    """Every recommendation in full, then the data table of their findings (and its CSV)."""
    from IPython.display import HTML, display

    from needsbook.chapters.display import (
        data_table_html,
        download_link_html,
        show_text,
        write_download,
    )

    section = chapter.section("recommendations")
    write_download(section, chapter.area_code, chapter.year)
    show_text(section.summary)
    parts = [
        recommendation_html(n, r, chapter.rules.get(r.rule_id), chapter.names, chapter.strength)
        for n, r in enumerate(chapter.results.fired, start=1)
    ]
    parts.append(data_table_html(section))
    parts.append(download_link_html(section, chapter.area_code))
    display(HTML("\n".join(parts)))


def show_not_fired(chapter: RecommendationsChapter) -> None:
    """The appendix table shown open (not collapsed), and its CSV."""
    from IPython.display import HTML, display

    from needsbook.chapters.display import download_link_html, show_text, table_html, write_download

    section = chapter.section("not_fired")
    write_download(section, chapter.area_code, chapter.year)
    show_text(section.summary)
    table = table_html(section.table, f"{section.title} for {chapter.area_name}")
    display(
        HTML(
            table
            + f"\n<p><small>Source: {html_text(section.source)}</small></p>\n"
            + download_link_html(section, chapter.area_code)
        )
    )
