"""proportion() and rate(): data-frame API, grouping, missing values and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_reference import REL, byars_by_hand, exact_by_chi2, poisson_by_hand, wilson_by_hand

from needsbook.errors import InputError
from needsbook.stats import proportion, rate, rate_ci

CI_BOTH = ["lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8"]


@pytest.fixture
def counts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["A", "A", "B", "C", "D"],
            "count": [0, 4, 50, np.nan, 20],
            "denominator": [40, 60, 100, 30, 20],
        },
        index=[10, 11, 12, 13, 14],
    )


# -- proportion ---------------------------------------------------------------------------
def test_proportion_rows_keep_index_and_match_wilson(counts):
    out = proportion(counts, confidence=(0.95, 0.998), multiplier=100)
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert list(out.columns) == [
        "area",
        "count",
        "denominator",
        "value",
        *CI_BOTH,
        "confidence",
        "statistic",
        "method",
    ]
    row = out.loc[12]
    assert row["value"] == pytest.approx(50.0, rel=REL)
    for level, suffix in [(0.95, "95"), (0.998, "99_8")]:
        lo, hi = wilson_by_hand(50, 100, level)
        assert row[f"lower_ci_{suffix}"] == pytest.approx(lo * 100, rel=REL)
        assert row[f"upper_ci_{suffix}"] == pytest.approx(hi * 100, rel=REL)
    assert row["confidence"] == "95%, 99.8%"
    assert row["statistic"] == "percentage"
    assert row["method"] == "Wilson"


def test_proportion_edge_rows(counts):
    out = proportion(counts, confidence=0.95, multiplier=1)
    assert out.loc[10, "lower_ci_95"] == 0.0  # 0 events
    assert out.loc[14, "upper_ci_95"] == 1.0  # x = n
    assert out.loc[14, "value"] == 1.0
    assert out.loc[13, ["value", "lower_ci_95", "upper_ci_95"]].isna().all()  # missing x
    assert "lower_ci_99_8" not in out.columns
    assert out.loc[10, "statistic"] == "proportion of 1"


def test_proportion_input_is_not_modified(counts):
    before = counts.copy()
    proportion(counts)
    pd.testing.assert_frame_equal(counts, before)


def test_proportion_grouped_sums_first(counts):
    out = proportion(counts, group_by="area", confidence=0.998)
    a = out.set_index("area").loc["A"]
    assert a["count"] == 4 and a["denominator"] == 100
    lo, hi = wilson_by_hand(4, 100, 0.998)
    assert a["lower_ci_99_8"] == pytest.approx(lo * 100, rel=REL)
    assert a["upper_ci_99_8"] == pytest.approx(hi * 100, rel=REL)
    assert np.isnan(out.set_index("area").loc["C", "value"])
    assert list(out["area"]) == ["A", "B", "C", "D"]


def test_proportion_grouped_missing_value_makes_group_missing():
    df = pd.DataFrame({"g": ["x", "x"], "count": [1, np.nan], "denominator": [10, 10]})
    out = proportion(df, group_by=["g"])
    assert np.isnan(out.loc[0, "value"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"count": [1, -1], "denominator": [5, 5]},
            r"^x \(column 'count'\): numerators must be greater than or equal to zero "
            r"\(offending row 1\)$",
        ),
        (
            {"count": [1, 0], "denominator": [5, 0]},
            r"^n \(column 'denominator'\): denominators must be greater than zero "
            r"\(offending row 1\)$",
        ),
        (
            {"count": [6, 1], "denominator": [5, 5]},
            r"^x \(column 'count'\): numerators must be less than or equal to denominator for "
            r"a proportion statistic \(offending row 0\)$",
        ),
    ],
)
def test_proportion_errors(data, message):
    with pytest.raises(InputError, match=message):
        proportion(pd.DataFrame(data))


def test_proportion_argument_errors(counts):
    with pytest.raises(InputError, match=r"^x: column 'events' not found in the data$"):
        proportion(counts, x="events")
    with pytest.raises(InputError, match=r"^group_by: column 'region' not found in the data$"):
        proportion(counts, group_by="region")
    with pytest.raises(InputError, match=r"^confidence: confidence level must be between"):
        proportion(counts, confidence=0.5)
    with pytest.raises(InputError, match=r"^data: expected a pandas DataFrame \(got dict\)$"):
        proportion({"count": [1], "denominator": [2]}, group_by="count")
    with pytest.raises(InputError, match=r"^x \(column 'area'\): values must be numeric$"):
        proportion(counts, x="area")


# -- rate -----------------------------------------------------------------------------------
@pytest.mark.parametrize("x", [0, 1, 9, 10, 11, 250])
def test_rate_limits_switch_at_ten(x):
    df = pd.DataFrame({"count": [x], "denominator": [5000]})
    out = rate(df, confidence=(0.95, 0.998), multiplier=100_000)
    assert out.loc[0, "value"] == pytest.approx(x / 5000 * 100_000, rel=REL)
    for level, suffix in [(0.95, "95"), (0.998, "99_8")]:
        lo, hi = poisson_by_hand(x, level)
        assert out.loc[0, f"lower_ci_{suffix}"] == pytest.approx(lo / 5000 * 1e5, rel=REL)
        assert out.loc[0, f"upper_ci_{suffix}"] == pytest.approx(hi / 5000 * 1e5, rel=REL)
    assert out.loc[0, "method"] == ("Exact" if x < 10 else "Byars")
    assert out.loc[0, "statistic"] == "rate per 100000"


def test_rate_numerator_may_exceed_denominator_and_any_multiplier():
    df = pd.DataFrame({"count": [30, 3], "denominator": [10, 1]})
    out = rate(df, multiplier=10_000)
    assert out["value"].tolist() == [30_000.0, 30_000.0]
    lo, hi = byars_by_hand(30, 0.95)
    assert out.loc[0, "lower_ci_95"] == pytest.approx(lo / 10 * 1e4, rel=REL)
    lo, hi = exact_by_chi2(3, 0.95)
    assert out.loc[1, "upper_ci_95"] == pytest.approx(hi * 1e4, rel=REL)
    assert out.loc[0, "statistic"] == "rate per 10000"
    assert rate(df, multiplier=0.5).loc[0, "statistic"] == "rate per 0.5"


def test_rate_grouped_and_missing():
    df = pd.DataFrame(
        {
            "g": ["a", "a", "b", "c"],
            "count": [4, 7, np.nan, 2],
            "denominator": [100, 200, 50, np.nan],
        }
    )
    out = rate(df, group_by="g", multiplier=1000).set_index("g")
    lo, _hi = byars_by_hand(11, 0.95)
    assert out.loc["a", "value"] == pytest.approx(11 / 300 * 1000, rel=REL)
    assert out.loc["a", "lower_ci_95"] == pytest.approx(lo / 300 * 1000, rel=REL)
    assert out.loc["a", "method"] == "Byars"
    assert np.isnan(out.loc["b", "value"]) and pd.isna(out.loc["b", "method"])
    assert np.isnan(out.loc["c", "lower_ci_95"])


def test_rate_zero_population_is_an_error():
    df = pd.DataFrame({"count": [1, 2], "denominator": [0, 10]})
    with pytest.raises(
        InputError,
        match=(
            r"^n \(column 'denominator'\): denominators must be greater "
            r"than zero \(offending row 0\)$"
        ),
    ):
        rate(df)
    with pytest.raises(InputError, match=r"^x \(column 'count'\): numerators must be greater"):
        rate(pd.DataFrame({"count": [-1], "denominator": [10]}))


def test_rate_ci_low_level():
    lower, upper = rate_ci(pd.Series([0, 12], index=["p", "q"]), 1000, 0.998, multiplier=100)
    assert list(lower.index) == ["p", "q"]
    assert lower["p"] == 0.0
    assert upper["p"] == pytest.approx(exact_by_chi2(0, 0.998)[1] / 1000 * 100, rel=REL)
    assert lower["q"] == pytest.approx(byars_by_hand(12, 0.998)[0] / 1000 * 100, rel=REL)
    with pytest.raises(InputError, match=r"^n: denominators must be greater than zero"):
        rate_ci(1, 0)
