"""`needsbook export`: a zip of the area's tidy CSVs that no spreadsheet will run as formulas."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from needsbook.cli import main
from needsbook.export import safe_cell, safe_frame


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1+1", "'+1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("-12.5", "-12.5"),
        ("+7", "+7"),
        ("Worcestershire", "Worcestershire"),
        (3.5, 3.5),
        ("", ""),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_safe_frame_keeps_numbers_and_fixes_headers() -> None:
    df = pd.DataFrame({"=bad": ["=cmd|' /C calc'!A0", "ok"], "n": [-1.0, 2.0]})
    out = safe_frame(df)
    assert list(out.columns) == ["'=bad", "n"]
    assert out.iloc[0, 0].startswith("'=") and out["n"].tolist() == [-1.0, 2.0]


def test_export_writes_area_tables(tmp_path: Path) -> None:
    target = tmp_path / "rutland.zip"
    assert main(["export", "--area", "Rutland", "--out", str(target)]) == 0
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        assert {"README.txt", "population_0_17.csv", "population_syoa.csv"} <= names
        pop = pd.read_csv(io.BytesIO(zf.read("population_0_17.csv")))
        readme = zf.read("README.txt").decode()
    assert set(pop["area_code"]) == {"E06000017", "E12000004", "E92000001"}
    assert "Open Government Licence v3.0" in readme and "Rutland (E06000017)" in readme


def test_export_rejects_other_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--area", "Rutland", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "must name a .zip file" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_export_follows_the_download_rules(tmp_path: Path) -> None:
    """One row per observation, no repeated rows, each row naming one source, and a README
    describing every column of every file (with its unit)."""
    from needsbook.row_sources import split

    target = tmp_path / "rutland.zip"
    assert main(["export", "--area", "Rutland", "--out", str(target)]) == 0
    with zipfile.ZipFile(target) as zf:
        readme = zf.read("README.txt").decode()
        files = {n: zf.read(n) for n in zf.namelist() if n.endswith(".csv")}
    for name, data in files.items():
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        assert not df.duplicated().any(), name
        block = readme.split(f"- {name} (", 1)[1].split("\n- ", 1)[0]
        undescribed = [c for c in df.columns if f"    {c}: " not in block]
        assert undescribed == [], name
        assert "(unit: " in block, name
        if name.startswith("indicators_fingertips"):
            continue  # the Fingertips layout keeps Fingertips' own columns
        assert (df["source"].str.len() > 0).all(), name
        several = sorted(s for s in set(df["source"]) if len(split(s)) > 1)
        assert several == [], f"{name}: {several}"
    syoa = pd.read_csv(io.BytesIO(files["population_syoa.csv"]))
    by_year = syoa.groupby("year")["source"].agg(set)
    assert all(len(s) == 1 for s in by_year), "one source per year"
    assert "LSOAs" in next(iter(by_year.loc[2020])) and "MYE2" in next(iter(by_year.loc[2024]))


def test_with_sources_picks_the_part_covering_each_year() -> None:
    from needsbook.export import with_sources

    df = pd.DataFrame({"year": [2019, 2019, 2022], "population": [5, 5, 6]})
    out = with_sources(
        df, "ONS estimates: for LSOAs, mid-2019 and mid-2020; for LAs, mid-2021 to mid-2024"
    )
    assert list(out["source"]) == [
        "ONS estimates: for LSOAs, mid-2019 and mid-2020",
        "ONS estimates: for LAs, mid-2021 to mid-2024",
    ]


@pytest.mark.parametrize("cell", ["=1+2", "+44 1905", "-x", "@SUM(A1)", "\tpad", "\rcr"])
def test_safe_frame_finds_a_formula_anywhere_in_a_text_column(cell: str) -> None:
    """Text columns are checked as a whole first; a formula in any row is still neutralised,
    and a column with none is left as it is."""
    df = pd.DataFrame({"a": ["ok", "fine", cell], "b": ["x", "y", "z"]}, dtype="str")
    out = safe_frame(df)
    assert out["a"].tolist() == ["ok", "fine", "'" + cell]
    assert out["b"].tolist() == ["x", "y", "z"]
    numbers = pd.DataFrame({"a": ["-1.5", "+2", "3e-4", None]}, dtype="str")
    assert safe_frame(numbers)["a"].tolist()[:3] == ["-1.5", "+2", "3e-4"]


def _awkward_frame() -> pd.DataFrame:
    """Every column type a book's tables hold, with missing values, formula-like text,
    quotes, commas and line breaks."""
    return pd.DataFrame(
        {
            "text": ["=1+1", "-2", None, "a,b", 'say "hi"'],
            "string": pd.array(["@x", pd.NA, "\n", "+3", "plain"], dtype="string"),
            "float": [1.5, float("nan"), 1e-5, 1e16, -0.0],
            "int": [1, 2, 3, 4, 5],
            "nullable": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            "=flag": [True, False, True, True, False],
            "mixed": [0.1, 2, "x", None, float("nan")],
        }
    )


@pytest.mark.parametrize(
    "frame",
    [
        _awkward_frame(),
        pd.DataFrame({"when": pd.to_datetime(["2021-01-01", None])}),  # through pandas
        pd.DataFrame({"empty": []}),
        pd.DataFrame(),
    ],
)
def test_csv_bytes_are_pandas_own_csv_of_the_safe_frame(frame: pd.DataFrame) -> None:
    from needsbook.export import to_csv_bytes

    expected = safe_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
    assert to_csv_bytes(frame) == expected
