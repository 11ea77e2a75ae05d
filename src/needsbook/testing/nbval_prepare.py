"""Write the reference outputs nbval compares against: every chapter template executed for a few
areas, committed under ``tests/nbval/<area code>/``.

``make nbval-refs`` (``python -m needsbook.testing.nbval_prepare E10000034 E06000017``)
regenerates them when a chapter's results change on purpose; ``make test`` re-executes each one
with nbval and fails on any output that differs, so a changed number is caught. Each notebook
runs in a fresh kernel, as nbval runs it, and is written without the run's own records
(papermill's timings, paths and timestamps); a reference whose outputs are unchanged (after
nbval's sanitisers, ``tests/nbval_sanitize.cfg``, e.g. the chart ids) is kept as it was, so the
files change only when outputs do.
"""

from __future__ import annotations

import argparse
import configparser
import json
import re
import sys
import tempfile
from pathlib import Path

import nbformat

from needsbook import paths
from needsbook.areas import resolve_area
from needsbook.build.chapters import CHAPTERS
from needsbook.build.execute import execute_notebook
from needsbook.years import resolve_year

#: Where the committed reference notebooks live, relative to the project root.
REFERENCE_DIR = Path("tests") / "nbval"
#: Per-run records that are not outputs: left out of the reference copies.
RUN_METADATA = ("papermill", "execution")


def strip_run_records(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` without papermill's and Jupyter's per-run metadata (timings, paths, dates)."""
    for key in RUN_METADATA:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in RUN_METADATA:
            cell.metadata.pop(key, None)
    return nb


#: nbval's output sanitisers, relative to the project root.
SANITIZE_CONFIG = Path("tests") / "nbval_sanitize.cfg"


def sanitisers(root: Path) -> list[tuple[re.Pattern[str], str]]:
    """The (regex, replacement) pairs of nbval's sanitise file (none if it is missing)."""
    config = configparser.ConfigParser()
    config.read(root / SANITIZE_CONFIG)
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def _compared(nb: nbformat.NotebookNode, rules: list[tuple[re.Pattern[str], str]]) -> str:
    """What nbval compares of ``nb``: each cell's source and outputs, sanitised."""
    cells = [(c.cell_type, c.source, c.get("outputs", [])) for c in nb.cells]
    text = json.dumps(cells, sort_keys=True)
    for regex, replacement in rules:
        text = regex.sub(replacement, text)
    return text


def _unchanged(
    path: Path, nb: nbformat.NotebookNode, rules: list[tuple[re.Pattern[str], str]]
) -> bool:
    if not path.is_file():
        return False
    return _compared(nbformat.read(path, as_version=4), rules) == _compared(nb, rules)


def prepare(out: Path, areas: list[str]) -> list[Path]:
    """Execute every chapter for each area into ``out/<code>/<slug>.ipynb``; returns the files
    rewritten (those whose outputs changed).

    Files of chapters that no longer exist are removed; the others are replaced only once all
    of an area's chapters have run, so a failure leaves the previous references in place.
    """
    root = paths.repo_root()
    rules = sanitisers(root)
    written = []
    for query in areas:
        area = resolve_area(query)
        year = resolve_year(None, area)
        params = {"area_code": area.code, "year": year, "data_dir": "", "local_dir": ""}
        target = out / area.code
        with tempfile.TemporaryDirectory() as tmp:
            runs = []
            for chapter in CHAPTERS:
                run = Path(tmp) / f"{chapter.slug}.ipynb"
                execute_notebook(root / chapter.notebook, run, params)
                runs.append(run)
            target.mkdir(parents=True, exist_ok=True)
            names = {run.name for run in runs}
            for stale in target.glob("*.ipynb"):
                if stale.name not in names:
                    stale.unlink()
            for run in runs:
                nb = strip_run_records(nbformat.read(run, as_version=4))
                if not _unchanged(target / run.name, nb, rules):
                    nbformat.write(nb, target / run.name)
                    written.append(target / run.name)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"folder of the reference notebooks (default: <project>/{REFERENCE_DIR})",
    )
    p.add_argument("areas", nargs="+", help="areas (name, code or DfE number)")
    args = p.parse_args(argv)
    out = args.out or paths.repo_root() / REFERENCE_DIR
    written = prepare(out, args.areas)
    for path in written:
        print(f"rewritten (outputs changed): {path}")
    print(f"{len(written)} reference notebook(s) rewritten; the others' outputs are unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
