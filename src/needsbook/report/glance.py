"""The "at a glance" PDF of a built book: at most four A4 pages holding the area and data year,
the headline findings, the spine chart, and the recommendations with their action-plan rows.

Everything is read from the finished HTML book (the summary, outcomes, recommendations and data
sources pages), never recomputed, so it says exactly what the book says. It is printed with
Chromium; if it runs past four pages it is printed again with the next, more compact,
:data:`SETTINGS` (smaller type, then a smaller chart, then fewer action-plan rows per
recommendation), and every recommendation title is always kept.
"""

from __future__ import annotations

import base64
import copy
import datetime
import html
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from needsbook.build.chapters import CHAPTERS
from needsbook.errors import BuildError, InputError
from needsbook.files import publish_file
from needsbook.report.chromium import print_pdf
from needsbook.report.edition import check_stamp
from needsbook.report.pdf import built_text, css_string

from .charts import Chart, spec_in_script

LOG = logging.getLogger(__name__)
MAX_PAGES = 4
CHART_MM = 205  # the spine chart's greatest height at full size, leaving room for its source
KEEP_ROWS = 4  # a recommendation with at most this many action-plan rows is not split
#: Share of the table width for the action plan's usual columns (others share what is left).
WIDTHS = {
    "Indicator to track": 23,
    "Current value": 15,
    "Period": 12,
    "Direction wanted": 9,
    "Review by": 12,
    "Source": 29,
}
_PAGE = {c.slug: c.html for c in CHAPTERS}
SUMMARY = _PAGE["00_summary"]
OUTCOMES = _PAGE["03_outcomes"]
RECOMMENDATIONS = _PAGE["10_recommendations"]
SOURCES = "book/data-sources.html"
PAGES = (SUMMARY, OUTCOMES, RECOMMENDATIONS, SOURCES)
SPINE_TITLE = "compared with England and all English upper-tier areas"
SUBTITLE = "Children and young people's needs assessment"  # if the book's title does not parse
OGL = "Contains public sector information licensed under the Open Government Licence v3.0"


@dataclass(frozen=True)
class Setting:
    """How compact one printing is: body type size, spine chart size (share of its full
    height, :data:`CHART_MM`) and the most action-plan rows shown per recommendation (None:
    all)."""

    font_pt: float = 10.5
    chart_scale: float = 1.0
    max_rows: int | None = None


def _ladder() -> tuple[Setting, ...]:
    fonts = [Setting(font_pt=pt) for pt in (10.5, 10.0, 9.5, 9.0, 8.5, 8.0)]
    charts = [Setting(font_pt=8.0, chart_scale=s) for s in (0.9, 0.8)]  # smaller is unreadable
    rows = [Setting(font_pt=8.0, chart_scale=0.8, max_rows=n) for n in (3, 2, 1, 0)]
    return (*fonts, *charts, *rows)


#: Tried in order until the PDF fits on :data:`MAX_PAGES` pages.
SETTINGS = _ladder()


@dataclass(frozen=True)
class PlanTable:
    """Action-plan rows of one recommendation: column headings and cell texts."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Recommendation:
    """One recommendation as the book gives it (HTML fragments copied from the page)."""

    title: str  # with its number, as the heading reads
    priority: str  # "High priority"
    priority_style: str  # the book's inline style for the label (a coloured bar beside it)
    action: str  # what to do (HTML)
    partners: str  # the level of need and lead partners line (HTML), or ""
    plan: PlanTable


@dataclass(frozen=True)
class Glance:
    """Everything the summary shows, read from one built book."""

    area_name: str
    area_code: str
    year: int
    built: datetime.date
    book_title: str
    subtitle: str
    findings: tuple[str, ...]  # HTML of each headline finding
    chart: Chart
    chart_svg: str  # the chart drawn once, as SVG
    chart_heading: str
    chart_source: str  # HTML
    plan_intro: str  # HTML
    plan_source: str  # HTML
    no_recommendations: str  # HTML, the book's sentence when none apply
    recommendations: tuple[Recommendation, ...]
    attribution: str  # HTML of the data sources page's attribution paragraph
    footer_licence: str = field(default=OGL)


# -- reading the book --------------------------------------------------------------------------


def _page(book: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((book / name).read_text(encoding="utf-8"), "html.parser")


def _missing(what: str, page: str) -> InputError:
    return InputError(f"{page} of the book has no {what}: is it a complete needsbook book?")


def _fragment(tag: Tag) -> str:
    """The inner HTML of ``tag`` for print: links become plain text spans (they lead nowhere
    on paper), heading anchors are dropped, and only inline styles are kept."""
    tag = copy.copy(tag)
    for anchor in tag.select("a.headerlink"):
        anchor.decompose()
    for anchor in tag.find_all("a"):
        anchor.name = "span"
    for element in tag.find_all(True):
        element.attrs = {k: v for k, v in element.attrs.items() if k == "style"}
    return "".join(str(child) for child in tag.contents).strip()


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _section(soup: BeautifulSoup, section_id: str, what: str, page: str) -> Tag:
    found = soup.find("section", id=section_id)
    if not isinstance(found, Tag):
        raise _missing(f'"{what}" section', page)
    return found


def _titles(soup: BeautifulSoup, area_name: str, year: int) -> tuple[str, str]:
    """The book's title ("<area>: children and young people's early help needs assessment
    <year>", from the page title "Summary — <book title>") and the same without the area and
    year, capitalised, as the subtitle."""
    title = _text(soup.title) if soup.title else ""
    book_title = title.split(" — ", 1)[-1]
    match = re.fullmatch(rf"{re.escape(area_name)}: (.+?) {year}", book_title)
    if not match:
        return f"{area_name}: {SUBTITLE[:1].lower()}{SUBTITLE[1:]} {year}", SUBTITLE
    words = match.group(1)
    return book_title, words[:1].upper() + words[1:]


def _findings(soup: BeautifulSoup) -> tuple[str, ...]:
    section = _section(soup, "headline-findings", "Headline findings", SUMMARY)
    items = section.select("ol.needsbook-headlines > li")
    if not items:
        raise _missing("headline findings", SUMMARY)
    return tuple(_fragment(item.find("p") or item) for item in items)


def _spine(soup: BeautifulSoup) -> tuple[Chart, str, str]:
    """The spine chart, its section's heading and the source line beneath it."""
    for script in soup.find_all("script"):
        spec = spec_in_script(script.string or "")
        if spec is None or SPINE_TITLE not in Chart(spec).title:
            continue
        section = script.find_parent("section")
        heading = section.find(["h2", "h3"]) if section else None
        source = ""
        for small in script.find_all_next("small"):
            if section is not None and small.find_parent("section") is not section:
                break
            if _text(small).startswith("Source:"):
                source = _fragment(small)
                break
        heading_text = _fragment(heading) if heading else ""
        return Chart(spec), heading_text, source
    raise _missing(f'chart titled "<area> {SPINE_TITLE}"', OUTCOMES)


def _plan_rows(section: Tag) -> tuple[list[str], list[list[str]]]:
    table = section.find("table")
    if not isinstance(table, Tag):
        return [], []
    heads = [_text(th) for th in table.select("thead th")]
    rows = [[_text(td) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    return heads, [r for r in rows if len(r) == len(heads)]


def _same(a: str, b: str) -> bool:
    """Equal but for curly or straight apostrophes."""
    return a.replace("\u2019", "'") == b.replace("\u2019", "'")


def _labels(fragment: Tag | None) -> set[str]:
    """The bold labels of a paragraph such as "Level of need: ... Lead partners: ..."."""
    if fragment is None:
        return set()
    return {_text(s).rstrip(":").strip() for s in fragment.find_all("strong")}


def _recommendation(section: Tag, heads: list[str], rows: list[list[str]]) -> Recommendation:
    title = _text(section.find("h3") or section)
    priority, action, partners = None, None, None
    for p in section.find_all("p", recursive=False):
        strong = p.find("strong")
        label = _text(strong) if strong else ""
        if priority is None and label.lower().endswith("priority"):
            priority = strong
        elif priority is not None and action is None and strong is None:
            action = p
        elif label.startswith("Level of need") or label.startswith("Lead partners"):
            partners = p
    name = re.sub(r"^\d+\.\s*", "", title)
    key = heads.index("Recommendation") if "Recommendation" in heads else None
    shown = [i for i, h in enumerate(heads) if i != key and h not in _labels(partners)]
    mine = [r for r in rows if key is not None and _same(r[key], name)]
    plan = PlanTable(
        tuple(heads[i] for i in shown), tuple(tuple(r[i] for i in shown) for r in mine)
    )
    return Recommendation(
        title=title,
        priority=_text(priority) if priority else "",
        priority_style=str(priority.get("style", "")) if priority else "",
        action=_fragment(action) if action else "",
        partners=_fragment(partners) if partners else "",
        plan=plan,
    )


def _recommendations(soup: BeautifulSoup) -> tuple[str, str, str, tuple[Recommendation, ...]]:
    """The action plan's introduction and source line, the book's sentence when no
    recommendation applies, and the recommendations."""
    page = RECOMMENDATIONS
    recs = _section(
        soup,
        "the-recommendations-and-the-findings-behind-them",
        "The recommendations and the findings behind them",
        page,
    )
    plan = _section(soup, "action-plan", "Action plan", page)
    heads, rows = _plan_rows(plan)
    intro = plan.find("p")
    source = next((s for s in plan.find_all("small") if _text(s).startswith("Source:")), None)
    sections = recs.select("section.needsbook-recommendation")
    none_text = ""
    if not sections:
        first = recs.find("p")
        none_text = _fragment(first) if first else ""
    return (
        _fragment(intro) if intro and heads else "",
        _fragment(source) if source and heads else "",
        none_text,
        tuple(_recommendation(s, heads, rows) for s in sections),
    )


def _attribution(soup: BeautifulSoup) -> tuple[str, str]:
    """The data sources page's attribution paragraph (without its label) and the licence
    sentence for the footer."""
    for p in soup.find_all("p"):
        strong = p.find("strong")
        if strong and _text(strong).rstrip(".") == "Attribution":
            strong.decompose()
            text = _text(p)
            licence = OGL if " ".join(OGL.split()) in text else text.split(". ")[0]
            return _fragment(p), licence
    raise _missing("attribution paragraph", SOURCES)


def read_glance(
    book: Path,
    *,
    area_name: str,
    area_code: str,
    year: int,
    built: datetime.date | None = None,
) -> Glance:
    """What the summary shows, read from the built HTML book in ``book``; InputError naming
    the missing page (or section) if it is not a complete built book."""
    missing = [name for name in PAGES if not (book / name).is_file()]
    if missing:
        inside = sorted(p.parent.parent.name for p in book.glob(f"*/{SUMMARY}"))
        hint = f" (it holds the books of {', '.join(inside)}: give one of those)" if inside else ""
        raise InputError(
            f"{book} is not a built needsbook book: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing{hint}"
        )
    check_stamp(book, area_code, year)
    summary = _page(book, SUMMARY)
    book_title, subtitle = _titles(summary, area_name, year)
    chart, heading, chart_source = _spine(_page(book, OUTCOMES))
    intro, plan_source, none_text, recs = _recommendations(_page(book, RECOMMENDATIONS))
    attribution, licence = _attribution(_page(book, SOURCES))
    return Glance(
        area_name=area_name,
        area_code=area_code,
        year=year,
        built=built or datetime.date.today(),
        book_title=book_title,
        subtitle=subtitle,
        findings=_findings(summary),
        chart=chart,
        chart_svg=chart.svg(),
        chart_heading=heading,
        chart_source=chart_source,
        plan_intro=intro,
        plan_source=plan_source,
        no_recommendations=none_text,
        recommendations=recs,
        attribution=attribution,
        footer_licence=licence,
    )


# -- the print page ------------------------------------------------------------------------------

CSS = """
@page {
  size: A4;
  margin: 14mm 15mm 19mm 15mm;
  @bottom-left {
    content: FOOTER;
    font: 7.5pt "Liberation Sans", Arial, Helvetica, sans-serif;
    color: #0b0c0c;
    vertical-align: top;
    padding-top: 3mm;
  }
  @bottom-right {
    content: "Page " counter(page) " of " counter(pages);
    font: bold 7.5pt "Liberation Sans", Arial, Helvetica, sans-serif;
    color: #0b0c0c;
    vertical-align: top;
    padding-top: 3mm;
    width: 22mm;
  }
}
html { font-size: FONTpt; }
body {
  margin: 0;
  font-family: "Liberation Sans", Arial, Helvetica, sans-serif;
  line-height: 1.3;
  color: #0b0c0c;
  font-variant-ligatures: none;
  -webkit-print-color-adjust: exact;
  print-color-adjust: exact;
}
header { border-bottom: 3px solid #0b0c0c; padding-bottom: 0.5em; margin-bottom: 0.8em; }
h1 { font-size: 2.2rem; margin: 0; line-height: 1.1; }
.subtitle { font-size: 1.35rem; font-weight: bold; margin: 0.3em 0 0.4em; }
.meta { margin: 0; }
h2 { font-size: 1.4rem; margin: 1em 0 0.4em; break-after: avoid; }
h3 { font-size: 1.1rem; margin: 0 0 0.25em; break-after: avoid; }
p { margin: 0 0 0.4em; orphans: 3; widows: 3; }
.keep { break-inside: avoid; }
small, .small { font-size: 0.85rem; }
ol.findings { margin: 0; padding-left: 1.6em; }
ol.findings li { margin-bottom: 0.45em; break-inside: avoid; }
ol.findings span { font-size: 0.85rem; }
figure { margin: 0; break-inside: avoid; }
figure h2 { margin-top: 0.6em; }
figure img { display: block; width: auto; height: auto; max-width: 100%; max-height: CHARTmm;
  margin: 0.2em 0 0.3em; }
figcaption { font-size: 0.85rem; }
.rec { margin: 0 0 0.9em; padding-top: 0.5em; border-top: 1px solid #b1b4b6; }
.rec p { margin-bottom: 0.25em; }
.priority { display: inline-block; margin-bottom: 0.2em; font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin-top: 0.3em; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.15em; }
th, td { border: 1px solid #b1b4b6; padding: 0.15em 0.35em; text-align: left;
  vertical-align: top; }
th { background: #f3f2f1; }
tr { break-inside: avoid; }
thead { break-after: avoid; }
tbody tr:first-child { break-before: avoid; }
.more { font-style: italic; }
.attribution { margin-top: 1em; padding-top: 0.4em; border-top: 1px solid #b1b4b6;
  font-size: 0.8rem; }
"""


def _width(column: str) -> str:
    return f' style="width: {WIDTHS[column]}%"' if column in WIDTHS else ""


def _plan_table(rec: Recommendation, setting: Setting) -> str:
    rows = rec.plan.rows
    if not rows:
        return ""
    limit = len(rows) if setting.max_rows is None else setting.max_rows
    shown, left = rows[:limit], len(rows) - min(limit, len(rows))
    parts = []
    if shown:
        head = "".join(
            f'<th scope="col"{_width(c)}>{html.escape(c)}</th>' for c in rec.plan.columns
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
            for row in shown
        )
        parts.append(
            f"<table><caption>Action plan</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
    if left:
        what = "row" if left == 1 else "rows"
        more = "more " if shown else ""
        parts.append(
            f'<p class="more small">{left} {more}action-plan {what} for this recommendation '
            "in the full book: see the action plan in the Recommendations chapter.</p>"
        )
    return "".join(parts)


def _recommendation_html(rec: Recommendation, setting: Setting) -> str:
    style = f' style="{html.escape(rec.priority_style)}"' if rec.priority_style else ""
    priority = (
        f'<p><span class="priority"{style}>{html.escape(rec.priority)}</span></p>'
        if rec.priority
        else ""
    )
    action = f"<p>{rec.action}</p>" if rec.action else ""
    partners = f'<p class="small">{rec.partners}</p>' if rec.partners else ""
    # a short table stays with its recommendation; a long one may run on to the next page
    keep = " keep" if len(rec.plan.rows) <= KEEP_ROWS else ""
    return (
        f'<section class="rec{keep}"><div class="keep"><h3>{html.escape(rec.title)}</h3>'
        f"{priority}{action}{partners}</div>{_plan_table(rec, setting)}</section>"
    )


def glance_html(glance: Glance, setting: Setting = Setting()) -> str:
    """The self-contained print page (styles and the chart's SVG inline)."""
    g = glance
    footer = f"{g.area_name} · {g.year} · {g.footer_licence}"
    css = (
        CSS.replace("FONT", f"{setting.font_pt:g}")
        .replace("CHART", f"{setting.chart_scale * CHART_MM:g}")
        .replace("FOOTER", css_string(footer))  # last: the area's name is not a placeholder
    )
    title = f"{g.book_title} — at a glance"
    svg = base64.b64encode(g.chart_svg.encode("utf-8")).decode("ascii")
    findings = "".join(f"<li>{f}</li>" for f in g.findings)
    recs = "".join(_recommendation_html(r, setting) for r in g.recommendations)
    if not g.recommendations:
        recs = f"<p>{g.no_recommendations}</p>" if g.no_recommendations else ""
    plan_intro = f'<p class="small">{g.plan_intro}</p>' if g.recommendations else ""
    plan_source = f'<p class="small">{g.plan_source}</p>' if g.plan_source else ""
    source = f"<figcaption>{g.chart_source}</figcaption>" if g.chart_source else ""
    e = html.escape
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{e(title)}</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>{e(g.area_name)}</h1>
<p class="subtitle">{e(g.subtitle)}: at a glance</p>
<p class="meta">Data year {g.year}: the latest data published up to {g.year}. \
Made from the full needs assessment on {e(built_text(g.built))}.</p>
</header>
<main>
<section>
<h2>Headline findings</h2>
<ol class="findings">{findings}</ol>
</section>
<figure>
<h2>{g.chart_heading or e(g.chart.title)}</h2>
<img src="data:image/svg+xml;base64,{svg}" alt="{e(g.chart.description)}">
{source}
</figure>
<section>
<div class="keep">
<h2>Recommendations and action plan</h2>
{plan_intro}
</div>
{recs}
{plan_source}
</section>
<p class="attribution">{g.attribution}</p>
</main>
</body>
</html>
"""


# -- printing ------------------------------------------------------------------------------------


def page_count(pdf: Path) -> int:
    """The number of pages of ``pdf``."""
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def write_glance(
    book: Path,
    out: Path,
    *,
    area_name: str,
    area_code: str,
    year: int,
    built: datetime.date | None = None,
) -> Path:
    """Write the at-a-glance PDF of the built book in ``book`` to ``out`` (through a temporary
    file, so ``out`` is never half written) and return ``out``. Printed with each of
    :data:`SETTINGS` in turn until it fits on :data:`MAX_PAGES` pages."""
    glance = read_glance(book, area_name=area_name, area_code=area_code, year=year, built=built)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".pdf", dir=out.parent)
    os.close(fd)
    partial = Path(name)
    try:
        with tempfile.TemporaryDirectory(prefix="needsbook-glance-") as work:
            page = Path(work) / "glance.html"
            pages = 0
            for setting in SETTINGS:
                page.write_text(glance_html(glance, setting), encoding="utf-8")
                print_pdf(page, partial)
                pages = page_count(partial)
                LOG.info("at a glance, %s: %d pages with %s", area_code, pages, setting)
                if pages <= MAX_PAGES:
                    break
            else:
                raise BuildError(
                    f"the at-a-glance summary of {area_name} needs {pages} pages even at its "
                    f"most compact, more than {MAX_PAGES}"
                )
        publish_file(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


__all__ = [
    "MAX_PAGES",
    "SETTINGS",
    "Glance",
    "Recommendation",
    "Setting",
    "glance_html",
    "page_count",
    "read_glance",
    "write_glance",
]
