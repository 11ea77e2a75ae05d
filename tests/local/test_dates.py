"""How old local data is: each table's period span, read from its rows, and the three-year
rule that makes data "historical" (context only, never evidence for findings)."""

from __future__ import annotations

import pandas as pd
import pytest

from needsbook.local.dates import (
    HISTORICAL_AFTER_YEARS,
    Span,
    historical,
    is_historical,
    period_points,
    span_of,
)
from tests.local.shift import shift_period


@pytest.mark.parametrize(
    ("kind", "value", "start", "end"),
    [
        ("period", "2014", (2014, 1, "2014"), (2014, 12, "2014")),
        ("period", "2014-15", (2014, 4, "2014-15"), (2015, 3, "2014-15")),
        ("period", "2012-2014", (2012, 1, "2012"), (2014, 12, "2014")),
        ("period", "2013-08/2015-03", (2013, 8, "August 2013"), (2015, 3, "March 2015")),
        ("quarter", "2014-Q3", (2014, 7, "2014 quarter 3"), (2014, 9, "2014 quarter 3")),
        ("month", "2013-07", (2013, 7, "July 2013"), (2013, 7, "July 2013")),
    ],
)
def test_period_points(kind, value, start, end):
    assert period_points(kind, value) == (start, end)


def test_span_of_a_table_reads_its_period_column():
    eha = pd.DataFrame({"period": ["2013-08/2015-03", "2012-04/2013-03"]})
    assert span_of("eha_assessments", eha) == Span((2012, 4), (2015, 3), "April 2012 to March 2015")
    centres = pd.DataFrame({"period": ["2012-13", "2014-15", "2013-14"]})
    assert span_of("children_centres", centres).label == "2012-13 to 2014-15"
    hv = pd.DataFrame({"quarter": ["2024-Q1", "2024-Q2"]})
    assert span_of("health_visiting_reviews", hv).end == (2024, 6)
    claims = pd.DataFrame({"claim_month": ["2013-07", "2015-05"]})
    assert span_of("family_support_outcomes", claims).label == "July 2013 to May 2015"


def test_no_span_without_rows_or_a_period_column():
    assert span_of("eha_assessments", pd.DataFrame({"period": []})) is None
    assert span_of("eha_assessments", None) is None
    register = pd.DataFrame({"district": ["Worcester"], "centre": ["A"], "note": [""]})
    assert span_of("children_centres_register", register) is None  # undated: never historical


@pytest.mark.parametrize(
    ("end_year", "year", "expected"),
    [(2021, 2025, True), (2022, 2025, False), (2025, 2025, False), (2015, 2025, True)],
)
def test_more_than_three_years_before_the_data_year_is_historical(end_year, year, expected):
    assert HISTORICAL_AFTER_YEARS == 3
    span = Span((end_year - 1, 4), (end_year, 3), f"{end_year - 1}-{end_year % 100:02d}")
    assert is_historical(span, year) is expected
    assert is_historical(None, year) is False


def test_reader_text_says_the_rule_in_words_from_the_constant():
    from needsbook.chapters.services import historical_note
    from needsbook.historical import OLDER_THAN, years_words

    assert (
        OLDER_THAN == f"more than {years_words(HISTORICAL_AFTER_YEARS)}" == "more than three years"
    )
    assert (years_words(1), years_words(12)) == ("one year", "12 years")
    assert historical_note(2025).startswith("These figures end more than three years before")


def test_historical_is_worked_out_per_table():
    tables = {
        "eha_assessments": pd.DataFrame({"period": ["2013-08/2015-03"]}),
        "specialist_midwifery": pd.DataFrame({"period": ["2023-24"]}),
        "eha_reasons": pd.DataFrame({"period": []}),
    }
    old = historical(tables, 2025)
    assert list(old) == ["eha_assessments"]
    assert old["eha_assessments"].label == "August 2013 to March 2015"
    assert historical(tables, 2017) == {}


@pytest.mark.parametrize(
    ("kind", "value", "moved"),
    [
        ("period", "2013-14", "2023-24"),
        ("period", "2013-08/2015-03", "2023-08/2025-03"),
        ("period", "2012-2014", "2022-2024"),
        ("month", "2013-07", "2023-07"),
        ("quarter", "2015-Q1", "2025-Q1"),
    ],
)
def test_the_shift_helper_moves_periods(kind, value, moved):
    assert shift_period(kind, value, 10) == moved
