"""Chapter 6, recommendations: what the area should do, each recommendation traced to the
findings that triggered it (with their numbers, periods and sources), the chapter holding them,
the evidence entries that support it (with their caveats) and the national policy it is set
against; the action plan; the other outcomes of concern no rule acts on; the dated policy
context; and an appendix of the rules that did not fire.

The rules are data (``data/recommendations/rules.yml``), applied by :mod:`needsbook.recommend`;
the policy context is ``data/policy/policy.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

from needsbook.areas import resolve_area
from needsbook.build.chapters import CHAPTERS
from needsbook.chapters.base import Chapter, Section
from needsbook.chapters.text import and_join
from needsbook.escape import html_text
from needsbook.evidence.catalogue import load_catalogue
from needsbook.evidence.strength import strengths
from needsbook.recommend import RuleResults, recommend
from needsbook.recommend.action_plan import REVIEW_AFTER_YEARS
from needsbook.recommend.citation import Citation, cite, programme_caveats
from needsbook.recommend.model import Recommendation
from needsbook.recommend.policy import Policy, load_policy
from needsbook.recommend.rules import Rule, load_rules

RULES_SOURCE = "this assessment's recommendation rules (see Methods)"
POLICY_SOURCE = "the publishers' own pages, as linked in each row"
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


@dataclass
class RecommendationsChapter(Chapter):
    results: RuleResults = field(default_factory=RuleResults)
    rules: dict[str, Rule] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # evidence id -> name
    strength: dict[str, str] = field(default_factory=dict)  # evidence id -> strength
    caveats: dict[str, str] = field(default_factory=dict)  # evidence id -> caveat ("" = none)
    policies: dict[str, Policy] = field(default_factory=dict)

    @property
    def key_findings(self) -> list[str]:
        """The overview sentence, each recommendation with its priority, then how many other
        outcomes of concern there are."""
        head = self.sections[0].summary.split(". ")[0] + "."
        n = len(self.results.concerns)
        other = (
            [
                f"{n} other outcome{'s' if n != 1 else ''} of concern "
                f"{'is' if n == 1 else 'are'} listed with the reason no rule applied."
            ]
            if n
            else []
        )
        return (
            [head]
            + [
                f"{r.title} ({r.priority} priority; {len(r.triggers)} "
                f"finding{'s' if len(r.triggers) != 1 else ''})."
                for r in self.results.fired
            ]
            + other
        )


def chapter_title(slug: str) -> str:
    titles = {c.slug: c.title for c in CHAPTERS}
    return titles.get(slug, slug)


def chapter_link(slug: str) -> str:
    """An HTML link to a chapter in this book, or its plain title when the book lacks it."""
    title = html_text(chapter_title(slug))
    if slug in {c.slug for c in CHAPTERS}:
        return f'<a href="{html_text(slug)}.html">{title} chapter</a>'
    return f"{title} chapter"


def reason(t: object) -> str:
    """A trigger's sentence with its source (once: not again when the sentence gives it)."""
    sentence = str(t.sentence).rstrip(".")  # type: ignore[attr-defined]
    source = str(t.source or "")  # type: ignore[attr-defined]
    if not source or source in sentence:
        return f"{sentence}."
    return f"{sentence} (source: {source})."


def model_report_sentence(numbers: tuple[int, ...]) -> str:
    """E.g. "It follows recommendations 1 and 5 of the Worcestershire 2015 needs assessment."."""
    if not numbers:
        return ""
    word = "recommendations" if len(numbers) > 1 else "recommendation"
    which = and_join([str(n) for n in numbers])
    return f"It follows {word} {which} of the Worcestershire 2015 needs assessment."


def programme_html(c: Citation) -> str:
    """One evidence entry: linked to the evidence review, cited as everywhere in the book."""
    return f"<li>{c.html(f'08_evidence.html#programme-{c.id}')}</li>"


def policy_citation_html(p: Policy) -> str:
    """A policy document linked, with its publisher and date."""
    e = html_text
    return f'<a href="{e(p.url)}">{e(p.title)}</a> ({e(p.publisher)}, {e(p.dated)})'


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
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=0))
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


def _trigger_rows(
    fired: list[Recommendation],
    names: dict[str, str],
    strength: dict[str, str],
    caveats: dict[str, str],
) -> pd.DataFrame:
    rows = []
    for r in fired:
        cited = "; ".join(cite(e, names, strength, caveats).text for e in r.evidence)
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
                    "Evidence entries": cited,
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


def details(
    area_name: str,
    results: RuleResults,
    names: dict[str, str],
    strength: dict[str, str],
    caveats: dict[str, str],
) -> Section:
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
        _trigger_rows(fired, names, strength, caveats),
        None,
        source=f"{RULES_SOURCE}; findings as cited in each row",
    )


def recommendation_html(
    n: int,
    r: Recommendation,
    rule: Rule | None,
    names: dict[str, str],
    strength: dict[str, str],
    caveats: dict[str, str] | None = None,
    policies: dict[str, Policy] | None = None,
) -> str:
    """One recommendation as accessible HTML: heading, priority, text, reasons, evidence (with
    caveats), programmes with little or no evidence, and the policy it is set against."""
    e = html_text
    caveats = caveats or {}
    policies = policies or {}
    colour, _ = PRIORITY_STYLE.get(r.priority, ("#0b0c0c", ""))
    reasons = "".join(f"<li>{e(reason(t))}</li>" for t in r.triggers)
    chapters = list(dict.fromkeys([r.chapter, *(t.chapter for t in r.triggers)]))
    links = " and ".join(chapter_link(c) for c in chapters)
    evidence = "".join(programme_html(cite(i, names, strength, caveats)) for i in r.evidence)
    why = f"<p><strong>Why:</strong> {e(rule.why)}</p>" if rule else ""
    follows = model_report_sentence(rule.model_report) if rule else ""
    who = (
        f"<p><strong>Level of need:</strong> {e(rule.level)}. <strong>Lead partners:</strong> "
        f"{e('; '.join(rule.lead_partners))}.</p>\n"
        if rule and rule.lead_partners
        else ""
    )
    little = (
        "<p><strong>Little or no evidence of effect</strong>: "
        + e(and_join([names.get(i, i) for i in r.little_evidence]))
        + ".</p>\n"
        if r.little_evidence
        else ""
    )
    cited = [policies[p] for p in (rule.policy if rule else ()) if p in policies]
    policy = (
        "<p><strong>National policy</strong> (see Policy context below):</p>\n<ul>"
        + "".join(f"<li>{policy_citation_html(p)}</li>" for p in cited)
        + "</ul>\n"
        if cited
        else ""
    )
    return (
        f'<section class="needsbook-recommendation" aria-labelledby="rec-{e(r.rule_id)}">\n'
        f'<h3 id="rec-{e(r.rule_id)}">{n}. {e(r.title)}</h3>\n'
        f'<p><strong style="border-left:6px solid {colour};padding-left:6px">'
        f"{e(r.priority.capitalize())} priority</strong>: {e(PRIORITY_MEANING[r.priority])}.</p>\n"
        f"<p>{e(r.text)}{' ' + e(follows) if follows else ''}</p>\n{why}\n{who}"
        f"<p><strong>The findings behind it</strong> (see the {links}):</p>\n<ul>{reasons}</ul>\n"
        + (
            f"<p><strong>Evidence entries</strong> (a rating is not a recommendation; see the "
            f'<a href="08_evidence.html">Evidence review chapter</a>):</p>\n<ul>{evidence}</ul>\n'
            if evidence
            else ""
        )
        + little
        + policy
        + "</section>"
    )


def action_plan(area_name: str, year: int, results: RuleResults) -> Section:
    """The action plan: one row per recommendation and measure to track."""
    rows = results.actions
    table = pd.DataFrame(
        {
            "Recommendation": [a.title for a in rows],
            "Level of need": [a.level for a in rows],
            "Lead partners": ["; ".join(a.lead_partners) for a in rows],
            "Indicator to track": [a.measure for a in rows],
            "Current value": [a.current for a in rows],
            "Period": [a.period for a in rows],
            "Direction wanted": [a.wanted for a in rows],
            "Review by": [a.review for a in rows],
            "Source": [a.source for a in rows],
        }
    )
    summary = (
        f"The action plan gives each recommendation for {area_name} the level of need it is "
        "aimed at (universal, early help, targeted or specialist), the partners who lead it, "
        "the indicator to track with its latest value and the direction wanted, and a date to "
        f"review progress: 31 March {year + REVIEW_AFTER_YEARS}, {REVIEW_AFTER_YEARS} years "
        f"after this book's data year ({year}), when the next year's data will have been "
        "published. The lead partners are suggestions for the partnership to confirm."
        if rows
        else f"There is no action plan for {area_name}: no recommendation applies."
    )
    return Section(
        "action_plan",
        "Action plan",
        summary,
        table,
        None,
        source=f"{RULES_SOURCE}; current values as cited in each row",
    )


def concerns(area_name: str, results: RuleResults) -> Section:
    """Outcomes of concern that no recommendation cites, each with the reason."""
    items = results.concerns
    table = pd.DataFrame(
        {
            "Indicator": [c.name for c in items],
            "Finding": [c.sentence for c in items],
            "Period": [c.period for c in items],
            "Why no recommendation acts on it": [c.reason for c in items],
            "Source": [c.source for c in items],
        }
    )
    summary = (
        f"{len(items)} outcome{'s' if len(items) != 1 else ''} for {area_name} "
        f"{'is' if len(items) == 1 else 'are'} significantly worse than England, among the "
        "worst fifth of English areas, or getting worse, but no recommendation acts on "
        f"{'it' if len(items) == 1 else 'them'}. Each is listed with the reason no rule "
        "applied, so that nothing of concern is left out; the partnership may still decide "
        "to act on them."
        if items
        else f"Every outcome for {area_name} that is significantly worse than England, among "
        "the worst fifth of English areas, or getting worse is behind a recommendation above."
    )
    return Section(
        "concerns",
        "Other outcomes of concern",
        summary,
        table,
        None,
        source="; ".join(dict.fromkeys(c.source for c in items)) or RULES_SOURCE,
    )


def policy_context(policies: dict[str, Policy]) -> Section:
    """The national policy the recommendations are set against, dated."""
    items = list(policies.values())
    table = pd.DataFrame(
        {
            "Document": [p.title for p in items],
            "Publisher": [p.publisher for p in items],
            "Date": [p.dated for p in items],
            "What it asks of local areas": [p.summary for p in items],
            "Link": [p.url for p in items],
        }
    )
    summary = (
        f"The recommendations are set against {len(items)} national documents, listed below "
        "with their publishers and dates; each recommendation names the ones it draws on. "
        "Policy changes: check for later versions before acting."
    )
    return Section("policy", "Policy context", summary, table, None, source=POLICY_SOURCE)


def not_fired(area_name: str, results: RuleResults) -> Section:
    checks = results.not_fired
    summary = (
        f"{len(checks)} rule{'s' if len(checks) != 1 else ''} did not apply to {area_name}. "
        f"For {'each' if len(checks) != 1 else 'it'}, the table says what the rule looks for "
        "and why it did not apply, so readers can see what was checked. Where "
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
    caveats = programme_caveats(cat.programmes)
    strength = strengths(cat).to_dict()
    policies = load_policy()
    sections = [
        overview(area.name, results, len(rules)),
        details(area.name, results, names, strength, caveats),
        action_plan(area.name, int(year), results),
        concerns(area.name, results),
        policy_context(policies),
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
        strength=strength,
        caveats=caveats,
        policies=policies,
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
        recommendation_html(
            n,
            r,
            chapter.rules.get(r.rule_id),
            chapter.names,
            chapter.strength,
            chapter.caveats,
            chapter.policies,
        )
        for n, r in enumerate(chapter.results.fired, start=1)
    ]
    parts.append(data_table_html(section))
    parts.append(download_link_html(section, chapter.area_code))
    display(HTML("\n".join(parts)))


def show_action_plan(chapter: RecommendationsChapter) -> None:
    from needsbook.chapters.display import show_open

    show_open(chapter, "action_plan")


def show_concerns(chapter: RecommendationsChapter) -> None:
    from needsbook.chapters.display import show_open

    show_open(chapter, "concerns")


def show_policy(chapter: RecommendationsChapter) -> None:
    """The dated policy list, each document linked, and its CSV."""
    from IPython.display import HTML, display

    from needsbook.chapters.display import download_link_html, show_text, write_download

    section = chapter.section("policy")
    write_download(section, chapter.area_code, chapter.year)
    show_text(section.summary)
    items = "".join(
        f"<li><p>{policy_citation_html(p)}</p><p>{html_text(p.summary)}</p></li>"
        for p in chapter.policies.values()
    )
    display(HTML(f"<ul>{items}</ul>\n" + download_link_html(section, chapter.area_code)))


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
