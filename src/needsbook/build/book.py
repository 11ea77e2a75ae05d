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
from needsbook.build.chapters import CHAPTERS, STATIC_PAGES
from needsbook.charts.offline import write_bundle
from needsbook.errors import BuildError
from needsbook.snapshot.manifest import read_manifest, read_manifest_header

PLACEHOLDER = re.compile(r"\{\{\s*[a-z_]+\s*\}\}")
TAG = re.compile(r"<[^>]+>")  # Sphinx splits inline code into spans


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


def stage_book(
    root: Path, staging: Path, area: Area, year: int, snapshot: Path, cache_dir: Path | None
) -> None:
    """Copy the static pages and the TOC, render the config and add the offline chart bundle."""
    shutil.copytree(root / "book", staging / "book")
    shutil.copy2(root / "_toc.yml", staging / "_toc.yml")
    config = book_config(root, area, year, snapshot)
    (staging / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    sources = staging / "book" / "data-sources.md"
    sources.write_text(sources.read_text() + "\n" + data_sources_table(snapshot))
    write_bundle(staging / "_static", cache_dir=cache_dir)


def run_jupyter_book(staging: Path, quiet: bool = True) -> Path:
    """``jupyter-book build`` with warnings as errors; returns the HTML folder."""
    cmd = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        "build",
        str(staging),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
        "-q",
    ]
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise BuildError(f"jupyter-book build failed (exit {proc.returncode}):\n{tail}")
    return staging / "_build" / "html"


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
        if leftover := PLACEHOLDER.search(TAG.sub("", text)):
            problems.append(f"{page} shows an unfilled placeholder {leftover.group(0)}")
    for chapter in CHAPTERS:
        path = html / chapter.html
        if path.is_file() and 'id="altair-viz-' not in path.read_text(errors="replace"):
            problems.append(f"{chapter.html} has no chart container")
    if not (html / "index.html").is_file():
        problems.append("missing index.html")
    if problems:
        raise BuildError("the built book is incomplete: " + "; ".join(problems))
