"""The book is about now: the summary and recommendations of the default Worcestershire book,
and of the book built with the 2013-2015 worked example, cite no period ending before 2021.

Two readings of "cite": the period columns of the findings behind the recommendations (their
CSV download), and every year in the pages' text, once the names of publications (the
Worcestershire 2015 needs assessment, a trial or guideline with its year, an index edition or a
boundary vintage) are set aside. An earlier year is allowed only as the start of a change or
trend up to now: in a sentence that also cites a period ending in 2021 or later.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from tests.books import EXAMPLE, Books

EARLIEST = 2021
PAGES = ("00_summary", "10_recommendations")
#: Publications cited by name and year: not data periods.
PUBLICATIONS = re.compile(
    r"Worcestershire(?:'s)? 2015 (?:needs )?assessment|the 2015 assessment|\(Worcestershire, 2015\)"
    r"|et al\.?,?\s+\(?\d{4}\)?|\b(?:NICE|CG|PH|NG)\s?\d+,? \(?\d{4}\)?"
    r"|Working Together to Safeguard Children \d{4}|\b(?:published|guide|framework),? \w* ?\d{4}"
    r"|Indices of Deprivation \d{4}|IMD \d{4}|IoD \d{4}|IDACI \d{4}|\(\w+ \d{4}\)"
    r"|LSOA \d{4}|\d{4}-based|\d{4} edition|(?:May|December) \d{4} BUC|(?:LAD|CTYUA) \w+ \d{4}",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b((?:19|20)\d{2})(?:/(\d{2}))?\b")


def end_years(text: str) -> list[tuple[int, str]]:
    """Every year a text cites as a period (the later year of "2013/14"), with its context."""
    text = PUBLICATIONS.sub(" ", text)
    out = []
    for m in YEAR.finditer(text):
        year = int(m.group(1))
        if m.group(2):
            year = year // 100 * 100 + int(m.group(2))
        out.append((year, " ".join(text[max(0, m.start() - 60) : m.end() + 20].split())))
    return out


def old_periods(text: str) -> list[str]:
    """Years before 2021 not in a sentence that also cites a period ending 2021 or later."""
    old = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", PUBLICATIONS.sub(" ", text)):
        years = end_years(sentence)
        if years and max(y for y, _ in years) < EARLIEST:
            old += [ctx for y, ctx in years if y < EARLIEST]
    return old


def test_end_years_reads_financial_and_academic_years() -> None:
    assert [y for y, _ in end_years("2013/14 and 2024/25, 31 March 2016")] == [2014, 2025, 2016]
    assert end_years("as the Worcestershire 2015 needs assessment found") == []


def test_an_old_year_is_allowed_only_as_the_start_of_a_change_to_now() -> None:
    assert old_periods("It rose by 4.7% between 2012 and 2024.") == []
    assert old_periods("From August 2013 to March 2015, the most deprived 40% had 41%.")
    assert old_periods("Centres saw 56% of 0-4s in 2014-15. Rates rose in 2024/25.")


def _page_text(book: Path, slug: str) -> str:
    soup = BeautifulSoup((book / "notebooks" / f"{slug}.html").read_text(), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer"]):
        tag.decompose()
    main = soup.find("main") or soup
    return main.get_text(" ")


def _books(books: Books) -> list[Path]:
    return [books / "E10000034", EXAMPLE / "E10000034"]


@pytest.mark.parametrize("slug", PAGES)
def test_summary_and_recommendations_cite_no_period_before_2021(books: Books, slug: str) -> None:
    for book in _books(books):
        old = old_periods(_page_text(book, slug))
        assert not old, f"{book.parent.name}/{slug}: " + " | ".join(old[:10])


def test_the_findings_behind_recommendations_are_current(books: Books) -> None:
    for book in _books(books):
        name = "E10000034-recommendations-and-the-findings-behind-them.csv"
        table = pd.read_csv(book / "downloads" / name, dtype=str)
        periods = [c for c in table.columns if "period" in c.lower()]
        assert periods, table.columns
        for column in periods:
            for value in table[column].dropna():
                old = [ctx for year, ctx in end_years(value) if year < EARLIEST]
                assert not old, f"{book}: {column}: {value}"
