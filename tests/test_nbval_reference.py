"""nbval compares chapters with the committed reference outputs, so a changed number fails.

``make test`` runs nbval on ``tests/nbval/<code>/*.ipynb`` (written by ``make nbval-refs``). Here
one snapshot value is changed in a copy of the data (Rutland's population aged 0 in the latest
year, with the MANIFEST's checksum updated so nothing can tell the copy from a real snapshot) and
nbval is run on Rutland's population chapter against it: it must report a mismatch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from needsbook.build.chapters import CHAPTERS
from needsbook.snapshot.manifest import read_manifest, read_manifest_header, write_manifest
from needsbook.testing.nbval_prepare import REFERENCE_DIR, RUN_METADATA

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / REFERENCE_DIR
AREAS = ("E10000034", "E06000017")
RUTLAND_POPULATION = REFERENCES / "E06000017" / "01_population.ipynb"


def _changed_population(data: Path) -> int:
    """Add 1,000 to Rutland's population aged 0 in the latest year of ``data``'s snapshot (as
    an area and as its own district) and update its MANIFEST; returns the new value."""
    snapshot = data / "snapshot"
    table = snapshot / "population_syoa.parquet"
    frame = pd.read_parquet(table)
    latest = frame["year"].max()
    row = (frame["area_code"] == "E06000017") & (frame["year"] == latest) & (frame["age"] == 0)
    assert row.sum() >= 1  # the county-level row, and the district row of a unitary
    frame.loc[row, "population"] += 1000
    frame.to_parquet(table, index=False)
    digest = hashlib.sha256(table.read_bytes()).hexdigest()
    entries = [
        dataclasses.replace(e, sha256=digest) if e.file == table.name else e
        for e in read_manifest(snapshot)
    ]
    write_manifest(snapshot, entries, read_manifest_header(snapshot))
    return int(frame.loc[row, "population"].iloc[0])


def _nbval(notebook: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(ROOT / "tests" / "nbval_sanitize.cfg"),
        str(notebook),
    ]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("code", AREAS)
def test_every_chapter_has_a_committed_reference(code: str) -> None:
    """One reference notebook per chapter, with outputs and without per-run records."""
    found = sorted(p.stem for p in (REFERENCES / code).glob("*.ipynb"))
    assert found == sorted(c.slug for c in CHAPTERS)
    for chapter in CHAPTERS:
        nb = nbformat.read(REFERENCES / code / f"{chapter.slug}.ipynb", as_version=4)
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        assert any(c.outputs for c in code_cells), chapter.slug
        assert not set(RUN_METADATA) & set(nb.metadata)
        assert not any(set(RUN_METADATA) & set(c.metadata) for c in nb.cells)


@pytest.mark.slow
def test_nbval_fails_when_a_snapshot_value_changes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("examples", "local"))
    _changed_population(data)
    env = {**os.environ, "NEEDSBOOK_DATA_DIR": str(data)}
    result = _nbval(RUTLAND_POPULATION, env)
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    assert "mismatch" in report, report
    assert "failed" in report.splitlines()[-1], report
