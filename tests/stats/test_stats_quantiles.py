"""Quantile rules: PHEindicatormethods phe_quantile, legacy Fingertips quintiles, NTILE."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from needsbook.errors import InputError
from needsbook.stats import assign_quantiles, ntile, percentile_inc_quintiles, quantile_groups


def phe_rule_by_hand(values, nq, invert=True):
    """statistics.md §3.8 item 1, one value at a time (min-rank; q = 0 -> 1)."""
    present = [v for v in values if not math.isnan(v)]
    n = len(present)
    out = []
    for v in values:
        if math.isnan(v) or n < nq:
            out.append(math.nan)
            continue
        key = -v if invert else v
        rank = 1 + sum(1 for u in present if (-u if invert else u) < key)
        q = math.floor((nq + 1) - math.ceil(((n + 1) - rank) / (n / nq)))
        out.append(1 if q == 0 else q)
    return out


@pytest.mark.parametrize("invert", [True, False])
@pytest.mark.parametrize("nq", [3, 4, 5, 10])
def test_phe_rule_matches_hand_calculation_with_ties(nq, invert):
    rng = np.random.default_rng(nq)
    values = rng.integers(0, 8, 23).astype(float)  # plenty of ties
    values[[3, 11]] = np.nan
    got = quantile_groups(values, nq, invert=invert)
    assert np.array_equal(got, np.array(phe_rule_by_hand(list(values), nq, invert)), equal_nan=True)


def test_phe_rule_simple_cases():
    values = np.arange(1, 11, dtype=float)
    assert quantile_groups(values, 5, invert=False).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quantile_groups(values, 5).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]  # 1 = highest
    ties = quantile_groups([1.0, 1.0, 1.0, 1.0, 2.0], 5, invert=False)
    assert ties.tolist() == [1, 1, 1, 1, 5]  # tied values share a group


def test_fewer_values_than_quantiles_gives_missing_and_a_warning():
    with pytest.warns(UserWarning, match="3 values is fewer than 5 quantiles"):
        out = quantile_groups(pd.Series([1.0, 2.0, 3.0, np.nan], index=list("abcd")), 5)
    assert out.isna().all() and list(out.index) == list("abcd")


def test_assign_quantiles_within_groups():
    df = pd.DataFrame(
        {"la": ["x"] * 10 + ["y"] * 3, "imd": [*list(range(10)), 1, 2, 3]}, index=range(100, 113)
    )
    with pytest.warns(UserWarning, match=r"fewer values than 5 quantiles in group\(s\) \('y',\)"):
        q = assign_quantiles(df, "imd", nquantiles=5, invert=False, group_by="la")
    assert q.dtype == "Int64" and q.name == "quantile"
    assert q.loc[100:109].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert q.loc[110:].isna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert assign_quantiles(df.iloc[:10], "imd", nquantiles=2).tolist() == [2] * 5 + [1] * 5


def test_quantile_errors():
    for bad in [0, 2.5, True, "5"]:
        with pytest.raises(
            InputError,
            match=rf"^nquantiles: must be a whole number of 1 or more \(got {bad!r}\)$".replace(
                ".", r"\."
            ),
        ):
            quantile_groups([1.0], bad)
    with pytest.raises(InputError, match=r"^invert: must be True or False \(got 'yes'\)$"):
        quantile_groups([1.0], 5, invert="yes")
    with pytest.raises(InputError, match=r"^invert: must be True or False \(got 1\)$"):
        assign_quantiles(pd.DataFrame({"value": [1.0]}), invert=1)
    with pytest.raises(InputError, match=r"^k: must be a whole number of 1 or more \(got 0\)$"):
        ntile([1.0], 0)


def test_percentile_inc_quintiles():
    values = np.array([4.0, 8.0, 15.0, 16.0, 23.0, 42.0])
    bounds = np.percentile(values, [20, 40, 60, 80, 100], method="linear")  # PERCENTILE.INC
    expected = [1 + sum(b < v for b in bounds) for v in values]
    assert percentile_inc_quintiles(values).tolist() == expected
    assert np.isnan(percentile_inc_quintiles([1.0, 2.0, 3.0, 4.0])).all()  # need >= 5 values


def test_ntile_sizes_ties_and_missing():
    assert ntile([5.0, 1.0, 3.0, 2.0, 4.0, 6.0, 7.0], 5).tolist() == [3, 1, 2, 1, 2, 4, 5]
    assert ntile([1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 5).tolist() == [
        1,
        1,
        2,
        3,
        4,
        5,
    ]  # ties split by order
    out = ntile([1.0, np.nan, 2.0], 5)
    assert out[0] == 1 and np.isnan(out[1]) and out[2] == 2  # fewer values than tiles


@pytest.mark.parametrize("size", [1, 2, 7, 150, 32844])
def test_min_ranks_are_scipys_rankdata_min(size: int) -> None:
    """The quantile rule's ranks equal scipy.stats.rankdata(method="min"), ties, signed
    zeros and infinities included (the package does not import scipy.stats: 0.4 s a kernel)."""
    from scipy import stats as scipy_stats

    from needsbook.stats.quantiles import _min_ranks

    rng = np.random.default_rng(size)
    for values in (
        rng.normal(size=size),
        rng.integers(0, 5, size=size).astype(float),
        np.round(rng.normal(size=size), 1) * rng.choice([1.0, -1.0], size=size),
        np.concatenate([rng.normal(size=size), [0.0, -0.0, np.inf, -np.inf, 0.0]]),
    ):
        expected = scipy_stats.rankdata(values, method="min")
        got = _min_ranks(values)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
