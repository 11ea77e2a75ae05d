"""Bad local data fails with a message naming file, column and rows, and yields nothing."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from needsbook.errors import InputError
from needsbook.local import load_local


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as f:
        return list(csv.reader(f))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def set_cell(file: str, line: int, column: str, value: str) -> Callable[[Path], None]:
    """Set one cell (line = CSV line number, header = 1)."""

    def mutate(folder: Path) -> None:
        rows = _rows(folder / file)
        rows[line - 1][rows[0].index(column)] = value
        _write(folder / file, rows)

    return mutate


def rename_column(file: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        rows = _rows(folder / file)
        rows[0][rows[0].index(old)] = new
        _write(folder / file, rows)

    return mutate


def add_column(file: str, name: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        _write(
            folder / file,
            [[*r, name if i == 0 else ""] for i, r in enumerate(_rows(folder / file))],
        )

    return mutate


def drop_column(file: str, name: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        rows = _rows(folder / file)
        k = rows[0].index(name)
        _write(folder / file, [r[:k] + r[k + 1 :] for r in rows])

    return mutate


def append_rows(file: str, *new: list[str], copy_line: int | None = None) -> Callable[[Path], None]:
    """Append rows, or a copy of CSV line ``copy_line``."""

    def mutate(folder: Path) -> None:
        rows = _rows(folder / file)
        _write(folder / file, rows + ([rows[copy_line - 1]] if copy_line else list(new)))

    return mutate


def new_file(file: str, *rows: list[str]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        _write(folder / file, [list(r) for r in rows])

    return mutate


HV = ["quarter", "review", "completed", "due"]

# (case id, mutation, expected fragment of the one error line: file, column, rows, rule)
CASES = [
    (
        "wrong column name",
        rename_column("eha_assessments.csv", "assessments", "assesments"),
        "eha_assessments.csv: column 'assessments' is missing",
    ),
    (
        "extra column",
        add_column("specialist_midwifery.csv", "notes"),
        "specialist_midwifery.csv: column 'notes' is not a column of this template",
    ),
    (
        "missing column",
        drop_column("family_support_outcomes.csv", "outcome"),
        "family_support_outcomes.csv: column 'outcome' is missing",
    ),
    (
        "percentage of 130",
        set_cell("children_centres.csv", 4, "percent_seen", "130"),
        "children_centres.csv: column 'percent_seen', row 4: must be between 0 and 100",
    ),
    (
        "negative count",
        set_cell("eha_assessments.csv", 5, "assessments", "-5"),
        "eha_assessments.csv: column 'assessments', row 5: must be 0 or more",
    ),
    (
        "text in numeric column",
        set_cell("specialist_midwifery.csv", 2, "births", "six thousand"),
        "specialist_midwifery.csv: column 'births', row 2: must be a number (found 'six thousand')",
    ),
    (
        "fractional count",
        set_cell("family_support_outcomes.csv", 7, "claims", "2.5"),
        "family_support_outcomes.csv: column 'claims', row 7: must be a whole number",
    ),
    (
        "unknown district",
        set_cell("children_centres_register.csv", 3, "district", "Worcester City"),
        "children_centres_register.csv: column 'district', row 3: "
        "unknown district 'Worcester City'",
    ),
    (
        "unknown centre",
        set_cell("children_centres.csv", 100, "centre", "Sunnyside"),
        "children_centres.csv: column 'centre', row 100: unknown centre 'Sunnyside'",
    ),
    (
        "duplicated row",
        append_rows("eha_assessments.csv", copy_line=3),
        "eha_assessments.csv: column 'period, provider, district, imd_quintile', rows 3, 44: "
        "duplicated rows",
    ),
    (
        "quintile 6",
        set_cell("eha_assessments.csv", 9, "imd_quintile", "6"),
        "eha_assessments.csv: column 'imd_quintile', row 9: must be one of 1, 2, 3, 4, 5, All",
    ),
    (
        "completed more than due",
        new_file(
            "health_visiting_reviews.csv",
            HV,
            ["2014-Q3", "12_months", "90", "100"],
            ["2014-Q3", "6_8_weeks", "120", "100"],
        ),
        "health_visiting_reviews.csv: column 'completed', row 3: must not exceed 'due'",
    ),
    (
        "seen more than population",
        append_rows(
            "children_centres.csv",
            ["2015", "included", "all", "Redditch", "Oak Trees", "500", "900", "400", "", ""],
        ),
        "children_centres.csv: column 'children_seen', row 160: must not exceed 'population_0_4'",
    ),
    (
        "blank required value",
        set_cell("eha_distance_travelled.csv", 3, "period", ""),
        "eha_distance_travelled.csv: column 'period', row 3: must not be blank",
    ),
    (
        "bad quarter",
        new_file("health_visiting_reviews.csv", HV, ["2014Q3", "12_months", "90", "100"]),
        "health_visiting_reviews.csv: column 'quarter', row 2: must match",
    ),
    (
        "unknown nursery option",
        set_cell("children_centres.csv", 2, "nursery", "yes"),
        "children_centres.csv: column 'nursery', row 2: must be one of included, excluded",
    ),
    ("unknown file", new_file("eha.csv", ["a"], ["1"]), "eha.csv: not a local data template"),
    (
        "referrals more than births",
        set_cell("specialist_midwifery.csv", 2, "referrals", "7000"),
        "specialist_midwifery.csv: column 'referrals', row 2: must not exceed 'births'",
    ),
    (
        "score change out of range",
        set_cell("eha_distance_travelled.csv", 2, "mean_change", "7"),
        "eha_distance_travelled.csv: column 'mean_change', row 2: must be between -4 and 4",
    ),
    (
        "bad claim month",
        set_cell("family_support_outcomes.csv", 2, "claim_month", "2013-13"),
        "family_support_outcomes.csv: column 'claim_month', row 2: must match",
    ),
    (
        "columns out of order",
        lambda d: _write(
            d / "specialist_midwifery.csv",
            [[r[1], r[0], *r[2:]] for r in _rows(d / "specialist_midwifery.csv")],
        ),
        "specialist_midwifery.csv: columns are in the wrong order",
    ),
]


@pytest.mark.parametrize(("case", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_with_named_location(example_copy, case, mutate, expected):
    mutate(example_copy)
    before = sorted(p.name for p in example_copy.iterdir())
    result = None
    with pytest.raises(InputError) as exc:
        result = load_local(example_copy, "E10000034")
    message = str(exc.value)
    assert expected in message, message
    assert "nothing was used" in message
    assert result is None
    assert sorted(p.name for p in example_copy.iterdir()) == before  # nothing written


def test_at_least_fifteen_cases():
    assert len(CASES) >= 15


def test_all_problems_reported_together(example_copy):
    set_cell("eha_assessments.csv", 5, "assessments", "-5")(example_copy)
    set_cell("specialist_midwifery.csv", 2, "births", "lots")(example_copy)
    with pytest.raises(InputError) as exc:
        load_local(example_copy, "E10000034")
    assert "eha_assessments.csv: column 'assessments'" in str(exc.value)
    assert "specialist_midwifery.csv: column 'births'" in str(exc.value)


def test_a_change_after_a_passing_load_is_checked_again(example_copy):
    """Validation is remembered by content: editing a file after it passed is caught."""
    first = load_local(example_copy, "E10000034")
    first.tables["eha_assessments"].loc[0, "assessments"] = -1  # callers get copies
    again = load_local(example_copy, "E10000034")
    assert (again.tables["eha_assessments"]["assessments"] >= 0).all()
    set_cell("children_centres.csv", 2, "percent_seen", "130")(example_copy)
    with pytest.raises(InputError) as exc:
        load_local(example_copy, "E10000034")
    assert "children_centres.csv: column 'percent_seen'" in str(exc.value)
