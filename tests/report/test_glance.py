"""The "at a glance" PDF of the built test books: at most four pages that carry, word for word,
what the book's summary, outcomes and recommendations pages say; tagged, with alt text."""

from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from needsbook.errors import BuildError, InputError
from needsbook.report import glance
from needsbook.report.charts import Chart, spec_in_script
from needsbook.report.glance import Setting, glance_html, read_glance, write_glance
from needsbook.report.pdf import built_text
from tests.books import AREAS, Books, built_on, edition_file

CODES = ("E10000034", "E06000017", "E06000006")  # Worcestershire, Rutland, Halton
YEAR = 2025
BUILT = datetime.date(2026, 5, 14)
SLOW = pytest.mark.slow


def _squash(text: str) -> str:
    """``text`` without whitespace (pdftotext breaks lines, even inside "0-19")."""
    return re.sub(r"\s+", "", text)


def _page(book: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((book / name).read_text(encoding="utf-8"), "html.parser")


def _findings(book: Path) -> list[str]:
    items = _page(book, "notebooks/00_summary.html").select("ol.needsbook-headlines > li")
    return [" ".join(li.get_text(" ").split()) for li in items]


def _titles(book: Path) -> list[str]:
    page = _page(book, "notebooks/10_recommendations.html")
    return [h.get_text(" ", strip=True) for h in page.select("section.needsbook-recommendation h3")]


def _spine(book: Path) -> Chart:
    page = _page(book, "notebooks/03_outcomes.html")
    specs = (spec_in_script(s.string or "") for s in page.find_all("script"))
    return Chart(next(s for s in specs if s))  # the first chart on the page


def _figure_alts(pdf: Path) -> list[str]:
    """The alt text of every Figure in the PDF's structure tree."""
    found: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])

    walk(PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"])
    return found


@pytest.fixture(scope="module")
def glances(books: Books, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each area's PDF, printed once: its path, pdfinfo fields and pdftotext text."""
    made: dict[str, dict] = {}
    for code in CODES:
        pdf = edition_file(books / code, "at-a-glance.pdf")  # made by the test books' build
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True)
        fields = dict(
            (k.strip(), v.strip())
            for k, _, v in (ln.partition(":") for ln in info.stdout.splitlines())
        )
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True)
        made[code] = {"pdf": pdf, "info": fields, "text": text.stdout}
    return made


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_fits_on_four_tagged_a4_pages(glances: dict[str, dict], code: str) -> None:
    info = glances[code]["info"]
    assert 1 <= int(info["Pages"]) <= 4
    assert info["Tagged"] == "yes"
    assert "(A4)" in info["Page size"]
    assert not list(glances[code]["pdf"].parent.glob(".*"))  # no temporary file left behind


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_says_what_the_book_says(books: Books, glances: dict[str, dict], code: str) -> None:
    book, text = books / code, glances[code]["text"]
    flat = _squash(text)
    assert AREAS[code] in text and f"Data year {YEAR}" in text
    assert _squash(built_text(built_on(books / code))) in flat
    assert _squash(_spine(book).title) in flat
    assert f"{AREAS[code]}compared" in _squash(_spine(book).title)
    titles, findings = _titles(book), _findings(book)
    assert titles and findings
    for title in titles:
        assert _squash(title) in flat, title
    for finding in findings:
        assert _squash(finding) in flat, finding
    pages = int(glances[code]["info"]["Pages"])
    assert f"Page {pages} of {pages}" in text
    assert f"{AREAS[code]} · {YEAR} · Contains public sector information licensed under" in text


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_action_plan_rows_under_their_recommendation(books: Books, code: str) -> None:
    """Every row of the book's action plan is printed once, under its recommendation, with
    what to track, its current value and the review date."""
    page = _page(books / code, "notebooks/10_recommendations.html")
    plan = page.find("section", id="action-plan").find("table")
    keys = ("Indicator to track", "Current value", "Review by")

    def cells(table: BeautifulSoup) -> list[dict[str, str]]:
        heads = [th.get_text(strip=True) for th in table.select("thead th")]
        rows = table.select("tbody tr")
        texts = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in rows]
        return [dict(zip(heads, t, strict=True)) for t in texts]

    wanted = sorted((r["Recommendation"], *(r[k] for k in keys)) for r in cells(plan))
    g = read_glance(books / code, area_name=AREAS[code], area_code=code, year=YEAR)
    printed = []
    for rec in BeautifulSoup(glance_html(g), "html.parser").select("section.rec"):
        title = re.sub(r"^\d+\.\s*", "", rec.find("h3").get_text())
        for table in rec.find_all("table"):
            printed += [(title, *(r[k] for k in keys)) for r in cells(table)]
    assert wanted and sorted(printed) == wanted


@SLOW
@pytest.mark.parametrize("code", CODES)
def test_spine_chart_has_its_description_as_alt_text(
    books: Books, glances: dict[str, dict], code: str
) -> None:
    chart = _spine(books / code)
    assert chart.description.startswith("The chart places")
    g = read_glance(books / code, area_name=AREAS[code], area_code=code, year=YEAR)
    page = BeautifulSoup(glance_html(g), "html.parser")
    (img,) = page.find_all("img")
    assert img["alt"] == chart.description
    assert img["src"].startswith("data:image/svg+xml;base64,")
    assert _squash(chart.description) in [_squash(a) for a in _figure_alts(glances[code]["pdf"])]


@SLOW
def test_most_compact_setting_keeps_every_title_and_points_to_the_book(books: Books) -> None:
    code = "E06000006"
    g = read_glance(books / code, area_name=AREAS[code], area_code=code, year=YEAR)
    page = BeautifulSoup(glance_html(g, glance.SETTINGS[-1]), "html.parser")
    assert [h.get_text() for h in page.select("section.rec h3")] == _titles(books / code)
    assert not page.find("table")
    more = [p.get_text(" ", strip=True) for p in page.select("p.more")]
    assert len(more) == len(g.recommendations)
    assert all("action plan in the Recommendations chapter" in m for m in more)
    one = BeautifulSoup(glance_html(g, Setting(max_rows=1)), "html.parser")
    assert len(one.select("table tbody tr")) == len(g.recommendations)


@SLOW
def test_shrinks_in_order_until_it_fits(
    books: Books, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Printed again with each smaller setting while over four pages (the printer and page count
    stand in here for Chromium): type size first, then the chart, then action-plan rows."""
    tried: list[Setting] = []

    def fake_print(html: Path, pdf: Path, *, outline: bool = True) -> Path:
        pdf.write_text(html.read_text(encoding="utf-8"), encoding="utf-8")
        return pdf

    def fake_count(pdf: Path) -> int:
        setting = glance.SETTINGS[len(tried)]
        tried.append(setting)
        return 4 if setting.max_rows == 2 else 5

    monkeypatch.setattr(glance, "print_pdf", fake_print)
    monkeypatch.setattr(glance, "page_count", fake_count)
    code = "E10000034"
    out = write_glance(
        books / code, tmp_path / "g.pdf", area_name=AREAS[code], area_code=code, year=YEAR
    )
    fonts = [s.font_pt for s in tried]
    assert fonts == sorted(fonts, reverse=True) and min(fonts) >= 8
    assert [s.max_rows for s in tried][-1] == 2
    assert tried.index(next(s for s in tried if s.chart_scale < 1)) > fonts.index(8.0)
    printed = out.read_text(encoding="utf-8")
    assert "font-size: 8pt" in printed
    assert "1 more action-plan row for this recommendation" in printed  # the fifth has three


@SLOW
def test_too_long_even_at_its_most_compact_writes_nothing(
    books: Books, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(glance, "print_pdf", lambda html, pdf, **_: pdf.write_bytes(b"%PDF"))
    monkeypatch.setattr(glance, "page_count", lambda pdf: 5)
    code = "E06000017"
    with pytest.raises(BuildError, match="more than 4"):
        write_glance(
            books / code, tmp_path / "g.pdf", area_name=AREAS[code], area_code=code, year=YEAR
        )
    assert list(tmp_path.iterdir()) == []


@SLOW
def test_the_book_of_another_area_is_refused(books: Books, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is the book for E06000017, not E10000034"):
        write_glance(
            books / "E06000017",
            tmp_path / "g.pdf",
            area_name="Worcestershire",
            area_code="E10000034",
            year=YEAR,
        )
    assert not (tmp_path / "g.pdf").exists()


def test_a_folder_that_is_not_a_built_book_names_the_missing_page(tmp_path: Path) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00_summary.html").write_text("<html></html>")
    with pytest.raises(InputError) as caught:
        write_glance(
            tmp_path, tmp_path / "g.pdf", area_name="Rutland", area_code="E06000017", year=YEAR
        )
    message = str(caught.value)
    assert "not a built needsbook book" in message
    assert (
        "notebooks/03_outcomes.html" in message and "notebooks/10_recommendations.html" in message
    )
    assert "00_summary" not in message
    assert not (tmp_path / "g.pdf").exists()


def test_an_area_folder_of_the_site_points_to_its_year_books(tmp_path: Path) -> None:
    (tmp_path / "2025" / "notebooks").mkdir(parents=True)
    (tmp_path / "2025" / "notebooks" / "00_summary.html").write_text("<html></html>")
    with pytest.raises(InputError, match=r"it holds the books of 2025: give one of those"):
        write_glance(
            tmp_path, tmp_path / "g.pdf", area_name="Rutland", area_code="E06000017", year=YEAR
        )
