"""The Fingertips 5-point recent-trend test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_reference import REL

from needsbook.errors import InputError
from needsbook.stats import (
    recent_trend,
    trend_chi2_proportion,
    trend_label,
    trend_weighted_regression,
)

THRESHOLD = stats.chi2.ppf(0.998, 1)  # 9.54953570608324


def regression_by_hand(y, se):
    """Weighted least squares with known variances: β and χ² = β²·Σw(t − t̄)²."""
    t = np.arange(1, 6, dtype=float)
    w = 1 / np.asarray(se, dtype=float) ** 2
    t_bar = np.sum(w * t) / np.sum(w)
    beta = np.sum(w * (t - t_bar) * np.asarray(y)) / np.sum(w * (t - t_bar) ** 2)
    return beta, beta**2 * np.sum(w * (t - t_bar) ** 2)


def armitage_by_hand(o, n):
    """Chi-squared test for trend in proportions (Armitage 1955), in its textbook form."""
    t = np.arange(1, 6, dtype=float)
    o, n = np.asarray(o, dtype=float), np.asarray(n, dtype=float)
    p = o.sum() / n.sum()
    num = np.sum(t * (o - n * p)) ** 2
    den = p * (1 - p) * (np.sum(n * t**2) - np.sum(n * t) ** 2 / n.sum())
    return num / den


def test_threshold_constant():
    assert pytest.approx(9.54953570608324, rel=REL) == THRESHOLD


@pytest.mark.parametrize(
    ("values", "direction"),
    [([10, 12, 14, 16, 18], "Increasing"), ([18, 16, 14, 12, 10], "Decreasing")],
)
def test_regression_significant_trend(values, direction):
    se = np.array([1.0, 1.2, 0.8, 1.1, 0.9])
    lower = np.array(values) - 1.96 * se
    upper = np.array(values) + 1.96 * se
    result = trend_weighted_regression(values, lower, upper)
    beta, chi2 = regression_by_hand(values, (upper - lower) / 3.92)
    assert result.slope == pytest.approx(beta, rel=REL)
    assert result.chi2 == pytest.approx(chi2, rel=REL)
    assert result.significant and result.trend == direction and result.reason is None


def test_regression_threshold_is_strict():
    # y = t with equal weights w: χ² = w·Σ(t − 3)² = 10w. Choose w just either side of 9.5495/10.
    for factor, expected in [(1.0001, "Increasing"), (0.9999, "No significant change")]:
        w = THRESHOLD / 10 * factor
        se = np.full(5, 1 / np.sqrt(w))
        y = np.arange(1, 6, dtype=float)
        result = trend_weighted_regression(y, y - 1.96 * se, y + 1.96 * se)
        assert result.chi2 == pytest.approx(THRESHOLD * factor, rel=1e-6)
        assert result.trend == expected


def test_an_outlier_stops_a_significant_trend():
    values = np.array([10.0, 10.0, 10.0, 10.0, 30.0])
    result = trend_weighted_regression(values, values - 1, values + 1)
    assert result.chi2 > THRESHOLD  # would be significant on χ² alone
    assert result.slope > 0
    assert result.trend == "No significant change"  # leaving out t = 5 gives a flat line
    values = np.array([10.0, 12.0, 14.0, 3.0, 18.0])  # one leave-one-out fit reverses
    assert (
        trend_weighted_regression(values, values - 0.1, values + 0.1).trend
        == "No significant change"
    )


def test_fewer_than_five_points_and_gaps():
    result = trend_weighted_regression([1, 2, np.nan, 4, 5], [0, 1, 2, 3, 4], [2, 3, 4, 5, 6])
    assert result.trend == "Cannot be calculated" and result.reason == "fewer than 5 valid points"
    assert np.isnan(result.chi2)
    # gaps allowed: the five most recent valid points are used
    values = np.array([100.0, 10, 12, np.nan, 14, 16, 18])
    result = trend_weighted_regression(values, values - 1, values + 1)
    beta, chi2 = regression_by_hand([10, 12, 14, 16, 18], np.full(5, 2 / 3.92))
    assert result.slope == pytest.approx(beta, rel=REL) and result.chi2 == pytest.approx(
        chi2, rel=REL
    )


def test_zero_width_ci_cannot_be_calculated():
    result = trend_weighted_regression([1, 2, 3, 4, 5], [1, 1, 2, 3, 4], [1, 3, 4, 5, 6])
    assert result.trend == "Cannot be calculated"
    assert result.reason == "a confidence interval has zero width"


def test_proportion_chi2_matches_armitage_and_direction_comes_from_the_data():
    counts = [100, 120, 140, 160, 180]
    denominators = [1000, 1000, 1010, 990, 1000]
    result = trend_chi2_proportion(counts, denominators)
    assert result.chi2 == pytest.approx(armitage_by_hand(counts, denominators), rel=REL)
    # Increasing proportions are labelled Increasing (the legacy C# would say Decreasing).
    assert result.trend == "Increasing" and result.slope > 0
    result = trend_chi2_proportion(counts[::-1], denominators[::-1])
    assert result.trend == "Decreasing" and result.slope < 0


def test_proportion_not_significant_outlier_and_special_counts():
    assert trend_chi2_proportion([50, 52, 49, 51, 50], [1000] * 5).trend == "No significant change"
    outlier = trend_chi2_proportion([10, 10, 10, 10, 200], [1000] * 5)
    assert outlier.chi2 > THRESHOLD and outlier.trend == "No significant change"
    full = trend_chi2_proportion([10, 20, 30, 40, 50], [100, 100, 100, 100, 50])
    assert full.trend == "Cannot be calculated" and full.reason == "a count equals its denominator"
    zero = trend_chi2_proportion([0, 20, 30, 40, 50], [100] * 5)
    assert (
        zero.trend == "Cannot be calculated" and zero.reason == "a count is zero (logit undefined)"
    )
    assert trend_chi2_proportion([1, 2, 3, 4], [10] * 4).reason == "fewer than 5 valid points"


@pytest.mark.parametrize(
    ("trend", "polarity", "expected"),
    [
        ("Increasing", "High is good", "Increasing and getting better"),
        ("Increasing", "Low is good", "Increasing and getting worse"),
        ("Decreasing", "High is good", "Decreasing and getting worse"),
        ("Decreasing", "Low is good", "Decreasing and getting better"),
        ("Increasing", "No judgement", "Increasing"),
        ("Decreasing", "Not applicable", "Decreasing"),
        ("No significant change", "Low is good", "No significant change"),
        ("Cannot be calculated", "High is good", "Cannot be calculated"),
    ],
)
def test_trend_label(trend, polarity, expected):
    assert trend_label(trend, polarity) == expected


def test_trend_label_arrays_and_errors():
    out = trend_label(pd.Series(["Increasing", "Decreasing"], index=[5, 6]), "High is good")
    assert list(out) == ["Increasing and getting better", "Decreasing and getting worse"]
    assert list(out.index) == [5, 6]
    with pytest.raises(
        InputError, match=r'^polarity: must be one of "High is good", .* \(got \'good\'\)$'
    ):
        trend_label("Increasing", "good")


@pytest.fixture
def long_table() -> pd.DataFrame:
    rows = []
    series = {
        "up": [5, 6, 10, 12, 14, 16, 18],
        "down": [30, 28, 26, 24, 22],
        "flat": [10, 10.2, 9.9, 10.1, 10],
        "short": [1, 2, 3, 4],
        "gappy": [10, np.nan, 12, 14, np.nan, 16, 18],
    }
    for name, values in series.items():
        for i, v in enumerate(values):
            rows.append(
                {
                    "area": name,
                    "year": 2015 + i,
                    "value": v,
                    "lower_ci_95": v - 0.5,
                    "upper_ci_95": v + 0.5,
                }
            )
    return pd.DataFrame(rows).sample(frac=1, random_state=2)  # order must not matter


def test_recent_trend_one_row_per_series(long_table):
    out = recent_trend(long_table, time="year", group_by="area", polarity="Low is good").set_index(
        "area"
    )
    assert list(out.columns) == [
        "trend",
        "trend_label",
        "trend_reason",
        "slope",
        "chi2",
        "points",
        "from_time",
        "to_time",
        "trend_method",
    ]
    assert out.loc["up", "trend_label"] == "Increasing and getting worse"
    assert out.loc["down", "trend_label"] == "Decreasing and getting better"
    assert out.loc["flat", "trend"] == "No significant change"
    assert out.loc["short", "trend"] == "Cannot be calculated"
    assert out.loc["short", "trend_reason"] == "fewer than 5 valid points"
    assert out.loc["short", "points"] == 4
    assert out.loc["up", "from_time"] == 2017 and out.loc["up", "to_time"] == 2021
    assert out.loc["gappy", "points"] == 5 and out.loc["gappy", "from_time"] == 2015
    beta, chi2 = regression_by_hand([10, 12, 14, 16, 18], np.full(5, 1 / 3.92))
    assert out.loc["up", "slope"] == pytest.approx(beta, rel=REL)
    assert out.loc["up", "chi2"] == pytest.approx(chi2, rel=REL)
    assert out.loc["gappy", "slope"] == pytest.approx(beta, rel=REL)
    assert out.loc["up", "trend_method"].startswith("inverse-variance weighted linear regression")


def test_recent_trend_chi2_for_proportions_and_polarity_column():
    df = pd.DataFrame({
        "g": ["a"] * 5 + ["b"] * 5,
        "t": list(range(5)) * 2,
        "count": [100, 120, 140, 160, 180, 5, 5, 5, 5, 5],
        "denom": [1000] * 10,
        "pol": ["High is good"] * 5 + ["No judgement"] * 5,
    })  # fmt: skip
    out = recent_trend(
        df,
        time="t",
        group_by="g",
        count="count",
        denominator="denom",
        method="chi2",
        polarity="pol",
    )
    assert out["trend_label"].tolist() == ["Increasing and getting better", "No significant change"]
    assert out.loc[0, "chi2"] == pytest.approx(
        armitage_by_hand(df["count"][:5], df["denom"][:5]), rel=REL
    )
    assert out.loc[0, "trend_method"].startswith("chi-squared test for trend")


def test_recent_trend_ungrouped(long_table):
    one = long_table[long_table.area == "down"].drop(columns="area")
    out = recent_trend(one, time="year")
    assert len(out) == 1 and out.loc[0, "trend"] == "Decreasing"


def test_recent_trend_errors(long_table):
    with pytest.raises(
        InputError, match=r'^method: must be "regression" or "chi2" \(got \'ols\'\)$'
    ):
        recent_trend(long_table, time="year", method="ols")
    with pytest.raises(
        InputError, match=r'^count, denominator: method "chi2" needs count and denominator columns$'
    ):
        recent_trend(long_table, time="year", method="chi2")
    dup = pd.concat([long_table, long_table.iloc[[0]]])
    with pytest.raises(
        InputError,
        match=(
            r"^time \(column 'year'\): each time period may appear only "
            r"once per series \(offending rows"
        ),
    ):
        recent_trend(dup, time="year", group_by="area")
    with pytest.raises(InputError, match=r"^time: column 'period' not found in the data$"):
        recent_trend(long_table, time="period")
    with pytest.raises(InputError, match=r"^polarity: must be one of"):
        recent_trend(long_table, time="year", polarity="bad")
    with pytest.raises(
        InputError, match=r"^polarity \(column 'pol'\): polarity must be one of .* \(offending rows"
    ):
        recent_trend(long_table.assign(pol="x"), time="year", polarity="pol")
    df = pd.DataFrame({"t": range(5), "count": [1, 2, 30, 4, 5], "denom": [10] * 5})
    with pytest.raises(
        InputError,
        match=(
            r"^count \(column 'count'\): numerators must be less than or "
            r"equal to denominator for a proportion statistic \(offending "
            r"row 2\)$"
        ),
    ):
        recent_trend(df, time="t", count="count", denominator="denom", method="chi2")
    with pytest.raises(
        InputError,
        match=(
            r"^denominator \(column 'denom'\): denominators must be "
            r"greater than zero \(offending row 0\)$"
        ),
    ):
        recent_trend(
            df.assign(denom=[0, 10, 40, 10, 10]),
            time="t",
            count="count",
            denominator="denom",
            method="chi2",
        )
    with pytest.raises(InputError, match=r"^value, lower, upper: lengths do not match$"):
        trend_weighted_regression([1, 2], [1], [2, 3])
    with pytest.raises(InputError, match=r"^count, denominator: lengths do not match$"):
        trend_chi2_proportion([1, 2], [3])
    with pytest.raises(
        InputError,
        match=r"^count: numerators must be greater than or equal to zero \(offending row 0\)$",
    ):
        trend_chi2_proportion([-1, 2, 3, 4, 5], [10] * 5)
