"""`needsbook snapshot --from-cache`: merge, validate, report, replace - or leave untouched."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pandas as pd
import pytest

from needsbook.cli import main
from needsbook.errors import DataError
from needsbook.fetch.diff import SnapshotDiff
from needsbook.fetch.errors import FetchError
from needsbook.fetch.rebuild import rebuild_from_cache
from needsbook.snapshot.manifest import read_manifest, read_manifest_header
from needsbook.validate import validate_snapshot

from .conftest import Routes, fixture_bytes, ok

DATA = "/api/all_data/csv/by_indicator_id"


def fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def fetch(data: Path, *items: str) -> None:
    assert main(["fetch", "--data-dir", str(data), "--indicators", *items]) == 0


def test_fingertips_refresh_without_the_raw_folder(routes: Routes, data_copy: Path) -> None:
    """Area lookups come from the snapshot; untouched tables are kept byte for byte."""
    before = {e.table: e for e in read_manifest(data_copy / "snapshot")}
    fetch(data_copy, "90284", "93085")
    seen: list[SnapshotDiff] = []
    result = rebuild_from_cache(
        data_copy / "fetch-cache", data_copy, raw_dir=None, log=lambda _m: None, on_diff=seen.append
    )
    snap = data_copy / "snapshot"
    diff = seen[0]
    ind = diff.table("indicators").details
    assert ind["new_indicators"] == {"ft:93085": "Smoking status at time of delivery"}
    assert ind["new_periods"] == {"ft:90284": ["2024/25"]}
    # Rutland's revised figure, and four region rows: the fetched regions' published figures
    # replace the snapshot's sums of their upper-tier areas
    assert ind["revised"] == {"ft:90284": 5}
    revised = ind["revised_rows"]
    assert set(revised.loc[revised["area_code"] != "E06000017", "area_code"]) == {
        "E12000004",
        "E12000005",
    }
    rev = revised[revised["area_code"] == "E06000017"].iloc[0]
    assert rev["period"] == "2023/24"
    assert rev["value_old"] == pytest.approx(59.90074) and rev["value_new"] == pytest.approx(
        70.16943, rel=1e-5
    )
    assert ind["dropped_periods"]["ft:90284"][:2] == ["2010/11", "2011/12"]
    assert {t.table for t in diff.changed} == {"indicators", "indicator_meta"}
    text = diff.text()
    assert "new indicator ft:93085 Smoking status at time of delivery: 21 rows, 2022-2024" in text
    assert "ft:90284 Rutland (E06000017) 2023/24: 59.9 -> 70.17" in text
    # the new snapshot passes every expectation and keeps untouched tables identical
    report = validate_snapshot(data_copy, tables=["indicators", "indicator_meta"])
    assert report.success, report.text()  # also checks every file against the new MANIFEST
    after = {e.table: e for e in result.entries}
    for table in set(before) - {"indicators", "indicator_meta"}:
        assert after[table].sha256 == before[table].sha256, table
    assert after["indicators"].source_dataset.endswith("by needsbook fetch (ft:90284, ft:93085)")
    assert read_manifest_header(snap)["needsbook snapshot"].endswith("from snapshot+fetched")
    rows = pd.read_parquet(snap / "indicators.parquet")
    smoking = rows[rows["indicator_id"] == "ft:93085"]
    assert len(smoking) == 21 and set(smoking["source"]) == {"OHID Fingertips"}
    meta = pd.read_parquet(snap / "indicator_meta.parquet").set_index("indicator_id")
    assert meta.loc["ft:93085", "has_ci"] and meta.loc["ft:90284", "last_year"] == 2025
    assert not list(data_copy.glob(".from-cache-*")) and not list(data_copy.glob(".snapshot-*"))


def test_validation_failure_leaves_the_snapshot_untouched(
    routes: Routes, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fetched response that breaks an expectation (a negative count): nothing is replaced."""
    snap = data_copy / "snapshot"
    before = fingerprint(snap)
    data = pd.read_csv(io.BytesIO(fixture_bytes("fingertips/data_90284.csv")), dtype=str)
    row = data.index[data["Count"].notna()][0]
    data.loc[row, "Count"] = "-5"
    routes.add(
        DATA,
        ok(data.to_csv(index=False).encode()),
        indicator_ids="90284",
        child_area_type_id="502",
        parent_area_type_id="6",
    )
    fetch(data_copy, "90284")
    capsys.readouterr()
    code = main(["snapshot", "--from-cache", "--data-dir", str(data_copy)])
    out, err = capsys.readouterr()
    assert code == 3
    assert (
        "Snapshot table 'indicators' failed its expectations; "
        "the current snapshot was left untouched." in err
    )
    assert "column 'count'" in err
    assert "What changed" not in out  # no report: nothing was replaced
    assert fingerprint(snap) == before
    assert sorted(p.name for p in data_copy.iterdir()) == ["fetch-cache", "snapshot"]


def test_unusable_cached_download_is_named_and_nothing_changes(
    routes: Routes, data_copy: Path
) -> None:
    fetch(data_copy, "90284")
    before = fingerprint(data_copy / "snapshot")
    for body in (data_copy / "fetch-cache").rglob("*.body"):
        body.write_bytes(body.read_bytes()[:-10])  # damaged on disk: sha256 no longer matches
    with pytest.raises(FetchError) as err:
        rebuild_from_cache(data_copy / "fetch-cache", data_copy, raw_dir=None, log=lambda _m: None)
    msg = str(err.value)
    assert "a cached download cannot be used (snapshot untouched): not in the download cache" in msg
    assert "ft:90284" in msg and "URL: https://fingertips.phe.org.uk/api/" in msg
    assert fingerprint(data_copy / "snapshot") == before


def test_nothing_fetched(tmp_path: Path, data_copy: Path) -> None:
    with pytest.raises(
        DataError, match=r"nothing has been fetched into .*: run `needsbook fetch` first"
    ):
        rebuild_from_cache(tmp_path / "empty", data_copy, raw_dir=None)


def test_dfe_data_sets_need_the_raw_folder(routes: Routes, data_copy: Path) -> None:
    fetch(data_copy, "ees:cla")
    with pytest.raises(DataError, match="the raw data folder was not found: pass --raw-dir"):
        rebuild_from_cache(data_copy / "fetch-cache", data_copy, raw_dir=None, log=lambda _m: None)
