"""The whole book as one PDF: a print HTML file drawn from the built book, printed by Chromium.

Cover, contents with page numbers, then every chapter from a new page; charts are the book's own
Vega-Lite specs drawn as SVG, each with its caption and source line beneath it; tables repeat
their heading row on every page they run onto. The contents' page numbers come from a first
printing (the PDF's outline says where each chapter starts); the second printing fills them into
a fixed-width column, so nothing else moves.
"""

from __future__ import annotations

import base64
import datetime
import html
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path

from needsbook.errors import BuildError, NeedsbookError
from needsbook.files import publish_file
from needsbook.report.chromium import print_pdf
from needsbook.report.edition import (
    Block,
    Chapter,
    Code,
    Definitions,
    Edition,
    Figure,
    Heading,
    ListBlock,
    Note,
    Paragraph,
    Span,
    Table,
    read_edition,
)

WIDE_TABLE = 7  # columns from which a table is set in a smaller type
WIDEST_TABLE = 10  # columns from which words may break anywhere to fit the page
TRANSPOSE = (12, 5)  # a table of at least 12 columns and at most 5 rows is set on its side
_NUMBER = re.compile(r"^[-−–+]?[£$]?\d[\d,]*(\.\d+)?\s*%?$")
_NOT_A_VALUE = {"", "c", "x", "z", "..", ":", "-", "–", "n/a", "no data"}
_SPACE = re.compile(r"\s+")


def write_pdf(
    book: Path,
    out: Path,
    *,
    area_name: str,
    area_code: str,
    year: int,
    built: datetime.date | None = None,
) -> Path:
    """Write the PDF edition of the built book in ``book`` to ``out`` (atomically)."""
    edition = read_edition(book, area_name=area_name, area_code=area_code, year=year, built=built)
    images = chart_images(edition)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="needsbook-pdf-") as tmp:
        source = Path(tmp) / "edition.html"
        draft = Path(tmp) / "draft.pdf"
        source.write_text(render_html(edition, images), encoding="utf-8")
        pages = chapter_pages(print_pdf(source, draft), edition)
        fd, partial_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
        os.close(fd)
        partial = Path(partial_name)
        try:
            for _ in range(3):  # the numbers sit in a fixed-width column: one pass settles them
                source.write_text(render_html(edition, images, pages=pages), encoding="utf-8")
                settled = chapter_pages(print_pdf(source, partial), edition)
                if settled == pages:
                    break
                pages = settled
            else:
                raise BuildError(
                    f"the contents page numbers of {out.name} did not settle after 3 printings"
                )
            publish_file(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    return out


def chart_images(edition: Edition) -> list[str]:
    """Every figure's chart as an SVG data URI, in reading order (each drawn once)."""
    uris = []
    for figure in edition.figures:
        try:
            svg = figure.chart.svg()
        except Exception as exc:  # vl-convert reports a bad spec with its own exception types
            raise NeedsbookError(f"could not draw the chart {figure.caption!r}: {exc}") from None
        uris.append("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode())
    return uris


def chapter_pages(pdf: Path, edition: Edition) -> dict[str, int]:
    """The page (1 = the cover) on which each chapter starts, from the PDF's outline."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    entries: list[tuple[int, str, int]] = []  # (depth, title, page)

    def flatten(items: Iterable[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):  # the entries under the one before
                flatten(item, depth + 1)
            else:
                title = _SPACE.sub(" ", str(getattr(item, "title", ""))).strip()
                page = reader.get_destination_page_number(item) + 1  # type: ignore[arg-type]
                entries.append((depth, title, page))

    flatten(reader.outline, 0)
    pages: dict[str, int] = {}
    at = 0
    for chapter in edition.chapters:
        want = (chapter.level - 1, _SPACE.sub(" ", chapter.title).strip())
        for i in range(at, len(entries)):
            if entries[i][:2] == want:
                pages[chapter.anchor] = entries[i][2]
                at = i + 1
                break
        else:
            raise NeedsbookError(
                f"the printed edition has no heading {want[1]!r} in its outline: cannot number "
                "the contents"
            )
    return pages


# --- the print HTML ------------------------------------------------------------------------


def stylesheet() -> str:
    return (files("needsbook") / "resources" / "report" / "print.css").read_text(encoding="utf-8")


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot end the ``<style>`` element it sits in."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return '"' + escaped.replace("<", "\\3c ") + '"'


def footer_css(edition: Edition) -> str:
    """The page footer: area and data year on the left, "Page N of M" on the right."""
    left = css_string(f"{edition.area_name} · data year {edition.year}")
    box = "font-family: Arial, 'Liberation Sans', sans-serif; font-size: 8pt; color: #0b0c0c;"
    return (
        f"@page {{ @bottom-left {{ content: {left}; {box} }}\n"
        f'  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); {box} }} }}\n'
        "@page :first { @bottom-left { content: none } @bottom-right { content: none } }\n"
    )


def built_text(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def render_html(
    edition: Edition, images: Sequence[str], *, pages: dict[str, int] | None = None
) -> str:
    """The print edition as one self-contained HTML document (inline CSS, charts as data
    URIs); ``pages`` fills in the contents' page numbers."""
    writer = _Writer(images)
    title = f"{edition.title}: {edition.area_name}, data year {edition.year}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_esc(title)}</title>",
        f'<meta name="description" content="{_esc(title)}">',
        f"<style>\n{stylesheet()}\n{footer_css(edition)}</style>",
        "</head>",
        "<body>",
        _cover(edition),
        _contents(edition, pages or {}),
    ]
    for chapter in edition.chapters:
        parts.append(writer.chapter(chapter))
    parts += ["</body>", "</html>", ""]
    if writer.used != len(images):
        raise NeedsbookError(f"{len(images)} chart images for {writer.used} figures")
    return "\n".join(parts)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _cover(edition: Edition) -> str:
    return (
        '<section class="cover" aria-label="Cover">\n'
        f"<h1>{_esc(edition.title)}</h1>\n"
        f'<p class="area">{_esc(edition.area_name)}</p>\n'
        f'<p class="year">Data year {edition.year}</p>\n'
        f'<p class="built">Built {built_text(edition.built)}</p>\n'
        f'<p class="attribution">{_esc(edition.attribution)}</p>\n'
        "</section>"
    )


def _contents(edition: Edition, pages: dict[str, int]) -> str:
    out = [
        '<nav class="contents" aria-labelledby="contents-title">',
        '<h1 id="contents-title">Contents</h1>',
    ]
    part = None
    open_list = False
    for chapter in edition.chapters:
        if chapter.part != part:
            if open_list:
                out.append("</ol>")
            if chapter.part:
                out.append(f'<p class="part">{_esc(chapter.part)}</p>')
            out.append("<ol>")
            open_list, part = True, chapter.part
        page = pages.get(chapter.anchor)
        cls = ' class="sub"' if chapter.level > 1 else ""
        out.append(
            f'<li{cls}><a class="entry" href="#{chapter.anchor}">{_esc(chapter.title)}</a>'
            '<span class="leader" aria-hidden="true"></span>'
            f'<span class="pageno">{page if page is not None else ""}</span></li>'
        )
    if open_list:
        out.append("</ol>")
    out.append('<section class="edition-notes" aria-label="About this edition">')
    out += [f"<p>{_esc(note)}</p>" for note in edition.notes]
    out.append("</section>")
    out.append("</nav>")
    return "\n".join(out)


class _Writer:
    """Writes chapters as HTML, numbering the figures and taking their images in order."""

    def __init__(self, images: Sequence[str]) -> None:
        self.images = images
        self.used = 0

    def chapter(self, chapter: Chapter) -> str:
        shift = chapter.level - 1
        tag = f"h{chapter.level}"
        sub = " sub" if chapter.level > 1 else ""
        head = (
            f'<section class="chapter{sub}" id="{chapter.anchor}">\n'
            + (f'<p class="part-label">{_esc(chapter.part)}</p>\n' if chapter.part else "")
            + f"<{tag}>{_esc(chapter.title)}</{tag}>\n"
        )
        return head + self.blocks(chapter.blocks, shift) + "\n</section>"

    def blocks(self, blocks: Iterable[Block], shift: int) -> str:
        return "\n".join(self.block(b, shift) for b in blocks)

    def block(self, block: Block, shift: int) -> str:
        if isinstance(block, Heading):
            level = min(block.level + shift, 6)
            return f"<h{level}>{_esc(block.text)}</h{level}>"
        if isinstance(block, Paragraph):
            return f"<p>{spans_html(block.spans)}</p>"
        if isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            items = "".join(f"<li>{self.blocks(item, shift)}</li>" for item in block.items)
            return f"<{tag}>{items}</{tag}>"
        if isinstance(block, Definitions):
            out = []
            for terms, body in block.items:
                out += [f"<dt>{_esc(t)}</dt>" for t in terms]
                out.append(f"<dd>{self.blocks(body, shift)}</dd>")
            return "<dl>" + "".join(out) + "</dl>"
        if isinstance(block, Table):
            return table_html(block)
        if isinstance(block, Figure):
            return self.figure(block)
        if isinstance(block, Note):
            title = f'<p class="note-title">{_esc(block.title)}</p>' if block.title else ""
            return f'<div class="note" role="note">{title}{self.blocks(block.blocks, shift)}</div>'
        if isinstance(block, Code):
            return f"<pre><code>{_esc(block.text)}</code></pre>"
        raise TypeError(f"unknown block {block!r}")

    def figure(self, figure: Figure) -> str:
        self.used += 1
        number = self.used
        src = self.images[number - 1]
        caption = f"Figure {number}" + (f": {figure.caption}" if figure.caption else "")
        return (
            '<figure class="chart">'
            f'<img alt="{_esc(figure.chart.description)}" src="{src}">'
            f"<figcaption>{_esc(caption)}</figcaption>"
            f'<p class="source">{_esc(figure.source)}</p>'
            "</figure>"
        )


def spans_html(spans: Sequence[Span]) -> str:
    out = []
    for span in spans:
        text = _esc(span.text).replace("\n", "<br>")
        if span.code:
            text = f"<code>{text}</code>"
        if span.italic:
            text = f"<em>{text}</em>"
        if span.bold:
            text = f"<strong>{text}</strong>"
        if span.small:
            text = f"<small>{text}</small>"
        if span.href:
            text = f'<a href="{_esc(span.href)}">{text}</a>'
        out.append(text)
    return "".join(out)


def numeric_columns(table: Table) -> set[int]:
    """Columns whose every value is a number (set right-aligned)."""
    found = set()
    for col in range(table.columns):
        values = [r[col].text.strip() for r in table.rows if len(r) > col]
        real = [v for v in values if v.lower() not in _NOT_A_VALUE]
        if real and all(_NUMBER.match(v) for v in real):
            found.add(col)
    return found


def for_page(table: Table) -> Table:
    """The table as set on an A4 portrait page: very wide and short ones turned on their side."""
    columns, rows = TRANSPOSE
    if table.columns >= columns and len(table.rows) <= rows:
        return table.transposed()
    return table


def table_html(table: Table) -> str:
    table = for_page(table)
    classes = []
    if table.columns >= WIDEST_TABLE:
        classes.append("widest")
    elif table.columns >= WIDE_TABLE:
        classes.append("wide")
    if table.widths and len(table.widths) == table.columns:
        classes.append("fixed")
    cls = f' class="{" ".join(classes)}"' if classes else ""
    out = [f"<table{cls}>"]
    if table.caption:
        out.append(f"<caption>{_esc(table.caption)}</caption>")
    if "fixed" in classes:
        out.append("<colgroup>" + "".join(f'<col style="width: {w}">' for w in table.widths))
        out.append("</colgroup>")
    if table.header:
        out.append("<thead>")
        for row in table.header:
            cells = "".join(f'<th scope="col">{spans_html(c.spans)}</th>' for c in row)
            out.append(f"<tr>{cells}</tr>")
        out.append("</thead>")
    numeric = numeric_columns(table)
    out.append("<tbody>")
    for row in table.rows:
        cells = []
        for i in range(table.columns):
            cell = row[i] if i < len(row) else None
            body = spans_html(cell.spans) if cell else ""
            if cell is not None and cell.header:
                cells.append(f'<th scope="row">{body}</th>')
            else:
                num = ' class="num"' if i in numeric else ""
                cells.append(f"<td{num}>{body}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    source = f'<p class="source">{_esc(table.source)}</p>' if table.source else ""
    return f'<div class="table">{"".join(out)}{source}</div>'
