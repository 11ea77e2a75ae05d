"""A built HTML book read as a reader's edition: its pages in book order, each as plain blocks.

The print (PDF) and Word editions are both drawn from this, so they say exactly what the online
book says. Only the article of each page is read; navigation, heading links, buttons, scripts,
interactive controls, download links and the data table under each chart (the chart's data,
which stay in the online book and its download zip) are left out. Every other table is kept.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Union

from bs4 import BeautifulSoup, NavigableString, Tag

from needsbook.build.chapters import CHAPTERS
from needsbook.build.fingerprint import read_stamp
from needsbook.errors import InputError
from needsbook.report.charts import Chart, spec_in_script

TITLE = "Children and young people's needs assessment"
ROOT_PAGE = "book/intro.html"
ROOT_TITLE = "Introduction"
FINDINGS = "Findings"
ABOUT = "About this assessment"
# The book's order when a page carries no sidebar to read it from (as in _toc.yml).
DEFAULT_ORDER: tuple[tuple[str, str, int], ...] = (
    *((c.html, FINDINGS, 1) for c in CHAPTERS),
    ("book/methods/index.html", ABOUT, 1),
    ("book/methods/statistics.html", ABOUT, 2),
    ("book/methods/need-model.html", ABOUT, 2),
    ("book/methods/outcomes.html", ABOUT, 2),
    ("book/methods/services.html", ABOUT, 2),
    ("book/methods/adjusted-demand.html", ABOUT, 2),
    ("book/data-sources.html", ABOUT, 1),
    ("book/glossary.html", ABOUT, 1),
)

_SKIP = {
    "script",
    "style",
    "nav",
    "button",
    "input",
    "label",
    "form",
    "select",
    "textarea",
    "noscript",
    "template",
    "svg",
    "canvas",
    "iframe",
    "img",
    "summary",
    "colgroup",
}
_HIDDEN_CLASSES = {
    "headerlink",
    "toctree-wrapper",
    "needsbook-download",
    "needsbook-downloads",
    "d-print-none",
    "no-print",
    "visually-hidden",
    "sr-only",
    "toggle-details",
}
_INLINE = {
    "a",
    "abbr",
    "b",
    "strong",
    "i",
    "em",
    "code",
    "kbd",
    "samp",
    "small",
    "span",
    "sub",
    "sup",
    "br",
    "cite",
    "q",
    "mark",
    "u",
    "s",
    "time",
    "var",
    "dfn",
}
_SOURCE = re.compile(r"^\s*Sources?:\s*")
_SPACE = re.compile(r"[ \t\r\n\f\v]+")


# --- the blocks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A run of text with its emphasis; ``href`` only for links to the web (http or https)."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    small: bool = False
    href: str | None = None


Spans = tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    level: int  # 2-6 inside a chapter (the chapter's own title is level 1)
    text: str


@dataclass(frozen=True)
class Paragraph:
    spans: Spans


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class Definitions:
    """A definition list (the glossary): terms and what they mean."""

    items: tuple[tuple[tuple[str, ...], tuple[Block, ...]], ...]


@dataclass(frozen=True)
class Cell:
    spans: Spans
    header: bool = False  # a row heading (``<th scope="row">``)

    @property
    def text(self) -> str:
        return spans_text(self.spans)


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[tuple[Cell, ...], ...]
    rows: tuple[tuple[Cell, ...], ...]
    source: str = ""
    widths: tuple[str, ...] = ()  # the book's column widths (e.g. "15%"), when it sets them

    @property
    def columns(self) -> int:
        return max((len(r) for r in (*self.header, *self.rows)), default=0)

    def transposed(self) -> Table:
        """Columns as rows (for a table of many columns and few rows): the first column's
        values head the new columns, each other heading heads a row."""
        if len(self.header) != 1:
            return self
        head = self.header[0]

        def at(row: tuple[Cell, ...], i: int) -> Cell:
            return row[i] if i < len(row) else Cell(())

        header = (head[0], *(Cell(at(r, 0).spans) for r in self.rows))
        rows = tuple(
            (Cell(head[i].spans, header=True), *(Cell(at(r, i).spans) for r in self.rows))
            for i in range(1, len(head))
        )
        return replace(self, header=(header,), rows=rows, widths=())


@dataclass(frozen=True)
class Figure:
    chart: Chart
    caption: str
    source: str  # "Source: ..."
    data: Table | None = None  # the chart's data table (the Word copy keeps it; the PDF not)


@dataclass(frozen=True)
class Note:
    """An admonition box (title and content)."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Code:
    text: str


Block = Union[Heading, Paragraph, ListBlock, Definitions, Table, Figure, Note, Code]  # noqa: UP007


@dataclass(frozen=True)
class Chapter:
    page: str  # path of the page in the book, e.g. "notebooks/02_need.html"
    title: str
    part: str  # "Findings", "About this assessment", or "" for the introduction
    level: int  # 1 for a chapter, 2 for a page inside one (the methods pages)
    blocks: tuple[Block, ...]

    @property
    def anchor(self) -> str:
        return "page-" + re.sub(r"[^a-z0-9]+", "-", self.page.removesuffix(".html").lower())

    def walk(self) -> Iterator[Block]:
        """Every block, those inside lists and notes included, in reading order."""
        yield from _walk(self.blocks)


@dataclass(frozen=True)
class Edition:
    area_name: str
    area_code: str
    year: int
    built: datetime.date
    attribution: str  # the book's statement of the data's publishers and licence
    chapters: tuple[Chapter, ...]
    title: str = TITLE
    notes: tuple[str, ...] = field(default=())

    @property
    def figures(self) -> list[Figure]:
        return [b for c in self.chapters for b in c.walk() if isinstance(b, Figure)]

    @property
    def tables(self) -> list[Table]:
        return [b for c in self.chapters for b in c.walk() if isinstance(b, Table)]


def _walk(blocks: tuple[Block, ...]) -> Iterator[Block]:
    for block in blocks:
        yield block
        if isinstance(block, ListBlock):
            for item in block.items:
                yield from _walk(item)
        elif isinstance(block, Note):
            yield from _walk(block.blocks)
        elif isinstance(block, Definitions):
            for _, body in block.items:
                yield from _walk(body)


def spans_text(spans: Spans) -> str:
    return "".join(s.text for s in spans)


def blocks_text(blocks: tuple[Block, ...]) -> str:
    """The plain text of some blocks (for tests and alt text)."""
    out: list[str] = []
    for b in _walk(blocks):
        if isinstance(b, Paragraph):
            out.append(spans_text(b.spans))
        elif isinstance(b, Heading | Code):
            out.append(b.text)
    return "\n".join(out)


# --- reading the book ----------------------------------------------------------------------


def read_edition(
    book: Path,
    *,
    area_name: str,
    area_code: str,
    year: int,
    built: datetime.date | None = None,
) -> Edition:
    """Read the built book in ``book`` (its HTML folder) into an :class:`Edition`."""
    book = Path(book)
    if not (book / ROOT_PAGE).is_file():
        missing = [
            p for p in (ROOT_PAGE, *(o[0] for o in DEFAULT_ORDER)) if not (book / p).is_file()
        ]
        raise InputError(f"{book} is not a built needsbook book: no {', '.join(missing)}")
    check_stamp(book, area_code, year)
    order = _book_order(book)
    missing = [page for page, _, _ in order if not (book / page).is_file()]
    if missing:
        raise InputError(f"the book in {book} is incomplete: no {', '.join(missing)}")
    attribution = _attribution(book)
    chapters = [_read_page(book, ROOT_PAGE, "", 1, attribution, title=ROOT_TITLE)]
    chapters += [_read_page(book, p, part, lvl, attribution) for p, part, lvl in order]
    notes = (
        f"This edition holds the same text, charts and tables as the online needs assessment "
        f"for {area_name}, data year {year}.",
        "The data behind each chart, as a table and as a CSV file, are not repeated here: "
        "they are under each chart in the online book, and all of them are in its zip file of "
        "the data.",
    )
    return Edition(
        area_name=area_name,
        area_code=area_code,
        year=year,
        built=built or datetime.date.today(),
        attribution=attribution,
        chapters=tuple(chapters),
        notes=notes,
    )


def check_stamp(book: Path, area_code: str, year: int) -> None:
    """A book's own record, when it has one, must be for the area and year asked for
    (InputError naming the book and what it is for)."""
    stamp = read_stamp(book) or {}
    code, built_year = stamp.get("area_code"), stamp.get("year")
    if code and code != area_code:
        raise InputError(f"{book} is the book for {code}, not {area_code}")
    if built_year and str(built_year) != str(year):
        raise InputError(f"{book} is the book for data year {built_year}, not {year}")


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _book_order(book: Path) -> list[tuple[str, str, int]]:
    """(page, part, level) of every page after the introduction, from the book's sidebar."""
    nav = _soup(book / ROOT_PAGE).select_one("nav.bd-docs-nav")
    if nav is None:
        return list(DEFAULT_ORDER)
    root = (book / ROOT_PAGE).parent
    order: list[tuple[str, str, int]] = []
    part = ""
    for el in nav.find_all(["p", "a"]):
        if el.name == "p" and "caption" in el.get("class", []):
            part = _text(el)
        elif el.name == "a" and "reference" in el.get("class", []):
            href = str(el.get("href", "")).split("#")[0]
            if not href or "://" in href:
                continue
            target = (root / href).resolve()
            if not target.is_relative_to(book.resolve()):
                continue
            page = target.relative_to(book.resolve()).as_posix()
            li = el.find_parent("li")
            level = 2 if li is not None and "toctree-l2" in li.get("class", []) else 1
            if page != ROOT_PAGE and page not in (o[0] for o in order):
                order.append((page, part, level))
    return order or list(DEFAULT_ORDER)


def _attribution(book: Path) -> str:
    """The book's attribution statement (data sources page), without its lead-in word."""
    page = book / "book" / "data-sources.html"
    if page.is_file():
        for p in _soup(page).select("article p"):
            strong = p.find("strong")
            if strong is not None and _text(strong).rstrip(".").lower() == "attribution":
                return _text(p).removeprefix(_text(strong)).strip()
    return "Contains public sector information licensed under the Open Government Licence v3.0."


def _read_page(
    book: Path, page: str, part: str, level: int, attribution: str, *, title: str = ""
) -> Chapter:
    article = _soup(book / page).find("article")
    if not isinstance(article, Tag):
        raise InputError(f"{book / page} has no article: is it a page of a built book?")
    h1 = article.find("h1")
    heading = _text(h1, drop_headerlink=True) if isinstance(h1, Tag) else page
    if isinstance(h1, Tag):
        h1.decompose()
    reader = _Reader(attribution)
    blocks = reader.blocks(article)
    return Chapter(page=page, title=title or heading, part=part, level=level, blocks=blocks)


def _classes(el: Tag) -> set[str]:
    return set(el.get("class", []) or [])


def _hidden(el: Tag) -> bool:
    return (
        el.name in _SKIP
        or el.has_attr("hidden")
        or el.get("aria-hidden") == "true"
        or bool(_classes(el) & _HIDDEN_CLASSES)
    )


def _text(el: Tag | None, *, drop_headerlink: bool = True) -> str:
    if el is None:
        return ""
    parts: list[str] = []
    for node in el.descendants:
        if isinstance(node, NavigableString) and not _inside_hidden(node, el, drop_headerlink):
            parts.append(str(node))
    return _SPACE.sub(" ", "".join(parts)).strip()


def _inside_hidden(node: NavigableString, top: Tag, drop_headerlink: bool) -> bool:
    for parent in node.parents:
        if parent is top:
            return False
        if parent.name in ("script", "style"):
            return True
        if drop_headerlink and "headerlink" in _classes(parent):
            return True
    return False


def _download_only(el: Tag) -> bool:
    """A paragraph or list item that holds nothing but download links."""
    links = el.find_all("a")
    if not links or not all(a.has_attr("download") for a in links):
        return False
    rest = "".join(_text(a) for a in links)
    return _SPACE.sub("", _text(el)) == _SPACE.sub("", rest)


class _Reader:
    """Turns one article into blocks; remembers the last chart until its data table passes."""

    def __init__(self, attribution: str) -> None:
        self.attribution = attribution
        # The last chart whose data table has not passed yet: the block list holding it, and
        # its place there (a heading or its data table closes it).
        self.open_figure: list[Block] | None = None
        self.open_index = -1

    def blocks(self, el: Tag) -> tuple[Block, ...]:
        out: list[Block] = []
        self._into(el, out)
        return tuple(out)

    def _into(self, el: Tag, out: list[Block]) -> None:
        run: list[Tag | NavigableString] = []

        def flush() -> None:
            spans = _spans(run)
            run.clear()
            if spans_text(spans).strip():
                out.append(Paragraph(spans))

        for child in el.children:
            if isinstance(child, NavigableString):
                if child.__class__ is NavigableString:  # not a comment or doctype
                    run.append(child)
                continue
            if not isinstance(child, Tag):
                continue
            if child.name == "script":
                flush()
                self._chart(child, out)
                continue
            if _hidden(child):
                continue
            if child.name in _INLINE:
                run.append(child)
                continue
            flush()
            self._block(child, out)
        flush()

    def _block(self, el: Tag, out: list[Block]) -> None:
        name = el.name
        if re.fullmatch(r"h[1-6]", name):
            self.open_figure = None
            out.append(Heading(int(name[1]), _text(el)))
        elif name == "p":
            if _download_only(el) or "admonition-title" in _classes(el):
                return
            spans = _spans(list(el.children))
            if spans_text(spans).strip():
                out.append(Paragraph(spans))
        elif name in ("ul", "ol"):
            items = []
            for li in el.find_all("li", recursive=False):
                if _hidden(li) or _download_only(li):
                    continue
                body = self.blocks(li)
                if body:
                    items.append(body)
            if items:
                out.append(ListBlock(name == "ol", tuple(items)))
        elif name == "dl":
            out.append(self._definitions(el))
        elif name == "table":
            table = _table(el)
            if table.rows:  # an empty table says nothing
                out.append(table)
        elif name == "details":
            self._details(el, out)
        elif name == "pre":
            out.append(Code(el.get_text().rstrip("\n")))
        elif "admonition" in _classes(el):
            title = el.find("p", class_="admonition-title")
            out.append(Note(_text(title) if isinstance(title, Tag) else "", self.blocks(el)))
        else:  # section, div, article, blockquote, figure ...: read what is inside
            self._into(el, out)

    def _chart(self, script: Tag, out: list[Block]) -> None:
        spec = spec_in_script(script.get_text())
        if spec is None:
            return
        chart = Chart(spec)
        out.append(Figure(chart, chart.title, f"Source: {self.attribution}"))
        self.open_figure, self.open_index = out, len(out) - 1

    def _details(self, el: Tag, out: list[Block]) -> None:
        table = el.find("table")
        if "needsbook-table" not in _classes(el) or not isinstance(table, Tag):
            self._into(el, out)
            return
        source = _source_line(el)
        caption = _caption(table) or _text(el.find("summary")).removeprefix("Data table: ")
        if self.open_figure is not None:  # the chart's own data: give its source, drop it
            figure = self.open_figure[self.open_index]
            assert isinstance(figure, Figure)
            data = _table(table)
            self.open_figure[self.open_index] = Figure(
                figure.chart,
                figure.caption or re.sub(r"\s*\(\d+ rows?\)$", "", caption),
                source or figure.source,
                replace(data, caption=data.caption or caption) if data.rows else None,
            )
            self.open_figure = None
            return
        kept = _table(table)
        if not kept.rows:
            return
        out.append(Table(kept.caption or caption, kept.header, kept.rows, source, kept.widths))

    def _definitions(self, el: Tag) -> Definitions:
        items: list[tuple[tuple[str, ...], tuple[Block, ...]]] = []
        terms: list[str] = []
        for child in el.find_all(["dt", "dd"], recursive=False):
            if child.name == "dt":
                terms.append(_text(child))
            else:
                items.append((tuple(terms), self.blocks(child)))
                terms = []
        if terms:
            items.append((tuple(terms), ()))
        return Definitions(tuple(items))


def _source_line(el: Tag) -> str:
    """The "Source: ..." line of a data table, else the distinct values of its Source column."""
    for small in el.find_all(["small", "p"]):
        text = _text(small)
        if _SOURCE.match(text):
            return "Source: " + _SOURCE.sub("", text)
    table = el.find("table")
    if not isinstance(table, Tag):
        return ""
    data = _table(table)
    names = [c.text.lower() for c in data.header[-1]] if data.header else []
    if "source" not in names:
        return ""
    col = names.index("source")
    sources = [r[col].text for r in data.rows if len(r) > col and r[col].text]
    return "Source: " + "; ".join(dict.fromkeys(sources)) if sources else ""


def _caption(table: Tag) -> str:
    cap = table.find("caption")
    return _text(cap).removeprefix("Data: ") if isinstance(cap, Tag) else ""


def _table(el: Tag) -> Table:
    header: list[tuple[Cell, ...]] = []
    rows: list[tuple[Cell, ...]] = []
    for tr in el.find_all("tr"):
        if tr.find_parent("table") is not el:
            continue
        cells = tuple(
            Cell(_spans(list(c.children), cell=True), header=c.name == "th")
            for c in tr.find_all(["th", "td"], recursive=False)
        )
        in_head = tr.find_parent("thead") is not None
        if in_head or (not rows and not header and cells and all(c.header for c in cells)):
            header.append(tuple(Cell(c.spans) for c in cells))
        else:
            rows.append(cells)
    widths = tuple(
        m.group(1)
        for col in el.find_all("col")
        if (m := re.search(r"width:\s*([\d.]+%)", str(col.get("style", ""))))
    )
    return Table(_caption(el), tuple(header), tuple(rows), "", widths)


def _spans(nodes: list[Tag | NavigableString], *, cell: bool = False) -> Spans:
    """Inline content as spans: emphasis kept, links as their text, spaces collapsed."""
    out: list[Span] = []

    def add(text: str, style: dict[str, object]) -> None:
        if not text:
            return
        span = Span(text, **style)  # type: ignore[arg-type]
        if out and _same_style(out[-1], span):
            out[-1] = replace(span, text=out[-1].text + text)
        else:
            out.append(span)

    def visit(node: Tag | NavigableString, style: dict[str, object], pre: bool) -> None:
        if isinstance(node, NavigableString):
            if node.__class__ is NavigableString:
                add(str(node) if pre else _SPACE.sub(" ", str(node)), style)
            return
        if not isinstance(node, Tag) or _hidden(node):
            return
        name = node.name
        new = dict(style)
        if name == "br":
            add("\n", style)
            return
        if name in ("strong", "b"):
            new["bold"] = True
        elif name in ("em", "i", "cite", "dfn"):
            new["italic"] = True
        elif name in ("code", "kbd", "samp", "var"):
            new["code"] = True
        elif name == "small":
            new["small"] = True
        elif name == "a":
            href = str(node.get("href", ""))
            new["href"] = href if href.startswith(("http://", "https://")) else None
        elif name in ("p", "div", "li", "ul", "ol") and out and not out[-1].text.endswith("\n"):
            add("\n" if cell else " ", style)
        visit_children(node, new, pre or name == "pre")

    def visit_children(node: Tag, style: dict[str, object], pre: bool) -> None:
        for child in node.children:
            visit(child, style, pre)  # type: ignore[arg-type]

    for node in nodes:
        visit(node, {}, False)
    return _trim(out)


def _same_style(a: Span, b: Span) -> bool:
    return replace(a, text="") == replace(b, text="")


def _trim(spans: list[Span]) -> Spans:
    """Collapse doubled spaces across spans and strip the ends."""
    out: list[Span] = []
    for span in spans:
        text = span.text
        if out and out[-1].text.endswith((" ", "\n")) and text.startswith(" "):
            text = text.lstrip(" ")
        text = re.sub(r" *\n *", "\n", text)
        if text:
            out.append(replace(span, text=text))
    while out and not out[0].text.strip():
        out.pop(0)
    while out and not out[-1].text.strip():
        out.pop()
    if out:
        out[0] = replace(out[0], text=out[0].text.lstrip())
        out[-1] = replace(out[-1], text=out[-1].text.rstrip())
    return tuple(s for s in out if s.text)
