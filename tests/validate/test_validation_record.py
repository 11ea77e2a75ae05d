"""The snapshot's validation record (data/snapshot/VALIDATED) lets builds skip re-validating an
unchanged snapshot, and any change to a table, a suite or the check code invalidates it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from needsbook.cli import main
from needsbook.snapshot.build import build_snapshot, write_parquet
from needsbook.snapshot.manifest import read_manifest, write_manifest
from needsbook.snapshot.spec import TableSpec
from needsbook.validate import runner
from needsbook.validate.record import RECORD_NAME, read_record, write_record
from needsbook.validate.runner import content_key, validate_snapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path]:
    """A one-table snapshot (areas) and a copy of its suite: quick to validate in full."""
    data = tmp_path / "data"
    snap = data / "snapshot"
    snap.mkdir(parents=True)
    shutil.copy(ROOT / "data" / "snapshot" / "areas.parquet", snap / "areas.parquet")
    entries = [e for e in read_manifest(ROOT / "data" / "snapshot") if e.table == "areas"]
    write_manifest(snap, entries, {"needsbook snapshot": "test"})
    exp = tmp_path / "expectations"
    exp.mkdir()
    shutil.copy(ROOT / "expectations" / "areas.json", exp / "areas.json")
    return data, exp


def _build(data: Path, exp: Path, cache: Path):
    return validate_snapshot(data, expectations_dir=exp, cache_dir=cache)


def test_full_pass_records_key_and_a_build_then_skips_validation(
    small: tuple[Path, Path], tmp_path: Path
) -> None:
    data, exp = small
    snap = data / "snapshot"
    full = validate_snapshot(data, expectations_dir=exp, record=True)
    assert full.success and not full.from_cache and full.tables[0].evaluated > 10
    assert read_record(snap) == content_key(read_manifest(snap), exp)
    skipped = _build(data, exp, tmp_path / "fresh-cache")
    assert skipped.success and skipped.from_cache and skipped.from_record
    assert [t.evaluated for t in skipped.tables] == [0]
    assert "validation record matches" in skipped.text()
    # the accepted record also fills the build cache
    assert list((tmp_path / "fresh-cache").glob("validated-*"))


def test_needsbook_validate_ignores_the_record_and_runs_in_full(
    small: tuple[Path, Path],
) -> None:
    data, exp = small
    write_record(data / "snapshot", content_key(read_manifest(data / "snapshot"), exp))
    report = validate_snapshot(data, expectations_dir=exp)
    assert report.success and not report.from_cache and report.tables[0].evaluated > 10


def test_a_failing_validation_writes_no_record(small: tuple[Path, Path]) -> None:
    data, exp = small
    snap = data / "snapshot"
    df = pd.read_parquet(snap / "areas.parquet")
    df.loc[0, "area_code"] = "not a code"
    sha = write_parquet(df, snap / "areas.parquet")
    (entry,) = read_manifest(snap)
    write_manifest(snap, [entry.__class__(**{**entry.__dict__, "sha256": sha})], {})
    report = validate_snapshot(data, expectations_dir=exp, record=True)
    assert not report.success and read_record(snap) is None


def _recorded(data: Path, exp: Path) -> None:
    write_record(data / "snapshot", content_key(read_manifest(data / "snapshot"), exp))


def test_a_changed_table_invalidates_the_record(small: tuple[Path, Path], tmp_path: Path) -> None:
    data, exp = small
    snap = data / "snapshot"
    _recorded(data, exp)
    df = pd.read_parquet(snap / "areas.parquet")
    df.loc[0, "area_name"] = df.loc[0, "area_name"] + " (renamed)"
    sha = write_parquet(df, snap / "areas.parquet")
    # consistent with its MANIFEST, yet not the table that was validated
    (entry,) = read_manifest(snap)
    write_manifest(snap, [entry.__class__(**{**entry.__dict__, "sha256": sha})], {})
    report = _build(data, exp, tmp_path / "cache")
    assert report.success and not report.from_cache and report.tables[0].evaluated > 10


def test_a_table_differing_from_its_manifest_is_never_skipped(
    small: tuple[Path, Path], tmp_path: Path
) -> None:
    data, exp = small
    snap = data / "snapshot"
    _recorded(data, exp)
    df = pd.read_parquet(snap / "areas.parquet")
    write_parquet(df.assign(n_districts=df["n_districts"] + 1), snap / "areas.parquet")
    report = _build(data, exp, tmp_path / "cache")
    assert not report.success and not report.from_cache
    assert any(f.expectation == "sha256_matches_manifest" for f in report.failures)


def test_a_changed_suite_invalidates_the_record(small: tuple[Path, Path], tmp_path: Path) -> None:
    data, exp = small
    _recorded(data, exp)
    suite = exp / "areas.json"
    suite.write_text(suite.read_text() + "\n")  # even a whitespace change
    report = _build(data, exp, tmp_path / "cache")
    assert report.success and not report.from_cache and report.tables[0].evaluated > 10


def test_changed_check_code_invalidates_the_record(
    small: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, exp = small
    _recorded(data, exp)
    code = runner._check_code()
    monkeypatch.setattr(runner, "_check_code", lambda: code + b"\n# a new check\n")
    report = _build(data, exp, tmp_path / "cache")
    assert report.success and not report.from_cache and report.tables[0].evaluated > 10


def test_needsbook_snapshot_writes_the_record_of_what_it_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    areas = pd.read_parquet(ROOT / "data" / "snapshot" / "areas.parquet")
    spec = TableSpec("areas", "test", "test", "test", (), lambda _raw: areas.copy())
    monkeypatch.setattr("needsbook.snapshot.build.registered_tables", lambda: [spec])
    raw = tmp_path / "raw"
    raw.mkdir()
    out = tmp_path / "data" / "snapshot"
    build_snapshot(raw, out, log=lambda _m: None)
    assert read_record(out) == content_key(read_manifest(out))
    report = validate_snapshot(out.parent, cache_dir=tmp_path / "cache")
    assert report.success and report.from_record


def test_the_committed_snapshot_carries_a_current_record() -> None:
    snap = ROOT / "data" / "snapshot"
    assert read_record(snap) == content_key(read_manifest(snap)), (
        f"data/snapshot/{RECORD_NAME} is stale: a table, suite or check changed; "
        "re-run `needsbook validate --record`"
    )


def test_cli_validate_record_writes_the_record(small: tuple[Path, Path], capsys) -> None:
    data, _exp = small
    # the CLI uses the project's suites; one table keeps it quick
    assert main(["validate", "--data-dir", str(data), "--record"]) == 0
    assert read_record(data / "snapshot") == content_key(read_manifest(data / "snapshot"))
    assert "validation record written" in capsys.readouterr().out
