"""End-to-end: the book builds for an area, offline, and nothing is published on failure."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from needsbook.build import BuildOptions, build_area
from needsbook.build.chapters import CHAPTERS, STATIC_PAGES
from needsbook.cli import main
from needsbook.errors import BuildError
from tests.books import Books

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def worcestershire(books: Books) -> Path:
    """The session's Worcestershire book (a single build from the command line is built by
    the safety tests, tests/build/test_out_safety.py, and the years tests)."""
    return books / "E10000034"


def test_pages_exist_and_name_the_area(worcestershire: Path) -> None:
    for page in (*STATIC_PAGES, *(c.html for c in CHAPTERS), "index.html"):
        assert (worcestershire / page).is_file(), page
    intro = (worcestershire / "book" / "intro.html").read_text()
    assert "Worcestershire: children and young people" in intro
    assert "E10000034" in intro


def test_population_chapter_has_rendered_chart_containers_and_data(worcestershire: Path) -> None:
    page = (worcestershire / "notebooks" / "01_population.html").read_text()
    assert len(set(re.findall(r'id="altair-viz-[0-9a-f]{32}"', page))) == 6
    assert (
        page.count("<details class='needsbook-table'>")
        + page.count('<details class="needsbook-table">')
        == 6
    )
    assert "Bromsgrove" in page and "Wyre Forest" in page  # district breakdown
    assert "0-17 population of Worcestershire" in page
    assert "area_code = " not in page  # parameter cells are hidden


def test_book_is_offline(worcestershire: Path) -> None:
    page = (worcestershire / "notebooks" / "01_population.html").read_text()
    remote_scripts = re.findall(r'<script[^>]+src="(https?://[^"]+)"', page)
    remote_css = re.findall(r'<link[^>]+href="(https?://[^"]+\.css[^"]*)"', page)
    assert remote_scripts == [] and remote_css == []
    assert "_static/vega-offline.js" in page
    bundle = (worcestershire / "_static" / "vega-offline.js").read_text()
    assert bundle.startswith("/* Vega ") and "window.VEGA_DEBUG" in bundle


def test_data_sources_page_lists_every_snapshot_table(worcestershire: Path, data_dir: Path) -> None:
    page = (worcestershire / "book" / "data-sources.html").read_text()
    assert "Open Government Licence" in page
    manifest = (data_dir / "snapshot" / "MANIFEST").read_text()
    tables = [ln.split(",")[0] for ln in manifest.splitlines()[1:] if not ln.startswith("#")]
    for table in tables[1:]:
        assert table in page, table


def test_failed_validation_publishes_nothing(
    data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_copy / "snapshot" / "population_0_17.parquet"
    df = pd.read_parquet(path)
    df.loc[df.index[:3], "population"] = -1
    df.to_parquet(path)
    out = tmp_path / "book"
    assert (
        main(
            [
                "build",
                "--area",
                "Rutland",
                "--out",
                str(out),
                "--data-dir",
                str(data_copy),
                "--quiet",
            ]
        )
        == 3
    )
    err = capsys.readouterr().err
    assert "Validation FAILED" in err and "population_0_17" in err
    assert not out.exists()


def test_notebook_failure_names_notebook_and_cell(data_copy: Path, tmp_path: Path) -> None:
    (data_copy / "snapshot" / "population_projections.parquet").unlink()
    out = tmp_path / "book"
    out.mkdir()
    (out / "index.html").write_text("previous good build")
    (out / "_needsbook_build.json").write_text('{"area_code": "E06000017"}')  # a book of ours
    with pytest.raises(BuildError) as exc:
        build_area(
            BuildOptions(area="Rutland", out=out, data_dir=data_copy, quiet=True, validate=False)
        )
    msg = str(exc.value)
    assert "notebook 01_population.ipynb failed in cell" in msg
    assert "population_projections" in msg
    kept = Path(msg.split("executed copy with the traceback: ")[1].strip())
    assert kept.is_file() and "_build/logs/E06000017" in str(kept)  # survives the staging folder
    assert (out / "index.html").read_text() == "previous good build"  # untouched


def test_check_html_rejects_unfilled_placeholders(tmp_path: Path) -> None:
    from needsbook.areas import resolve_area
    from needsbook.build.book import check_html

    area = resolve_area("Rutland")
    for page in (*STATIC_PAGES, *(c.html for c in CHAPTERS), "index.html"):
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text('Rutland <div id="altair-viz-0"></div>')
    check_html(tmp_path, area)  # complete: no error
    (tmp_path / "book" / "intro.html").write_text(
        'Rutland <code><span class="pre">"{{</span> <span class="pre">area_name</span> '
        '<span class="pre">}}"</span></code>'
    )
    with pytest.raises(BuildError, match=r"book/intro.html shows an unfilled placeholder"):
        check_html(tmp_path, area)
