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
