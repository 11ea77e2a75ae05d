"""Reader text: no internal vocabulary on any page or in any download of the test books, and
the check itself catches each forbidden pattern (a page seeded with it fails)."""

from __future__ import annotations

import pytest

from needsbook.testing.reader_text import check_book, check_csv, check_page
from tests.books import ALL_AREAS, EXAMPLE, Books

PAGE = "<html><body><main><h1>Outcomes</h1><p>{}</p></main></body></html>"

#: One seeded sentence per forbidden pattern (each must be caught).
SEEDED = {
    "seed": "Not stated in the seed.",
    "Seed capitalised": "Seed report figures.",
    "spec": "As the spec says.",
    "spec path": "See shared/spec/statistics.md.",
    "section sign": "See section §6.4 of the analysis.",
    "ext marker": "NICE PH40 (number is [ext]).",
    "verify marker": "HIA 3 and 4 are [ext, verify].",
    "inference marker": "Aligned with Universal Plus [inf].",
    "method code": "Fold change (method M21).",
    "recommendation code": "It follows the model report's R5.",
    "note to the team": "TODO check this figure.",
    "template file name": "From the council's eha_assessments records (eha_assessments.csv).",
    "project file": "Source: the rules (rules.yml).",
    "project folder": "The catalogue lives in data/indicators.",
    "module name": "Computed by needsbook.outcomes.compare.",
    "command in prose": "Rebuild with needsbook build \u2013area Rutland.",
}


@pytest.mark.parametrize("name", list(SEEDED))
def test_a_page_seeded_with_each_forbidden_pattern_fails(name: str) -> None:
    assert check_page("seeded.html", PAGE.format(SEEDED[name])), name


def test_a_command_with_typographic_dashes_or_quotes_fails() -> None:
    for command in (
        "needsbook build \u2013\u2013area Rutland",
        "needsbook build --area \u201cRutland\u201d",
    ):
        page = PAGE.format(f"<pre><code>{command}</code></pre>")
        problems = check_page("seeded.html", page)
        assert {p.what for p in problems} == {"a typographic dash or quote in a command"}


def test_clean_reader_text_passes() -> None:
    text = (
        "Worcestershire's rate of children looked after (86.2 per 10,000, 31 March 2025) is "
        "significantly worse than England, as the Worcestershire 2015 needs assessment found. "
        "A specialist midwife sees mothers who need more help. Download: "
        '<a href="x.csv">E10000034-outcomes.csv</a>'
        '<pre><code>needsbook build --area "Worcestershire" --year 2025</code></pre>'
        "<pre><code>lower = x \u2212 1.96 \u00d7 se</code></pre>"
    )
    assert check_page("clean.html", PAGE.format(text)) == []


def test_csv_headers_count_as_reader_text() -> None:
    assert check_csv("x.csv", "id,seed_level\nfnp,3\n")
    assert check_csv("x.csv", "Indicator,Value\nChildren looked after,86.2\n") == []


@pytest.mark.parametrize("code", list(ALL_AREAS))
def test_every_page_and_download_of_a_test_book_is_reader_text(books: Books, code: str) -> None:
    problems = check_book(books / code)
    assert not problems, "\n".join(str(p) for p in problems[:40])


def test_the_worked_example_book_is_reader_text(books: Books) -> None:
    problems = check_book(EXAMPLE / "E10000034")
    assert not problems, "\n".join(str(p) for p in problems[:40])
