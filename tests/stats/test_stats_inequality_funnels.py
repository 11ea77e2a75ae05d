"""Slope and relative index of inequality; funnel plot limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_reference import REL, z

from needsbook.errors import InputError
from needsbook.stats import funnel_limits, funnel_significance, proportion, rate, sii, sii_rii


def sii_by_hand(values, pops):
    """Weighted least squares via numpy.polyfit (weights √pop on the residuals)."""
    pops = np.asarray(pops, dtype=float)
    share = pops / pops.sum()
    x = np.cumsum(share) - share / 2
    slope, intercept = np.polyfit(x, values, 1, w=np.sqrt(pops))
    return slope, (intercept + slope) / intercept


@pytest.fixture
def deciles() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    pops = rng.integers(20_000, 40_000, 10).astype(float)
    counts = np.round(pops * np.linspace(0.012, 0.006, 10))
    df = pd.DataFrame({"quantile": np.arange(1, 11), "count": counts, "denominator": pops})
    return rate(df, confidence=0.95, multiplier=100_000).rename(
        columns={"denominator": "population"}
    )


def test_sii_point_estimates_are_exact(deciles):
    out = sii(deciles, value_type="rate", repetitions=1000)
    slope, rii = sii_by_hand(deciles["value"], deciles["population"])
    assert out.loc[0, "sii"] == pytest.approx(slope, rel=REL)
    assert out.loc[0, "rii"] == pytest.approx(rii, rel=REL)
    assert sii_rii(deciles["value"], deciles["population"]) == (
        pytest.approx(slope, rel=REL),
        pytest.approx(rii, rel=REL),
    )
    shuffled = sii(deciles.sample(frac=1, random_state=1), value_type="rate", repetitions=1000)
    pd.testing.assert_frame_equal(out, shuffled)  # quantile order, not row order


def test_sii_simulated_cis_are_seeded_and_sensible(deciles):
    a = sii(deciles, value_type="rate", confidence=(0.95, 0.998), repetitions=5000, seed=42)
    b = sii(deciles, value_type="rate", confidence=(0.95, 0.998), repetitions=5000, seed=42)
    c = sii(deciles, value_type="rate", confidence=(0.95, 0.998), repetitions=5000, seed=43)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[0, "sii_lower_ci_95"] != c.loc[0, "sii_lower_ci_95"]
    row = a.loc[0]
    assert (
        row["sii_lower_ci_99_8"]
        < row["sii_lower_ci_95"]
        < row["sii"]
        < row["sii_upper_ci_95"]
        < row["sii_upper_ci_99_8"]
    )
    assert row["rii_lower_ci_95"] < row["rii"] < row["rii_upper_ci_95"]
    assert row["repetitions"] == 5000 and "seed 42" in row["method"]
    # the simulation spread agrees with the analytic SE of a weighted slope to ~10%
    se_log = (np.log(deciles["upper_ci_95"]) - np.log(deciles["lower_ci_95"])) / (2 * z(0.95))
    se = se_log * deciles["value"]
    share = deciles["population"] / deciles["population"].sum()
    x = np.cumsum(share) - share / 2
    a_coef = share * (x - np.sum(share * x)) / np.sum(share * (x - np.sum(share * x)) ** 2)
    analytic = np.sqrt(np.sum(a_coef**2 * se**2)) * 2 * z(0.95)
    assert row["sii_upper_ci_95"] - row["sii_lower_ci_95"] == pytest.approx(analytic, rel=0.1)


def test_sii_proportions_se_column_groups_and_missing():
    df = pd.DataFrame({
        "area": ["A"] * 5 + ["B"] * 5,
        "quantile": list(range(1, 6)) * 2,
        "count": [30, 28, 25, 20, 15, 10, 10, 10, 10, np.nan],
        "denominator": [100] * 10,
    })  # fmt: skip
    props = proportion(df, multiplier=100).rename(columns={"denominator": "population"})
    out = sii(
        props, value_type="proportion", multiplier=100, group_by="area", repetitions=2000, rii=False
    )
    assert list(out.columns[:4]) == ["area", "sii", "sii_lower_ci_95", "sii_upper_ci_95"]
    assert "rii" not in out.columns
    slope, _ = sii_by_hand(props["value"][:5], props["population"][:5])
    assert out.loc[0, "sii"] == pytest.approx(slope, rel=REL)
    assert out.loc[0, "sii_lower_ci_95"] < slope < out.loc[0, "sii_upper_ci_95"]
    assert np.isnan(out.loc[1, "sii"])  # a missing value makes the group missing
    props["se"] = 2.0
    out = sii(props, value_type="other", se="se", group_by="area", repetitions=2000)
    assert out.loc[0, "sii"] == pytest.approx(slope, rel=REL)


def test_sii_errors(deciles):
    with pytest.raises(
        InputError,
        match=r"^value_type: must be one of 'other', 'rate', 'proportion' \(got 'dsr'\)$",
    ):
        sii(deciles, value_type="dsr")
    with pytest.raises(
        InputError, match=r"^repetitions: must be a whole number of 100 or more \(got 10\)$"
    ):
        sii(deciles, repetitions=10)
    with pytest.raises(
        InputError,
        match=(
            r"^population \(column 'population'\): populations must be "
            r"greater than zero \(offending row 0\)$"
        ),
    ):
        sii(deciles.assign(population=[0] + [1] * 9))
    with pytest.raises(
        InputError,
        match=(
            r"^quantile \(column 'quantile'\): quantiles must not be "
            r"missing \(offending row 1\)$"
        ),
    ):
        sii(deciles.assign(quantile=[1, np.nan, *list(range(3, 11))]))
    with pytest.raises(
        InputError,
        match=(
            r"^quantile \(column 'quantile'\): each quantile may appear "
            r"only once per group \(offending rows 0, 1\)$"
        ),
    ):
        sii(deciles.assign(quantile=[1, 1, *list(range(3, 11))]))
    with pytest.raises(
        InputError,
        match=(
            r"^se \(column 'se'\): standard errors must be greater than "
            r"or equal to zero \(offending row 0\)$"
        ),
    ):
        sii(deciles.assign(se=[-1.0] + [1.0] * 9), se="se")
    with pytest.raises(InputError, match=r"^lower, upper: give CI columns or an se column$"):
        sii(deciles, lower=None)
    with pytest.raises(InputError, match=r"^values, population: lengths do not match$"):
        sii_rii([1, 2], [1])
    with pytest.raises(
        InputError, match=r"^population: populations must be greater than zero \(offending row 1\)$"
    ):
        sii_rii([1, 2], [1, 0])


# -- funnels --------------------------------------------------------------------------------
@pytest.fixture
def units() -> pd.DataFrame:
    return pd.DataFrame({"count": [5, 40, 90, 300, 2], "denominator": [50, 200, 400, 1000, 100]})


def test_funnel_limits_for_proportions(units):
    out = funnel_limits(units, axis=[50, 500])
    p0 = units["count"].sum() / units["denominator"].sum()
    for i, n in enumerate([50, 500]):
        for level, suffix in [(0.95, "95"), (0.998, "99_8")]:
            zz, e = z(level), n * p0
            root = zz * np.sqrt(zz**2 + 4 * e * (1 - e / n))
            assert out.loc[i, f"lower_limit_{suffix}"] == pytest.approx(
                (2 * e + zz**2 - root) / (2 * (n + zz**2)) * 100, rel=REL
            )
            assert out.loc[i, f"upper_limit_{suffix}"] == pytest.approx(
                (2 * e + zz**2 + root) / (2 * (n + zz**2)) * 100, rel=REL
            )
    assert out["benchmark"].iloc[0] == pytest.approx(p0 * 100, rel=REL)
    grid = funnel_limits(units, points=20)
    assert (
        len(grid) == 20
        and grid["denominator"].iloc[0] == 50
        and grid["denominator"].iloc[-1] == pytest.approx(1000)
    )


def test_funnel_limits_for_rates_and_ratios(units):
    out = funnel_limits(units, statistic="rate", axis=[1000.0])
    r0 = units["count"].sum() / units["denominator"].sum()
    e = r0 * 1000
    assert out.loc[0, "upper_limit_99_8"] == pytest.approx(
        stats.chi2.ppf(0.999, 2 * e + 2) / 2 / 1000 * 1e5, rel=REL
    )
    assert out.loc[0, "lower_limit_95"] == pytest.approx(
        stats.chi2.ppf(0.025, 2 * e) / 2 / 1000 * 1e5, rel=REL
    )
    ratios = funnel_limits(units, statistic="ratio", axis=[12.5], multiplier=100)
    assert ratios.loc[0, "benchmark"] == 100
    assert ratios.loc[0, "upper_limit_95"] == pytest.approx(
        stats.chi2.ppf(0.975, 27) / 2 / 12.5 * 100, rel=REL
    )


def test_funnel_significance_labels():
    df = pd.DataFrame({"count": [0, 18, 100, 150, 200, np.nan], "denominator": [1000] * 6})
    labels = funnel_significance(df)  # overall proportion = 468/5000
    p0 = 468 / 5000
    checks = []
    for x in [0, 18, 100, 150, 200]:
        limits = {}
        for level in (0.95, 0.998):
            zz, e, n = z(level), 1000 * p0, 1000
            root = zz * np.sqrt(zz**2 + 4 * e * (1 - e / n))
            limits[level] = (
                (2 * e + zz**2 - root) / (2 * (n + zz**2)),
                (2 * e + zz**2 + root) / (2 * (n + zz**2)),
            )
        p = x / 1000
        checks.append(
            "High (0.001)" if p > limits[0.998][1] else "High (0.025)" if p > limits[0.95][1]
            else "Low (0.001)" if p < limits[0.998][0] else "Low (0.025)" if p < limits[0.95][0]
            else "Not significant"
        )  # fmt: skip
    assert labels.iloc[:5].tolist() == checks
    assert set(checks) >= {"High (0.001)", "Low (0.001)", "Not significant"}
    assert labels.iloc[5] is None


def test_funnel_errors(units):
    with pytest.raises(
        InputError, match=r"^statistic: must be one of 'proportion', 'rate', 'ratio' \(got 'dsr'\)$"
    ):
        funnel_limits(units, statistic="dsr")
    with pytest.raises(
        InputError,
        match=(
            r"^x \(column 'count'\): numerators must be less than or "
            r"equal to denominator for a proportion statistic \(offending "
            r"row 0\)$"
        ),
    ):
        funnel_significance(units.assign(count=[60, 1, 1, 1, 1]))
    with pytest.raises(
        InputError,
        match=(
            r"^n \(column 'denominator'\): denominators must be greater "
            r"than zero \(offending row 0\)$"
        ),
    ):
        funnel_limits(units.assign(denominator=[0, 1, 1, 1, 1]), statistic="rate")
    with pytest.raises(
        InputError,
        match=(
            r"^x \(column 'count'\): numerators must be greater than or "
            r"equal to zero \(offending row 0\)$"
        ),
    ):
        funnel_limits(units.assign(count=[-1, 1, 1, 1, 1]), statistic="rate")
    with pytest.raises(
        InputError, match=r"^points: must be a whole number of 2 or more \(got 1\)$"
    ):
        funnel_limits(units, points=1)
    with pytest.raises(
        InputError, match=r"^axis: denominators must be greater than zero \(offending row 1\)$"
    ):
        funnel_limits(units, axis=[1, 0])
    with pytest.raises(
        InputError, match=r"^n \(column 'denominator'\): no denominators to build an axis from$"
    ):
        funnel_limits(units.assign(denominator=np.nan))


def test_sii_se_column_is_moved_to_the_transformed_scale(deciles):
    """A natural-scale SE equal to the CI-derived one (delta method) gives similar limits."""
    se_log = (np.log(deciles["upper_ci_95"]) - np.log(deciles["lower_ci_95"])) / (2 * z(0.95))
    with_se = deciles.assign(se=se_log * deciles["value"])
    a = sii(with_se, value_type="rate", se="se", repetitions=4000, seed=7)
    b = sii(deciles, value_type="rate", repetitions=4000, seed=7)
    assert a.loc[0, "sii"] == b.loc[0, "sii"]
    assert a.loc[0, "sii_lower_ci_95"] == pytest.approx(b.loc[0, "sii_lower_ci_95"], rel=1e-9)
    props = pd.DataFrame(
        {"quantile": [1, 2, 3], "value": [40.0, 30.0, 20.0], "population": [10, 10, 10]}
    )
    props["se"] = np.sqrt(props["value"] * (100 - props["value"]) / 100)
    out = sii(props, value_type="proportion", se="se", multiplier=100, repetitions=2000)
    assert out.loc[0, "sii"] == pytest.approx(
        sii_by_hand(props["value"], props["population"])[0], rel=REL
    )
    assert out.loc[0, "sii_lower_ci_95"] < out.loc[0, "sii"] < out.loc[0, "sii_upper_ci_95"]


def test_sii_rii_needs_two_groups():
    assert all(np.isnan(v) for v in sii_rii([5.0], [100.0]))
