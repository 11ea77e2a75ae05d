"""mean() and t_mean_ci(): Student's t intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_reference import REL

from needsbook.errors import InputError
from needsbook.stats import mean, t_mean_ci


def t_by_hand(values, confidence):
    v = np.asarray(values, dtype=float)
    half = stats.t.ppf(1 - (1 - confidence) / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return v.mean() - half, v.mean() + half


def test_mean_grouped_both_levels():
    df = pd.DataFrame({"g": list("aaaabbc"), "score": [1, 2, 4, 7, 10, 11, 5]})
    out = mean(df, "score", group_by="g", confidence=(0.95, 0.998)).set_index("g")
    for g, suffix, level in [("a", "95", 0.95), ("a", "99_8", 0.998), ("b", "95", 0.95)]:
        values = df.loc[df.g == g, "score"]
        lo, hi = t_by_hand(values, level)
        assert out.loc[g, "value"] == pytest.approx(values.mean(), rel=REL)
        assert out.loc[g, f"lower_ci_{suffix}"] == pytest.approx(lo, rel=REL)
        assert out.loc[g, f"upper_ci_{suffix}"] == pytest.approx(hi, rel=REL)
    assert out.loc["a", "value_count"] == 4 and out.loc["a", "value_sum"] == 14
    assert out.loc["a", "stdev"] == pytest.approx(np.std([1, 2, 4, 7], ddof=1), rel=REL)
    assert np.isnan(out.loc["c", "lower_ci_95"])  # one value: no CI
    assert out.loc["c", "value"] == 5
    assert out.loc["a", "method"] == "Student's t-distribution"
    assert out.loc["a", "statistic"] == "mean"


def test_mean_ungrouped_ignores_missing_values():
    df = pd.DataFrame({"value": [3.0, np.nan, 5.0, 10.0]})
    out = mean(df)
    lo, _hi = t_by_hand([3, 5, 10], 0.95)
    assert out.loc[0, "value"] == pytest.approx(6.0, rel=REL)
    assert out.loc[0, "lower_ci_95"] == pytest.approx(lo, rel=REL)
    assert np.isnan(mean(pd.DataFrame({"value": [np.nan]})).loc[0, "value"])


def test_t_mean_ci_low_level():
    lower, upper = t_mean_ci(np.array([10.0, 2.0]), np.array([2.0, 1.0]), np.array([25, 1]), 0.998)
    half = stats.t.ppf(0.999, 24) * 2 / 5
    assert lower[0] == pytest.approx(10 - half, rel=REL)
    assert upper[0] == pytest.approx(10 + half, rel=REL)
    assert np.isnan(lower[1])
    assert isinstance(t_mean_ci(1.0, 1.0, 4)[0], float)


def test_mean_errors():
    with pytest.raises(
        InputError, match=r"^n: sample sizes must be greater than zero \(offending row 0\)$"
    ):
        t_mean_ci(1, 1, 0)
    with pytest.raises(
        InputError,
        match=(
            r"^sd: standard deviations must be greater than or equal to "
            r"zero \(offending row 0\)$"
        ),
    ):
        t_mean_ci(1, -1, 3)
    with pytest.raises(
        InputError, match=r"^x \(column 'value'\): values must be finite \(offending row 1\)$"
    ):
        mean(pd.DataFrame({"value": [1, np.inf]}))
