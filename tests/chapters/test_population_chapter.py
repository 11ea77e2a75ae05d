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
    syoa = load_table("population_syoa")
    w = syoa[(syoa["area_code"] == "E10000034") & (syoa["year"] == 2020)]
    expected_0_19 = int(w.loc[w["age"] <= 19, "population"].sum())
    expected_all = int(w["population"].sum())
    table = worcs.section("age_structure").table.set_index("Code")
    assert table.loc["E10000034", "0-19"] == expected_0_19
    assert table.loc["E10000034", "0-4"] == int(w.loc[w["age"] <= 4, "population"].sum())
    assert table.loc["E10000034", "% aged 0-19"] == pytest.approx(
        expected_0_19 / expected_all * 100, rel=1e-12
    )
    # the six districts add up to the county
    districts = table[table["Type"] == "District"]
    assert len(districts) == 6
    assert districts["0-19"].sum() == expected_0_19
    summary = worcs.section("age_structure").summary
    assert summary.startswith(
        f"An estimated {expected_0_19:,} children and young people aged 0-19 live in "
        "Worcestershire (mid-2020)"
    )


def test_trend_sentence_uses_published_0_17_totals(worcs: population.Chapter) -> None:
    pop = load_table("population_0_17").set_index(["area_code", "year"])["population"]
    w12, w24 = pop[("E10000034", 2012)], pop[("E10000034", 2024)]
    e12, e24 = pop[("E92000001", 2012)], pop[("E92000001", 2024)]
    summary = worcs.section("trend").summary
    assert (
        f"The 0-17 population of Worcestershire {change(w12, w24)} between 2012 and 2024 "
        f"(from {w12:,} to {w24:,}), while England's {change(e12, e24)}."
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
