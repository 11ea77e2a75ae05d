"""The whole book as an editable Word file, for Rutland and Worcestershire: it opens, every
chapter is a real Word heading in book order, tables are real Word tables whose heading row
repeats, and every chart is an inline picture with its text summary as alt text, its caption
and its source."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from needsbook.report import docx as docx_module
from needsbook.report.docx import write_docx
from needsbook.report.edition import Edition, Figure, Heading, Table, read_edition
from needsbook.report.pdf import built_text, for_page
from needsbook.testing.reader_text import check_text
from tests.books import AREAS, Books, built_on, edition_file

CODES = ("E06000017", "E10000034")  # Rutland, Worcestershire
YEAR = 2025
SLOW = pytest.mark.slow


@pytest.fixture(scope="module")
def made(books: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each area's Word file, made once, opened again with python-docx."""
    out = {}
    for code in CODES:
        path = edition_file(books / code, "needs-assessment.docx")  # made by the test books' build
        folder = path.parent
        edition = read_edition(
            books / code,
            area_name=AREAS[code],
            area_code=code,
            year=YEAR,
            built=built_on(books / code),
        )
        out[code] = {"path": path, "folder": folder, "doc": Document(str(path)), "edition": edition}
    return out


def _body(doc: Any) -> list[Any]:
    """Paragraphs and tables in document order."""
    return list(doc.iter_inner_content())


def _by_chapter(doc: Any, edition: Edition) -> dict[str, list[Any]]:
    """The paragraphs and tables under each chapter's heading."""
    found: dict[str, list[Any]] = {}
    chapters = iter(edition.chapters)
    want = next(chapters)
    current: list[Any] | None = None
    for item in _body(doc):
        style = getattr(getattr(item, "style", None), "name", "")
        if (
            want is not None
            and hasattr(item, "text")
            and style == f"Heading {want.level}"
            and item.text == want.title
        ):
            current = found.setdefault(want.page, [])
            want = next(chapters, None)
            continue
        if current is not None:
            current.append(item)
    assert want is None, f"no heading for {want.title}"
    return found


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_title_page_and_properties(books: Books, made: dict[str, dict], code: str) -> None:
    doc = made[code]["doc"]
    first = [(p.style.name, p.text) for p in doc.paragraphs[:4]]
    assert first == [
        ("Title", "Children and young people's needs assessment"),
        ("Subtitle", AREAS[code]),
        ("Normal", f"Data year {YEAR}"),
        ("Normal", f"Built {built_text(built_on(books / code))}"),
    ]
    assert any("Open Government Licence v3.0" in p.text for p in doc.paragraphs[:10])
    assert doc.core_properties.title.endswith(f"{AREAS[code]}, data year {YEAR}")
    assert doc.core_properties.language == "en-GB"
    assert not [p.name for p in made[code]["folder"].iterdir() if p.name.startswith(".")]
    umask = os.umask(0)
    os.umask(umask)
    assert made[code]["path"].stat().st_mode & 0o777 == 0o666 & ~umask  # as any new file


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_every_chapter_is_a_word_heading_in_book_order(made: dict[str, dict], code: str) -> None:
    doc, edition = made[code]["doc"], made[code]["edition"]
    top = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert top == [c.title for c in edition.chapters if c.level == 1]
    second = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    subpages = [c.title for c in edition.chapters if c.level == 2]
    found = iter(second)
    assert all(title in found for title in subpages)  # in order (one title is also a section's)
    sections = [
        b.text
        for c in edition.chapters
        for b in c.walk()
        if isinstance(b, Heading) and b.level + c.level - 1 == 2
    ]
    assert len(second) == len(sections) + len(subpages)  # the sections inside chapters too
    assert _by_chapter(doc, edition)  # every chapter found, in order


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_tables_are_word_tables_with_a_repeating_heading_row(
    made: dict[str, dict], code: str
) -> None:
    doc, edition = made[code]["doc"], made[code]["edition"]
    sections = _by_chapter(doc, edition)
    for chapter in edition.chapters:
        expected = [
            t
            for b in chapter.walk()
            for t in ([b] if isinstance(b, Table) else [b.data] if isinstance(b, Figure) else [])
            if t is not None
        ]  # the chapter's tables and, after each chart, the chart's data
        tables = [item for item in sections[chapter.page] if hasattr(item, "rows")]
        assert len(tables) == len(expected), chapter.page
        if chapter.part == "Findings":
            assert tables, f"{chapter.page} has no table"
        for table, want in zip(tables, map(for_page, expected), strict=True):
            assert table.style.name == "Table Grid"  # every cell bordered
            head = table.rows[0]
            assert head._tr.trPr.find(qn("w:tblHeader")) is not None
            assert [c.text for c in head.cells] == [c.text for c in want.header[0]]
            assert len(table.rows) == len(want.header) + len(want.rows)
            assert [c.text for c in table.rows[-1].cells] == [c.text for c in want.rows[-1]]


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_charts_are_inline_pictures_with_alt_text_caption_and_source(
    made: dict[str, dict], code: str
) -> None:
    doc, edition = made[code]["doc"], made[code]["edition"]
    figures = edition.figures
    shapes = doc.inline_shapes
    assert len(shapes) == len(figures) > 20
    for shape, figure in zip(shapes, figures, strict=True):
        doc_pr = shape._inline.docPr
        assert doc_pr.get("descr") == figure.chart.description != ""
        assert doc_pr.get("title") == (figure.chart.title or figure.caption)
        assert shape.width <= docx_module.TEXT_WIDTH
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    for number, figure in enumerate(figures, start=1):
        assert f"Figure {number}: {figure.caption}" in captions
    texts = [p.text for p in doc.paragraphs]
    for number, figure in enumerate(figures, start=1):
        at = texts.index(f"Figure {number}: {figure.caption}")
        assert texts[at + 1] == figure.source  # the source line directly under the caption


@SLOW
def test_emphasis_and_lists_are_kept(made: dict[str, dict]) -> None:
    doc = made["E06000017"]["doc"]
    para = next(p for p in doc.paragraphs if p.text.startswith("Significantly better or worse"))
    assert para.runs[0].bold and para.runs[0].text == "Significantly better or worse than England"
    assert para.style.name == "List Bullet"
    numbered = [p for p in doc.paragraphs if p.style.name == "List Number"]
    assert any(p.text.startswith("An estimated 8,959 children") for p in numbered)
    ids = {p._p.pPr.numPr.numId.val for p in numbered}
    assert len(ids) >= 3  # each numbered list starts again at 1


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_no_internal_vocabulary(made: dict[str, dict], code: str) -> None:
    doc = made[code]["doc"]
    text = "\n".join(
        [p.text for p in doc.paragraphs]
        + [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    )
    assert check_text(f"{code} Word", text, prose=False) == []


def test_a_failed_save_writes_nothing(
    books: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        def save(self, path: str) -> None:
            Path(path).write_bytes(b"PK half")
            raise OSError("No space left on device")

    monkeypatch.setattr(docx_module, "build_document", lambda edition: Broken())
    out = tmp_path / "out" / "book.docx"
    with pytest.raises(OSError, match="No space"):
        write_docx(books / "E06000017", out, area_name="Rutland", area_code="E06000017", year=YEAR)
    assert list(out.parent.iterdir()) == []
