"""Every test book, from Worcestershire to the Isles of Scilly, has every chapter and every new
topic section, says "no data" where a source lacks the area, and uses mid-2024 ages."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from needsbook.build.chapters import CHAPTERS
from tests.books import ALL_AREAS, Books

#: Headings each chapter page must show, whatever the area's data.
HEADINGS = {
    "01_population": ["Children and young people by age", "Births", "Ethnic group"],
    "03_outcomes": [
        "Maternal and early years health over three years",
        "Good level of development by district",
    ],
    "04_vulnerable_children": [
        "Education, health and care plans",
        "Requests for EHC needs assessments",
        "How quickly EHC plans are issued",
        "What children's social care assessments find",
        "Looked-after children's health and stability",
        "Care leavers",
        "First-time entrants to the youth justice system",
        "Children in low-income families",
        "Demand on children's social care, adjusted for deprivation",
    ],
    "06_healthy_child": ["The Healthy Child Programme"],
    "07_local_offer": ["The local early help offer"],
}


def page_text(path: Path) -> str:
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", path.read_text(), flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text).replace("\u2019", "'")


@pytest.mark.parametrize("code", list(ALL_AREAS))
def test_every_chapter_and_new_section_is_in_every_book(books: Books, code: str) -> None:
    for chapter in CHAPTERS:
        assert (books / code / chapter.html).is_file(), (code, chapter.slug)
    for slug, headings in HEADINGS.items():
        text = page_text(books / code / "notebooks" / f"{slug}.html")
        for heading in headings:
            assert heading in text, (code, slug, heading)
        assert "Traceback" not in text and "Error" not in text.replace("error bar", ""), slug


@pytest.mark.parametrize("code", list(ALL_AREAS))
def test_the_age_structure_is_for_mid_2024(books: Books, code: str) -> None:
    text = page_text(books / code / "notebooks" / "01_population.html")
    name = ALL_AREAS[code]
    assert f"live in {name} (mid-2024)" in text


def test_sources_lacking_an_area_say_no_data(books: Books) -> None:
    scilly = page_text(books / "E06000053" / "notebooks" / "04_vulnerable_children.html")
    assert (
        "There is no data on looked-after children's health and stability for Isles of Scilly"
        in (scilly)
    )
    city = page_text(books / "E09000001" / "notebooks" / "04_vulnerable_children.html")
    assert (
        "There is no data on first-time entrants to the youth justice system for City of London"
        in (city)
    )
    cumberland = page_text(books / "E06000063" / "notebooks" / "03_outcomes.html")
    assert "by former district (the districts the area was formed from) of Cumberland" in cumberland
