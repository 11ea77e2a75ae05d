"""Recommendations that agree with their evidence, read from the built test books' pages and
CSVs (the constructed-findings tests of each rule-integrity case are in tests/recommend/)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from needsbook.evidence.catalogue import load_catalogue
from needsbook.evidence.strength import counts_as_evidence, strengths
from needsbook.outcomes.findings import findings
from needsbook.recommend import recommend
from tests.books import AREAS, EXAMPLE, Books

ACTION_PLAN_COLUMNS = [
    "Recommendation",
    "Level of need",
    "Lead partners",
    "Indicator to track",
    "Current value",
    "Direction wanted",
    "Review by",
]
LEVELS = {"universal", "early help", "targeted", "specialist"}


def _csv(book: Path, code: str, name: str) -> pd.DataFrame:
    return pd.read_csv(book / "downloads" / f"{code}-{name}.csv", dtype=str, keep_default_na=False)


def _page(book: Path, slug: str) -> BeautifulSoup:
    return BeautifulSoup((book / "notebooks" / f"{slug}.html").read_text(), "html.parser")


def _recommendation_blocks(book: Path) -> dict[str, str]:
    """Title -> the text of that recommendation's block on the recommendations page (from the
    first numbered recommendation to the action plan that follows the last)."""
    text = (_page(book, "10_recommendations").find("main") or BeautifulSoup()).get_text("\n")
    start = re.search(r"\n\s*1\. ", text)
    if start is None:
        return {}
    body = text[start.start() : text.index("\nAction plan", start.start())]
    parts = re.split(r"\n\s*\d+\. ", body)
    return {p.split("\n", 1)[0].strip(): p for p in parts[1:]}


@pytest.mark.parametrize("code", list(AREAS))
def test_each_book_has_an_action_plan_row_per_recommendation(books: Books, code: str) -> None:
    plan = _csv(books / code, code, "action-plan")
    assert [c for c in plan.columns if c in ACTION_PLAN_COLUMNS] == ACTION_PLAN_COLUMNS
    assert (plan["period"] != "").all()  # the period of each current value
    fired = recommend(code, 2025).fired
    assert set(plan["Recommendation"]) == {r.title for r in fired}
    assert set(plan["Level of need"]) <= LEVELS
    assert (plan["Lead partners"] != "").all() and (plan["Direction wanted"] != "").all()
    assert set(plan["Review by"]) == {"31 March 2027"}
    assert "Action plan" in (books / code / "notebooks" / "10_recommendations.html").read_text()


@pytest.mark.parametrize("code", list(AREAS))
def test_no_recommendation_cites_a_finding_better_than_england_or_improving(
    books: Books, code: str
) -> None:
    favourable = {
        f.name
        for f in findings(code, 2025)
        if f.has_data and (f.direction == "better" or f.getting_better)
    }
    cited = _csv(books / code, code, "recommendations-and-the-findings-behind-them")
    column = next(c for c in cited.columns if c.lower().startswith("finding"))
    assert not favourable & set(cited[column]), favourable & set(cited[column])


def test_worcestershire_mmr_is_better_than_england_and_behind_no_recommendation(
    books: Books,
) -> None:
    mmr = next(f for f in findings("E10000034", 2025) if f.indicator_id == "cover:MMR1_24m")
    assert mmr.direction == "better" and mmr.value < 95
    for title, block in _recommendation_blocks(books / "E10000034").items():
        assert "MMR" not in block, title


def test_worcestershire_infant_mortality_is_acted_on(books: Books) -> None:
    blocks = _recommendation_blocks(books / "E10000034")
    maternal = next(b for t, b in blocks.items() if t.startswith("Focus on mothers"))
    assert "Infant mortality (5.4 per 1,000 live births, 2023)" in maternal


@pytest.mark.parametrize("code", list(AREAS))
def test_programmes_with_little_or_no_evidence_are_never_listed_as_evidence(
    books: Books, code: str
) -> None:
    cat = load_catalogue()
    weak = {
        name
        for name, s in zip(cat.programmes["name"], strengths(cat), strict=True)
        if not counts_as_evidence(s)
    }
    assert {"Stay and Play sessions", "Baby yoga"} <= weak
    lists = [
        small.get_text(" ")
        for small in _page(books / code, "00_summary").find_all("small")
        if small.get_text(" ").startswith("Programmes with evidence for this")
    ]
    assert lists, "the summary lists no programmes with evidence"
    for line in lists:
        assert not [w for w in weak if w in line], line
    blocks = _recommendation_blocks(books / code)
    assert blocks, "no recommendation blocks found on the page"
    for title, block in blocks.items():
        listed = block.split("Evidence entries", 1)[-1]
        listed = listed.split("Little or no evidence of effect", 1)[0]
        assert not [w for w in weak if w in listed], title


@pytest.mark.parametrize("code", list(AREAS))
def test_a_cited_programme_shows_its_caveat(books: Books, code: str) -> None:
    cat = load_catalogue().programmes
    caveats = dict(zip(cat["name"], cat["caveat"], strict=True))
    text = _page(books / code, "10_recommendations").get_text(" ")
    text = " ".join(text.split())
    cited = [n for n, c in caveats.items() if c and n in text]
    assert "Family Nurse Partnership (FNP; Nurse-Family Partnership in the USA)" in cited
    for name in cited:
        assert " ".join(caveats[name].split()) in text, name


def test_the_worked_example_feeds_no_recommendation(books: Books) -> None:
    plain = recommend("E10000034", 2025).fired
    example = _csv(EXAMPLE / "E10000034", "E10000034", "recommendations-at-a-glance")
    fired = example[example["Applies"] == "Yes"]["Recommendation"]
    assert set(fired) == {r.title for r in plain}
