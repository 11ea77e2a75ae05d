"""The whole book as an editable Word document, drawn from the built book.

Real Word headings (Heading 1 for each chapter), lists, tables (heading row repeated on every
page), charts as PNG pictures with their text summary as alt text, each with its caption and
source line beneath it, and a contents field Word fills in with page numbers.
"""

from __future__ import annotations

import datetime
import os
import struct
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from needsbook.errors import NeedsbookError
from needsbook.files import publish_file
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
from needsbook.report.pdf import (
    WIDE_TABLE,
    WIDEST_TABLE,
    built_text,
    for_page,
    numeric_columns,
)

FONT = "Arial"
#: Unlike the PDF, this copy keeps the data table after each chart.
WORD_DATA_NOTE = (
    "The data behind each chart follow it as a table; all of them are also in the online "
    "book's zip file of CSV data."
)
MONO = "Consolas"
TEXT_WIDTH = Mm(170)  # A4 less 20 mm margins
MAX_PICTURE_HEIGHT = Mm(215)
PNG_SCALE = 2.0


def write_docx(
    book: Path,
    out: Path,
    *,
    area_name: str,
    area_code: str,
    year: int,
    built: datetime.date | None = None,
) -> Path:
    """Write the Word edition of the built book in ``book`` to ``out`` (atomically)."""
    edition = read_edition(book, area_name=area_name, area_code=area_code, year=year, built=built)
    document = build_document(edition)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, partial_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    partial = Path(partial_name)
    try:
        document.save(str(partial))
        publish_file(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def build_document(edition: Edition) -> Any:
    """The edition as a python-docx Document."""
    document = Document()
    writer = _Writer(document, edition)
    writer.setup()
    writer.title_page()
    writer.contents()
    for chapter in edition.chapters:
        writer.chapter(chapter)
    return document


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, ...) in ``paragraph``."""
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        ("text", placeholder),
        ("end", None),
    ):
        run = paragraph.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._r.append(el)
        elif kind == "text":
            run.text = text or ""
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)


# What follows w:updateFields in w:settings (ECMA-376 schema order).
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)


def _update_fields_on_open(settings: Any) -> None:
    """Ask Word to update the fields (the contents' page numbers) when it opens the file."""
    el = OxmlElement("w:updateFields")
    el.set(qn("w:val"), "true")
    successors = {qn(tag) for tag in _AFTER_UPDATE_FIELDS}
    for child in settings:
        if child.tag in successors:
            child.addprevious(el)
            return
    settings.append(el)


def _on(parent: Any, tag: str, **attrs: str) -> Any:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    parent.append(el)
    return el


class _Writer:
    def __init__(self, document: Any, edition: Edition) -> None:
        self.doc = document
        self.edition = edition
        self.figures = 0

    # --- document set-up ---

    def setup(self) -> None:
        doc, ed = self.doc, self.edition
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(20))
        section.different_first_page_header_footer = True
        normal = doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(10.5)
        rpr = normal.element.get_or_add_rPr()
        _on(rpr, "w:lang", val="en-GB")
        for name in (
            "Title",
            "Subtitle",
            "Caption",
            "TOC Heading",
            *(f"Heading {i}" for i in range(1, 10)),
        ):
            style = doc.styles[name]
            style.font.name = FONT
            style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)  # black: greyscale-safe
        doc.styles["Caption"].font.size = Pt(9)
        doc.styles["Caption"].font.italic = False
        doc.styles["Caption"].font.bold = True
        props = doc.core_properties
        props.title = f"{ed.title}: {ed.area_name}, data year {ed.year}"
        props.subject = f"{ed.area_name} ({ed.area_code}), data year {ed.year}"
        props.language = "en-GB"
        props.author = ""
        footer = section.footer.paragraphs[0]
        footer.text = f"{ed.area_name} · data year {ed.year} · Page "
        _field(footer, "PAGE", "1")
        footer.add_run(" of ")
        _field(footer, "NUMPAGES", "1")
        for run in footer.runs:
            run.font.size = Pt(8)
        _update_fields_on_open(doc.settings.element)  # Word fills in the contents

    def title_page(self) -> None:
        doc, ed = self.doc, self.edition
        doc.add_paragraph(ed.title, style="Title")
        doc.add_paragraph(ed.area_name, style="Subtitle")
        doc.add_paragraph(f"Data year {ed.year}")
        doc.add_paragraph(f"Built {built_text(ed.built)}")
        for note in (*ed.notes[:1], WORD_DATA_NOTE):
            doc.add_paragraph(note)
        attribution = doc.add_paragraph()
        attribution.paragraph_format.space_before = Pt(24)
        run = attribution.add_run(ed.attribution)
        run.font.size = Pt(8.5)

    def contents(self) -> None:
        doc = self.doc
        heading = doc.add_paragraph("Contents", style="TOC Heading")
        heading.paragraph_format.page_break_before = True
        # A contents field; until Word updates it, it lists the chapters without pages.
        titles = [("    " if c.level > 1 else "") + c.title for c in self.edition.chapters]
        first = doc.add_paragraph()
        for kind, text in (
            ("begin", None),
            ("instr", 'TOC \\o "1-2" \\h \\z \\u'),
            ("separate", None),
        ):
            run = first.add_run()
            if kind == "instr":
                el = _on(run._r, "w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            else:
                _on(run._r, "w:fldChar", fldCharType=kind)
        first.add_run(titles[0])
        last = first
        for title in titles[1:]:
            last = doc.add_paragraph(title)
        _on(last.add_run()._r, "w:fldChar", fldCharType="end")

    # --- chapters ---

    def chapter(self, chapter: Chapter) -> None:
        shift = chapter.level - 1
        if chapter.part:
            label = self.doc.add_paragraph()
            label.paragraph_format.page_break_before = True
            label.paragraph_format.keep_with_next = True
            run = label.add_run(chapter.part.upper())
            run.bold = True
            run.font.size = Pt(9)
            heading = self.doc.add_heading(chapter.title, level=chapter.level)
        else:
            heading = self.doc.add_heading(chapter.title, level=chapter.level)
            heading.paragraph_format.page_break_before = True
        heading.paragraph_format.keep_with_next = True
        self.blocks(chapter.blocks, shift)

    def blocks(self, blocks: Iterable[Block], shift: int, depth: int = 0) -> None:
        for block in blocks:
            self.block(block, shift, depth)

    def block(self, block: Block, shift: int, depth: int = 0) -> None:
        doc = self.doc
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=min(block.level + shift, 9))
        elif isinstance(block, Paragraph):
            level = min(depth, 3)
            style = f"List Continue{'' if level == 1 else f' {level}'}" if depth else None
            self.runs(doc.add_paragraph(style=style), block.spans)
        elif isinstance(block, ListBlock):
            self.list(block, shift, depth + 1)
        elif isinstance(block, Definitions):
            for terms, body in block.items:
                for term in terms:
                    p = doc.add_paragraph()
                    p.paragraph_format.keep_with_next = True
                    p.paragraph_format.space_after = Pt(0)
                    p.add_run(term).bold = True
                for sub in body:
                    if isinstance(sub, Paragraph):
                        p = doc.add_paragraph()
                        p.paragraph_format.left_indent = Mm(6)
                        self.runs(p, sub.spans)
                    else:
                        self.block(sub, shift, depth)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Figure):
            self.figure(block)
        elif isinstance(block, Note):
            if block.title:
                p = doc.add_paragraph()
                p.paragraph_format.keep_with_next = True
                p.add_run(block.title).bold = True
            self.blocks(block.blocks, shift, depth)
        elif isinstance(block, Code):
            p = doc.add_paragraph()
            p.paragraph_format.left_indent = Mm(4)
            lines = block.text.split("\n")
            for i, line in enumerate(lines):
                run = p.add_run(line)
                run.font.name = MONO
                run.font.size = Pt(8.5)
                if i < len(lines) - 1:
                    run.add_break(WD_BREAK.LINE)
        else:
            raise TypeError(f"unknown block {block!r}")

    def runs(
        self,
        paragraph: Any,
        spans: Iterable[Span],
        *,
        size: float | None = None,
        bold: bool = False,
    ) -> None:
        for span in spans:
            pieces = span.text.split("\n")
            for i, piece in enumerate(pieces):
                run = paragraph.add_run(piece)
                run.bold = span.bold or bold or None
                run.italic = span.italic or None
                if span.code:
                    run.font.name = MONO
                if span.small or size:
                    run.font.size = Pt(size or 8.5)
                if i < len(pieces) - 1:
                    run.add_break(WD_BREAK.LINE)

    def list(self, block: ListBlock, shift: int, depth: int) -> None:
        level = min(depth, 3)
        kind = "List Number" if block.ordered else "List Bullet"
        style = kind if level == 1 else f"{kind} {level}"
        num_id = self._restart(style) if block.ordered else None
        for item in block.items:
            first, *rest = item
            if isinstance(first, Paragraph):
                p = self.doc.add_paragraph(style=style)
                if num_id is not None:
                    numpr = p._p.get_or_add_pPr().get_or_add_numPr()
                    numpr.get_or_add_ilvl().val = 0
                    numpr.get_or_add_numId().val = num_id
                self.runs(p, first.spans)
            else:
                rest = [first, *rest]
            self.blocks(rest, shift, depth)

    def _restart(self, style: str) -> int | None:
        """A new numbering instance for an ordered list, so each starts at 1."""
        ppr = self.doc.styles[style].element.pPr
        if ppr is None or ppr.numPr is None or ppr.numPr.numId is None:
            return None
        numbering = self.doc.part.numbering_part.element
        base = ppr.numPr.numId.val
        abstract = next((n.abstractNumId.val for n in numbering.num_lst if n.numId == base), None)
        if abstract is None:
            return None
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return int(num.numId)

    def table(self, table: Table) -> None:
        doc = self.doc
        table = for_page(table)
        if table.caption:
            cap = doc.add_paragraph(table.caption, style="Caption")
            cap.paragraph_format.keep_with_next = True
        columns = max(table.columns, 1)
        grid = doc.add_table(rows=0, cols=columns)
        grid.style = doc.styles["Table Grid"]
        tblpr = grid._tbl.tblPr
        if table.caption:
            _on(tblpr, "w:tblCaption", val=table.caption[:250])
        size = 8.0 if columns < WIDE_TABLE else 7.0 if columns < WIDEST_TABLE else 6.0
        numeric = numeric_columns(table)
        for row in table.header:
            cells = grid.add_row()
            trpr = cells._tr.get_or_add_trPr()
            _on(trpr, "w:cantSplit", val="true")  # (schema order: cantSplit, then tblHeader)
            _on(trpr, "w:tblHeader", val="true")  # repeated at the top of every page
            for i, cell in enumerate(row[:columns]):
                target = cells.cells[i]
                self.runs(target.paragraphs[0], cell.spans, size=size, bold=True)
                shade = OxmlElement("w:shd")
                for key, value in (("val", "clear"), ("color", "auto"), ("fill", "DEE0E2")):
                    shade.set(qn(f"w:{key}"), value)
                target._tc.get_or_add_tcPr().append(shade)
        for row in table.rows:
            cells = grid.add_row()
            _on(cells._tr.get_or_add_trPr(), "w:cantSplit", val="true")
            for i, cell in enumerate(row[:columns]):
                p = cells.cells[i].paragraphs[0]
                self.runs(p, cell.spans, size=size, bold=cell.header)
                if i in numeric:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if table.source:
            p = doc.add_paragraph()
            p.paragraph_format.space_before = Pt(3)
            p.add_run(table.source).font.size = Pt(8)

    def figure(self, figure: Figure) -> None:
        doc = self.doc
        self.figures += 1
        try:
            png = figure.chart.png(PNG_SCALE)
        except Exception as exc:  # vl-convert reports a bad spec with its own exception types
            raise NeedsbookError(f"could not draw the chart {figure.caption!r}: {exc}") from None
        width_px, height_px = _png_size(png)
        width = int(Mm(25.4) * width_px / PNG_SCALE / 96)
        height = int(Mm(25.4) * height_px / PNG_SCALE / 96)
        scale = min(1.0, TEXT_WIDTH / width, MAX_PICTURE_HEIGHT / height)
        shape = doc.add_picture(BytesIO(png), width=int(width * scale))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", figure.chart.description)
        doc_pr.set("title", figure.chart.title or figure.caption)
        picture = doc.paragraphs[-1]
        picture.paragraph_format.keep_with_next = True
        caption = f"Figure {self.figures}" + (f": {figure.caption}" if figure.caption else "")
        cap = doc.add_paragraph(caption, style="Caption")
        cap.paragraph_format.keep_with_next = True
        cap.paragraph_format.space_after = Pt(0)
        source = doc.add_paragraph()
        source.add_run(figure.source).font.size = Pt(8)
        if figure.data is not None:  # the chart's data as a real table, for every reader
            self.table(
                replace(
                    figure.data,
                    caption=f"Data for figure {self.figures}: "
                    + figure.data.caption.removeprefix("Data: "),
                    source="",
                )
            )
