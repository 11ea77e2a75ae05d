"""Chapter 0, summary: the area and data year, how to read the book, 5-8 headline findings
chosen across the chapters, outcomes at a glance, and the recommendations with their reasons
(issue 7; after the executive summary and conclusions of the 2015 assessment).

Headlines come from :mod:`needsbook.summary.headlines`, recommendations from
:func:`needsbook.recommend.recommend`; this module arranges them into text, a chart and tables.
Links go to a chapter only when the book has it (``needsbook.build.chapters.CHAPTERS``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

from needsbook.areas import Area, resolve_area
from needsbook.build.chapters import CHAPTERS
from needsbook.chapters.base import Chapter, Section
from needsbook.chapters.display import show_table
from needsbook.chapters.text import and_join, lower_first
from needsbook.charts import RAG
from needsbook.escape import html_text
from needsbook.outcomes.findings import Finding, findings
from needsbook.polarity import NO_JUDGEMENT
from needsbook.recommend import Recommendation, RuleResults, recommend
from needsbook.recommend.citation import citations
from needsbook.services.findings import service_findings
from needsbook.summary.headlines import Headline, load_headlines, not_applicable

RECOMMENDATIONS = "10_recommendations"
GLOSSARY = "../book/glossary.html"
METHODS = "../book/methods/index.html"
SOURCES = "../book/data-sources.html"
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}

#: Outcome comparison groups for the at-a-glance chart: (label, colour), best to worst.
GLANCE = {
    "Significantly better than England": RAG["Better"],
    "In the best fifth of areas": RAG["Best"],
    "Similar to England, or a middle fifth": RAG["Similar"],
    "Higher or lower (no better or worse)": RAG["Higher"],
    "In the worst fifth of areas": RAG["Worst"],
    "Significantly worse than England": RAG["Worse"],
    "No data": RAG["Not compared"],
}


def chapter_titles() -> dict[str, str]:
    """Slug -> title of the chapters this book has."""
    return {c.slug: c.title for c in CHAPTERS}


def chapter_link(slug: str, text: str | None = None) -> str:
    """A relative link to a chapter page (plain text if the book has no such chapter)."""
    titles = chapter_titles()
    label = html_text(text or titles.get(slug, slug))
    if slug not in titles:
        return label
    return f'<a href="{slug}.html">{label}</a>'


@dataclass
class SummaryChapter(Chapter):
    """The summary: headlines and recommendations as well as its sections."""

    area_kind: str = ""
    region_name: str = ""
    headlines: list[Headline] = field(default_factory=list)
    results: RuleResults = field(default_factory=RuleResults)
    not_applicable: list[str] = field(default_factory=list)  # findings that cannot exist

    @property
    def key_findings(self) -> list[str]:
        return [h.sentence for h in self.headlines]


# --- how to read ---------------------------------------------------------------------------


def how_to_read_html(chapter: SummaryChapter) -> str:
    """The "how to read this" box: comparisons, fifths, trends, modelled figures, small
    numbers, and where the data are (a styled admonition, as the theme draws MyST notes)."""
    from needsbook.build import downloads

    zip_name = html_text(downloads.zip_name(chapter.area_code))
    items = [
        "<strong>Significantly better or worse than England</strong> means the difference is "
        "bigger than chance alone would explain: England's value lies outside the range we are "
        "95% sure the area's true value falls in (its confidence interval). "
        "<strong>Similar</strong> means no such difference was found.",
        "<strong>Fifths</strong> (quintiles): where no confidence interval is published, all "
        "English upper-tier councils are put in order and split into five equal groups. "
        '"Among the worst fifth" shows where the area stands; it is not a significance test.',
        '<strong>Trends</strong>: "risen" or "fallen significantly" means a statistical '
        'test over the last five years of data found a real change; "getting better" or '
        '"getting worse" says whether that change is good or bad for children. "Has not '
        'changed significantly" means the test found no clear change.',
        "<strong>Modelled estimates</strong> (the need figures) are not counts of children: "
        "they estimate how many children are likely to need extra help from the outcomes "
        "published for each age and how deprived their neighbourhoods are (or from the "
        "council's own need model, where it supplies one).",
        "<strong>Small numbers</strong>: local counts of 1 to 4 children, and rates built on "
        "them, are never shown, so that no child can be identified.",
        "<strong>Every number</strong> gives the period it covers and its source. Every chart "
        "has a data table and a CSV download beneath it, and all the data are in one zip file: "
        f'<a href="../downloads/{zip_name}" download>Download all the data in this book '
        f"for {html_text(chapter.area_name)} (zip)</a>. The "
        f'<a href="{SOURCES}">data sources and licences</a> page lists every source, the '
        f'<a href="{METHODS}">methods</a> pages explain the statistics, and the '
        f'<a href="{GLOSSARY}">glossary</a> explains the technical words and abbreviations.',
    ]
    body = "\n".join(f"<li>{i}</li>" for i in items)
    return (
        '<div class="admonition note needsbook-how-to-read" role="note">\n'
        '<p class="admonition-title">How to read this assessment</p>\n'
        f"<ul>\n{body}\n</ul>\n</div>"
    )


def about_html(chapter: SummaryChapter) -> str:
    """One paragraph: the area, its kind and region, and the data year."""
    return (
        f"<p>This summary covers children and young people aged 0-19 in "
        f"<strong>{html_text(chapter.area_name)}</strong> ({html_text(chapter.area_kind)}, "
        f"{html_text(chapter.region_name)} region), using the latest data published up to "
        f"<strong>{chapter.year}</strong>. Each finding uses the latest period available for it "
        "at or before that year, and says which period that is.</p>"
    )


# --- headlines -----------------------------------------------------------------------------


def headline_html(h: Headline) -> str:
    """One headline: the sentence, its source and a link to the chapter with the detail."""
    source = "" if h.source in h.sentence else f"<small>Source: {html_text(h.source)}.</small> "
    return (
        f"<li><p>{html_text(h.sentence)} {source}"
        f"{chapter_link(h.chapter, 'More in ' + chapter_titles().get(h.chapter, h.chapter))}"
        "</p></li>"
    )


def headlines_html(chapter: SummaryChapter) -> str:
    """The headlines, then any service finding that does not apply to the area and why."""
    notes = "".join(
        f'\n<p class="needsbook-not-applicable">{html_text(s)}</p>' for s in chapter.not_applicable
    )
    return (
        '<ol class="needsbook-headlines">\n'
        + "\n".join(headline_html(h) for h in chapter.headlines)
        + "\n</ol>"
        + notes
    )


def headlines_section(area: Area, heads: list[Headline]) -> Section:
    table = pd.DataFrame(
        {
            "Topic": [h.topic for h in heads],
            "Finding": [h.sentence for h in heads],
            "Period": [h.period for h in heads],
            "Source": [h.source for h in heads],
            "Chapter": [chapter_titles().get(h.chapter, h.chapter) for h in heads],
        }
    )
    topics = and_join(list(dict.fromkeys(h.topic.lower() for h in heads)))
    return Section(
        "headlines",
        "Summary: headline findings",
        f"{len(heads)} headline findings for {area.name}, on {topics}.",
        table,
        None,
        source="; ".join(dict.fromkeys(h.source for h in heads)),
    )


# --- outcomes at a glance ------------------------------------------------------------------


def glance_group(f: Finding) -> str:
    """The at-a-glance group of one outcome finding."""
    if not f.has_data:
        return "No data"
    if f.method == "confidence interval":
        if f.significant and f.direction == "worse":
            return "Significantly worse than England"
        if f.significant and f.direction == "better":
            return "Significantly better than England"
        if f.significant:
            return "Higher or lower (no better or worse)"
        return "Similar to England, or a middle fifth"
    if f.quintile is None:
        return "No data"
    if f.polarity == NO_JUDGEMENT:
        return "Higher or lower (no better or worse)"
    if f.quintile == 5:
        return "In the worst fifth of areas"
    if f.quintile == 1:
        return "In the best fifth of areas"
    return "Similar to England, or a middle fifth"


def glance(area: Area, year: int, items: list[Finding]) -> Section:
    groups = Counter(glance_group(f) for f in items)
    frame = pd.DataFrame(
        {
            "group": list(GLANCE),
            "order": range(len(GLANCE)),
            "indicators": [groups.get(g, 0) for g in GLANCE],
        }
    )
    worse = groups["Significantly worse than England"] + groups["In the worst fifth of areas"]
    better = groups["Significantly better than England"] + groups["In the best fifth of areas"]
    no_data = groups["No data"]
    summary = (
        f"Of the {len(items)} outcome indicators in this book, {area.name} is significantly "
        f"better than England or in the best fifth of areas on {better}, and significantly "
        f"worse or in the worst fifth on {worse}; {no_data} "
        f"{'has' if no_data == 1 else 'have'} no data for the area. Each indicator uses its "
        f"latest period at or before {year}; the table gives the period of each."
    )
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("group:N", sort=list(GLANCE), title=None, axis=alt.Axis(labelLimit=0)),
            x=alt.X("indicators:Q", title="Number of outcome indicators"),
            color=alt.Color(
                "group:N",
                scale=alt.Scale(domain=list(GLANCE), range=list(GLANCE.values())),
                legend=None,
            ),
            stroke=alt.value("#0b0c0c"),
            tooltip=[
                alt.Tooltip("group:N", title="Compared with England"),
                alt.Tooltip("indicators:Q", title="Indicators"),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=4, color="#0b0c0c").encode(
        text="indicators:Q", color=alt.value("#0b0c0c")
    )
    chart = (bars + labels).properties(
        title=f"Outcome indicators for {area.name} compared with England",
        description=summary,
        width=360,
        height=alt.Step(24),
    )
    table = pd.DataFrame(
        {
            "Indicator": [f.name for f in items],
            "Period": [f.period for f in items],
            "Compared with England": [f.label for f in items],
            "Group": [glance_group(f) for f in items],
            "Recent trend": [f.trend_label for f in items],
            "Source": [f.indicator.source for f in items],
        }
    )
    return Section(
        "glance",
        "Summary: outcomes at a glance",
        summary,
        table,
        chart,
        source="; ".join(dict.fromkeys(f.indicator.source for f in items)),
        notes=[
            "Significance uses 95% confidence intervals where they are published; otherwise "
            "the area's place among the fifths of English upper-tier areas is shown. Both are "
            f"explained in the {chapter_titles().get('03_outcomes', 'outcomes')} chapter."
        ],
    )


# --- recommendations -----------------------------------------------------------------------


def _trigger_html(rec: Recommendation) -> str:
    items = []
    for t in rec.triggers:
        cited = not t.source or t.source in t.sentence  # the sentence already gives it
        source = "" if cited else f" <small>Source: {html_text(t.source)}.</small>"
        link = f" {chapter_link(t.chapter, 'See the finding')}" if t.chapter else ""
        items.append(f"<li>{html_text(t.sentence)}{source}{link}</li>")
    return "<ul>\n" + "\n".join(items) + "\n</ul>" if items else ""


def programme_citations(ids: tuple[str, ...]) -> list[str]:
    """Each programme as the book cites it (:mod:`needsbook.recommend.citation`)."""
    return [c.text for c in citations(ids)]


def recommendations_html(chapter: SummaryChapter) -> str:
    """The recommendations, highest priority first, each with the findings behind it."""
    fired = sorted(chapter.results.fired, key=lambda r: PRIORITY_ORDER.get(r.priority, 9))
    more = chapter_link(RECOMMENDATIONS, "the recommendations chapter")
    if not fired:
        checked = len(chapter.results.not_fired)
        why = (
            f" {checked} rules were checked against the findings; {more} lists each one and why "
            "it did not apply."
            if checked
            else ""
        )
        return (
            f"<p>This assessment makes no recommendations for "
            f"{html_text(chapter.area_name)}: none of the findings it checks calls for "
            f"one.{why}</p>" + concerns_html(chapter)
        )
    parts = []
    for rec in fired:
        cited = "".join(
            f"<li><small>{html_text(c)}</small></li>" for c in programme_citations(rec.evidence)
        )
        evidence = (
            "<p><small>Programmes with evidence for this (a rating is not a recommendation "
            f"for the area):</small></p>\n<ul>{cited}</ul>"
            if cited
            else ""
        )
        parts.append(
            f"<li><p><strong>{html_text(rec.title)}</strong> (priority: "
            f"{html_text(rec.priority)}). {html_text(rec.text)}</p>\n"
            f"<p>Why: the findings behind it are</p>\n{_trigger_html(rec)}\n{evidence}</li>"
        )
    return (
        f"<p>{len(fired)} recommendation{'s' if len(fired) != 1 else ''}, highest priority "
        f"first. Each follows from the findings listed under it; {more} gives the evidence, "
        "the action plan, the national policy context and every rule that was checked.</p>\n"
        '<ol class="needsbook-recommendations">\n'
        + "\n".join(parts)
        + "\n</ol>"
        + concerns_html(chapter)
    )


def concerns_html(chapter: SummaryChapter) -> str:
    """One sentence on the outcomes of concern that no recommendation acts on."""
    n = len(chapter.results.concerns)
    if not n:
        return ""
    more = chapter_link(RECOMMENDATIONS, "the recommendations chapter")
    names = and_join([lower_first(c.name) for c in chapter.results.concerns])
    return (
        f"\n<p>{n} {'other ' if chapter.results.fired else ''}outcome{'s' if n != 1 else ''} "
        f"of concern ({html_text(names)}) "
        f"{'is' if n == 1 else 'are'} behind no recommendation; {more} gives the reason for "
        f"each.</p>"
    )


def recommendations_section(area: Area, results: RuleResults) -> Section:
    rows = [
        {
            "Priority": rec.priority,
            "Recommendation": rec.title,
            "What to do": rec.text,
            "Why (findings)": " ".join(rec.reasons),
            "Periods": "; ".join(dict.fromkeys(t.period for t in rec.triggers)),
            "Evidence": "; ".join(programme_citations(rec.evidence)),
        }
        for rec in sorted(results.fired, key=lambda r: PRIORITY_ORDER.get(r.priority, 9))
    ]
    table = pd.DataFrame(
        rows,
        columns=[
            "Priority",
            "Recommendation",
            "What to do",
            "Why (findings)",
            "Periods",
            "Evidence",
        ],
    )
    return Section(
        "recommendations",
        "Summary: recommendations",
        f"{len(rows)} recommendations for {area.name}.",
        table,
        None,
        # each row is a recommendation made by the rules; its findings' own sources are in the
        # recommendations chapter's table of findings
        source="this assessment's recommendation rules, applied to the findings of each chapter",
    )


# --- chapter -------------------------------------------------------------------------------


def build(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    local_dir: Path | str | None = None,
) -> SummaryChapter:
    """The summary for one area and data year."""
    area = resolve_area(area_code, data_dir)
    heads = load_headlines(area, int(year), data_dir, local_dir)
    items = findings(area.code, int(year), data_dir)
    results = recommend(area.code, int(year), data_dir, local_dir)
    absent = not_applicable(service_findings(area.code, int(year), data_dir, local_dir))
    sections = [
        headlines_section(area, heads),
        glance(area, int(year), items),
        recommendations_section(area, results),
    ]
    return SummaryChapter(
        area.code,
        area.name,
        int(year),
        sections,
        area_kind=area.kind.lower(),
        region_name=area.region_name,
        headlines=heads,
        results=results,
        not_applicable=absent,
    )


# --- display -------------------------------------------------------------------------------


def show_introduction(chapter: SummaryChapter) -> None:
    """The area and year, and the how-to-read box (also names the chapter's CSV downloads)."""
    from IPython.display import HTML, display

    from needsbook.chapters import display as chapter_display

    chapter_display._current.update(area_code=chapter.area_code, year=chapter.year)
    display(HTML(about_html(chapter) + "\n" + how_to_read_html(chapter)))


def show_headlines(chapter: SummaryChapter) -> None:
    from IPython.display import HTML, display

    display(HTML(headlines_html(chapter)))
    show_table(chapter.section("headlines"))


def show_recommendations(chapter: SummaryChapter) -> None:
    from IPython.display import HTML, display

    display(HTML(recommendations_html(chapter)))
    if chapter.results.fired:
        show_table(chapter.section("recommendations"))
