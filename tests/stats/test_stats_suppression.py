"""Small-number suppression: primary, derived columns, secondary suppression, display."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from needsbook.errors import InputError
from needsbook.stats import rate, suppress_small_numbers


@pytest.fixture
def table() -> pd.DataFrame:
    df = pd.DataFrame({
        "district": ["N", "N", "N", "S", "S", "S"],
        "age": ["0-4", "5-10", "11-19"] * 2,
        "count": [3, 12, 40, 0, 7, 25],
        "denominator": [900, 1000, 2000, 800, 1100, 2100],
    })  # fmt: skip
    return rate(df, confidence=(0.95, 0.998), multiplier=10_000)


def test_primary_suppression_and_derived_columns(table):
    out = suppress_small_numbers(table)
    assert out["suppressed"].tolist() == [True, False, False, False, False, False]
    assert (
        out.loc[
            0, ["count", "value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8"]
        ]
        .isna()
        .all()
    )
    assert out.loc[0, "denominator"] == 900  # not derived from the count
    assert out["count_display"].tolist() == ["<5", "12", "40", "0", "7", "25"]
    assert out["suppression"].tolist()[:2] == ["primary", None]
    assert out.loc[3, "count"] == 0 and not np.isnan(out.loc[3, "value"])  # zero never suppressed
    assert table.loc[0, "count"] == 3  # input untouched


def test_secondary_suppression_protects_row_totals(table):
    out = suppress_small_numbers(table, secondary_by="district")
    # N: 3 is suppressed; its total would reveal it, so the next smallest (12) goes too.
    assert out["suppression"].tolist() == ["primary", "secondary", None, None, None, None]
    assert out.loc[1, "count_display"] == "*"
    assert np.isnan(out.loc[1, "value"])


def test_secondary_suppression_in_two_directions_until_stable():
    df = pd.DataFrame({
        "district": ["N", "N", "N", "S", "S", "S", "W", "W", "W"],
        "age": ["a", "b", "c"] * 3,
        "count": [2, 30, 50, 20, 10, 60, 40, 35, 15],
    })  # fmt: skip
    out = suppress_small_numbers(df, secondary_by=["district", "age"])
    supp = out.set_index(["district", "age"])["suppressed"]
    # Every district and every age group holds 0 or >= 2 suppressed cells.
    for level in ["district", "age"]:
        counts = supp.groupby(level=level).sum()
        assert ((counts == 0) | (counts >= 2)).all()
    assert supp[("N", "a")] and supp.sum() >= 4
    assert out.loc[0, "suppression"] == "primary"


def test_custom_range_display_and_columns():
    df = pd.DataFrame({"n": [0, 1, 5, 6, 7, 8], "pct": [0.0, 1.0, 5.0, 6.0, 7.0, 8.0]})
    out = suppress_small_numbers(df, "n", derived=["pct"], lower=1, upper=7, display="c")
    assert out["n_display"].tolist() == ["0", "c", "c", "c", "c", "8"]
    assert out["pct"].isna().tolist() == [False, True, True, True, True, False]
    out = suppress_small_numbers(df, "n", upper=5)
    assert out["n_display"].tolist()[:3] == ["0", "<6", "<6"]


def test_unprotectable_cell_warns():
    df = pd.DataFrame({"g": ["x", "x"], "count": [3, 0]})
    with pytest.warns(
        UserWarning, match=r"only non-zero cell in group\(s\) x; suppress those totals too"
    ):
        out = suppress_small_numbers(df, secondary_by="g")
    assert out["suppressed"].tolist() == [True, False]


def test_missing_counts_are_left_alone():
    df = pd.DataFrame({"count": [np.nan, 2.0, 2.5]})
    out = suppress_small_numbers(df)
    assert pd.isna(out.loc[0, "count_display"])
    assert out["count_display"].tolist()[1:] == ["<5", "<5"]
    assert out["suppressed"].tolist() == [False, True, True]


def test_suppression_errors(table):
    with pytest.raises(
        InputError, match=r"^lower: must be 1 or more; zero is never suppressed \(got 0\)$"
    ):
        suppress_small_numbers(table, lower=0)
    with pytest.raises(InputError, match=r"^upper: must be at least lower \(1\) \(got 0.5\)$"):
        suppress_small_numbers(table, upper=0.5)
    with pytest.raises(InputError, match=r"^derived: column 'rate' not found in the data$"):
        suppress_small_numbers(table, derived=["rate"])
    with pytest.raises(InputError, match=r"^secondary_by: column 'region' not found in the data$"):
        suppress_small_numbers(table, secondary_by=["district", ["region"]])
