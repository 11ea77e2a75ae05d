"""The export's Fingertips-layout indicators file: the real download's columns, the engine's
values and verdicts, read back from the zip."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from needsbook.areas import resolve_area
from needsbook.data import load_table
from needsbook.export import export_area
from needsbook.export_fingertips import (
    COLUMNS,
    FILE_NAME,
    QUINTILES,
    compared_label,
    fingertips_period,
    fingertips_table,
    sortable_period,
)
from needsbook.outcomes.compare import area_benchmarks
from needsbook.years import resolve_year

RAW = Path(__file__).resolve().parents[1].parent / "shared" / "data-raw"
FT_90284 = RAW / "dfe_csc" / "la_hospital_admissions_2324.csv.gz"
NUMBERS = {
    "Value": "value",
    "Lower CI 95.0 limit": "lower_ci_95",
    "Upper CI 95.0 limit": "upper_ci_95",
    "Count": "count",
    "Denominator": "denominator",
}
CI_LABELS = {"Better", "Similar", "Worse", "Higher", "Lower", "Not compared"}


def read_member(path: Path) -> tuple[pd.DataFrame, str]:
    with zipfile.ZipFile(path) as zf:
        text = zf.read(FILE_NAME).decode("utf-8")
        readme = zf.read("README.txt").decode("utf-8")
    return pd.read_csv(io.StringIO(text), dtype={"Area Code": str}), readme


@pytest.fixture(scope="module", params=["E10000034", "Rutland"])
def exported(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, pd.DataFrame, pd.DataFrame, str]:
    area = resolve_area(request.param)
    out = export_area(request.param, tmp_path_factory.mktemp("export") / "area.zip")
    table, readme = read_member(out)
    bench = area_benchmarks(area.code, resolve_year(None, area))
    return area.code, table, bench, readme


@pytest.mark.needs_raw
def test_columns_are_those_of_the_real_download(
    exported: tuple[str, pd.DataFrame, pd.DataFrame, str],
) -> None:
    header = list(pd.read_csv(FT_90284, nrows=0).columns)
    assert list(COLUMNS) == header
    assert list(exported[1].columns) == header


def test_one_row_per_indicator_with_a_value(
    exported: tuple[str, pd.DataFrame, pd.DataFrame, str],
) -> None:
    code, table, bench, readme = exported
    own = table[table["Area Code"] == code]
    expected = bench.loc[bench["value"].notna(), "indicator_id"]
    assert own["Indicator ID"].tolist() == expected.tolist()
    assert set(own["Area Type"]) == {"Counties & UAs (from Apr 2023)"}
    assert set(own["Parent Code"]) == set(bench["region_code"])
    assert FILE_NAME in readme and "Fingertips" in readme


def test_values_and_verdicts_are_the_engines(
    exported: tuple[str, pd.DataFrame, pd.DataFrame, str],
) -> None:
    code, table, bench, _ = exported
    own = table[table["Area Code"] == code].set_index("Indicator ID")
    engine = bench.set_index("indicator_id").loc[own.index]
    for column, source in NUMBERS.items():
        pd.testing.assert_series_equal(
            own[column].astype(float),
            engine[source].astype(float),
            check_names=False,
            rtol=0,
            atol=1e-9,
        )
    trend = engine["trend_label"].fillna("Cannot be calculated")
    assert own["Recent Trend"].tolist() == trend.tolist()
    england = own["Compared to England value or percentiles"]
    assert england.tolist() == [compared_label(row) for _, row in engine.iterrows()]
    quintile = engine["comparison_method"].str.contains("quintile")
    assert set(england[~quintile]) <= CI_LABELS
    assert (england[~quintile] == engine.loc[~quintile, "comparison"].fillna("Not compared")).all()
    # Quintile 1 is the engine's best; Fingertips counts from the lowest value.
    q = engine.loc[quintile, "quintile"]
    by_value = q.where(engine.loc[quintile, "polarity"] != "High is good", 6 - q)
    assert england[quintile].tolist() == [
        QUINTILES[int(v) - 1] if pd.notna(v) else "Not compared" for v in by_value
    ]
    region = engine["region_comparison"].fillna("Not compared")
    assert own["Compared to percentiles"].tolist() == region.tolist()


def test_england_and_region_rows_carry_the_engines_benchmarks(
    exported: tuple[str, pd.DataFrame, pd.DataFrame, str],
) -> None:
    _, table, bench, _ = exported
    engine = bench.set_index("indicator_id")
    for code, value in (("E92000001", "england"), (bench["region_code"].iloc[0], "region_value")):
        rows = table[table["Area Code"] == code].set_index("Indicator ID")
        assert len(rows) > 0 and rows["Count"].isna().all()
        assert ((rows["Value"] - engine.loc[rows.index, value]).abs() < 1e-9).all()
        assert set(rows["Compared to England value or percentiles"]) == {"Not compared"}


def test_cla_rate_matches_the_snapshot(
    exported: tuple[str, pd.DataFrame, pd.DataFrame, str],
) -> None:
    code, table, bench, _ = exported
    b = bench.set_index("indicator_id").loc["csc:cla_rate"]
    snap = load_table("indicators")
    src = snap[
        (snap["indicator_id"] == "csc:cla_rate")
        & (snap["area_code"] == code)
        & (snap["year"] == int(b["year"]))
    ].iloc[0]
    row = table[(table["Area Code"] == code) & (table["Indicator ID"] == "csc:cla_rate")].iloc[0]
    assert abs(row["Value"] - src["value"]) < 1e-9
    assert row["Count"] == src["count"] and row["Denominator"] == src["denominator"]
    assert row["Time period"] == b["period_label"]


@pytest.mark.needs_raw
def test_worcestershire_injuries_match_the_fingertips_file() -> None:
    code = "E10000034"
    table = fingertips_table(resolve_area(code))
    raw = pd.read_csv(FT_90284, dtype={"Category Type": str})
    ft = raw[
        (raw["Area Code"] == code)
        & (raw["Sex"] == "Persons")
        & raw["Category Type"].isna()
        & (raw["Time period"] == "2023/24")
    ].iloc[0]
    row = table[(table["Area Code"] == code) & (table["Indicator ID"] == "ft:90284")].iloc[0]
    for column in ("Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit"):
        assert abs(row[column] - ft[column]) < 1e-4
    for column in ("Count", "Denominator", "Time period", "Time period Sortable", "Area Type"):
        assert row[column] == ft[column]
    assert (
        row["Compared to England value or percentiles"]
        == ft["Compared to England value or percentiles"]
    )


def test_period_helpers() -> None:
    assert fingertips_period("2021/22-23/24") == "2021/22 - 23/24"
    assert fingertips_period("2023/24") == "2023/24"
    assert sortable_period("2023/24") == 20230000
    assert sortable_period("31 March 2024") == 20240003
    assert sortable_period("no data") is None


def test_cli_writes_the_file_and_takes_a_year(tmp_path: Path) -> None:
    out = tmp_path / "rutland.zip"
    command = ["export", "--area", "Rutland", "--out", str(out), "--year", "2023"]
    proc = subprocess.run(
        [sys.executable, "-m", "needsbook", *command],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    table, readme = read_member(out)
    bench = area_benchmarks("E06000017", 2023)
    own = table[table["Area Code"] == "E06000017"]
    assert (
        own["Indicator ID"].tolist() == bench.loc[bench["value"].notna(), "indicator_id"].tolist()
    )
    assert "2023 book" in readme
