"""A built book read as a reader's edition: every page in book order, the text as the book says
it (emphasis kept), every real table, every chart with its own source line, and none of the
online-only parts (navigation, heading links, downloads, the data table under each chart)."""

from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from needsbook.build.chapters import CHAPTERS
from needsbook.errors import InputError
from needsbook.report.charts import spec_in_script
from needsbook.report.edition import (
    ABOUT,
    FINDINGS,
    Cell,
    Chapter,
    Definitions,
    Edition,
    Figure,
    Heading,
    ListBlock,
    Note,
    Paragraph,
    Span,
    Table,
    blocks_text,
    read_edition,
)
from tests.books import AREAS

CODES = ("E06000017", "E10000034")  # Rutland, Worcestershire
YEAR = 2025
METHODS = (
    "book/methods/statistics.html",
    "book/methods/need-model.html",
    "book/methods/outcomes.html",
    "book/methods/services.html",
    "book/methods/adjusted-demand.html",
)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _page(book: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((book / name).read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def editions(books: Path) -> dict[str, Edition]:
    return {
        code: read_edition(
            books / code,
            area_name=AREAS[code],
            area_code=code,
            year=YEAR,
            built=datetime.date(2026, 5, 14),
        )
        for code in CODES
    }


def _chapter(edition: Edition, page: str) -> Chapter:
    return next(c for c in edition.chapters if c.page == page)


@pytest.mark.parametrize("code", CODES)
def test_pages_in_book_order(books: Path, editions: dict[str, Edition], code: str) -> None:
    edition = editions[code]
    pages = [c.page for c in edition.chapters]
    assert pages[0] == "book/intro.html"
    assert pages[1 : 1 + len(CHAPTERS)] == [c.html for c in CHAPTERS]
    assert pages[1 + len(CHAPTERS) :] == [
        "book/methods/index.html",
        *METHODS,
        "book/data-sources.html",
        "book/glossary.html",
    ]
    findings = [c for c in edition.chapters if c.part == FINDINGS]
    assert [c.title for c in findings] == [c.title for c in CHAPTERS]
    about = [c for c in edition.chapters if c.part == ABOUT]
    assert [c.level for c in about] == [1, 2, 2, 2, 2, 2, 1, 1]
    for chapter in edition.chapters[1:]:  # each title is the page's own heading
        h1 = _page(books / code, chapter.page).find("article").find("h1")
        assert chapter.title == _norm(h1.get_text(" ").replace("#", ""))


@pytest.mark.parametrize("code", CODES)
def test_every_chart_is_a_figure_with_its_source(
    books: Path, editions: dict[str, Edition], code: str
) -> None:
    edition = editions[code]
    for chapter in edition.chapters:
        article = _page(books / code, chapter.page).find("article")
        specs = [s for s in (spec_in_script(t.get_text()) for t in article.find_all("script")) if s]
        figures = [b for b in chapter.walk() if isinstance(b, Figure)]
        assert [f.chart.spec for f in figures] == specs, chapter.page
        for figure in figures:
            assert figure.caption and figure.source.startswith("Source: ")
            assert figure.chart.description
    population = [b for b in _chapter(edition, CHAPTERS[1].html).walk() if isinstance(b, Figure)]
    assert population[0].caption == "Share of the population in each age band, mid-2024"
    assert population[0].source == (
        "Source: ONS mid-year population estimates, mid-2024 (single year of age)"
    )


@pytest.mark.parametrize("code", CODES)
def test_chart_data_tables_are_left_out_and_every_other_table_kept(
    books: Path, editions: dict[str, Edition], code: str
) -> None:
    edition = editions[code]
    captions = [t.caption for t in edition.tables]
    # the data under a chart is not repeated ...
    assert "Children and young people by age" not in captions
    assert "Trend in the 0-17 population" not in captions
    # ... but a data table no chart shows is (the text refers to it), and every visible table
    need = [t for t in _chapter(edition, CHAPTERS[2].html).walk() if isinstance(t, Table)]
    assert [t.caption for t in need] == ["How need is modelled"]
    assert [c.text for c in need[0].header[0]] == ["Parameter", "Value", "Meaning"]
    assert need[0].source.startswith("Source: ")
    conclusions = _page(books / code, CHAPTERS[9].html).find("article")
    visible = [t for t in conclusions.find_all("table") if not t.find_parent("details")]
    kept = [t for t in _chapter(edition, CHAPTERS[9].html).walk() if isinstance(t, Table)]
    assert len(visible) >= 2
    for html_table in visible:
        caption = _norm(html_table.caption.get_text(" "))
        table = next(t for t in kept if t.caption == caption)
        assert len(table.rows) == len(html_table.find("tbody").find_all("tr"))
        assert [c.text for c in table.rows[0]] == [
            _norm(td.get_text(" ")) for td in html_table.find("tbody").find("tr").find_all("td")
        ]
    sources = _chapter(edition, "book/data-sources.html")
    assert sum(isinstance(b, Table) for b in sources.walk()) == 1


@pytest.mark.parametrize("code", CODES)
def test_online_only_parts_are_left_out(editions: dict[str, Edition], code: str) -> None:
    for chapter in editions[code].chapters:
        text = blocks_text(chapter.blocks)
        assert not re.search(r"(^|\s)#($|\s)", text), chapter.page  # heading links
        assert "Download the data" not in text, chapter.page
        assert "Data table:" not in text, chapter.page
        assert "Search the catalogue" not in text, chapter.page
        assert ".csv (CSV)" not in text, chapter.page


@pytest.mark.parametrize("code", CODES)
def test_headline_findings_and_emphasis_as_the_book_has_them(
    books: Path, editions: dict[str, Edition], code: str
) -> None:
    summary = _chapter(editions[code], CHAPTERS[0].html)
    items = _page(books / code, CHAPTERS[0].html).select("ol.needsbook-headlines > li")
    blocks = list(summary.walk())
    at = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and "findings" in b.text)
    headlines = next(b for b in blocks[at:] if isinstance(b, ListBlock))
    assert headlines.ordered
    assert [_norm(blocks_text(item)) for item in headlines.items] == [
        _norm(li.get_text(" ")) for li in items
    ]
    note = next(b for b in blocks if isinstance(b, Note))
    assert note.title == "How to read this assessment"
    first = note.blocks[0].items[0][0]
    assert isinstance(first, Paragraph)
    assert (
        first.spans[0].bold and first.spans[0].text == "Significantly better or worse than England"
    )


def test_links_are_text_and_web_links_keep_their_address(editions: dict[str, Edition]) -> None:
    edition = editions["E06000017"]
    sources = _chapter(edition, "book/data-sources.html")
    first = next(b for b in sources.walk() if isinstance(b, Paragraph))
    licence = next(s for s in first.spans if s.text == "Open Government Licence v3.0")
    assert (
        licence.href == "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    )
    intro = blocks_text(edition.chapters[0].blocks)
    assert "explained in plain English in the glossary." in intro
    assert all(
        s.href is None or s.href.startswith("http")
        for c in edition.chapters
        for b in c.walk()
        if isinstance(b, Paragraph)
        for s in b.spans
    )


def test_glossary_and_attribution(books: Path, editions: dict[str, Edition]) -> None:
    edition = editions["E10000034"]
    glossary = _chapter(edition, "book/glossary.html")
    terms = next(b for b in glossary.walk() if isinstance(b, Definitions))
    page = _page(books / "E10000034", "book/glossary.html")
    assert len(terms.items) == len(page.select("dl.glossary > dd"))
    assert ("ASQ-3", "Ages and Stages Questionnaire") in [t for t, _ in terms.items]
    assert edition.attribution.startswith(
        "Contains public sector information licensed under the Open Government Licence v3.0"
    )
    assert "Attribution" not in edition.attribution
    assert "Worcestershire" in edition.notes[0]
    assert any("zip" in note for note in edition.notes)  # where the charts' data are


def test_a_folder_that_is_not_a_built_book_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00_summary.html").write_text("<html></html>")
    with pytest.raises(InputError) as caught:
        read_edition(tmp_path, area_name="Rutland", area_code="E06000017", year=YEAR)
    message = str(caught.value)
    assert "not a built needsbook book" in message
    assert "book/intro.html" in message and "notebooks/00_summary.html" not in message


def test_the_book_of_another_area_or_year_is_refused(books: Path, tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(books / "E06000017", book, ignore=shutil.ignore_patterns("downloads"))
    stamp = json.loads((book / "_needsbook_build.json").read_text())
    assert stamp["area_code"] == "E06000017"
    with pytest.raises(InputError, match="is the book for E06000017, not E10000034"):
        read_edition(book, area_name="Worcestershire", area_code="E10000034", year=YEAR)
    with pytest.raises(InputError, match=f"is the book for data year {stamp['year']}, not 2019"):
        read_edition(book, area_name="Rutland", area_code="E06000017", year=2019)


def test_a_wide_short_table_turns_on_its_side() -> None:
    def cells(*texts: str, header: bool = False) -> tuple[Cell, ...]:
        return tuple(Cell((Span(t),), header=header) for t in texts)

    table = Table(
        "Youth justice",
        (cells("Indicator", "Period", "Value"),),
        (cells("First-time entrants", "2024", "no data"), cells("Reoffending", "2023", "31%")),
        "Source: YJB",
    )
    turned = table.transposed()
    assert [c.text for c in turned.header[0]] == ["Indicator", "First-time entrants", "Reoffending"]
    assert [[(c.text, c.header) for c in row] for row in turned.rows] == [
        [("Period", True), ("2024", False), ("2023", False)],
        [("Value", True), ("no data", False), ("31%", False)],
    ]
    assert (turned.caption, turned.source) == ("Youth justice", "Source: YJB")
