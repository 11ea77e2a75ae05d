"""The whole book as a PDF, for Rutland and Worcestershire: it opens, is tagged, carries every
chapter, the area, every headline finding and every chart (each with its source on its page),
and its contents give the page each chapter starts on."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from needsbook.errors import NeedsbookError
from needsbook.report import pdf as pdf_module
from needsbook.report.edition import Edition, read_edition
from needsbook.report.pdf import built_text, write_pdf
from needsbook.testing.reader_text import check_text
from tests.books import AREAS, Books, built_on, edition_file

CODES = ("E06000017", "E10000034")  # Rutland, Worcestershire
YEAR = 2025
# Measured: Rutland 115 pages, Worcestershire 128 (cover, contents, 21 chapters and pages); the
# range leaves room for the book to grow or shrink a little.
PAGES = {"E06000017": (80, 160), "E10000034": (95, 180)}
SLOW = pytest.mark.slow
FOOTER = re.compile(r"^Page (\d+) of (\d+)$")


def _squash(text: str) -> str:
    """``text`` without whitespace or hyphens (pdftotext breaks lines, even inside "0-19", and
    drops the hyphen where a line ends in one)."""
    return re.sub(r"[\s\-]+", "", text)


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def _body(page: str) -> str:
    """A page's text without its footer lines."""
    return "\n".join(
        line for line in page.splitlines() if not FOOTER.match(line.strip()) and "·" not in line
    )


@pytest.fixture(scope="module")
def made(books: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each area's PDF, made once: its path, edition, pdfinfo and text by page."""
    out = {}
    for code in CODES:
        path = edition_file(books / code, "needs-assessment.pdf")  # made by the test books' build
        folder = path.parent
        info = subprocess.run(
            ["pdfinfo", str(path)], capture_output=True, text=True, check=True
        ).stdout
        edition = read_edition(
            books / code,
            area_name=AREAS[code],
            area_code=code,
            year=YEAR,
            built=built_on(books / code),
        )
        out[code] = {
            "path": path,
            "folder": folder,
            "info": dict(line.split(":", 1) for line in info.splitlines() if ":" in line),
            "pages": _pages(path),
            "edition": edition,
        }
    return out


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_opens_tagged_a4_within_its_page_range(made: dict[str, dict], code: str) -> None:
    info = {k: v.strip() for k, v in made[code]["info"].items()}
    low, high = PAGES[code]
    assert low <= int(info["Pages"]) <= high
    assert info["Tagged"] == "yes"
    assert info["Page size"].startswith("594.96 x 841.92")  # A4 portrait
    assert AREAS[code] in info["Title"]
    assert not [p.name for p in made[code]["folder"].iterdir() if p.name.startswith(".")]
    umask = os.umask(0)
    os.umask(umask)
    assert made[code]["path"].stat().st_mode & 0o777 == 0o666 & ~umask  # as any new file


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_cover_names_the_area_year_date_and_publishers(
    books: Books, made: dict[str, dict], code: str
) -> None:
    cover = " ".join(made[code]["pages"][0].split())
    assert "Children and young people's needs assessment" in cover
    assert AREAS[code] in cover and f"Data year {YEAR}" in cover
    assert f"Built {built_text(built_on(books / code))}" in cover
    assert "Open Government Licence v3.0" in cover
    assert not FOOTER.search(made[code]["pages"][0])  # no page footer on the cover


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_every_chapter_starts_a_page_the_contents_names(made: dict[str, dict], code: str) -> None:
    pages, edition = made[code]["pages"], made[code]["edition"]
    contents = [line.strip() for line in pages[1].splitlines() if line.strip()]
    for chapter in edition.chapters:
        at = contents.index(chapter.title)
        number = next(int(x) for x in contents[at + 1 :] if x.isdigit())
        start = [
            line.strip() for line in pages[number - 1].splitlines() if line.strip()
        ]  # the title, under its part label when it has one
        assert chapter.title in start[:3], (chapter.title, number, start[:3])
    text = _squash(" ".join(pages))
    for chapter in edition.chapters:
        assert _squash(chapter.title) in text


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_every_page_but_the_cover_has_its_footer(made: dict[str, dict], code: str) -> None:
    pages = made[code]["pages"]
    for number, page in enumerate(pages[1:], start=2):
        lines = [line.strip() for line in page.splitlines()]
        assert f"Page {number} of {len(pages)}" in lines, number
        assert f"{AREAS[code]} · data year {YEAR}" in lines, number


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_every_headline_finding_as_the_book_says_it(
    books: Path, made: dict[str, dict], code: str
) -> None:
    page = BeautifulSoup(
        (books / code / "notebooks/00_summary.html").read_text(encoding="utf-8"), "html.parser"
    )
    findings = [li.get_text(" ") for li in page.select("ol.needsbook-headlines > li")]
    assert len(findings) >= 5
    text = _squash(" ".join(_body(p) for p in made[code]["pages"]))
    for finding in findings:
        assert _squash(finding) in text, finding


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_every_chart_with_its_caption_and_source_on_the_same_page(
    made: dict[str, dict], code: str
) -> None:
    edition: Edition = made[code]["edition"]
    pages = [_squash(_body(p)) for p in made[code]["pages"]]
    for number, figure in enumerate(edition.figures, start=1):
        caption = _squash(f"Figure {number}: {figure.caption}")
        where = [i for i, p in enumerate(pages) if caption in p]
        assert len(where) == 1, caption
        after = pages[where[0]].split(caption, 1)[1]
        assert after.startswith(_squash(figure.source)[:60]), caption
    alts = _figure_alts(made[code]["path"])
    for figure in edition.figures:
        assert " ".join(figure.chart.description.split()) in alts


def _figure_alts(pdf: Path) -> set[str]:
    """The alt text of every Figure in the PDF's structure tree."""
    found: set[str] = set()

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.add(" ".join(str(node["/Alt"]).split()))
            if "/K" in node:
                walk(node["/K"])

    walk(PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"])
    return found


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_outline_holds_the_chapters(made: dict[str, dict], code: str) -> None:
    reader = PdfReader(made[code]["path"])
    titles: list[str] = []

    def flatten(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                flatten(item)
            else:
                titles.append(" ".join(item.title.split()))

    flatten(reader.outline)
    for chapter in made[code]["edition"].chapters:
        assert chapter.title in titles


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_the_tables_are_in_it(made: dict[str, dict], code: str) -> None:
    text = _squash(" ".join(_body(p) for p in made[code]["pages"]))
    for table in made[code]["edition"].tables:
        if table.caption:
            assert _squash(table.caption) in text
        for cell in table.rows[-1] if table.rows else ():  # the last row, every cell
            assert _squash(cell.text) in text, (table.caption, cell.text)


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_no_internal_vocabulary(made: dict[str, dict], code: str) -> None:
    text = "\n".join(made[code]["pages"])
    assert check_text(f"{code} PDF", text, prose=False) == []


@pytest.mark.parametrize("fail_at", [1, 2])
def test_a_failed_printing_writes_nothing(
    books: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    calls = []

    def prints(html: Path, pdf: Path, *, outline: bool = True) -> Path:
        calls.append(pdf)
        pdf.write_bytes(b"%PDF-1.4 half")
        if len(calls) == fail_at:
            raise NeedsbookError("Chromium could not print edition.html to PDF (exit 1)")
        return pdf

    monkeypatch.setattr(pdf_module, "chart_images", lambda edition: [])
    monkeypatch.setattr(pdf_module, "render_html", lambda *a, **k: "<html></html>")
    monkeypatch.setattr(pdf_module, "chapter_pages", lambda pdf, edition: {})
    monkeypatch.setattr(pdf_module, "print_pdf", prints)
    out = tmp_path / "out" / "book.pdf"
    with pytest.raises(NeedsbookError, match="could not print"):
        write_pdf(books / "E06000017", out, area_name="Rutland", area_code="E06000017", year=YEAR)
    assert len(calls) == fail_at
    assert not out.exists() and list(out.parent.iterdir()) == []


@pytest.mark.parametrize("name", ["</style><script>alert(1)</script>", 'A "quoted" \\ name\n'])
def test_a_hostile_area_name_stays_inside_the_footer_string(name: str) -> None:
    literal = pdf_module.css_string(name)
    assert "<" not in literal and "\n" not in literal
    assert literal.startswith('"') and literal.endswith('"')
    assert '"' not in literal[1:-1].replace('\\"', "")  # every inner quote escaped
