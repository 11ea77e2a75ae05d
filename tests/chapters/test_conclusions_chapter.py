"""The conclusions chapter: how findings are sorted (constructed findings) and what the built
books show (every outcome of concern listed, with the recommendation acting on it)."""

from __future__ import annotations

import dataclasses
import functools

import pandas as pd
import pytest

from needsbook.chapters import conclusions
from needsbook.outcomes.findings import Finding, findings
from tests.books import AREAS, Books


@functools.cache
def _base() -> Finding:
    """A real finding (infant mortality) to construct others from."""
    return findings("E10000034", 2025)[0]


def _finding(**changes: object) -> Finding:
    """A constructed outcome finding."""
    base = _base()
    defaults = dict(
        direction="similar",
        significant=False,
        method="confidence interval",
        quintile=None,
        trend="No significant change",
        trend_label="No significant change",
        polarity=base.polarity,
        value=1.0,
    )
    return dataclasses.replace(base, **{**defaults, **changes})


@pytest.mark.parametrize(
    ("changes", "well", "concern"),
    [
        ({}, False, False),
        ({"direction": "better", "significant": True}, True, False),
        ({"direction": "worse", "significant": True}, False, True),
        ({"method": "quintiles", "quintile": 1}, True, False),
        ({"method": "quintiles", "quintile": 5}, False, True),
        ({"trend": "Decreasing", "trend_label": "Decreasing and getting better"}, True, False),
        ({"trend": "Increasing", "trend_label": "Increasing and getting worse"}, False, True),
        # better than England but getting worse: a concern, never "going well"
        (
            {
                "direction": "better",
                "significant": True,
                "trend": "Increasing",
                "trend_label": "Increasing and getting worse",
            },
            False,
            True,
        ),
        ({"value": None}, False, False),
    ],
)
def test_findings_are_sorted_into_going_well_and_concern(
    changes: dict, well: bool, concern: bool
) -> None:
    f = _finding(**changes)
    assert conclusions.is_going_well(f) is well
    assert f.of_concern is concern


def test_an_indicator_without_a_judgement_is_neither() -> None:
    from needsbook.polarity import NO_JUDGEMENT

    f = _finding(polarity=NO_JUDGEMENT, direction="higher", significant=True)
    assert not conclusions.is_going_well(f) and not f.of_concern


def test_reasons_are_given_in_words() -> None:
    f = _finding(
        direction="worse",
        significant=True,
        trend="Increasing",
        trend_label="Increasing and getting worse",
    )
    assert conclusions.why_concern(f) == "significantly worse than England and getting worse"


@pytest.mark.parametrize("code", list(AREAS))
def test_each_book_has_a_conclusions_page_with_the_three_questions(books: Books, code: str) -> None:
    page = books / code / "notebooks" / "09_conclusions.html"
    text = page.read_text(encoding="utf-8")
    for heading in ("What is going well", "What is of concern", "Where the evidence is thin"):
        assert heading in text


@pytest.mark.parametrize("code", list(AREAS))
def test_every_outcome_of_concern_is_listed_with_what_acts_on_it(books: Books, code: str) -> None:
    """Every outcome the engine finds worse, in the worst fifth or getting worse is listed,
    and each row says which recommendation acts on it (or that none does)."""
    listed = pd.read_csv(books / code / "downloads" / f"{code}-what-is-of-concern.csv")
    assert listed["Recommendation acting on it"].notna().all()
    expected = {f.name for f in findings(code, 2025) if f.of_concern}
    assert expected <= set(listed["Indicator"])
