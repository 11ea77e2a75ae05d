"""Benchmark comparisons: CI rule (one and two levels), SPC limits and quintiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_reference import REL, z

from needsbook.errors import InputError
from needsbook.stats import (
    compare_ci,
    compare_quintiles,
    compare_spc,
    compare_to_benchmark,
    spc_proportion_limits,
    spc_rate_limits,
)
from needsbook.stats.compare import REASON_POLARITY

POLARITY_MESSAGE = (
    r'polarity: must be one of "High is good", "Low is good", "No judgement", "Not applicable"'
)


# -- benchmark inside the area's CI -----------------------------------------------------------
@pytest.mark.parametrize(
    ("benchmark", "polarity", "expected"),
    [
        (5, "High is good", "Better"),  # benchmark below the CI: area higher
        (5, "Low is good", "Worse"),
        (5, "No judgement", "Higher"),
        (5, "Not applicable", "Not compared"),
        (25, "High is good", "Worse"),  # benchmark above the CI: area lower
        (25, "Low is good", "Better"),
        (25, "No judgement", "Lower"),
        (15, "High is good", "Similar"),
        (15, "No judgement", "Similar"),
    ],
)
def test_single_level_labels(benchmark, polarity, expected):
    assert compare_ci(15, benchmark, 10, 20, polarity) == expected


@pytest.mark.parametrize("benchmark", [10.0, 20.0])
def test_benchmark_equal_to_a_limit_is_similar(benchmark):
    assert compare_ci(15, benchmark, 10.0, 20.0, "High is good") == "Similar"
    assert compare_ci(15, np.nextafter(10.0, 0), 10.0, 20.0, "High is good") == "Better"
    assert compare_ci(15, np.nextafter(20.0, 30), 10.0, 20.0, "High is good") == "Worse"


@pytest.mark.parametrize(
    ("benchmark", "polarity", "expected"),
    [
        (15, "High is good", "Similar"),  # inside 95%
        (9, "High is good", "Better"),  # outside 95%, inside 99.8%
        (8, "High is good", "Better"),  # on the 99.8% limit: still inside it
        (7, "High is good", "Best"),  # outside 99.8%
        (7, "Low is good", "Worst"),
        (23, "High is good", "Worst"),
        (21, "Low is good", "Better"),
        (23, "Low is good", "Best"),
        (7, "No judgement", "Higher"),
        (9, "No judgement", "Higher"),
        (23, "No judgement", "Lower"),
        (23, "Not applicable", "Not compared"),
    ],
)
def test_two_level_labels(benchmark, polarity, expected):
    assert compare_ci(15, benchmark, 10, 20, polarity, lower_outer=8, upper_outer=22) == expected


def test_missing_inputs_are_not_compared():
    labels = compare_ci(
        np.array([np.nan, 15, 15, 15, 15]),
        np.array([5, np.nan, 5, 5, 5]),
        np.array([10, 10, np.nan, 10, 10]),
        np.array([20, 20, 20, np.nan, 20]),
        "Low is good",
    )
    assert list(labels) == ["Not compared"] * 4 + ["Worse"]


def test_compare_ci_keeps_the_index():
    idx = pd.Index(["E06000001", "E06000002"])
    out = compare_ci(
        pd.Series([1.0, 2.0], index=idx),
        1.5,
        pd.Series([0.9, 1.6], index=idx),
        pd.Series([1.2, 2.5], index=idx),
    )
    assert list(out.index) == list(idx) and list(out) == ["Lower", "Higher"]


@pytest.fixture
def areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["E92000001", "E06000001", "E06000002", "E06000003", "E06000004", "E06000005"],
            "value": [50.0, 60.0, 40.0, 51.0, np.nan, 56.0],
            "lower_ci_95": [49.0, 55.0, 35.0, 45.0, np.nan, 50.5],
            "upper_ci_95": [51.0, 65.0, 45.0, 57.0, np.nan, 61.0],
            "lower_ci_99_8": [48.0, 52.0, 32.0, 42.0, np.nan, 49.0],
            "upper_ci_99_8": [52.0, 68.0, 48.0, 60.0, np.nan, 63.0],
            "region_value": [np.nan, 58.0, 58.0, 58.0, 58.0, np.nan],
        },
        index=list("abcdef"),
    )


def test_compare_to_england_single_level(areas):
    out = compare_to_benchmark(
        areas, 50.0, polarity="High is good", area_code="code", benchmark_code="E92000001"
    )
    assert list(out.index) == list("abcdef")
    assert list(out["comparison"]) == [
        "Not compared",
        "Better",
        "Worse",
        "Similar",
        "Not compared",
        "Better",
    ]
    assert list(out["comparison_reason"].fillna("")) == [
        "area is the benchmark", "", "", "", "area value missing", ""
    ]  # fmt: skip
    assert (out["comparison_method"] == "95% CI of area contains benchmark").all()


def test_compare_to_benchmark_two_levels_and_region_column(areas):
    out = compare_to_benchmark(areas, 50.0, polarity="Low is good", confidence=(0.998, 0.95))
    assert list(out["comparison"]) == [
        "Similar",
        "Worst",
        "Best",
        "Similar",
        "Not compared",
        "Worse",
    ]
    assert (
        out["comparison_method"].iloc[0]
        == "95% and 99.8% CIs of area contain benchmark (two levels)"
    )
    region = compare_to_benchmark(areas, "region_value", polarity="No judgement", confidence=99.8)
    assert list(region["comparison"]) == [
        "Not compared",
        "Similar",
        "Lower",
        "Similar",
        "Not compared",
        "Not compared",
    ]
    assert region.loc["a", "comparison_reason"] == "benchmark value missing"
    assert region.loc["e", "comparison_reason"] == "area value missing"
    assert region["comparison_method"].iloc[0] == "99.8% CI of area contains benchmark"


def test_compare_to_benchmark_series_polarity_column_and_custom_names(areas):
    frame = areas.rename(columns={"lower_ci_95": "lo", "upper_ci_95": "hi"})
    frame["polarity"] = [
        "High is good",
        "Low is good",
        "No judgement",
        "Not applicable",
        "High is good",
        "High is good",
    ]
    bench = pd.Series(50.0, index=frame.index[::-1])  # aligned by index, not position
    out = compare_to_benchmark(frame, bench, polarity="polarity", lower="lo", upper="hi")
    assert list(out["comparison"]) == [
        "Similar",
        "Worse",
        "Lower",
        "Not compared",
        "Not compared",
        "Better",
    ]
    assert out.loc["d", "comparison_reason"] == REASON_POLARITY
    missing_ci = areas.assign(upper_ci_95=[51.0, np.nan, 45.0, 57.0, np.nan, 61.0])
    out = compare_to_benchmark(missing_ci, 50.0, polarity="High is good")
    assert out.loc["b", "comparison"] == "Not compared"
    assert out.loc["b", "comparison_reason"] == "area confidence interval missing"


def test_benchmark_code_column_for_regions(areas):
    frame = areas.assign(
        region_code=["E92000001", "E06000001", "E12000001", "E12000001", "E12000001", "E12000001"]
    )
    out = compare_to_benchmark(
        frame,
        "region_value",
        polarity="High is good",
        area_code="code",
        benchmark_code="region_code",
    )
    assert out.loc["b", "comparison_reason"] == "area is the benchmark"
    assert out.loc["c", "comparison"] == "Worse"


def test_benchmark_code_and_polarity_as_series(areas):
    codes = pd.Series(["E92000001"] * 6, index=areas.index[::-1])
    polarity = pd.Series(["High is good"] * 5 + ["Low is good"], index=areas.index)[::-1]
    out = compare_to_benchmark(
        areas, 50.0, polarity=polarity, area_code="code", benchmark_code=codes
    )
    assert out.loc["a", "comparison_reason"] == "area is the benchmark"
    assert out.loc["b", "comparison"] == "Better" and out.loc["f", "comparison"] == "Worse"


def test_compare_errors(areas):
    with pytest.raises(InputError, match=f"^{POLARITY_MESSAGE} \\(got 'high'\\)$"):
        compare_to_benchmark(areas, 50.0, polarity="high")
    with pytest.raises(InputError, match=f"^{POLARITY_MESSAGE} \\(got 'Higher is better'\\)$"):
        compare_ci(1, 1, 0, 2, "Higher is better")
    with pytest.raises(
        InputError,
        match=r"^polarity \(column 'pol'\): polarity must be one of .* \(offending row 'b'\)$",
    ):
        compare_to_benchmark(
            areas.assign(pol=["Low is good", "bad"] + ["Low is good"] * 4), 50.0, polarity="pol"
        )
    with pytest.raises(
        InputError,
        match=r"^polarity: polarity must be one of .* \(offending rows 0, 1, 2, 3, 4 and 1 more\)$",
    ):
        compare_to_benchmark(areas, 50.0, polarity=["x"] * 6)
    with pytest.raises(
        InputError, match=r"^confidence: give one or two confidence levels \(got 3\)$"
    ):
        compare_to_benchmark(areas, 50.0, polarity="Low is good", confidence=(0.9, 0.95, 0.998))
    with pytest.raises(
        InputError, match=r"^lower, upper: give one column name per confidence level$"
    ):
        compare_to_benchmark(
            areas, 50.0, polarity="Low is good", confidence=(0.95, 0.998), lower="lo"
        )
    with pytest.raises(
        InputError, match=r"^benchmark: give a number, a column name or one value per row$"
    ):
        compare_to_benchmark(areas, [1.0, 2.0], polarity="Low is good")
    with pytest.raises(InputError, match=r"^benchmark: column 'england' not found in the data$"):
        compare_to_benchmark(areas, "england", polarity="Low is good")
    with pytest.raises(
        InputError, match=r"^lower_outer, upper_outer: give both outer limits or neither$"
    ):
        compare_ci(1, 1, 0, 2, lower_outer=0)


# -- SPC ----------------------------------------------------------------------------------------
def spc_prop_by_hand(p0, n, confidence):
    """Fingertips SPC limits for proportions (statistics.md §3.6), written out."""
    zz = z(confidence)
    e = n * p0
    a = 2 * e + zz**2
    b = zz * np.sqrt(zz**2 + 4 * e * (1 - e / n))
    c = 2 * (n + zz**2)
    return (a - b) / c, (a + b) / c


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize(("p0", "n"), [(0.3, 50), (0.05, 1000), (0.0, 20), (1.0, 20)])
def test_spc_proportion_limits(p0, n, confidence):
    lower, upper = spc_proportion_limits(p0 * 100, n, confidence, multiplier=100)
    lo, hi = spc_prop_by_hand(p0, n, confidence)
    assert lower == pytest.approx(lo * 100, rel=REL, abs=1e-12)
    assert upper == pytest.approx(hi * 100, rel=REL)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_spc_rate_limits(confidence):
    lower, upper = spc_rate_limits(250.0, 4321, confidence, multiplier=100_000)
    e = 250 * 4321 / 100_000
    tail = (1 - confidence) / 2
    assert lower == pytest.approx(stats.chi2.ppf(tail, 2 * e) / 2 / 4321 * 1e5, rel=REL)
    assert upper == pytest.approx(stats.chi2.ppf(1 - tail, 2 * e + 2) / 2 / 4321 * 1e5, rel=REL)


def test_compare_spc_proportion_and_rate():
    df = pd.DataFrame(
        {"value": [23.0, 45.0, 31.0, np.nan, 80.0], "denominator": [200, 200, 200, 200, np.nan]}
    )
    lo95, _hi95 = spc_prop_by_hand(0.3, 200, 0.95)
    lo998, hi998 = spc_prop_by_hand(0.3, 200, 0.998)
    assert lo998 * 100 < 23 < lo95 * 100 and hi998 * 100 < 45  # the test data straddle the limits
    out = compare_spc(
        df, 30.0, polarity="High is good", statistic="proportion", confidence=(0.95, 0.998)
    )
    assert list(out["comparison"]) == ["Worse", "Best", "Similar", "Not compared", "Not compared"]
    assert out.loc[4, "comparison_reason"] == "control limits missing (denominator missing)"
    assert (
        out.loc[0, "comparison_method"]
        == "SPC for proportions: area outside 95% and 99.8% control limits around benchmark"
    )
    rates = pd.DataFrame({"value": [100.0, 600.0, 260.0], "pop": [5000, 5000, 5000]})
    out = compare_spc(rates, 250.0, polarity="Low is good", statistic="rate", n="pop")
    assert list(out["comparison"]) == ["Better", "Worse", "Similar"]
    assert (
        out.loc[0, "comparison_method"]
        == "SPC for rates: area outside 95% control limits around benchmark"
    )


def test_spc_errors():
    df = pd.DataFrame({"value": [1.0], "denominator": [0]})
    with pytest.raises(
        InputError,
        match=(
            r"^n \(column 'denominator'\): denominators must be greater "
            r"than zero \(offending row 0\)$"
        ),
    ):
        compare_spc(df, 1.0, polarity="Low is good")
    with pytest.raises(
        InputError, match=r'^statistic: must be "proportion" or "rate" \(got \'dsr\'\)$'
    ):
        compare_spc(df, 1.0, polarity="Low is good", statistic="dsr")
    with pytest.raises(
        InputError, match=r"^benchmark: proportions must be between 0 and 100 \(offending row 0\)$"
    ):
        compare_spc(df.assign(denominator=5), 101.0, polarity="Low is good")
    with pytest.raises(
        InputError, match=r"^benchmark: proportions must be between 0 and 1 \(offending row 0\)$"
    ):
        spc_proportion_limits(1.5, 10)
    with pytest.raises(
        InputError, match=r"^n: denominators must be greater than zero \(offending row 0\)$"
    ):
        spc_proportion_limits(0.5, 0)
    with pytest.raises(
        InputError,
        match=r"^benchmark: rates must be greater than or equal to zero \(offending row 0\)$",
    ):
        spc_rate_limits(-1, 10)
    with pytest.raises(
        InputError, match=r"^n: denominators must be greater than zero \(offending row 0\)$"
    ):
        spc_rate_limits(1, -10)


# -- quintiles ----------------------------------------------------------------------------------
def legacy_quintile_by_hand(values, v):
    """Fingertips legacy rule: bounds min, P20..P80, max (PERCENTILE.INC); first bin >= v."""
    s = np.sort(values)
    n = len(s)

    def pct(f):  # Excel PERCENTILE.INC: rank n' = (N - 1)·f + 1, linear interpolation
        r = (n - 1) * f
        lo = int(np.floor(r))
        return s[lo] + (r - lo) * (s[min(lo + 1, n - 1)] - s[lo])

    bounds = [pct(0.2), pct(0.4), pct(0.6), pct(0.8), s[-1]]
    return next(i + 1 for i, b in enumerate(bounds) if b >= v)


def test_percentile_quintiles_match_the_legacy_rule_including_bounds():
    values = [3.0, 9.0, 1.0, 7.0, 5.0, 11.0, 2.0, 8.0]
    df = pd.DataFrame({"value": [*values, np.nan]})
    out = compare_quintiles(df, polarity="No judgement")
    expected = [legacy_quintile_by_hand(values, v) for v in values]
    assert out["quintile"].iloc[:-1].tolist() == expected
    labels = ("Lowest", "Low", "Middle", "High", "Highest")
    assert out["comparison"].iloc[:-1].tolist() == [labels[q - 1] for q in expected]
    assert out["comparison"].iloc[-1] == "Not compared"
    assert out["comparison_reason"].iloc[-1] == "area value missing"
    assert out["comparison_method"].iloc[0] == "quintiles of 8 areas (PERCENTILE.INC)"
    # a value equal to P20 falls in bin 1 (upper bound >= value)
    equal = compare_quintiles(
        pd.DataFrame({"value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}), polarity="Low is good"
    )
    assert equal["quintile"].tolist() == [1, 1, 2, 3, 4, 5]  # P20 = 2.0 exactly
    assert equal["comparison"].tolist() == ["Best", "Best", "Better", "Middle", "Worse", "Worst"]


def test_quintile_polarity_reverses_for_high_is_good_and_groups():
    df = pd.DataFrame({"period": ["p"] * 5 + ["q"] * 4, "value": [1, 2, 3, 4, 5, 1, 2, 3, 4]})
    out = compare_quintiles(df, polarity="High is good", group_by="period")
    assert out["quintile"].iloc[:5].tolist() == [5, 4, 3, 2, 1]
    assert out["comparison"].iloc[:5].tolist() == ["Worst", "Worse", "Middle", "Better", "Best"]
    assert (out["comparison"].iloc[5:] == "Not compared").all()
    assert (out["comparison_reason"].iloc[5:] == "fewer than 5 areas with a value").all()
    assert out["quintile"].iloc[5:].isna().all()
    na = compare_quintiles(df, polarity="Not applicable")
    assert (na["comparison_reason"] == REASON_POLARITY).all()


def test_ntile_rule():
    df = pd.DataFrame({"value": [10, 20, 30, 40, 50, 60, 70]})
    out = compare_quintiles(df, polarity="Low is good", rule="ntile")
    assert out["quintile"].tolist() == [1, 1, 2, 2, 3, 4, 5]
    assert out["comparison_method"].iloc[0] == "quintiles of 7 areas (NTILE(5))"
    with pytest.raises(
        InputError, match=r'^rule: must be "percentile" or "ntile" \(got \'deciles\'\)$'
    ):
        compare_quintiles(df, polarity="Low is good", rule="deciles")
