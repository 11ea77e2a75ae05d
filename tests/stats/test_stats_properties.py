"""Property-based tests (hypothesis): ordering, nesting, monotonicity, polarity symmetry."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from needsbook.stats import (
    compare_ci,
    compare_to_benchmark,
    dsr,
    esp2013,
    poisson_ci,
    quantile_groups,
    rate_ci,
    trend_label,
    wilson_ci,
)

SETTINGS = settings(max_examples=150, deadline=None)
FRAME_SETTINGS = settings(max_examples=40, deadline=None)  # data-frame calls cost ~10 ms each
SWAP = {"Better": "Worse", "Worse": "Better", "Best": "Worst", "Worst": "Best"}


@st.composite
def count_and_denominator(draw):
    n = draw(st.integers(min_value=1, max_value=10**7))
    x = draw(st.integers(min_value=0, max_value=n))
    return x, n


@SETTINGS
@given(count_and_denominator())
def test_wilson_orders_and_nests(pair):
    x, n = pair
    lo95, hi95 = wilson_ci(x, n, 0.95)
    lo998, hi998 = wilson_ci(x, n, 0.998)
    p = x / n
    assert 0 <= lo998 <= lo95 <= p <= hi95 <= hi998 <= 1


@SETTINGS
@given(count_and_denominator())
def test_wilson_is_monotone_in_the_count(pair):
    x, n = pair
    if x == n:
        x -= 1
    if x < 0:
        return
    lower, upper = wilson_ci(np.array([x, x + 1]), n, 0.95)
    assert lower[0] <= lower[1] and upper[0] <= upper[1]


@SETTINGS
@given(st.integers(min_value=0, max_value=10**6), st.sampled_from([0.95, 0.998]))
def test_poisson_limits_order_and_monotone(x, confidence):
    lower, upper = poisson_ci(np.array([x, x + 1], dtype=float), confidence)
    assert 0 <= lower[0] <= x <= upper[0]
    assert lower[0] <= lower[1] and upper[0] <= upper[1]


@SETTINGS
@given(st.integers(min_value=0, max_value=10**6), st.floats(min_value=1, max_value=1e8))
def test_rate_intervals_nest(x, n):
    lo95, hi95 = rate_ci(x, n, 0.95)
    lo998, hi998 = rate_ci(x, n, 0.998)
    value = x / n * 100_000
    assert lo998 <= lo95 <= value * (1 + 1e-12) and value <= hi95 <= hi998


@FRAME_SETTINGS
@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=4, max_size=4),
    st.lists(st.integers(min_value=1, max_value=50_000), min_size=4, max_size=4),
)
def test_dsr_limits_contain_the_value(counts, pops):
    bands = ["0-4", "5-9", "10-14", "15-19"]
    df = pd.DataFrame({"age_band": bands, "count": counts, "population": pops})
    out = dsr(df, standard=esp2013(bands), confidence=(0.95, 0.998))
    row = out.iloc[0]
    if sum(counts) < 10:
        assert np.isnan(row["value"])
    else:
        assert (
            row["lower_ci_99_8"]
            <= row["lower_ci_95"]
            <= row["value"]
            <= row["upper_ci_95"]
            <= row["upper_ci_99_8"]
        )


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@SETTINGS
@given(finite, finite, finite, finite, finite)
def test_swapping_polarity_swaps_better_and_worse(value, benchmark, a, b, widen):
    lower, upper = min(a, b), max(a, b)
    outer_lower, outer_upper = lower - abs(widen), upper + abs(widen)
    for kwargs in ({}, {"lower_outer": outer_lower, "upper_outer": outer_upper}):
        high = compare_ci(value, benchmark, lower, upper, "High is good", **kwargs)
        low = compare_ci(value, benchmark, lower, upper, "Low is good", **kwargs)
        assert low == SWAP.get(high, high)
        neutral = compare_ci(value, benchmark, lower, upper, "No judgement", **kwargs)
        assert (neutral == "Similar") == (high == "Similar")


@FRAME_SETTINGS
@given(st.lists(st.tuples(finite, finite, finite), min_size=1, max_size=20), finite)
def test_swapping_polarity_in_a_frame(rows, benchmark):
    df = pd.DataFrame(
        {
            "value": [r[0] for r in rows],
            "lower_ci_95": [min(r[1], r[2]) for r in rows],
            "upper_ci_95": [max(r[1], r[2]) for r in rows],
        }
    )
    high = compare_to_benchmark(df, benchmark, polarity="High is good")["comparison"]
    low = compare_to_benchmark(df, benchmark, polarity="Low is good")["comparison"]
    assert low.tolist() == [SWAP.get(h, h) for h in high]


@SETTINGS
@given(
    st.sampled_from(["Increasing", "Decreasing", "No significant change", "Cannot be calculated"])
)
def test_swapping_polarity_swaps_trend_words(trend):
    good = trend_label(trend, "High is good")
    bad = trend_label(trend, "Low is good")
    assert good.replace("better", "X").replace("worse", "better").replace("X", "worse") == bad


@SETTINGS
@given(
    st.lists(st.integers(min_value=0, max_value=30), min_size=10, max_size=60), st.integers(2, 10)
)
def test_phe_quantiles_are_monotone_in_the_value(values, nq):
    arr = np.array(values, dtype=float)
    q = quantile_groups(arr, nq, invert=False)
    order = np.argsort(arr, kind="stable")
    assert np.all(np.diff(q[order]) >= 0)
    assert np.nanmin(q) >= 1 and np.nanmax(q) <= nq
    assert all(len(set(q[arr == v])) == 1 for v in set(values))  # ties share a group
