"""The section: its sentences agree with its table, for Worcestershire and the tiniest areas."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from needsbook.adjusted import area_rows
from needsbook.adjusted.section import KEY, TITLE, section
from needsbook.formatting import fixed, ratio
from needsbook.testing.reader_text import check_text

WORCS = "E10000034"


def _table_row(table: pd.DataFrame, measure: str, period: str) -> pd.Series:
    return table[(table["Measure"] == measure) & (table["Period"] == period)].iloc[0]


def test_worcestershire_summary_agrees_with_its_table(data_dir):
    s = section(WORCS, 2025, data_dir)
    assert s.key == KEY and s.title == TITLE
    row = _table_row(s.table, "Looked-after children", "31 March 2025")
    first = s.summary.split(". ")[0]
    assert first.startswith(
        "Given its deprivation, Worcestershire would be expected to have "
        f"{fixed(row['Expected rate per 10,000 aged 0-17'], 1)} looked-after children per "
        "10,000 aged 0-17 on 31 March 2025"
    )
    assert f"it has {fixed(row['Rate per 10,000 aged 0-17'], 1)}" in first
    assert f"{ratio(row['Observed/expected ratio'])} times" in first
    ci = f"95% CI {ratio(row['Ratio 95% CI lower'])} to {ratio(row['Ratio 95% CI upper'])}"
    assert ci in first
    # the verdict follows the 95% interval
    assert row["Ratio 95% CI lower"] > 1
    assert first.endswith("higher than expected") and row["Compared with expected (95%)"] == (
        "Higher than expected"
    )
    assert s.summary.startswith(
        "Given its deprivation, Worcestershire would be expected to have 59.1 looked-after "
        "children per 10,000 aged 0-17 on 31 March 2025; it has 86.2, 1.46 times (95% CI 1.37 "
        "to 1.55) what its deprivation predicts: higher than expected."
    )
    cin = _table_row(s.table, "Children in need", "31 March 2025")
    assert cin["Ratio 95% CI lower"] <= 1 <= cin["Ratio 95% CI upper"]
    assert "children in need per 10,000 aged 0-17 on 31 March 2025" in s.summary
    cin_sentence = next(x for x in s.summary.split(". ") if "children in need per" in x)
    assert cin_sentence.endswith("what its deprivation predicts: in line with expected")


def test_summary_states_the_interval_allows_for_chance_only(data_dir):
    s = section(WORCS, 2025, data_dir)
    assert "These intervals allow for chance variation only." in s.summary
    row = _table_row(s.table, "Looked-after children", "31 March 2025")
    wide = (
        f"({ratio(row['Ratio wider 95% CI lower (allowing for the spread between councils)'])} to "
        f"{ratio(row['Ratio wider 95% CI upper (allowing for the spread between councils)'])})"
    )
    assert wide in s.summary
    assert f"about {fixed(row['Over-dispersion (times chance variation)'], 0)} times" in s.summary
    assert "within the usual spread between councils" in s.summary
    assert any("the text's verdicts use the chance-only interval" in n for n in s.notes)


def test_book_year_limits_the_years(data_dir):
    s = section(WORCS, 2020, data_dir)
    assert "31 March 2020" in s.summary
    assert not any(str(y) in " ".join(s.table["Period"]) for y in range(2021, 2026))
    assert "In 2020, across 148 councils" in s.notes[0]


@pytest.mark.parametrize("code", ["E06000053", "E09000001"])
def test_tiny_areas_build_a_section(data_dir, code):
    s = section(code, 2025, data_dir)
    assert s.key == KEY
    assert s.summary.startswith("There is no published count of looked-after children for ")
    cla = s.table[s.table["Measure"] == "Looked-after children"]
    last = cla[cla["Period"] == "31 March 2025"].iloc[0]
    assert last["Children (number)"] == "no data"
    assert last["Compared with expected (95%)"] == "No data"
    cin = _table_row(s.table, "Children in need", "31 March 2025")
    assert f"{ratio(cin['Observed/expected ratio'])} times" in s.summary
    assert s.chart is not None
    assert any("has no published count for the latest year" in n for n in s.notes)


def test_isles_of_scilly_zero_counts_read_as_none(data_dir):
    rows = area_rows("E06000053", 2024, data_dir)
    cpp = rows[(rows["measure"] == "cpp") & (rows["year"] == 2024)].iloc[0]
    assert cpp["observed"] == 0
    s = section("E06000053", 2024, data_dir)
    assert (
        "children on child protection plans per 10,000 aged 0-17 on 31 March 2024; it has none"
        in s.summary
    )


def test_area_before_any_data_says_no_data(data_dir):
    s = section(WORCS, 2012, data_dir)
    assert s.summary.count("There is no published count of") == 3
    assert s.chart is None
    assert (s.table["Compared with expected (95%)"] == "No data").all()


def test_reader_text_has_no_internal_vocabulary(data_dir, root):
    for code in (WORCS, "E06000053", "E09000001", "E06000065"):
        s = section(code, 2025, data_dir)
        text = " ".join([s.title, s.summary, *s.notes, s.source, *map(str, s.table.columns)])
        assert check_text(code, text) == []
        assert "csc:" not in text
    page = (root / "book" / "methods" / "adjusted-demand.md").read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", page, flags=re.DOTALL)
    prose = re.sub(r"\]\([^)]*\)", "]", prose)  # link targets are not read as text
    assert check_text("methods page", prose) == []


def test_chart_has_the_reference_line_and_description(data_dir):
    s = section(WORCS, 2025, data_dir)
    spec = s.chart.to_dict()
    assert spec["description"] == s.summary
    text = str(spec)
    assert "as expected for its deprivation" in text
    assert spec["spec"]["layer"][0]["mark"]["type"] == "area"


def test_small_count_is_not_shown_in_text_table_or_chart(data_dir, monkeypatch):
    import needsbook.adjusted.ratios as ratios_module
    from needsbook.adjusted import all_ratios

    real = all_ratios(data_dir).copy()
    hit = (real["measure"] == "cla") & (real["year"] == 2025) & (real["area_code"] == WORCS)
    real.loc[hit, "observed"] = 4.0
    monkeypatch.setattr(ratios_module, "all_ratios", lambda data_dir=None: real)
    s = section(WORCS, 2025, data_dir)
    assert s.summary.startswith(
        "Given its deprivation, Worcestershire would be expected to have 59.1 looked-after "
        "children per 10,000 aged 0-17 on 31 March 2025; its own count is fewer than 5, so it "
        "is not shown or compared."
    )
    row = _table_row(s.table, "Looked-after children", "31 March 2025")
    assert row["Children (number)"] == "<5"
    assert pd.isna(row["Observed/expected ratio"]) and pd.isna(row["Rate per 10,000 aged 0-17"])
    assert row["Compared with expected (95%)"] == "Not shown (fewer than 5)"
    values = s.chart.to_dict()["datasets"]
    shown = [
        r
        for rows in values.values()
        for r in rows
        if r.get("panel") == "Looked-after children" and r.get("year") == 2025
    ]
    assert shown and all(r["ratio"] is None and r["lower"] is None for r in shown)
    assert any("Counts of 1 to 4 are not shown" in n for n in s.notes)


def test_counts_use_thousands_separators(data_dir):
    s = section(WORCS, 2025, data_dir)
    assert _table_row(s.table, "Children in need", "31 March 2025")["Children (number)"] == "3,638"
