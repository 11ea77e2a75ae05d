"""The committed snapshot passes its expectations; deliberately broken copies fail precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from needsbook.cli import main
from needsbook.snapshot.build import write_parquet
from needsbook.validate import validate_snapshot
from tests.conftest import ROOT


def corrupt(data_dir: Path, table: str, change) -> pd.DataFrame:
    path = data_dir / "snapshot" / f"{table}.parquet"
    df = pd.read_parquet(path)
    df = change(df)
    write_parquet(df, path)
    return df


def test_committed_snapshot_passes(data_dir: Path) -> None:
    report = validate_snapshot(data_dir)
    assert report.success, report.text()
    names = {t.table for t in report.tables}
    assert {
        "areas",
        "indicators",
        "population_0_17",
        "population_syoa",
        "population_projections",
        "imd2019_lsoa11",
        "statistical_neighbours",
    } <= names


def test_negative_count_names_table_expectation_column_and_rows(data_copy: Path) -> None:
    def negative(df: pd.DataFrame) -> pd.DataFrame:
        i = df.index[(df["area_code"] == "E10000034") & df["count"].notna()][0]
        df.loc[i, "count"] = -7.0
        return df

    corrupt(data_copy, "indicators", negative)
    report = validate_snapshot(data_copy, tables=["indicators"])
    assert not report.success
    hits = [
        f
        for f in report.failures
        if f.column == "count" and f.expectation == "expect_column_values_to_be_between"
    ]
    assert hits, report.text()
    assert hits[0].table == "indicators"
    assert (hits[0].examples["count"] == -7.0).any()
    assert "E10000034" in set(hits[0].examples["area_code"])
    text = report.text()
    assert "table 'indicators'" in text and "column 'count'" in text and "-7.0" in text


def test_swapped_confidence_interval_is_caught(data_copy: Path) -> None:
    def swap(df: pd.DataFrame) -> pd.DataFrame:
        i = df.index[df["lower_ci_95"].notna() & (df["upper_ci_95"] > df["lower_ci_95"])][0]
        df.loc[i, ["lower_ci_95", "upper_ci_95"]] = df.loc[
            i, ["upper_ci_95", "lower_ci_95"]
        ].to_numpy()
        return df

    corrupt(data_copy, "indicators", swap)
    report = validate_snapshot(data_copy, tables=["indicators"])
    ci = [f for f in report.failures if "lower_ci_95" in f.column or "upper_ci_95" in f.column]
    assert ci, report.text()
    assert all(f.expectation.startswith("expect_column_pair_values") for f in ci)
    assert ci[0].examples is not None and len(ci[0].examples) >= 1


def test_negative_population_and_hash_mismatch_are_reported(data_copy: Path) -> None:
    def negative(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[df.index[0], "population"] = -1
        return df

    corrupt(data_copy, "population_0_17", negative)  # rewriting the file also changes its hash
    report = validate_snapshot(data_copy, tables=["population_0_17"])
    kinds = {(f.expectation, f.column) for f in report.failures}
    assert ("sha256_matches_manifest", "(table)") in kinds
    assert any(col == "population" for _, col in kinds), report.text()


def test_validate_command_exit_codes(data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """0 when the tables pass, 3 when one fails (``--table``: only the tables named)."""
    only = ["--data-dir", str(data_copy), "--table", "population_0_17", "--table", "areas"]
    assert main(["validate", *only]) == 0
    out = capsys.readouterr().out
    assert "Validation passed: 2 tables" in out
    corrupt(data_copy, "population_0_17", lambda df: df.assign(population=-df["population"]))
    assert main(["validate", *only]) == 3
    out = capsys.readouterr().out
    assert "Validation FAILED" in out and "population_0_17" in out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--table", "no_such_table"], "--table no_such_table: no such table in the snapshot"),
        (["--table", "areas", "--record"], "--record records a validation of every table"),
        (["--table", "areas", "--local-dir", "."], "--table applies to the snapshot's"),
    ],
)
def test_validate_refuses_a_table_it_cannot_check_alone(
    options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", *options]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_table_file_is_reported(data_copy: Path) -> None:
    (data_copy / "snapshot" / "areas.parquet").unlink()
    report = validate_snapshot(data_copy, tables=["areas"])
    assert any(f.expectation == "file_exists" and f.table == "areas" for f in report.failures)


def test_cached_pass_never_hides_a_changed_table(data_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (data_copy / "snapshot" / "VALIDATED").unlink(missing_ok=True)  # test the cache alone
    first = validate_snapshot(data_copy, cache_dir=cache)
    assert first.success and not first.from_cache
    again = validate_snapshot(data_copy, cache_dir=cache)
    assert again.success and again.from_cache
    corrupt(data_copy, "population_0_17", lambda df: df.assign(population=-df["population"]))
    after = validate_snapshot(data_copy, cache_dir=cache)
    assert not after.success and not after.from_cache
    assert any(f.expectation == "sha256_matches_manifest" for f in after.failures)
    # only the changed table is validated again, and it fails its own expectations
    rerun = {t.table for t in after.tables if not t.reused}
    assert rerun == {"population_0_17"}
    (changed,) = [t for t in after.tables if t.table == "population_0_17"]
    assert any(f.column == "population" for f in changed.failures)
    passed = {t.table: t for t in first.tables}
    for t in after.tables:  # the tables kept report what they passed
        if t.reused:
            assert (t.rows, t.evaluated, t.success) == (
                passed[t.table].rows,
                passed[t.table].evaluated,
                True,
            )


def test_a_changed_suite_validates_its_table_again(data_copy: Path, tmp_path: Path) -> None:
    """A table that passed is checked again once its suite changes (and only that table)."""
    expectations = tmp_path / "expectations"
    shutil.copytree(ROOT / "expectations", expectations)
    cache = tmp_path / "cache"
    tables = ["areas", "statistical_neighbours"]
    first = validate_snapshot(data_copy, tables, expectations_dir=expectations, cache_dir=cache)
    assert first.success and not any(t.reused for t in first.tables)
    suite = expectations / "areas.json"
    suite.write_text(suite.read_text().replace('"value": 153', '"value": 154', 1))
    again = validate_snapshot(data_copy, tables, expectations_dir=expectations, cache_dir=cache)
    assert {t.table: t.reused for t in again.tables} == {
        "areas": False,
        "statistical_neighbours": True,
    }
    assert [f.expectation for f in again.failures] == ["expect_table_row_count_to_equal"]
    suite.write_text(suite.read_text().replace('"value": 154', '"value": 153', 1))
    back = validate_snapshot(data_copy, tables, expectations_dir=expectations, cache_dir=cache)
    assert back.success and all(t.reused for t in back.tables)
    assert "2 unchanged since they last passed" in back.text()


def test_a_misspelt_expectation_is_an_error_not_silently_dropped() -> None:
    from needsbook.errors import DataError
    from needsbook.validate import validate_frame

    suite = {
        "name": "t",
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
            {
                "type": "expect_column_pair_values_A_to_be_greater_than_B",
                "kwargs": {"column_A": "a", "column_B": "b"},
            },
        ],
    }
    with pytest.raises(DataError, match=r"expect_column_pair_values_A_to_be_greater_than_B"):
        validate_frame("t", pd.DataFrame({"a": [1.0], "b": [0.0]}), suite=suite)
