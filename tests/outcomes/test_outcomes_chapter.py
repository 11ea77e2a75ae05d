"""The outcomes chapter: sections, tables, text and charts, for a typical area and for areas with
gaps in their data."""

from __future__ import annotations

import json

import pytest

from needsbook.chapters import outcomes
from needsbook.chapters.text import lower_first
from needsbook.charts import enable
from needsbook.outcomes.catalogue import load_catalogue
from needsbook.testing.reader_text import check_text

SECTIONS = ["spine", "life_stages", "trends", "social_care", "neighbours", "gaps", "star"]
SECTIONS += ["early_years_health", "district_gld"]


@pytest.fixture(scope="module")
def worcs() -> outcomes.OutcomesChapter:
    enable()
    return outcomes.build("E10000034", 2024)


def test_sections_in_order(worcs: outcomes.OutcomesChapter) -> None:
    assert [s.key for s in worcs.sections] == SECTIONS
    for s in worcs.sections:
        assert s.summary and s.source
        if s.chart is not None:
            assert s.chart.to_dict()["description"] == s.summary


def test_key_findings_start_with_overview_then_worst(worcs: outcomes.OutcomesChapter) -> None:
    kf = worcs.key_findings
    assert kf[0] == (
        "Worcestershire has data for 34 of the 35 outcome indicators. 14 can be tested against "
        "England: 5 are significantly worse and 6 significantly better. 19 can only be placed in "
        "fifths of English areas (no test possible): 3 are in the worst fifth and 2 in the best "
        "fifth."
    )
    assert kf[1].startswith("Children looked after (87.2 per 10,000 aged 0-17, 31 March 2024)")
    assert len(kf) == 1 + outcomes.KEY_FINDINGS


def test_spine_table_states_the_period_and_comparison_of_every_indicator(
    worcs: outcomes.OutcomesChapter,
) -> None:
    table = worcs.section("spine").table.set_index("Indicator")
    assert len(table) == 35
    assert (table["Period"] != "").all()
    row = table.loc["Children looked after"]
    assert row["Period"] == "31 March 2024"
    assert row["Count"] == "1,043"
    assert row["Value"] == "87.2"
    assert row["England"] == "69.3"
    assert row["Compared with England"] == "Worse"
    assert row["Recent trend"] == "Increasing and getting worse"
    gld = table.loc["School readiness"]
    assert gld["How compared"] == "fifths of all areas"
    assert gld["Why no trend"] == "no counts or confidence intervals in the source"
    assert table.loc["First-time entrants to the youth justice system", "England"] == ""


def test_spine_chart_has_one_row_per_indicator_and_stage(worcs: outcomes.OutcomesChapter) -> None:
    spec = worcs.section("spine").chart.to_dict()
    values = max(spec["datasets"].values(), key=len)
    kinds = [v["kind"] for v in values]
    assert kinds.count("indicator") == 35 and kinds.count("stage") == 5
    marker = next(lay for lay in spec["layer"] if "shape" in lay.get("encoding", {}))
    shapes = marker["encoding"]["shape"]["scale"]["range"]
    assert len(set(shapes)) >= 5  # comparison shown by shape as well as colour
    better = next(v for v in values if v.get("name") == "Injury admissions, aged 0-14")
    assert better["category"] == "Better than England"
    assert better["marker"] > 0.5  # better is to the right


def test_gap_sentences_use_free_school_meal_figures(worcs: outcomes.OutcomesChapter) -> None:
    text = worcs.section("gaps").summary
    assert "43.9% of children eligible for free school meals against 67.6% of all children" in text
    assert "a gap of 23.7 percentage points (England 16.2)" in text


def test_reader_text_names_no_internals(worcs: outcomes.OutcomesChapter) -> None:
    """Titles, summaries, notes, sources and table text speak to readers: no "seed", method
    codes, file or module names. (The catalogue's own notes are checked with the catalogue.)"""
    notes = {i.polarity_note for i in load_catalogue().indicators if i.polarity_note}
    problems = []
    for s in worcs.sections:
        text = "\n".join([s.title, s.summary, s.source, *s.notes, *map(str, s.table.columns)])
        cells = "\n".join(str(v) for c in s.table.columns for v in s.table[c] if isinstance(v, str))
        for note in notes:
            text = text.replace(note, "").replace(lower_first(note), "")
        problems += check_text(s.key, text) + check_text(s.key, cells, prose=False)
    assert not problems, "\n".join(map(str, problems))
    source = worcs.section("star").source
    assert source.startswith("needsbook outcome star, rebuilt from the indicators above")


def test_charts_are_small_enough_for_a_3mb_page(worcs: outcomes.OutcomesChapter) -> None:
    total = sum(len(json.dumps(s.chart.to_dict())) for s in worcs.sections if s.chart is not None)
    assert total < 1_000_000


@pytest.mark.parametrize("code", ["E09000001", "E06000053", "E06000063"])
def test_areas_with_little_data_build_and_say_no_data(code: str) -> None:
    enable()
    ch = outcomes.build(code, 2024)
    assert [s.key for s in ch.sections] == SECTIONS
    spine = ch.section("spine").table
    assert len(spine) == 35
    if code != "E06000063":
        assert (spine["Compared with England"] == "No data").sum() >= 5
        assert "no data for" in ch.section("life_stages").summary
    for s in ch.sections:
        if s.chart is not None:
            s.chart.to_dict()  # valid Vega-Lite


def test_an_earlier_year_uses_earlier_periods() -> None:
    enable()
    ch = outcomes.build("E10000034", 2021)
    table = ch.section("spine").table.set_index("Indicator")
    assert table.loc["Children looked after", "Period"] == "31 March 2021"
    assert table.loc["MMR first dose at 24 months", "Period"] == "2020/21"
    assert "at or before 2021" in ch.section("spine").summary
