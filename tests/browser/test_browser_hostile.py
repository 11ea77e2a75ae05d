"""A book built from local data whose every free-text field is hostile (tests/hostile_corpus):
in Chromium no page runs the payloads' script, requests another host or grows an element from
them, and the payloads read as the plain text they are."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from needsbook.build.chapters import CHAPTERS, STATIC_PAGES
from needsbook.escape import ZERO_WIDTH_SPACE
from tests.browser.conftest import ROOT, _Quiet, _Server
from tests.hostile_corpus import EVIL_HOST, hostile_folder

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AREA = "E10000034"
SITE = ROOT / "_build" / "hostile-site"
INJECTED = f"""() => {{
  const hits = [];
  for (const el of document.querySelectorAll("*")) {{
    for (const a of el.attributes) {{
      if (a.value.includes("__pwned") || a.value.includes("{EVIL_HOST}"))
        hits.push(el.outerHTML.slice(0, 120));
    }}
    const hiding = el.tagName === "STYLE" && el.textContent.includes("display:none");
    if (el.tagName === "IFRAME" || hiding) hits.push(el.outerHTML.slice(0, 120));
  }}
  return hits;
}}"""


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    from needsbook.build import BuildOptions, build_area
    from needsbook.local import example_dir

    local = tmp_path_factory.mktemp("hostile") / AREA
    used = hostile_folder(example_dir(), local)
    out = SITE / AREA
    build_area(BuildOptions(area=AREA, out=out, local_dir=local, quiet=True))
    return out, used


@pytest.fixture(scope="module")
def hostile_server(hostile_book: tuple[Path, dict[str, list[str]]]) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(SITE))
    httpd = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def guarded(browser: Any, hostile_server: str) -> Iterator[tuple[Any, list[str]]]:
    """A page that records (and blocks) every request to another host, and every dialog."""
    seen: list[str] = []
    context = browser.new_context(service_workers="block")

    def guard(route: Any) -> None:
        url = route.request.url
        if not url.startswith(hostile_server) and not url.startswith(("data:", "blob:")):
            seen.append(f"request: {url}")
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.on("dialog", lambda d: (seen.append(f"dialog: {d.message}"), d.dismiss()))
    try:
        yield pg, seen
    finally:
        context.close()


SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
PAGES = ["index.html", *STATIC_PAGES, *(c.html for c in CHAPTERS)]


@pytest.mark.parametrize("page_path", PAGES)
def test_hostile_text_runs_nothing_and_requests_nothing(
    page_path: str, guarded: tuple[Any, list[str]], hostile_server: str
) -> None:
    pg, seen = guarded
    response = pg.goto(f"{hostile_server}{AREA}/{page_path}", wait_until="load")
    assert response is not None and response.ok
    pg.wait_for_function(
        """() => [...document.querySelectorAll('div[id^="altair-viz-"]')]
                 .every(c => c.querySelector("svg, canvas"))""",
        timeout=30_000,
    )
    pg.wait_for_load_state("networkidle")
    assert pg.evaluate("() => window.__pwned") is None
    assert pg.evaluate(INJECTED) == []
    assert seen == []


def test_hostile_text_reads_as_text_on_the_services_page(
    guarded: tuple[Any, list[str]],
    hostile_server: str,
    hostile_book: tuple[Path, dict[str, list[str]]],
) -> None:
    pg, _ = guarded
    pg.goto(f"{hostile_server}{AREA}/notebooks/05_services.html", wait_until="load")
    text = pg.evaluate("() => document.body.textContent")  # closed tables too
    text = text.replace(ZERO_WIDTH_SPACE, "").translate(SMART_QUOTES)
    _, used = hostile_book
    for field in ("provider", "reason", "programme"):
        missing = [p for p in used[field] if p not in text]
        assert not missing, f"{field} payloads not shown as text on the services page: {missing}"
