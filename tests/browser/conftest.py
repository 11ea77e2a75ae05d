"""Fixtures for the browser checks: the built site, a local server, headless Chromium, axe-core.

The site is the shared test books' (``tests/books.py``: seven areas' books, their area pages
and the landing page), built once per session for every test that reads a book. It is served
from a ``http.server`` on 127.0.0.1 in a thread; every request the browser makes to any other
host is recorded and aborted, and fails the test that made it. Chromium is Debian's
(``/usr/bin/chromium``), driven by Playwright; Playwright never downloads a browser here.

The tests are skipped, with the reason, only when Chromium, Playwright or ``node_modules/axe-core``
is missing (``make browser-deps`` installs Chromium, ``make setup`` runs ``npm ci``); with
``NEEDSBOOK_REQUIRE_BROWSER`` set (CI sets it) a missing requirement is an error instead.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pytest

if TYPE_CHECKING:
    from tests.books import Books

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("NEEDSBOOK_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing_requirement() -> str | None:
    if not CHROMIUM.is_file():
        return f"Chromium not installed at {CHROMIUM}: run `make browser-deps`"
    if not AXE.is_file():
        return f"axe-core not installed ({AXE.relative_to(ROOT)}): run `npm ci` (make setup)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (PyPI) not installed: run `make setup`"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not any("browser" in item.keywords for item in items):
        return
    reason = missing_requirement()
    if reason and os.environ.get("NEEDSBOOK_REQUIRE_BROWSER"):  # set by .ci/run: never skip
        raise pytest.UsageError(f"browser tests required but cannot run: {reason}")
    if reason:
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def site(books: Books) -> Path:
    """The site of the shared test books (tests/books.py): every book, area page and the
    landing page, built once per session for every test that reads a book."""
    return books.root


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # a browser closing a connection early is not a test failure


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """Base URL of a local static server for the site (127.0.0.1 only, stopped at the end)."""
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watch:
    """What a page did: console errors, uncaught exceptions, requests to other hosts, failures."""

    base: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.errors.clear()
        self.foreign.clear()
        self.failed.clear()

    def problems(self) -> list[str]:
        return (
            [f"console error: {e}" for e in self.errors]
            + [f"request to another host: {u}" for u in self.foreign]
            + [f"failed request: {u}" for u in self.failed]
        )


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[tuple[Any, Watch]]:
    """A fresh page that may only talk to the local server; yields (page, watch)."""
    watch = Watch(server)
    origin = urlparse(server)
    context = browser.new_context(accept_downloads=True, service_workers="block")

    def guard(route: Any) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != origin.netloc:
            watch.foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: watch.errors.append(f"uncaught: {e}"))
    pg.on(
        "response",
        lambda r: watch.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    try:
        yield pg, watch
    finally:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text()
