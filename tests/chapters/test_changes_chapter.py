"""The "what changed since the last assessment" chapter: how it phrases changes, the earliest
year the data allow, and -- for Worcestershire 2023 -> 2024 -- that the 2024 book's chapter
and its download list exactly what the two books' own tables say changed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from needsbook.chapters import changes
from needsbook.errors import InputError
from needsbook.testing.reader_text import check_csv, check_page
from tests.year_books import AREA, year_books

EARLIER, LATER = 2023, 2024


@pytest.fixture(scope="session")
def two_books() -> dict[int, Path]:
    """Worcestershire's 2023 and 2024 books (built once; see tests/year_books.py)."""
    return year_books()


# --- reading the built books ----------------------------------------------------------------


def _csv(book: Path, name: str) -> pd.DataFrame:
    path = book / "downloads" / f"{AREA}-{name}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def outcome_table(book: Path) -> pd.DataFrame:
    """The outcomes chapter's comparison of every outcome indicator with England (its
    download), indexed by indicator name: its period, comparison and recent trend."""
    table = _csv(book, "children-s-outcomes-compared-with-england")
    return table.drop_duplicates("Indicator").set_index("Indicator")[
        ["period", "Compared with England", "Recent trend"]
    ]


def outcome_concerns(book: Path, names: set[str]) -> set[str]:
    """The outcomes the conclusions chapter lists as of concern (its download)."""
    return set(_csv(book, "what-is-of-concern")["Indicator"]) & names


def applying(book: Path) -> list[str]:
    """The recommendations that apply, as the recommendations chapter lists them."""
    table = _csv(book, "recommendations-at-a-glance")
    return list(dict.fromkeys(table.loc[table["Applies"] == "Yes", "Recommendation"]))


def what_changed(book: Path) -> pd.DataFrame:
    return _csv(book, "what-changed")


def page(book: Path) -> BeautifulSoup:
    return BeautifulSoup((book / "notebooks" / "11_changes.html").read_text(), "html.parser")


def page_table(soup: BeautifulSoup, title: str) -> pd.DataFrame:
    """A list on the page (a real table, found by its caption) as text cells."""
    caption = soup.find("caption", string=f"{title} for Worcestershire")
    assert caption is not None, f"no table {title!r} on the page"
    table = caption.find_parent("table")
    heads = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
    rows = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in table.find("tbody").find_all("tr")
    ]
    return pd.DataFrame(rows, columns=heads)


# --- the done-when check: comparisons that changed, from the books' own tables ------------------


@pytest.fixture(scope="session")
def tables(two_books: dict[int, Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return outcome_table(two_books[EARLIER]), outcome_table(two_books[LATER])


def changed_comparisons(before: pd.DataFrame, after: pd.DataFrame) -> set[str]:
    both = before.index.intersection(after.index)
    return {
        n
        for n in both
        if before.loc[n, "Compared with England"] != after.loc[n, "Compared with England"]
    }


@pytest.mark.slow
def test_the_comparisons_that_changed_are_those_the_two_books_show(
    two_books: dict[int, Path], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    before, after = tables
    expected = changed_comparisons(before, after)
    assert len(expected) >= 5  # Worcestershire 2023 -> 2024: 11 (a real test of the lists)
    shown = page_table(page(two_books[LATER]), "Comparisons with England that changed")
    assert set(shown["Indicator"]) == expected
    for _, r in shown.iterrows():  # both verdicts, each with its value and period
        old, new = (t.loc[r["Indicator"], "Compared with England"] for t in tables)
        assert r[f"{EARLIER} assessment"].startswith(old if old != "No data" else "No data")
        assert r[f"{LATER} assessment"].startswith(new)
    data = what_changed(two_books[LATER])
    rows = data[data["Change"] == "Comparison with England changed"].set_index(
        "Indicator or recommendation"
    )
    assert set(rows.index) == expected
    for name in expected:
        assert (
            rows.loc[name, f"Compared with England, {EARLIER} assessment"]
            == (before.loc[name, "Compared with England"])
        )
        assert (
            rows.loc[name, f"Compared with England, {LATER} assessment"]
            == (after.loc[name, "Compared with England"])
        )
        assert rows.loc[name, f"Period, {EARLIER} assessment"] == before.loc[name, "period"]
        assert rows.loc[name, f"Period, {LATER} assessment"] == after.loc[name, "period"]


@pytest.mark.slow
def test_the_same_period_is_listed_as_no_newer_data(
    two_books: dict[int, Path], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    before, after = tables
    both = before.index.intersection(after.index)
    stale = {n for n in both if before.loc[n, "period"] == after.loc[n, "period"]}
    assert stale  # e.g. the NEET figures: the end of 2022 in both books
    for n in stale:  # the same data: neither book can show a different verdict or trend
        assert before.loc[n].equals(after.loc[n]), n
    data = what_changed(two_books[LATER])
    assert set(data.loc[data["Change"] == "No newer data", "Indicator or recommendation"]) == stale
    shown = page_table(page(two_books[LATER]), "Indicators with no newer data")
    assert set(shown["Indicator"]) == stale
    listed = set(data.loc[data["Change"] != "No newer data", "Indicator or recommendation"])
    assert not listed & stale  # never implied to have changed


@pytest.mark.slow
def test_trends_concerns_and_recommendations_that_changed_are_those_the_books_show(
    two_books: dict[int, Path], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    before, after = tables
    data = what_changed(two_books[LATER])

    def listed(change: str) -> set[str]:
        return set(data.loc[data["Change"] == change, "Indicator or recommendation"])

    both = before.index.intersection(after.index)
    trends = {n for n in both if before.loc[n, "Recent trend"] != after.loc[n, "Recent trend"]}
    assert listed("Recent trend changed") == trends
    names = set(both)
    old, new = (outcome_concerns(two_books[y], names) for y in (EARLIER, LATER))
    assert listed("Newly of concern") == new - old
    assert listed("No longer of concern") == old - new
    recs = {y: applying(two_books[y]) for y in (EARLIER, LATER)}
    assert listed("Recommendation added") == set(recs[LATER]) - set(recs[EARLIER])
    assert listed("Recommendation dropped") == set(recs[EARLIER]) - set(recs[LATER])
    soup = page(two_books[LATER])
    for title, change in (
        ("Recent trends that changed", "Recent trend changed"),
        ("Outcomes newly of concern", "Newly of concern"),
    ):
        if listed(change):
            assert set(page_table(soup, title)["Indicator"]) == listed(change)


@pytest.mark.slow
def test_the_page_reads_plainly(two_books: dict[int, Path]) -> None:
    book = two_books[LATER]
    html = (book / "notebooks" / "11_changes.html").read_text()
    text = " ".join(page(book).get_text(" ").split())
    assert "This assessment of Worcestershire (data year 2024) is compared with the " in text
    assert "assessment for 2023" in text
    assert "no newer data" in text
    for internal in ("comparison_label", "period_label", "trend_label", "_before", "NaN"):
        assert internal not in text
    assert not check_page("11_changes.html", html)
    csv = (book / "downloads" / f"{AREA}-what-changed.csv").read_text()
    assert not check_csv("what-changed.csv", csv)
    earlier = " ".join(page(two_books[EARLIER]).get_text(" ").split())
    assert "(data year 2023) is compared with the assessment for 2022" in earlier


# --- phrasing and the earliest year (no built book) -----------------------------------------


def test_the_earliest_year_lists_nothing() -> None:
    chapter = changes.build(AREA, 2019)
    assert chapter.compare_year is None and chapter.changes is None
    assert chapter.key_findings == [
        "2019 is the earliest year the data allow for Worcestershire, so there is no earlier "
        "assessment to compare this one with, and no change is listed."
    ]
    lists = [s for s in chapter.sections if s.key != "earliest"]
    assert [s.key for s in lists] == [k for k, _ in changes.LISTS]
    assert all(s.table.empty and s.summary.startswith("None: 2019 is the earliest") for s in lists)
    assert chapter.data.empty
    assert chapter.section("earliest").chart is not None  # where the outcomes stand now


@pytest.mark.parametrize("asked", [2024, 2018])
def test_a_comparison_year_outside_the_data_is_a_clear_error(asked: int) -> None:
    with pytest.raises(InputError, match="--compare-year"):
        changes.build(AREA, 2024, compare_year=asked)


def _pair(**values: object) -> pd.Series:
    base = {
        "indicator_id": "lait:FSP_NEW_GOODDEV",
        "value_before": 66.0,
        "value_after": float("nan"),
        "period_label_before": "2022/23",
        "period_label_after": "2023/24",
        "comparison_label_before": "Middle 20%",
        "comparison_label_after": "No data",
        "movement": "neither",
    }
    return pd.Series({**base, **values})


def test_each_year_is_phrased_with_its_value_period_and_verdict() -> None:
    from needsbook.outcomes.compare import load_data

    cat = load_data().catalogue
    r = _pair()
    assert changes.state(cat, r, "before") == "Middle 20% (66.0% in 2022/23)"
    assert changes.state(cat, r, "after") == "No data for 2023/24"
    assert changes.which_way(r) == "Data for one of the years only"
    assert changes.which_way(_pair(movement="improved")) == "Better than before"
    stock = _pair(period_label_before="31 March 2023", comparison_label_after="Similar")
    assert changes.state(cat, stock, "before") == "Middle 20% (66.0% on 31 March 2023)"
    assert changes.which_way(stock) == "Neither better nor worse (higher or lower is not judged)"
