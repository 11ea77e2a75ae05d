"""The need_model template: the council's own need model, one row per LSOA and age band.
Hostile or malformed files fail with one clear message naming file, column and rows, and the
CLI reports them with exit 2 and no traceback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from needsbook.areas import resolve_area
from needsbook.cli import main
from needsbook.errors import InputError
from needsbook.local import TEMPLATES, load_local, write_templates
from needsbook.local.templates import NEED_MODEL
from needsbook.local.validate import MISSING_SHOWN, area_lsoas
from needsbook.need.model import AGE_BANDS

AREA = "E06000017"  # Rutland
NAME = "PREview, 2024 births"


@pytest.fixture(scope="module")
def codes() -> list[str]:
    return area_lsoas(resolve_area(AREA))


def rows(codes: list[str]) -> list[list[str]]:
    return [[c, b, "30", "10", "5", NAME] for c in codes for b in AGE_BANDS]


def write(folder: Path, body: list[list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "need_model.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(TEMPLATES[NEED_MODEL].column_names)
        w.writerows(body)
    return folder


def problems(folder: Path) -> str:
    with pytest.raises(InputError) as err:
        load_local(folder, AREA)
    return str(err.value)


def test_spec_readme_and_suite(tmp_path: Path):
    t = TEMPLATES[NEED_MODEL]
    assert t.column_names == [
        "lsoa11_code",
        "band",
        "percent_additional",
        "percent_extra",
        "percent_intensive",
        "model",
    ]
    assert t.key == ("lsoa11_code", "band")
    write_templates(AREA, tmp_path)
    assert (tmp_path / "need_model.csv").read_text() == ",".join(t.column_names) + "\n"
    readme = (tmp_path / "need_model.README.md").read_text()
    assert "add to at most 100" in readme and "one of 0-4, 5-10, 11-15, 16-19" in readme
    assert "not calibrated" in readme


def test_a_valid_model_loads(tmp_path: Path, codes: list[str]):
    data = load_local(write(tmp_path / AREA, rows(codes)), AREA)
    table = data[NEED_MODEL]
    assert len(table) == len(codes) * len(AGE_BANDS) and set(table["model"]) == {NAME}


def test_unknown_lsoa(tmp_path: Path, codes: list[str]):
    body = rows(codes)
    body[2][0] = "E01000001"  # City of London, not Rutland
    body[5][0] = "not a code"
    text = problems(write(tmp_path / AREA, body))
    assert (
        "need_model.csv: column 'lsoa11_code', row 4: unknown LSOA 'E01000001': not a 2011 "
        "LSOA of Rutland" in text
    )
    assert "need_model.csv: column 'lsoa11_code', row 7: must match ^E01\\d{6}$" in text


def test_percentages_over_100(tmp_path: Path, codes: list[str]):
    body = rows(codes)
    body[0][2:5] = ["60", "30", "20"]
    body[9][2:5] = ["50", "50", "0.5"]
    body[10][2:5] = ["33.3", "33.3", "33.4"]  # exactly 100 (in floating point, just over)
    body[11][4] = "101"
    text = problems(write(tmp_path / AREA, body))
    assert (
        "need_model.csv: column 'percent_additional', rows 2, 11: percent_additional, "
        "percent_extra, percent_intensive must add to at most 100 (found 110, 100.5)" in text
    )
    assert "need_model.csv: column 'percent_intensive', row 13: must be between 0 and 100" in text
    assert "rows 2, 11, 12" not in text


def test_missing_lsoa_band_rows_are_listed_and_truncated(tmp_path: Path, codes: list[str]):
    body = [r for r in rows(codes) if not (r[1] == "16-19" or r[0] == codes[0])]
    text = problems(write(tmp_path / AREA, body))
    n = len(codes) + 3  # every band of the first LSOA, and 16-19 of the others
    assert f"need_model.csv: columns 'lsoa11_code' and 'band': {n} row(s) missing" in text
    assert f"{codes[0]} 0-4; {codes[0]} 5-10" in text
    assert f"and {n - MISSING_SHOWN} more" in text


def test_duplicated_rows(tmp_path: Path, codes: list[str]):
    body = rows(codes)
    text = problems(write(tmp_path / AREA, [*body, body[0]]))
    assert "duplicated rows (same lsoa11_code, band)" in text


def test_two_model_names(tmp_path: Path, codes: list[str]):
    body = rows(codes)
    body[3][5] = "Another model"
    text = problems(write(tmp_path / AREA, body))
    assert (
        "need_model.csv: column 'model', row 5: must name one model, the same in every row "
        f"(found {NAME!r}, 'Another model')" in text
    )


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example")', "+cmd", "-1+1", "@SUM(1)"])
def test_formula_like_model_name(tmp_path: Path, codes: list[str], name: str):
    body = [[*r[:5], name] for r in rows(codes)]
    text = problems(write(tmp_path / AREA, body))
    assert "need_model.csv: column 'model', rows 2, 3" in text
    assert "must not start with =, +, -, @ (a spreadsheet would run it as a formula)" in text
    assert "must name one model" not in text


def test_control_characters_in_model_name(tmp_path: Path, codes: list[str]):
    body = [[*r[:5], "PREview\x07"] for r in rows(codes)]
    text = problems(write(tmp_path / AREA, body))
    assert "need_model.csv: column 'model', rows 2, 3" in text and "must be printable" in text


def test_wrong_band(tmp_path: Path, codes: list[str]):
    body = rows(codes)
    body[0][1] = "0-5"
    text = problems(write(tmp_path / AREA, body))
    assert "need_model.csv: column 'band', row 2: must be one of 0-4, 5-10, 11-15, 16-19" in text


def test_cli_validate_reports_every_problem_without_traceback(
    tmp_path: Path, codes: list[str], capsys: pytest.CaptureFixture[str]
):
    body = rows(codes)[:-1]  # the last LSOA's 16-19 row missing
    body[0][0] = "E01000001"
    body[1][2:5] = ["90", "9", "9"]
    body[2][5] = "=cmd|' /C calc'!A0"
    folder = write(tmp_path / AREA, body)
    assert main(["validate", "--local-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for fragment in (
        "need_model.csv: column 'lsoa11_code', row 2: unknown LSOA 'E01000001'",
        "need_model.csv: column 'percent_additional', row 3: ",
        "need_model.csv: column 'model', row 4: must not start with",
        "need_model.csv: columns 'lsoa11_code' and 'band': 2 row(s) missing",
    ):
        assert fragment in err, err
    ok = write(tmp_path / "ok" / AREA, rows(codes))
    assert main(["validate", "--local-dir", str(ok)]) == 0
    assert "need_model.csv" in capsys.readouterr().out
