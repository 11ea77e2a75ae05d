"""What changed between two assessments: the pure comparisons of two years' benchmark rows,
on small hand-made frames shaped like ``area_benchmarks`` rows."""

from __future__ import annotations

import pandas as pd
import pytest

from needsbook.errors import InputError
from needsbook.outcomes import changes as ch
from needsbook.polarity import HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT


def row(indicator_id: str, book: int, **values: object) -> dict[str, object]:
    """One benchmark row of the book for year ``book``: a tested indicator, similar to England,
    no significant change."""
    year = book
    base: dict[str, object] = {
        "indicator_id": indicator_id,
        "name": f"Indicator {indicator_id}",
        "unit": "%",
        "decimals": 1,
        "polarity": HIGH_IS_GOOD,
        "has_ci": True,
        "outcome": True,
        "year": year,
        "period": f"{year - 1}/{str(year)[2:]}",
        "period_label": f"{year - 1}/{str(year)[2:]}",
        "value": 50.0,
        "comparison_label": "Similar",
        "direction": "similar",
        "quintile": float("nan"),
        "trend_label": "No significant change",
        "trend_from_label": f"{year - 5}/{str(year - 4)[2:]}",
        "trend_to_label": f"{year - 1}/{str(year)[2:]}",
    }
    return {**base, **values}


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def fifths(indicator_id: str, book: int, quintile: int, label: str, **values: object) -> dict:
    """A row for an indicator placed in fifths (no confidence interval)."""
    direction = "better" if quintile <= 2 else "worse" if quintile >= 4 else "similar"
    return row(
        indicator_id,
        book,
        has_ci=False,
        quintile=float(quintile),
        comparison_label=label,
        direction=direction,
        trend_label="Cannot be calculated",
        **values,
    )


def test_a_comparison_that_changed_is_listed_with_both_values_periods_and_verdicts() -> None:
    before = frame(row("a", 2023, value=50.0), row("b", 2023))
    after = frame(
        row("a", 2024, value=44.0, comparison_label="Worse", direction="worse"), row("b", 2024)
    )
    found = ch.changes(before, after, (2023, 2024))
    rows = found.comparisons
    assert list(rows["indicator_id"]) == ["a"]
    r = rows.iloc[0]
    assert (r["value_before"], r["value_after"]) == (50.0, 44.0)
    assert (r["period_label_before"], r["period_label_after"]) == ("2022/23", "2023/24")
    assert (r["comparison_label_before"], r["comparison_label_after"]) == ("Similar", "Worse")
    assert r["movement"] == ch.WORSENED
    assert found.compared == 2 and (found.before_year, found.after_year) == (2023, 2024)


def test_which_way_a_comparison_moved() -> None:
    before = frame(
        fifths("up", 2023, 4, "2nd worst 20%"),
        fifths("down", 2023, 1, "Best 20%"),
        fifths("neutral", 2023, 2, "2nd lowest 20%", polarity=NO_JUDGEMENT),
        row(
            "lower-is-good", 2023, polarity=LOW_IS_GOOD, comparison_label="Worse", direction="worse"
        ),
        row("new", 2023, value=float("nan"), comparison_label="No data", direction="no data"),
    )
    after = frame(
        fifths("up", 2024, 2, "2nd best 20%"),
        fifths("down", 2024, 2, "2nd best 20%"),
        fifths("neutral", 2024, 3, "Middle 20%", polarity=NO_JUDGEMENT),
        row("lower-is-good", 2024, polarity=LOW_IS_GOOD),
        row("new", 2024),
    )
    moved = ch.changes(before, after, (2023, 2024)).comparisons.set_index("indicator_id")
    assert moved["movement"].to_dict() == {
        "up": ch.IMPROVED,
        "down": ch.WORSENED,
        "neutral": ch.NEITHER,  # no judgement: higher or lower is neither
        "lower-is-good": ch.IMPROVED,  # worse -> similar
        "new": ch.NEITHER,  # data in one year only
    }


def test_the_same_latest_period_is_no_newer_data_never_a_change() -> None:
    # a survey not repeated: the 2024 book shows the same period as the 2023 one
    stale = {"year": 2022, "period": "2022", "period_label": "end of 2022"}
    before = frame(row("neet", 2023, **stale, comparison_label="Worse", direction="worse"))
    after = frame(
        row(
            "neet",
            2024,
            **stale,
            comparison_label="Similar",
            trend_label="Increasing and getting worse",
        )
    )
    found = ch.changes(before, after, (2023, 2024), concerns=({}, {"neet": "getting worse"}))
    assert list(found.no_newer_data["indicator_id"]) == ["neet"]
    assert found.no_newer_data.iloc[0]["period_label_after"] == "end of 2022"
    assert found.comparisons.empty and found.trends.empty and found.new_concerns.empty


def test_an_indicator_with_no_period_in_either_year_is_not_stale() -> None:
    gone = {"year": float("nan"), "period": float("nan"), "period_label": "no data"}
    found = ch.changes(frame(row("x", 2023, **gone)), frame(row("x", 2024, **gone)), (2023, 2024))
    assert found.no_newer_data.empty


def test_trend_changes_say_what_the_new_trend_means() -> None:
    before = frame(
        row("worse", 2023),
        row("stopped", 2023, trend_label="Increasing and getting better"),
        row("recovered", 2023, trend_label="Increasing and getting worse"),
        row("testable", 2023, trend_label="Cannot be calculated"),
        row("same", 2023),
    )
    after = frame(
        row("worse", 2024, trend_label="Increasing and getting worse"),
        row("stopped", 2024),
        row("recovered", 2024, trend_label="Decreasing and getting better"),
        row("testable", 2024),
        row("same", 2024),
    )
    trends = ch.changes(before, after, (2023, 2024)).trends.set_index("indicator_id")
    assert trends["movement"].to_dict() == {
        "worse": ch.NOW_WORSE,
        "stopped": ch.NO_LONGER_BETTER,
        "recovered": ch.NOW_BETTER,
        "testable": "",
    }
    assert trends.loc["worse", "trend_label_before"] == "No significant change"
    # a label that changes but says the same way as before says neither
    assert ch.trend_movement("Increasing and getting worse", "Decreasing and getting worse") == ""
    assert ch.trend_movement("Increasing", "Decreasing") == ""


def test_new_and_resolved_concerns_keep_the_reasons_of_their_year() -> None:
    before = frame(row("a", 2023), row("b", 2023), row("c", 2023))
    after = frame(row("a", 2024), row("b", 2024), row("c", 2024))
    found = ch.changes(
        before,
        after,
        (2023, 2024),
        concerns=(
            {"b": "significantly worse than England", "c": "getting worse"},
            {"a": "among the worst fifth of English areas", "c": "getting worse"},
        ),
    )
    assert list(found.new_concerns["indicator_id"]) == ["a"]
    assert found.new_concerns.iloc[0]["why_after"] == "among the worst fifth of English areas"
    assert found.new_concerns.iloc[0]["why_before"] == ""
    assert list(found.resolved_concerns["indicator_id"]) == ["b"]
    assert found.resolved_concerns.iloc[0]["why_before"] == "significantly worse than England"


def test_recommendations_added_and_dropped_by_title() -> None:
    found = ch.changes(
        frame(row("a", 2023)),
        frame(row("a", 2024)),
        (2023, 2024),
        recommendations=(["Keep", "Drop me"], ["Add me", "Keep"]),
    )
    assert found.added == ("Add me",)
    assert found.dropped == ("Drop me",)
    assert ch.recommendation_changes(["A", "B"], ["B", "A"]) == ((), ())


def test_indicators_in_one_year_only_are_left_out() -> None:
    found = ch.changes(frame(row("a", 2023)), frame(row("a", 2024), row("b", 2024)), (2023, 2024))
    assert found.compared == 1
    assert list(ch.paired(frame(row("a", 2023)), frame(row("b", 2024)))["indicator_id"]) == []


@pytest.mark.parametrize(
    ("year", "offered", "asked", "expected"),
    [
        (2024, range(2019, 2026), 0, 2023),  # the previous data year
        (2024, [2019, 2021, 2024], 0, 2021),  # the previous year offered
        (2024, range(2019, 2026), 2020, 2020),
        (2019, range(2019, 2026), 0, None),  # the earliest year the data allow
        (2023, [2023, 2024, 2025], 0, None),  # an area formed in 2023
    ],
)
def test_the_year_compared_with(year: int, offered: range, asked: int, expected: int) -> None:
    assert ch.comparison_year(year, list(offered), asked) == expected


@pytest.mark.parametrize(
    ("asked", "message"),
    [
        (2024, "--compare-year 2024 must be earlier than the book's data year (2024)"),
        (2026, "must be earlier than the book's data year"),
        (2018, "--compare-year 2018 is not available: the data years before 2024 are 2019-2023"),
    ],
)
def test_a_comparison_year_outside_the_data_is_refused(asked: int, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ch.comparison_year(2024, range(2019, 2026), asked)
