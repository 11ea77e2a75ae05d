"""Strict local data (issue 14): malformed rows, look-alike files, implausible values, periods,
text, and every problem in every file reported in one run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from needsbook.errors import InputError
from needsbook.local import TEMPLATES, load_local
from needsbook.local.rules import TEXT_MAX_CHARS, last_year

from .test_bad_input import _rows, _write, append_rows, new_file, set_cell


def replace_text(file: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace text in a file's raw content (exactly once)."""

    def mutate(folder: Path) -> None:
        text = (folder / file).read_text()
        assert text.count(old) == 1, old
        (folder / file).write_text(text.replace(old, new))

    return mutate


def raw_file(name: str, content: str | bytes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())

    return mutate


def rename(old: str, new: str) -> Callable[[Path], None]:
    return lambda folder: (folder / old).rename(folder / new)


def every_line(file: str, suffix: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        lines = (folder / file).read_text().splitlines()
        (folder / file).write_text("".join(f"{line}{suffix}\n" for line in lines))

    return mutate


def _problems(folder: Path) -> str:
    with pytest.raises(InputError) as exc:
        load_local(folder, "E10000034")
    return str(exc.value)


EHA_ROW5 = "2013-08/2015-03,Integrated working team,All,All,156"

# (case id, mutation, fragments that must all appear in the one InputError)
CASES = [
    (
        "row with an extra field",
        replace_text(
            "eha_assessments.csv", EHA_ROW5, "2013-08/2015-03,Integrated, working,All,All,156"
        ),
        ["eha_assessments.csv: row 6: 6 fields where the header has 5", "double quotes"],
    ),
    (
        "row with a missing field",
        replace_text("eha_assessments.csv", EHA_ROW5, "2013-08/2015-03,All,All,156"),
        ["eha_assessments.csv: row 6: 4 fields where the header has 5"],
    ),
    (
        "trailing comma on a row",
        replace_text("specialist_midwifery.csv", "2013-14,450,6000,4", "2013-14,450,6000,4,"),
        ["specialist_midwifery.csv: row 2: a comma after the last column"],
    ),
    (
        "trailing comma on the header",
        replace_text("specialist_midwifery.csv", "specialist_midwives", "specialist_midwives,"),
        ["specialist_midwifery.csv: the header (line 1) ends with a comma"],
    ),
    (
        "trailing comma on every line",
        every_line("family_support_outcomes.csv", ","),
        ["family_support_outcomes.csv: every line ends with a comma"],
    ),
    (
        "unclosed quote",
        replace_text("specialist_midwifery.csv", "2013-14,450", '"2013-14,450'),
        ["specialist_midwifery.csv: a double quote opened on line 2 is never closed"],
    ),
    (
        "not UTF-8",
        raw_file(
            "specialist_midwifery.csv",
            b"period,referrals,births,specialist_midwives\n"
            b"2013-14,450,6000,4\n2014-15,caf\xe9,1,1\n",
        ),
        ["specialist_midwifery.csv: line 3 is not UTF-8 text: save the file as 'CSV UTF-8"],
    ),
    (
        "semicolons",
        raw_file("specialist_midwifery.csv", "period;referrals;births;specialist_midwives\n"),
        ["specialist_midwifery.csv: the header is not separated by commas"],
    ),
    (
        "upper-case file name",
        rename("eha_assessments.csv", "EHA_Assessments.CSV"),
        [
            "EHA_Assessments.CSV: file names are lower case (not read): "
            "rename it to eha_assessments.csv"
        ],
    ),
    (
        "spreadsheet",
        raw_file("children_centres.xlsx", b"PK\x03\x04"),
        [
            "children_centres.xlsx: a spreadsheet (not read): save it as CSV (UTF-8, "
            "comma-separated) named children_centres.csv"
        ],
    ),
    (
        "tab-separated with a template's name",
        raw_file("eha_reasons.tsv", "period\treason\n"),
        [
            "eha_reasons.tsv: not a CSV template (not read): save it as CSV (UTF-8, "
            "comma-separated) named eha_reasons.csv"
        ],
    ),
    (
        "misspelt name",
        raw_file("eha_assesments.csv", "x\n"),
        ["eha_assesments.csv: not a template name (not read): did you mean eha_assessments.csv?"],
    ),
    (
        "ten million assessments",
        set_cell("eha_assessments.csv", 2, "assessments", "10000000"),
        ["eha_assessments.csv: column 'assessments', row 2: must be at most 1,000,000"],
    ),
    (
        "1e300 births",
        set_cell("specialist_midwifery.csv", 2, "births", "1e300"),
        ["specialist_midwifery.csv: column 'births', row 2: must be at most 10,000,000"],
    ),
    (
        "infinite number",
        set_cell("specialist_midwifery.csv", 2, "births", "1e400"),
        ["specialist_midwifery.csv: column 'births', row 2: must be a finite number"],
    ),
    (
        "inf and nan are not numbers",
        new_file(
            "health_visiting_reviews.csv",
            ["quarter", "review", "completed", "due"],
            ["2014-Q3", "12_months", "nan", "100"],
            ["2014-Q3", "6_8_weeks", "90", "inf"],
        ),
        [
            "health_visiting_reviews.csv: column 'completed', row 2: "
            "must be a number (found 'nan')",
            "health_visiting_reviews.csv: column 'due', row 3: must be a number (found 'inf')",
        ],
    ),
    (
        "thousands separator",
        set_cell("specialist_midwifery.csv", 2, "births", "6,000"),
        ["column 'births', row 2: must be a number (found '6,000'); write digits only"],
    ),
    (
        "assessments above the area ceiling",
        set_cell("eha_assessments.csv", 2, "assessments", "900000"),
        [
            "eha_assessments.csv: column 'assessments', row 2: must be at most",
            "more than 2 x Worcestershire's resident 0-19 population",
            "x 1.67 year(s) in the period is implausible",
        ],
    ),
    (
        "births above the area ceiling",
        set_cell("specialist_midwifery.csv", 2, "births", "90000"),
        ["column 'births', row 2: must be at most", "resident 0-4 population"],
    ),
    (
        "period banana",
        set_cell("eha_distance_travelled.csv", 3, "period", "banana"),
        [
            "eha_distance_travelled.csv: column 'period', row 3: must match YYYY, YYYY-YY, "
            "YYYY-YYYY or YYYY-MM/YYYY-MM (e.g. 2014-15) (found 'banana')"
        ],
    ),
    (
        "period 2099-00",
        set_cell("specialist_midwifery.csv", 2, "period", "2099-00"),
        [
            f"column 'period', row 2: must be a period in the years 2000 to {last_year()} "
            "(found '2099-00')"
        ],
    ),
    (
        "period 2014-17",
        set_cell("specialist_midwifery.csv", 2, "period", "2014-17"),
        [
            "column 'period', row 2: must be a financial year such as 2014-15 (the second part is "
            "the next year) (found '2014-17')"
        ],
    ),
    (
        "span of years backwards",
        set_cell("children_centres.csv", 85, "period", "2014-2012"),
        ["children_centres.csv: column 'period', row 85: must be a span of years that ends after"],
    ),
    (
        "span of months backwards",
        set_cell("eha_distance_travelled.csv", 2, "period", "2015-03/2013-08"),
        ["column 'period', row 2: must be a span of months that ends after it starts"],
    ),
    (
        "quarter 5",
        new_file(
            "health_visiting_reviews.csv",
            ["quarter", "review", "completed", "due"],
            ["2014-Q5", "12_months", "90", "100"],
        ),
        ["health_visiting_reviews.csv: column 'quarter', row 2: must match YYYY-Qn"],
    ),
    (
        "claim month in 1999",
        set_cell("family_support_outcomes.csv", 4, "claim_month", "1999-02"),
        ["family_support_outcomes.csv: column 'claim_month', row 4: must be a period in the years"],
    ),
    (
        "control character",
        set_cell("eha_assessments.csv", 3, "provider", "Early\x07Help"),
        ["eha_assessments.csv: column 'provider', row 3: must be printable text", "U+0007"],
    ),
    (
        "bidi override",
        set_cell("children_centres_register.csv", 2, "note", "merged \u202eevil"),
        [
            "children_centres_register.csv: column 'note', row 2: must be printable text",
            "invisible formatting character U+202E",
        ],
    ),
    (
        "zero-width space",
        set_cell("family_support_outcomes.csv", 2, "programme", "Stronger\u200bFamilies"),
        ["column 'programme', row 2: must be printable text", "U+200B"],
    ),
    (
        "private use",
        set_cell("children_centres_register.csv", 2, "note", "\ue000"),
        ["column 'note', row 2: must be printable text", "private-use character U+E000"],
    ),
    (
        "line break inside a quoted value",
        set_cell("children_centres_register.csv", 3, "note", "two\nlines"),
        [
            "children_centres_register.csv: column 'note', row 3: must be printable text",
            "tab or line break",
        ],
    ),
    (
        "too long",
        set_cell("children_centres_register.csv", 2, "note", "x" * (TEXT_MAX_CHARS + 1)),
        [f"column 'note', row 2: must be at most {TEXT_MAX_CHARS} characters"],
    ),
]


@pytest.mark.parametrize(("case", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_strict_rule_names_file_column_and_rows(example_copy, case, mutate, expected):
    mutate(example_copy)
    message = _problems(example_copy)
    for fragment in expected:
        assert fragment in message, message
    assert "Traceback" not in message


def test_hostile_markup_and_spaces_are_text(example_copy):
    """Markup is data (the chapters escape it); spaces (including no-break) are trimmed."""
    hostile = "<script>alert(1)</script> **b** _i_ [x](javascript:y) {z} # | * > `c` &amp;"
    set_cell("children_centres_register.csv", 2, "note", hostile)(example_copy)
    set_cell("children_centres_register.csv", 3, "note", "\u00a0 merged  \u3000")(example_copy)
    reg = load_local(example_copy, "E10000034")["children_centres_register"]
    assert reg.loc[0, "note"] == hostile
    assert reg.loc[1, "note"] == "merged"


def test_ignored_files(example_copy):
    for name in ("README.txt", "notes.md", ".DS_Store", "~$children_centres.xlsx"):
        (example_copy / name).write_text("anything\n")
    (example_copy / "source workbook.xlsx").write_bytes(b"PK")
    data = load_local(example_copy, "E10000034")
    assert "source workbook.xlsx: ignored (not named after a template)" in data.warnings


def test_every_problem_in_every_file_in_one_error(example_copy):
    """Read, cell, GX, district and pair problems in one file, and other files, together."""
    replace_text("eha_assessments.csv", EHA_ROW5, "2013-08/2015-03,EIFS,x,All,All,1")(example_copy)
    set_cell("eha_assessments.csv", 3, "assessments", "many")(example_copy)
    set_cell("eha_assessments.csv", 4, "assessments", "-3")(example_copy)
    set_cell("eha_assessments.csv", 7, "imd_quintile", "6")(example_copy)
    append_rows("eha_assessments.csv", ["2013-08/2015-03", "EIFS", "Narnia", "All", "5"])(
        example_copy
    )
    set_cell("specialist_midwifery.csv", 2, "referrals", "7000")(example_copy)
    set_cell("specialist_midwifery.csv", 2, "period", "banana")(example_copy)
    set_cell("children_centres.csv", 10, "centre", "Sunnyside")(example_copy)
    set_cell("children_centres.csv", 12, "percent_seen", "130")(example_copy)
    (example_copy / "children_centres.xlsx").write_bytes(b"PK")
    message = _problems(example_copy)
    expected = [
        "children_centres.xlsx: a spreadsheet (not read)",
        "eha_assessments.csv: row 6: 6 fields where the header has 5",
        "eha_assessments.csv: column 'assessments', row 3: must be a number (found 'many')",
        "eha_assessments.csv: column 'assessments', row 4: must be 0 or more",
        "eha_assessments.csv: column 'imd_quintile', row 7: must be one of 1, 2, 3, 4, 5, All",
        "eha_assessments.csv: column 'district', row 44: unknown district 'Narnia'",
        "specialist_midwifery.csv: column 'period', row 2: must match",
        "specialist_midwifery.csv: column 'referrals', row 2: must not exceed 'births'",
        "children_centres.csv: column 'centre', row 10: unknown centre 'Sunnyside'",
        "children_centres.csv: column 'percent_seen', row 12: must be between 0 and 100",
    ]
    for fragment in expected:
        assert fragment in message, message
    assert f"({len(expected)} problem(s); nothing was used)" in message, message
    assert "must not be blank" not in message  # 'many' is reported once, not also as blank


def test_missing_column_does_not_stop_the_other_checks(example_copy):
    path = example_copy / "family_support_outcomes.csv"
    rows = _rows(path)
    k = rows[0].index("outcome")
    _write(path, [r[:k] + r[k + 1 :] for r in rows])
    set_cell("family_support_outcomes.csv", 3, "claims", "-1")(example_copy)
    message = _problems(example_copy)
    assert "family_support_outcomes.csv: column 'outcome' is missing" in message
    assert "family_support_outcomes.csv: column 'claims', row 3: must be 0 or more" in message


def test_misspelt_column_gets_a_suggestion(example_copy):
    path = example_copy / "eha_assessments.csv"
    path.write_text(path.read_text().replace("assessments\n", "Assessments\n", 1))
    message = _problems(example_copy)
    assert "column 'Assessments' is not a column of this template (did you mean" in message


def test_a_new_spreadsheet_after_a_passing_load_is_caught(example_copy):
    load_local(example_copy, "E10000034")
    (example_copy / "eha_reasons.xlsx").write_bytes(b"PK")
    assert "eha_reasons.xlsx: a spreadsheet" in _problems(example_copy)


def test_every_number_has_a_ceiling():
    for t in TEMPLATES.values():
        for c in t.columns:
            if c.numeric:
                assert c.bounds[1] is not None and c.bounds[1] <= 1e7, (t.name, c.name)
