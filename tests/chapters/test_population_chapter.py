"""The population chapter's numbers and sentences, checked against the snapshot tables."""

from __future__ import annotations

import pandas as pd
import pytest

from needsbook.chapters import population
from needsbook.chapters.text import change, points_change
from needsbook.data import load_table


@pytest.fixture(scope="module")
def worcs() -> population.Chapter:
    return population.build("E10000034", 2024)


def test_age_structure_matches_single_year_estimates(worcs: population.Chapter) -> None:
    """A 2024 book shows the mid-2024 age structure, with the six districts."""
    syoa = load_table("population_syoa")
    w = syoa[
        (syoa["area_code"] == "E10000034") & (syoa["year"] == 2024) & (syoa["area_type"] == "UTLA")
    ]
    expected_0_19 = int(w.loc[w["age"] <= 19, "population"].sum())
    expected_all = int(w["population"].sum())
    assert expected_all == 621_360  # ONS mid-2024
    table = worcs.section("age_structure").table.set_index("Code")
    assert table.loc["E10000034", "0-19"] == expected_0_19
    assert table.loc["E10000034", "All ages"] == expected_all
    assert table.loc["E10000034", "0-4"] == int(w.loc[w["age"] <= 4, "population"].sum())
    assert table.loc["E10000034", "% aged 0-19"] == pytest.approx(
        expected_0_19 / expected_all * 100, rel=1e-12
    )
    # the six districts add up to the county
    districts = table[table["Type"] == "District"]
    assert len(districts) == 6
    assert districts["0-19"].sum() == expected_0_19
    section = worcs.section("age_structure")
    assert section.summary.startswith(
        f"An estimated {expected_0_19:,} children and young people aged 0-19 live in "
        "Worcestershire (mid-2024)"
    )
    assert "mid-2024" in section.source and not section.notes


def test_later_books_use_the_latest_estimates() -> None:
    chapter = population.build("E10000034", 2026)
    age = chapter.section("age_structure")
    assert "(mid-2024)" in age.summary
    assert age.notes == ["The latest estimates by single year of age are for mid-2024."]
    trend = chapter.section("trend")
    assert "between 2012 and 2024" in trend.summary and "in mid-2024" in trend.summary
    assert trend.table["Year"].max() == 2024
    assert any("mid-2026" in n and "mid-2024" in n for n in trend.notes)


def test_unitary_is_not_counted_twice() -> None:
    """Rutland is both a UTLA and its own district: its population is counted once."""
    syoa = load_table("population_syoa")
    r = syoa[
        (syoa["area_code"] == "E06000017") & (syoa["year"] == 2022) & (syoa["area_type"] == "UTLA")
    ]
    table = population.build("E06000017", 2022).section("age_structure").table
    assert table["Type"].tolist() == ["Area", "Region", "England"]
    assert table.set_index("Code").loc["E06000017", "All ages"] == int(r["population"].sum())


def test_years_without_district_estimates_say_so() -> None:
    section = population.build("E10000034", 2022).section("age_structure")
    assert "(mid-2022)" in section.summary
    assert not (section.table["Type"] == "District").any()
    assert section.notes == ["Figures for the area's districts are not available for mid-2022."]


def test_one_0_17_figure_for_the_book_year(worcs: population.Chapter) -> None:
    """The 0-17 total stated is the published one for the book's mid-year; for mid-2024 it
    equals the sum of the single years of age."""
    pop = load_table("population_0_17").set_index(["area_code", "year"])["population"]
    syoa = load_table("population_syoa")
    w = syoa[
        (syoa["area_code"] == "E10000034")
        & (syoa["year"] == 2024)
        & (syoa["area_type"] == "UTLA")
        & (syoa["age"] <= 17)
    ]
    assert int(w["population"].sum()) == pop[("E10000034", 2024)] == 120_119
    assert "to 120,119 in mid-2024" in worcs.section("trend").summary
    # 2022 book: the published (revised) 0-17 total for mid-2022, not the single-year sum
    trend22 = population.build("E10000034", 2022).section("trend")
    assert f"to {pop[('E10000034', 2022)]:,} in mid-2022" in trend22.summary


@pytest.mark.parametrize("area", ["E06000017", "E10000034"])
@pytest.mark.parametrize("year", range(2019, 2027))
def test_every_year_builds(area: str, year: int) -> None:
    chapter = population.build(area, year)
    assert [s.key for s in chapter.sections] == [
        "age_structure",
        "pyramid",
        "trend",
        "projection",
        "births",
        "ethnicity",
    ]
    mid = min(year, 2024)
    assert f"(mid-{mid})" in chapter.section("age_structure").summary
    assert f"in mid-{mid})" in chapter.section("trend").summary
    for section in chapter.sections:
        assert len(section.table) > 0 and section.summary and section.chart is not None


def test_trend_sentence_uses_published_0_17_totals(worcs: population.Chapter) -> None:
    pop = load_table("population_0_17").set_index(["area_code", "year"])["population"]
    w12, w24 = pop[("E10000034", 2012)], pop[("E10000034", 2024)]
    e12, e24 = pop[("E92000001", 2012)], pop[("E92000001", 2024)]
    summary = worcs.section("trend").summary
    assert (
        f"The 0-17 population of Worcestershire {change(w12, w24)} between 2012 and 2024 "
        f"(from {w12:,} in mid-2012 to {w24:,} in mid-2024), while England's "
        f"{change(e12, e24)}."
    ) in summary
    table = worcs.section("trend").table
    assert table["Year"].tolist() == list(range(2012, 2025))
    assert table["Worcestershire index (2012 = 100)"].iloc[-1] == pytest.approx(
        round(w24 / w12 * 100, 2)
    )


def test_projection_shares_and_horizon(worcs: population.Chapter) -> None:
    proj = load_table("population_projections")
    w = proj[(proj["area_code"] == "E10000034") & (proj["year"] == 2029)]
    share = w.loc[w["age"] <= 24, "persons"].sum() / w["persons"].sum() * 100
    table = worcs.section("projection").table
    row = table[
        (table["Area"] == "Worcestershire")
        & (table["Year"] == 2029)
        & (table["Age group"] == "0-24")
    ]
    assert row["% of total"].iloc[0] == pytest.approx(share, rel=1e-12)
    assert sorted(table["Year"].unique()) == list(range(2024, 2030))


def test_pyramid_percentages_sum_to_100_per_area(worcs: population.Chapter) -> None:
    table = worcs.section("pyramid").table
    sums = table.groupby("Area")["% of population"].sum()
    assert sums.to_numpy() == pytest.approx([100.0, 100.0])
    assert set(table["Sex"]) == {"Female", "Male"}


def test_new_area_explains_its_short_series() -> None:
    chapter = population.build("E06000063", 2024)  # Cumberland, formed 2023
    notes = " ".join(chapter.section("trend").notes)
    assert "Cumbria (E10000006)" in notes and "not joined" in notes


def test_every_section_has_chart_table_and_text() -> None:
    chapter = population.build("Rutland", 2022)
    for section in chapter.sections:
        assert isinstance(section.table, pd.DataFrame) and len(section.table) > 0
        assert section.chart is not None and section.summary and section.source
        assert section.chart.to_dict()["description"] == section.summary


@pytest.mark.parametrize(
    ("old", "new", "text"),
    [
        (100, 102.1, "rose by 2.1%"),
        (100, 97.9, "fell by 2.1%"),
        (100, 100.01, "was unchanged"),
        (0, 5, "cannot be compared"),
    ],
)
def test_change_words(old: float, new: float, text: str) -> None:
    assert change(old, new) == text


def test_points_change_words() -> None:
    assert points_change(25.0, 26.2) == "up 1.2 percentage points"
    assert points_change(25.0, 24.7) == "down 0.3 percentage points"
    assert points_change(25.0, 25.01) == "no change"


def test_each_chart_has_one_legend_per_field_and_titles_that_fit(
    worcs: population.Chapter,
) -> None:
    """The trend and projection charts encode Area by colour, dash and shape: one legend."""
    from needsbook.chapters.display import page_chart
    from needsbook.charts import enable
    from needsbook.charts.fit import TITLE_CHAR_PX, legends, title_px

    enable()
    for s in worcs.sections:
        assert s.chart is not None
        titles = [lg.get("title") for lg in legends(s.chart)]
        assert len(titles) == len(set(titles)), (s.key, titles)
        shown = page_chart(s.chart).title
        lines = shown if isinstance(shown, list) else [shown]
        assert all(len(line) * TITLE_CHAR_PX <= title_px(s.chart) for line in lines), s.key
    area = [lg for lg in legends(worcs.section("trend").chart) if lg.get("title") == "Area"]
    assert {"stroke", "shape", "strokeDash"} <= set(area[0])


def test_long_projections_are_made_once_and_left_as_they_are_by_the_sections() -> None:
    from needsbook.areas import resolve_area

    long = population._projection_long(None)
    before = long.copy()
    assert population._projection_long(None) is long  # made once per snapshot
    assert set(long["sex"]) <= {"female", "male", "person"}
    for code in ("E10000034", "E06000017"):
        area = resolve_area(code)
        population.pyramid(area, 2025, None)
        population.projection(area, 2025, None)
    pd.testing.assert_frame_equal(long, before)
