"""Assemble a staged Jupyter Book for one area, build it, and check the HTML it made."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from needsbook.areas import Area
from needsbook.build import downloads
from needsbook.build.chapters import CHAPTERS, STATIC_PAGES
from needsbook.errors import BuildError
from needsbook.escape import html_text
from needsbook.report.editions import EditionKind
from needsbook.snapshot.manifest import read_manifest, read_manifest_header

A11Y_EXTENSION = "needsbook.site.a11y"  # theme accessibility fixes (see its docstring)


PLACEHOLDER = re.compile(r"\{\{\s*[a-z_]+\s*\}\}")
TAG = re.compile(r"<[^>]+>")  # Sphinx splits inline code into spans
SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)  # not page text


def book_config(root: Path, area: Area, year: int, snapshot: Path) -> dict[str, Any]:
    """The repo's ``_config.yml`` with this area's title and page substitutions."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    config["title"] = f"{area.name}: children and young people's early help needs assessment {year}"
    parse = config.setdefault("parse", {})
    header = read_manifest_header(snapshot)
    parse["myst_substitutions"] = {
        "area_name": area.name,
        "area_code": area.code,
        "area_kind": area.kind.lower(),
        "region_name": area.region_name,
        "year": str(year),
        "snapshot_date": header.get("built", "unknown"),
        "n_districts": str(len(area.districts)),
    }
    sphinx = config.setdefault("sphinx", {})
    extensions = list(sphinx.get("extra_extensions") or [])
    if A11Y_EXTENSION not in extensions:
        extensions.append(A11Y_EXTENSION)
    sphinx["extra_extensions"] = extensions
    return config


def data_sources_table(snapshot: Path) -> str:
    """A Markdown table of every snapshot table's provenance, from the MANIFEST."""
    lines = [
        "| Table | Source dataset | Publisher | Licence | Periods | Rows |",
        "|---|---|---|---|---|---:|",
    ]
    for e in read_manifest(snapshot):
        cells = [
            f"`{e.table}`",
            e.source_dataset,
            e.publisher,
            e.licence,
            e.periods or "n/a",
            f"{e.rows:,}",
        ]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def downloads_section(
    area: Area, csv_dir: Path, year: int | None = None, editions: tuple[EditionKind, ...] = ()
) -> str:
    """Raw-HTML list of the book's downloads for the data sources page (links relative): the
    PDF and Word editions the build makes, the zip and every CSV."""

    def link(name: str, text: str) -> str:
        return f'<li><a href="../{downloads.DIRNAME}/{html_text(name)}" download>{text}</a></li>'

    items = [link(e.filename(area.code, year), html_text(e.label)) for e in editions if year]
    items += [
        link(
            downloads.zip_name(area.code),
            f"All the data in this book for {html_text(area.name)}, with the executed "
            "chapter notebooks (zip)",
        )
    ]
    for path in sorted(csv_dir.glob("*.csv")) if csv_dir.is_dir() else []:
        items.append(link(path.name, f"{html_text(path.name)} (CSV)"))
    return (
        "\n## Downloads\n\nEvery chart and table in this book offers its data as a tidy CSV "
        "file (one row per value, with its unit, period and source). The same files, with the "
        "executed chapter notebooks, are in one zip file.\n\n"
        '<ul class="needsbook-downloads">\n' + "\n".join(items) + "\n</ul>\n"
    )


def stage_book(
    root: Path,
    staging: Path,
    area: Area,
    year: int,
    snapshot: Path,
    cache_dir: Path | None,
    editions: tuple[EditionKind, ...] = (),
) -> None:
    """Copy the static pages and the TOC, render the config, add the generated tables (data
    sources, downloads, the need model's accuracy) and the offline chart bundle."""
    shutil.copytree(root / "book", staging / "book")
    shutil.copy2(root / "_toc.yml", staging / "_toc.yml")
    config = book_config(root, area, year, snapshot)
    (staging / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    sources = staging / "book" / "data-sources.md"
    sources.write_text(
        sources.read_text()
        + "\n"
        + data_sources_table(snapshot)
        + downloads_section(area, staging / downloads.DIRNAME, year, editions)
    )
    # the need model's accuracy, from the same data (``snapshot`` is ``<data dir>/snapshot``)
    from needsbook.need.validation_page import cached_validation_section

    methods = staging / "book" / "methods" / "need-model.md"
    section = cached_validation_section(year, snapshot.parent, cache_dir)
    methods.write_text(methods.read_text(encoding="utf-8") + section, encoding="utf-8")
    from needsbook.charts.offline import write_bundle

    write_bundle(staging / "_static", cache_dir=cache_dir)


#: What an in-process jupyter-book build imports (the book's theme and extensions).
TOOLCHAIN_MODULES = (
    "jupyter_book.cli.main",
    "jupyter_book.sphinx",
    "sphinx.application",
    "sphinx.builders.html",
    "myst_nb",
    "sphinx_book_theme",
    "sphinx_togglebutton",
    "sphinx_copybutton",
    "sphinx_comments",
    "sphinx_external_toc",
    "sphinx_design",
    "sphinx_thebe",
    "sphinxcontrib.bibtex",
    "sphinx_multitoc_numbering",
    "sphinx_jupyterbook_latex",
)


def warm_up(cache_dir: Path | None, in_process: bool) -> None:
    """Do ahead what the book steps will need, while the chapters run in their kernel (which
    leaves this process waiting): make the offline chart bundle into ``cache_dir`` and, for an
    in-process book build, import jupyter-book, Sphinx and the theme. Nothing here changes a
    page; a failure is left for the step itself to report."""
    import warnings
    from importlib import import_module

    from needsbook.charts.offline import cached_bundle

    cached_bundle(cache_dir)
    if not in_process:
        return
    with warnings.catch_warnings():  # as in _jupyter_book_here: the toolchain's, not the book's
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        for name in TOOLCHAIN_MODULES:
            try:
                import_module(name)
            except ImportError:  # not every version ships every extension
                continue


def run_jupyter_book(staging: Path, quiet: bool = True, in_process: bool = False) -> Path:
    """``jupyter-book build`` with warnings as errors; returns the HTML folder.

    By default in a fresh Python process. ``in_process`` runs the same command in this process
    instead: batch workers build many books one after another, and importing Sphinx, MyST-NB
    and the theme (about 2-3 s) then happens once per worker rather than once per book."""
    args = [str(staging), "--builder", "html", "-W", "-n", "--keep-going", "-q"]
    if in_process:
        code, output = _jupyter_book_here(args)
    else:
        cmd = [  # needsbook first: its start-up skips an import (see needsbook/__init__.py)
            sys.executable,
            "-c",
            "import needsbook; from jupyter_book.cli.main import main; main()",
            "build",
            *args,
        ]
        env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        code, output = proc.returncode, proc.stdout + proc.stderr
    if code != 0:
        tail = "\n".join(output.strip().splitlines()[-25:])
        raise BuildError(f"jupyter-book build failed (exit {code}):\n{tail}")
    return staging / "_build" / "html"


def _jupyter_book_here(args: list[str]) -> tuple[int, str]:
    """``jupyter-book build ARGS`` in this process: (exit code, captured output)."""
    import contextlib
    import io
    import warnings

    buffer = io.StringIO()
    with (
        contextlib.redirect_stdout(buffer),
        contextlib.redirect_stderr(buffer),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", DeprecationWarning)  # the toolchain's, not the book's
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        from jupyter_book.cli.main import build

        try:
            build.main(args, prog_name="jupyter-book build", standalone_mode=False)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # click errors and Sphinx exceptions: a failed build
            buffer.write(f"\n{type(exc).__name__}: {exc}")
            code = 1
    return code, buffer.getvalue()


def check_html(html: Path, area: Area) -> None:
    """The pages exist, name the area, and chapter pages hold a chart container."""
    problems = []
    for page in (*STATIC_PAGES, *(c.html for c in CHAPTERS)):
        path = html / page
        if not path.is_file():
            problems.append(f"missing page {page}")
            continue
        text = path.read_text(errors="replace")
        if area.name not in text:
            problems.append(f"{page} does not mention {area.name}")
        if leftover := PLACEHOLDER.search(TAG.sub("", SCRIPT.sub("", text))):
            problems.append(f"{page} shows an unfilled placeholder {leftover.group(0)}")
    for chapter in CHAPTERS:
        path = html / chapter.html
        if path.is_file() and 'id="altair-viz-' not in path.read_text(errors="replace"):
            problems.append(f"{chapter.html} has no chart container")
    if not (html / "index.html").is_file():
        problems.append("missing index.html")
    for page in (*(c.html for c in CHAPTERS), "book/data-sources.html"):
        path = html / page
        if path.is_file():
            for name in downloads.links_in(path.read_text(errors="replace")):
                if not (html / downloads.DIRNAME / name).is_file():
                    problems.append(f"{page} links to a missing download {name}")
    if problems:
        raise BuildError("the built book is incomplete: " + "; ".join(problems))
