"""The national tables: read back exactly as made, and never read once their key no longer holds
(the snapshot, the catalogue or the code that made them changed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from needsbook.errors import DataError
from needsbook.national import read_frame, read_frames, store
from needsbook.national.derive import computing

MODULES = ["needsbook", "needsbook.national.store", "needsbook.outcomes.compare", "pandas"]


@pytest.fixture
def data(tmp_path: Path, data_dir: Path) -> Path:
    """A data folder whose snapshot is the committed MANIFEST alone (all the key reads)."""
    folder = tmp_path / "data"
    (folder / "snapshot").mkdir(parents=True)
    shutil.copy2(data_dir / "snapshot" / "MANIFEST", folder / "snapshot" / "MANIFEST")
    return folder


def mixed() -> pd.DataFrame:
    """Columns of each kind a national table holds, with missing values in each."""
    return pd.DataFrame(
        {
            "area_code": ["E1", "E2", "E3"],
            "band": pd.Series(["A", None, "C"], dtype=object),
            "value": [1.5, np.nan, 0.1 + 0.2],
            "rank": pd.array([1, pd.NA, 3], dtype="Int64"),
            "n": [10, 20, 30],
            "flag": [True, False, True],
        }
    )


def test_a_table_reads_back_identical_with_its_parts_and_column_order(data: Path) -> None:
    first, second = mixed(), mixed().iloc[::-1].reset_index(drop=True)
    store.write_store(data, {"t": {"2024": first, "2025": second}}, MODULES, 2025)
    back = read_frames("t", data)
    assert back is not None and list(back) == ["2024", "2025"]
    for made, read in ((first, back["2024"]), (second, back["2025"])):
        pd.testing.assert_frame_equal(read, made, check_exact=True)
        assert list(read.columns) == list(made.columns)
        assert [type(v) for v in read["band"]] == [str, type(None), str]
    assert store.latest_data_year(data) == 2025
    assert store.check_store(data) == []


def test_the_index_lists_only_needsbook_modules_with_their_hashes(data: Path) -> None:
    store.write_store(data, {"t": {"": mixed()}}, MODULES, 2025)
    index = json.loads((store.national_dir(data) / store.INDEX).read_text())
    assert sorted(index["code"]) == [
        "__init__.py",
        "national/store.py",
        "outcomes/compare.py",
    ]
    assert index["inputs"]["MANIFEST"] == store._sha256(data / "snapshot" / "MANIFEST")


def test_a_changed_snapshot_makes_every_table_unread_and_invalid(data: Path) -> None:
    store.write_store(data, {"t": {"": mixed()}}, MODULES, 2025)
    manifest = data / "snapshot" / "MANIFEST"
    manifest.write_text(manifest.read_text() + "\n")
    assert read_frame("t", data) is None
    assert store.latest_data_year(data) is None
    [problem] = store.check_store(data)
    assert "out of date (MANIFEST changed)" in problem and "needsbook snapshot" in problem


def test_changed_code_makes_the_tables_out_of_date(data: Path) -> None:
    store.write_store(data, {"t": {"": mixed()}}, MODULES, 2025)
    path = store.national_dir(data) / store.INDEX
    index = json.loads(path.read_text())
    index["code"]["outcomes/compare.py"] = "0" * 64  # as if compare.py had since been edited
    path.write_text(json.dumps(index))
    assert read_frame("t", data) is None
    assert any("code changed: outcomes/compare.py" in p for p in store.check_store(data))


def test_a_changed_table_file_is_reported(data: Path) -> None:
    store.write_store(data, {"t": {"": mixed()}}, MODULES, 2025)
    file = store.national_dir(data) / "t.parquet"
    file.write_bytes(file.read_bytes() + b"\0")
    assert store.check_store(data) == [f"national table t: {file} differs from its INDEX hash"]


def test_a_table_that_would_not_read_back_identical_is_refused(data: Path) -> None:
    odd = pd.DataFrame({"x": pd.Series(["a", np.nan], dtype=object)})  # NaN would read as None
    with pytest.raises(DataError, match="does not read back as made"):
        store.write_store(data, {"odd": {"": odd}}, MODULES, 2025)
    assert not store.national_dir(data).exists()


def test_no_folder_means_no_tables_and_readers_bypass_while_deriving(data: Path) -> None:
    assert read_frame("t", data) is None
    assert store.check_store(data)[0].startswith("no national tables")
    store.write_store(data, {"t": {"": mixed()}}, MODULES, 2025)
    with computing():
        assert read_frame("t", data) is None
    assert read_frame("t", data) is not None


def test_validation_reports_out_of_date_tables_but_not_missing_ones(data: Path) -> None:
    from needsbook.validate.runner import national_problems

    assert national_problems(data) == []  # none: a data folder made before them
    store.write_store(data, {"t": {"": mixed()}}, MODULES, 2025)
    assert national_problems(data) == []
    manifest = data / "snapshot" / "MANIFEST"
    manifest.write_text(manifest.read_text() + "\n")
    [failure] = national_problems(data)
    assert failure.table == "national" and failure.expectation == "national_tables_current"
    assert "out of date" in failure.message


def test_a_snapshot_whose_tables_cannot_be_worked_out_keeps_no_old_ones(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from needsbook.snapshot import build

    store.write_store(data, {"t": {"": mixed()}}, MODULES, 2025)

    def fails(data_dir: Path, log: object) -> Path:
        raise DataError("working out the national tables failed (exit 1)")

    monkeypatch.setattr("needsbook.national.derive.write_in_fresh_process", fails)
    said: list[str] = []
    build.write_national(data, said.append)
    assert not store.national_dir(data).exists()
    assert said[-1].startswith("warning: working out the national tables failed")
