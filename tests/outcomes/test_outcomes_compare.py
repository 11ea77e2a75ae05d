"""Benchmarking: the period chosen for a year, comparisons and trends on hand-made data, and the
real snapshot's special cases (recalculated history, derived regions, a bad England figure)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from needsbook.data import load_table
from needsbook.outcomes.catalogue import parse
from needsbook.outcomes.compare import (
    ENGLAND,
    NO_CI_REASON,
    OutcomeData,
    benchmarks,
    compute_benchmarks,
    display_period,
    latest_years,
    load_data,
    prepare_rows,
)
from needsbook.stats import rate_ci, wilson_ci

ALL_COLUMNS = ["value", "lower_ci_95", "upper_ci_95", "count", "denominator"]


# --------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("period", "ptype", "expected"),
    [
        ("2024", "academic year", "2023/24"),
        ("2024", "financial year", "2023/24"),
        ("2024", "calendar year", "2024"),
        ("2024", "at 31 March", "31 March 2024"),
        ("2024", "January census", "January 2024"),
        ("2023", "annual (December-February average)", "end of 2022"),
        ("2023/24", "financial year", "2023/24"),
        ("2021/22-23/24", "3 financial years pooled", "2021/22-23/24"),
    ],
)
def test_display_period(period: str, ptype: str, expected: str) -> None:
    assert display_period(period, ptype) == expected


def test_latest_period_at_or_before_the_year() -> None:
    rows = pd.DataFrame(
        {
            "indicator_id": ["a"] * 4 + ["b"] * 2 + ["c"],
            "area_code": [ENGLAND, ENGLAND, ENGLAND, "E1", "E1", "E2", ENGLAND],
            "year": [2019, 2021, 2023, 2022, 2020, 2022, 2025],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )
    got = latest_years(rows, 2022)
    # a: England's latest <= 2022 is 2021 (the area's 2022 row does not move it); b has no
    # England row, so the latest area year counts; c has nothing by 2022.
    assert got.to_dict() == {"a": 2021, "b": 2022}
    assert latest_years(rows, 2018).empty


def test_latest_period_ignores_missing_values() -> None:
    rows = pd.DataFrame(
        {
            "indicator_id": ["a", "a"],
            "area_code": [ENGLAND, ENGLAND],
            "year": [2020, 2021],
            "value": [1.0, np.nan],
        }
    )
    assert latest_years(rows, 2024).to_dict() == {"a": 2020}


# --------------------------------------------------------------------------------------
# Hand-made areas
# --------------------------------------------------------------------------------------
def _catalogue():
    base = {
        "definition": "d",
        "life_stage": "s",
        "unit": "%",
        "value_type": "proportion",
        "source": "test",
        "decimals": 1,
    }
    return parse(
        {
            "life_stages": [{"id": "s", "title": "Stage"}],
            "star_domains": [{"id": "d", "title": "Domain"}],
            "indicators": [
                {
                    **base,
                    "id": "x:ci",
                    "name": "Tested",
                    "polarity": "High is good",
                    "ci_method": "wilson",
                    "multiplier": 100,
                    "columns": ALL_COLUMNS,
                },
                {
                    **base,
                    "id": "x:q",
                    "name": "Fifths",
                    "polarity": "Low is good",
                    "ci_method": "none",
                    "columns": ["value"],
                },
            ],
        }
    )


def _row(ind: str, code: str, kind: str, year: int, value: float, x=None, n=None) -> dict:
    """A snapshot row; with a count, its Wilson interval as `needsbook snapshot` fills it."""
    lo, hi = wilson_ci(x, n, 0.95, 100) if x is not None else (np.nan, np.nan)
    return {
        "indicator_id": ind,
        "area_code": code,
        "area_type": kind,
        "period": str(year),
        "year": year,
        "period_type": "financial year",
        "value": value,
        "lower_ci_95": float(lo),
        "upper_ci_95": float(hi),
        "lower_ci_99_8": np.nan,
        "upper_ci_99_8": np.nan,
        "count": np.nan if x is None else float(x),
        "denominator": np.nan if n is None else float(n),
        "source": "test",
    }


@pytest.fixture(scope="module")
def toy_data() -> OutcomeData:
    cat = _catalogue()
    areas = pd.DataFrame(
        {
            "area_code": [f"A{i}" for i in range(1, 7)],
            "area_name": [f"Area {i}" for i in range(1, 7)],
            "region_code": ["R1"] * 3 + ["R2"] * 3,
            "region_name": ["Region 1"] * 3 + ["Region 2"] * 3,
        }
    )
    recs = []
    for k, year in enumerate(range(2019, 2024)):
        recs.append(_row("x:ci", ENGLAND, "England", year, 50.0, 5000, 10000))
        recs.append(_row("x:ci", "R1", "Region", year, 52.0, 5200, 10000))
        recs.append(_row("x:ci", "A1", "UTLA", year, 40 + 5 * k, 400 + 50 * k, 1000))  # rising
        recs.append(_row("x:ci", "A2", "UTLA", year, 50.0, 50, 100))  # flat, small
        recs.append(_row("x:ci", "A5", "UTLA", year, 50.0, 500, 1000))
        recs.append(_row("x:ci", "A6", "UTLA", year, 50.0, 500, 1000))
    recs.append(_row("x:ci", "A3", "UTLA", 2023, 40.0, 400, 1000))  # one year only
    # A4 has no x:ci rows at all -> "no data"
    for i, v in enumerate([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], start=1):
        recs.append(_row("x:q", f"A{i}", "UTLA", 2023, v))
    recs.append(_row("x:q", ENGLAND, "England", 2023, 3.5))
    table = pd.DataFrame(recs)
    rows = prepare_rows(table, cat, areas)
    neighbours = pd.DataFrame(
        {
            "area_code": ["A1"] * 5,
            "rank": range(1, 6),
            "neighbour_code": ["A2", "A3", "A4", "A5", "A6"],
            "neighbour_name": ["Area 2", "Area 3", "Area 4", "Area 5", "Area 6"],
        }
    )
    return OutcomeData(cat, rows, areas, neighbours, {"R1": "Region 1", "R2": "Region 2"}, {})


@pytest.fixture(scope="module")
def toy(toy_data: OutcomeData) -> pd.DataFrame:
    return compute_benchmarks(toy_data, 2023).set_index(["indicator_id", "area_code"])


def test_intervals_are_the_snapshots(toy: pd.DataFrame) -> None:
    lo, hi = wilson_ci(600, 1000, 0.95, 100)
    row = toy.loc[("x:ci", "A1")]
    assert row["lower_ci_95"] == pytest.approx(lo)
    assert row["upper_ci_95"] == pytest.approx(hi)


def test_comparison_with_england_by_confidence_interval(toy: pd.DataFrame) -> None:
    ci = toy.loc["x:ci"]
    assert ci.loc["A1", "comparison"] == "Better"  # 60% (57-63) vs 50%
    assert ci.loc["A2", "comparison"] == "Similar"  # 50% of 100
    assert ci.loc["A3", "comparison"] == "Worse"  # 40% (37-43) vs 50%
    assert ci.loc["A4", "comparison"] == "Not compared"
    assert ci.loc["A4", "comparison_reason"] == "no data"
    assert ci.loc["A1", "england"] == 50.0
    assert ci.loc["A1", "comparison_method"] == "95% confidence interval"


def test_comparison_with_region_and_neighbours(toy: pd.DataFrame) -> None:
    ci = toy.loc["x:ci"]
    assert ci.loc["A1", "region_value"] == 52.0
    assert ci.loc["A1", "region_comparison"] == "Better"
    assert ci.loc["A3", "region_comparison"] == "Worse"
    assert np.isnan(ci.loc["A5", "region_value"])  # no Region 2 row
    # A1's neighbours: A2, A3, A5, A6 have values (A4 none): 4 < 5 -> no average shown
    assert ci.loc["A1", "neighbours_n"] == 4
    assert np.isnan(ci.loc["A1", "neighbours_mean"])
    q = toy.loc["x:q"]
    assert q.loc["A1", "neighbours_mean"] == pytest.approx((2 + 3 + 4 + 5 + 6) / 5)


def test_quintiles_when_there_is_no_interval(toy: pd.DataFrame) -> None:
    q = toy.loc["x:q"]
    # bounds min=1, P20=2, P40=3, P60=4, P80=5, max=6; low is good -> quintile 1 is best
    assert q["quintile"].tolist() == [1, 1, 2, 3, 4, 5]
    assert q["comparison"].tolist() == ["Best", "Best", "Better", "Middle", "Worse", "Worst"]
    assert set(q["comparison_method"]) == {"quintiles of all areas"}
    assert set(q["trend_reason"]) == {NO_CI_REASON}
    assert q.loc["A1", "rank"] == 1 and q.loc["A6", "rank"] == 6


def test_spine_percentiles_are_over_all_areas(toy: pd.DataFrame) -> None:
    q = toy.loc[("x:q", "A1")]
    assert (q["area_min"], q["area_max"]) == (1.0, 6.0)
    assert q["area_q1"] == pytest.approx(np.quantile([1, 2, 3, 4, 5, 6], 0.25))
    assert q["area_q3"] == pytest.approx(np.quantile([1, 2, 3, 4, 5, 6], 0.75))
    assert q["n_areas"] == 6


def test_trends_by_chi_squared_for_counted_proportions(toy: pd.DataFrame) -> None:
    ci = toy.loc["x:ci"]
    assert ci.loc["A1", "trend"] == "Increasing"
    assert ci.loc["A1", "trend_label"] == "Increasing and getting better"
    assert ci.loc["A1", "trend_from_label"] == "2018/19"
    assert ci.loc["A1", "trend_to_label"] == "2022/23"
    assert ci.loc["A2", "trend"] == "No significant change"
    assert ci.loc["A3", "trend"] == "Cannot be calculated"
    assert ci.loc["A3", "trend_reason"] == "fewer than 5 valid points"
    assert ci.loc["A1", "previous_value"] == 40.0
    assert ci.loc["A1", "previous_label"] == "2018/19"


def test_ranks_bands_and_fifths(toy: pd.DataFrame) -> None:
    q = toy.loc["x:q"]  # values 1..6, low is good
    assert q["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert q["band"].tolist() == ["A", "B", "B", "C", "D", "D"]  # rank / 6: .17 .33 .5 .67 ..
    assert q["fifth"].tolist() == q["quintile"].tolist()
    # A1 among itself and its five neighbours A2-A6: best of 6
    assert (q.loc["A1", "neighbours_rank"], q.loc["A1", "neighbours_ranked"]) == (1, 6)
    ci = toy.loc["x:ci"]
    assert ci.loc["A1", "neighbours_ranked"] == 5  # A4 has no value
    assert ci.loc["A1", "fifth"] in (1, 2) and pd.isna(ci.loc["A4", "band"])


def test_direction_is_one_word_for_every_method(toy: pd.DataFrame) -> None:
    assert toy.loc[("x:ci", "A1"), "direction"] == "better"
    assert toy.loc[("x:ci", "A3"), "direction"] == "worse"
    assert toy.loc[("x:ci", "A4"), "direction"] == "no data"
    assert toy.loc[("x:q", "A1"), "direction"] == "better"  # best fifth
    assert toy.loc[("x:q", "A6"), "direction"] == "worse"


def test_change_since_the_first_comparable_value(toy: pd.DataFrame) -> None:
    a1 = toy.loc[("x:ci", "A1")]
    assert (a1["first_year"], a1["first_value"]) == (2019, 40.0)
    assert a1["fold_change"] == pytest.approx(60.0 / 40.0)
    assert toy.loc[("x:ci", "A2"), "fold_change"] == pytest.approx(1.0)  # flat
    # one period only: no change to speak of (not 1.0); no value: nothing
    assert pd.isna(toy.loc[("x:ci", "A3"), "fold_change"])
    assert pd.isna(toy.loc[("x:ci", "A4"), "fold_change"])


def test_an_analysts_comparator_group(toy_data: OutcomeData) -> None:
    b = compute_benchmarks(toy_data, 2023, ("A2", "A3", "A5")).set_index(
        ["indicator_id", "area_code"]
    )
    a1 = b.loc[("x:ci", "A1")]
    assert a1["group_mean"] == pytest.approx((50 + 40 + 50) / 3) and a1["group_n"] == 3
    assert a1["group_comparison"] == "Better"  # 60% (57-63) vs 46.7
    a2 = b.loc[("x:ci", "A2")]  # a member: compared with the others only
    assert a2["group_mean"] == pytest.approx(45.0) and a2["group_n"] == 2
    assert a2["group_comparison"] == "Similar"
    assert b.loc[("x:q", "A1"), "group_comparison"] == "Not compared"  # no interval
    # the same engine: England verdicts do not depend on the group
    plain = compute_benchmarks(toy_data, 2023).set_index(["indicator_id", "area_code"])
    assert b["comparison"].equals(plain["comparison"])


# --------------------------------------------------------------------------------------
# The real snapshot
# --------------------------------------------------------------------------------------
def test_one_row_per_indicator_and_area() -> None:
    b = benchmarks(2025)
    data = load_data()
    assert len(b) == len(data.catalogue) * 153
    assert not b.duplicated(["indicator_id", "area_code"]).any()


def test_requested_year_picks_each_indicators_latest_period() -> None:
    b = benchmarks(2022)
    per = b.drop_duplicates("indicator_id").set_index("indicator_id")
    assert per.loc["csc:cla_rate", "period_label"] == "31 March 2022"
    assert per.loc["lait:FSP_NEW_GOODDEV", "period_label"] == "2021/22"
    assert per.loc["cover:MMR1_24m", "period_label"] == "2021/22"
    assert per.loc["lait:Under18concep", "period_label"] == "2022"
    assert per.loc["neet:neet_pct", "period_label"] == "end of 2021"
    later = benchmarks(2024).drop_duplicates("indicator_id").set_index("indicator_id")
    assert later.loc["csc:cla_rate", "period_label"] == "31 March 2024"
    assert later.loc["lait:Under18concep", "period_label"] == "2022"  # latest published


def test_worcestershire_looked_after_children() -> None:
    b = benchmarks(2024).set_index(["indicator_id", "area_code"])
    row = b.loc[("csc:cla_rate", "E10000034")]
    assert row["count"] == 1043
    assert row["value"] == pytest.approx(1043 / 119662 * 10000)
    assert row["england"] == pytest.approx(83530 / 12059476 * 10000)
    assert row["comparison"] == "Worse"  # Low is good (seed polarity), CI above England
    assert row["trend"] == "Increasing"  # 2020-2024, using the recalculated 2020


def test_looked_after_history_is_recalculated_from_counts() -> None:
    rows = load_data().rows
    t = load_table("indicators")
    pop = load_table("population_0_17")
    count = t[
        (t["indicator_id"] == "lait:LACnum") & (t["area_code"] == "E10000034") & (t["year"] == 2016)
    ]["value"].iloc[0]
    den = pop[(pop["area_code"] == "E10000034") & (pop["year"] == 2015)]["population"].iloc[0]
    got = rows[
        (rows["indicator_id"] == "csc:cla_rate")
        & (rows["area_code"] == "E10000034")
        & (rows["year"] == 2016)
    ].iloc[0]
    assert got["value"] == pytest.approx(count / den * 10000)
    lo, hi = rate_ci(count, den, 0.95, 10000)
    assert (got["lower_ci_95"], got["upper_ci_95"]) == (pytest.approx(lo), pytest.approx(hi))
    # published years are not overwritten
    pub = rows[(rows["indicator_id"] == "csc:cla_rate") & (rows["area_code"] == "E10000034")]
    assert pub["year"].is_unique


def test_region_rows_are_summed_where_the_source_has_none() -> None:
    rows = load_data().rows
    inj = rows[(rows["indicator_id"] == "ft:90284") & (rows["year"] == 2024)]
    areas = load_table("areas")
    wm = areas.loc[areas["region_code"] == "E12000005", "area_code"]
    utla = inj[inj["area_code"].isin(wm)]
    region = inj[inj["area_code"] == "E12000005"].iloc[0]
    assert region["value"] == pytest.approx(utla["count"].sum() / utla["denominator"].sum() * 1e4)
    assert region["lower_ci_95"] < region["value"] < region["upper_ci_95"]


def test_impossible_england_figure_is_dropped_with_a_note() -> None:
    data = load_data()
    fte = data.rows[data.rows["indicator_id"] == "lait:FirstYJS"]
    assert not (fte["area_code"] == ENGLAND).any()
    assert "outside the range of every area" in data.notes["lait:FirstYJS"]
    assert set(data.notes) == {"lait:FirstYJS"}
    b = benchmarks(2024)
    fte_b = b[b["indicator_id"] == "lait:FirstYJS"]
    assert fte_b["england"].isna().all()
    assert fte_b["quintile"].notna().sum() >= 140  # still placed in fifths


def test_neighbour_averages_are_each_indicators_own_and_kept_for_one_area() -> None:
    """The averages of every indicator, worked out once per area and year, equal those worked
    out for the indicators asked for alone (to the last bit, same columns and order)."""
    from needsbook.outcomes import compare

    data = compare.load_data(None)
    ids = list(data.by_indicator)
    asked = [ids[:1], ids[5:11], ids[::9], [ids[3], "not-an-indicator"], ["not-an-indicator"]]
    for code in ("E10000034", "E06000017", "E09000001"):
        for upto in (2019, 2025):
            for some in asked:
                alone = compare._neighbour_averages(data, some, code, upto)
                pd.testing.assert_frame_equal(
                    compare.neighbour_series(data, some, code, upto), alone, check_exact=True
                )
        assert {key[0] for key in data.neighbour_means} == {code}  # the latest area only
    twice = [ids[0], ids[0]]  # an indicator asked for twice counts twice, as before
    pd.testing.assert_frame_equal(
        compare.neighbour_series(data, twice, "E10000034", 2025),
        compare._neighbour_averages(data, twice, "E10000034", 2025),
        check_exact=True,
    )
