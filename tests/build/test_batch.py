"""Batch builds: one failure never stops the others; unchanged books are skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from needsbook.build import BuildOptions
from needsbook.build.batch import build_many
from needsbook.build.fingerprint import STAMP
from needsbook.cli import main

pytestmark = pytest.mark.slow


def test_batch_reports_each_area_and_skips_unchanged(tmp_path: Path) -> None:
    template = BuildOptions(area="", quiet=True)
    outcomes = build_many(["Rutland", "Narnia", "E06000017"], template, out_root=tmp_path)
    by_query = {o.query: o for o in outcomes}
    assert by_query["Narnia"].status == "failed"
    assert "unknown area 'Narnia'" in by_query["Narnia"].reason
    built = [o for o in outcomes if o.status == "built"]
    assert [o.area_code for o in built] == ["E06000017"]  # "Rutland" and its code: built once
    out = Path(built[0].out)  # <root>/<code>/<year>, with the area's page and the landing page
    assert out.parent == tmp_path / "E06000017" and out.name.isdigit()
    stamp = json.loads((out / STAMP).read_text())
    assert (stamp["area_code"], stamp["year"]) == ("E06000017", int(out.name))
    assert f'href="{out.name}/index.html"' in (out.parent / "index.html").read_text()
    assert f'href="E06000017/{out.name}/index.html"' in (tmp_path / "index.html").read_text()
    again = build_many(["Rutland"], template, out_root=tmp_path)
    assert [o.status for o in again] == ["skipped"]
    forced = build_many(
        ["Rutland"], BuildOptions(area="", quiet=True, force=True), out_root=tmp_path
    )
    assert [o.status for o in forced] == ["built"]


def test_batch_exit_code_is_non_zero_when_any_area_fails(tmp_path: Path) -> None:
    code = main(["build", "--areas", "Narnia", "--out", str(tmp_path), "--quiet"])
    assert code == 1
    assert not any(tmp_path.iterdir())
