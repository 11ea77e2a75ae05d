"""The evidence chapter's searchable programme table in headless Chromium: it opens on the
outcomes of concern, filters by typed text, shows the whole catalogue from the keyboard, and a
link to a hidden entry reveals it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_browser_site import book

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = "notebooks/08_evidence.html"  # in Worcestershire's book
VISIBLE = (
    "() => [...document.querySelectorAll('#nb-programmes tbody tr')].filter(r => !r.hidden).length"
)


def _status(pg: Any) -> str:
    return pg.locator("#nb-programmes-status").inner_text()


def test_search_and_concern_filter(page: tuple[Any, Any], server: str, site: Path) -> None:
    pg, watch = page
    pg.goto(f"{server}{book(site, 'E10000034')}/{PAGE}", wait_until="load")
    assert pg.evaluate(VISIBLE) == 32
    assert _status(pg) == "Showing 32 of 65 entries (outcomes of concern only)."
    pg.get_by_label("Search the catalogue").fill("Triple P")
    assert pg.evaluate(VISIBLE) == 3
    assert _status(pg).startswith("Showing 3 of 65 entries (outcomes of concern only, containing")
    pg.get_by_label("Search the catalogue").fill("")
    pg.get_by_label("Show the whole catalogue").focus()
    pg.keyboard.press("Space")
    assert pg.evaluate(VISIBLE) == 65
    assert _status(pg) == "Showing 65 of 65 entries (whole catalogue)."
    assert watch.problems() == []


def test_link_to_a_hidden_entry_reveals_it(page: tuple[Any, Any], server: str, site: Path) -> None:
    pg, _ = page
    url = f"{server}{book(site, 'E10000034')}/{PAGE}#programme-solihull_approach"
    pg.goto(url, wait_until="load")
    assert pg.locator("#programme-solihull_approach").is_visible()
    assert pg.locator("#nb-programmes-all").is_checked()
