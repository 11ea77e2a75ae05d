"""Chapter templates read well and draw their charts outside the book, with no network.

Fast checks: the templates' Markdown has no book-only substitutions, their prose helper turns
MyST into HTML Jupyter can show, and each target gets its own chart output. Slow checks: a
template exported by ``jupyter nbconvert --to html --execute`` draws every chart as SVG in
headless Chromium with every request off the machine blocked, and the built book keeps its
glossary links.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from needsbook.areas import resolve_area
from needsbook.chapters import display, prose
from tests.books import Books
from tests.own_thread import in_own_thread

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHROMIUM = Path(os.environ.get("NEEDSBOOK_CHROMIUM", "/usr/bin/chromium"))
CDN = re.compile(r"https?://[^\s\"']*(jsdelivr|unpkg|vega)", re.IGNORECASE)


def cells(path: Path, kind: str) -> list[Any]:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == kind]


def test_there_are_templates() -> None:
    assert len(TEMPLATES) >= 11


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_template_markdown_has_no_book_substitutions_or_roles(path: Path) -> None:
    """Jupyter shows Markdown cells as they are: ``{{ area_name }}`` or a MyST role would be
    read literally. The area's name and the glossary links come from code."""
    for cell in cells(path, "markdown"):
        assert "{{" not in cell.source and "}}" not in cell.source, cell.source
        assert not re.search(r"\{[a-z]+\}`", cell.source), cell.source
    assert cells(path, "markdown")[0].source.startswith("# ")  # the page title stays Markdown


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_template_defaults_to_jupyter_and_hides_its_code_in_the_book(path: Path) -> None:
    code = cells(path, "code")
    params = next(c for c in code if "parameters" in c.metadata.get("tags", []))
    assert 'target = "jupyter"' in params.source
    assert any("setup(downloads_dir, target)" in c.source for c in code)
    shown = [c.source for c in code if not {"remove-input", "remove-cell"} & set(c.metadata.tags)]
    assert not shown, f"code the book would show: {shown}"
    prose_cells = [c for c in code if c.source.startswith("show_prose(")]
    assert len(prose_cells) == 1  # the introduction, right below the page title in the book
    assert prose_cells[0].metadata["mystnb"] == {"markdown_format": "myst"}  # its roles resolve


def test_prose_is_myst_for_the_book_and_plain_html_for_jupyter() -> None:
    area = resolve_area("E10000034")
    paragraphs = (
        "Children in {area_name}, in the {region_name} region, and *why*.",
        "Words such as {term}`IMD`, {term}`decile <Decile>` are in the "
        "{doc}`glossary </book/glossary>`.",
    )
    myst = prose.myst(paragraphs, area)
    assert myst.startswith("Children in Worcestershire, in the West Midlands region")
    assert "{term}`decile <Decile>`" in myst and "{doc}`glossary </book/glossary>`" in myst
    html = prose.html(paragraphs, area)
    assert "<em>why</em>" in html
    assert "Words such as IMD, decile are in the" in html
    assert "are in the glossary." in html and "<a " not in html  # no book pages beside it
    assert "{" not in html and "`" not in html


def test_prose_escapes_the_area_and_rejects_unknown_placeholders() -> None:
    area = resolve_area("E06000017")
    hostile = dataclasses.replace(area, name="<b>{term}`x`</b>*")
    html = prose.html(("In {area_name}.",), hostile)
    assert "&lt;b&gt;{term}`x`&lt;/b&gt;*" in html and "<b>" not in html
    with pytest.raises(ValueError, match=r"unknown placeholder \{area\}"):
        prose.myst(("In {area}.",), area)


def _chart_html(target: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    import altair as alt
    import pandas as pd

    display.setup(target=target)
    shown = capsys.readouterr().out
    chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x")
    bundle = chart._repr_mimebundle_()
    return shown, (bundle[0] if isinstance(bundle, tuple) else bundle)["text/html"]


def test_book_charts_are_unchanged_and_jupyter_charts_need_no_cdn(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown, book = _chart_html("book", capsys)
    assert not shown  # the book's pages load the libraries from _static
    assert "vegaEmbed" in book and '"renderer": "svg"' in book
    shown, jupyter = _chart_html("jupyter", capsys)
    assert "HTML object" in shown  # setup's output: the libraries, once
    assert not CDN.search(jupyter.replace("https://vega.github.io/schema", ""))
    assert '"renderer": "svg"' in jupyter and "needsbook-vega-ready" in jupyter
    with pytest.raises(ValueError, match="target must be one of"):
        display.setup(target="pdf")


# --- slow: nbconvert and Chromium ----------------------------------------------------------------


def _browser_missing() -> str | None:
    if not CHROMIUM.is_file():
        return f"Chromium not installed at {CHROMIUM}: run `make browser-deps`"
    try:
        import nbconvert  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} not installed: install needsbook's [jupyter] and [test] extras"
    return None


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The population chapter (Worcestershire, the template's defaults), copied out of the
    project and exported as nbconvert's users do."""
    reason = _browser_missing()
    if reason and os.environ.get("NEEDSBOOK_REQUIRE_BROWSER"):
        pytest.fail(f"browser test required but cannot run: {reason}")
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("jupyter")
    notebook = folder / "01_population.ipynb"
    shutil.copy(ROOT / "notebooks" / notebook.name, notebook)
    cmd = [sys.executable, "-m", "nbconvert", "--to", "html", "--execute", *OFFLINE_EXPORT]
    cmd.append(str(notebook))
    done = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return notebook.with_suffix(".html")


#: The README's offline export: nbconvert's page template links require.js and MathJax from a
#: CDN unless told not to (the charts need neither).
OFFLINE_EXPORT = ("--HTMLExporter.require_js_url=", "--HTMLExporter.mathjax_url=")
MARKS = "g[class*='mark-'] > path, g[class*='mark-'] > text"
DRAWN = "document.querySelectorAll('div[id^=altair-viz-] svg.marks').length"


@pytest.mark.slow
@pytest.mark.browser
def test_exported_chapter_draws_its_charts_offline(exported: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    off_machine: list[str] = []
    errors: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.split(":", 1)[0] not in ("file", "data", "blob"):
            off_machine.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def look() -> tuple[list[int], list[str], str]:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(service_workers="block")
                context.route("**/*", guard)
                page = context.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(exported.as_uri(), wait_until="load")
                charts = page.locator("div[id^='altair-viz-']").count()
                assert charts >= 4  # age, pyramid, trend, projection, births, ethnicity
                page.wait_for_function(
                    f"{DRAWN} >= {charts}",
                    timeout=30_000,
                )
                marks = page.eval_on_selector_all(
                    "div[id^='altair-viz-']",
                    f"els => els.map(e => e.querySelectorAll({MARKS!r}).length)",
                )
                headings = page.eval_on_selector_all(
                    "h1, h2, h3", "els => els.map(e => e.innerText)"
                )
                text = "\n".join(  # what the page shows: Markdown cells and outputs, not code
                    page.eval_on_selector_all(
                        ".jp-RenderedHTMLCommon", "els => els.map(e => e.innerText)"
                    )
                )
            finally:
                browser.close()
        return marks, headings, text

    marks, headings, text = in_own_thread(look)  # no event loop left running by another test
    assert all(n > 0 for n in marks), f"charts drawn without marks: {marks}"
    assert not errors, errors
    assert off_machine == [], f"requests off the machine: {off_machine}"
    assert "Population" in headings[0] and len(headings) >= 7
    assert not [h for h in headings if "{{" in h or "}}" in h]
    assert "How many children and young people live in Worcestershire" in text
    assert "{doc}" not in text and "{term}" not in text and "Error loading script" not in text


@pytest.mark.slow
def test_built_chapters_name_the_area_and_link_the_glossary(books: Books) -> None:
    """In the book the templates' prose is MyST: the area is named and each term links to
    its glossary entry."""
    page = (books / "E10000034" / "notebooks" / "02_need.html").read_text()
    assert "Where Worcestershire\u2019s children live" in page or "Where Worcestershire's" in page
    for term in ("IMD", "LSOA", "Decile", "Modelled-need"):
        assert f'href="../book/glossary.html#term-{term}"' in page, term
    assert "{term}" not in page and "{{" not in page
    assert 'id="where-the-area-is"' in page
    outcomes = (books / "E10000034" / "notebooks" / "03_outcomes.html").read_text()
    assert "the West Midlands region" in outcomes
    assert 'id="how-the-area-compares-with-england"' in outcomes


# --- the build's kernel: neither the TCP warning nor "KeyboardInterrupt caught in kernel" -------


def _run_kernel(capfd: pytest.CaptureFixture[str]) -> tuple[list[int], str]:
    """Start a build kernel, run one statement, shut it down: (signals sent to it, its stderr)."""
    import asyncio
    import signal

    from needsbook.build.kernel import BuildKernelManager

    sent: list[int] = []

    async def run() -> None:
        km = BuildKernelManager(kernel_name="python3")
        await km.start_kernel()
        real = km._async_signal_kernel

        async def record(signum: int) -> None:
            sent.append(signum)
            await real(signum)

        km._async_signal_kernel = record  # type: ignore[method-assign]
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive("x = 1", timeout=60)
            assert reply["content"]["status"] == "ok"
            assert "curve_publickey" in km.get_connection_info()  # encrypted channels
        finally:
            kc.stop_channels()
            await km.shutdown_kernel()

    in_own_thread(lambda: asyncio.run(run()))  # no event loop left running by another test
    return [s for s in sent if s == signal.SIGINT], capfd.readouterr().err


@pytest.mark.slow
def test_build_kernel_starts_and_stops_without_warnings(capfd: pytest.CaptureFixture[str]) -> None:
    interrupts_sent, stderr = _run_kernel(capfd)
    assert not interrupts_sent  # an idle kernel is not interrupted before it is shut down
    assert "without encryption" not in stderr and "KeyboardInterrupt" not in stderr


@pytest.mark.slow
def test_build_kernel_is_interrupted_when_the_build_is(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from needsbook.build import interrupts

    monkeypatch.setitem(interrupts._state, "signal", "SIGINT")
    interrupts_sent, _ = _run_kernel(capfd)
    assert interrupts_sent  # Ctrl-C still stops a running cell at once
