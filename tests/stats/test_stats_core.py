"""Confidence levels, argument checking and the shared CI maths (Wilson, exact, Byar's)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_reference import REL, byars_by_hand, exact_by_chi2, published, wilson_by_hand, z

from needsbook.errors import InputError
from needsbook.stats import (
    byars_ci,
    ci_columns,
    exact_poisson_ci,
    normalise_confidence,
    poisson_ci,
    wilson_ci,
    z_for_confidence,
)

CONF_RULE = "confidence level must be between 90 and 100 or between 0.9 and 1"


# -- confidence levels ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (0.95, (0.95,)),
        (95, (0.95,)),
        (0.998, (0.998,)),
        (99.8, (0.998,)),
        ((0.998, 0.95), (0.95, 0.998)),
        ([95, 99.8], (0.95, 0.998)),
        ((0.95, 95), (0.95,)),
        (1, (1.0,)),
        (0.9, (0.9,)),
    ],
)
def test_normalise_confidence_accepts_fractions_percentages_and_pairs(given, expected):
    assert normalise_confidence(given) == expected


@pytest.mark.parametrize("bad", [0.5, 0.89, 89, 100.5, 1.5, -1, float("nan"), "95", "x", None])
def test_normalise_confidence_rejects_other_values(bad):
    with pytest.raises(InputError, match=f"^confidence: {CONF_RULE}"):
        normalise_confidence(bad)


def test_normalise_confidence_rejects_an_empty_sequence():
    with pytest.raises(InputError, match=f"confidence: {CONF_RULE} \\(got an empty sequence\\)"):
        normalise_confidence(())


def test_low_level_functions_take_one_level():
    with pytest.raises(InputError, match="confidence: give a single level to this function"):
        wilson_ci(1, 10, confidence=(0.95, 0.998))


def test_z_values_match_the_spec_constants():
    assert z_for_confidence(0.95) == pytest.approx(1.959963984540054, rel=REL)
    assert z_for_confidence(99.8) == pytest.approx(3.090232306167813, rel=REL)
    assert z_for_confidence(0.998) ** 2 == pytest.approx(9.54953570608324, rel=REL)
    assert z_for_confidence(1) == float("inf")


def test_ci_column_names():
    assert ci_columns(0.95) == ("lower_ci_95", "upper_ci_95")
    assert ci_columns(99.8) == ("lower_ci_99_8", "upper_ci_99_8")
    assert ci_columns(0.9) == ("lower_ci_90", "upper_ci_90")


# -- Wilson -----------------------------------------------------------------------------
@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize(("x", "n"), [(1, 10), (9, 10), (10, 100), (37, 1234), (0.5, 3)])
def test_wilson_matches_the_formula(x, n, confidence):
    lower, upper = wilson_ci(x, n, confidence)
    exp_lower, exp_upper = wilson_by_hand(x, n, confidence)
    assert lower == pytest.approx(exp_lower, rel=REL)
    assert upper == pytest.approx(exp_upper, rel=REL)


def test_wilson_zero_events_published_values():
    lower, upper = wilson_ci(0, 100, 0.95)
    assert lower == 0.0
    assert upper == published("0.036993")
    assert upper == pytest.approx(z(0.95) ** 2 / (100 + z(0.95) ** 2), rel=REL)
    lower, upper = wilson_ci(0, 100, 0.998)
    assert lower == 0.0
    assert upper == published("0.087171")


def test_wilson_all_events_published_values():
    lower, upper = wilson_ci(100, 100, 0.95)
    assert upper == 1.0
    assert lower == published("0.963007")
    lower, upper = wilson_ci(100, 100, 99.8)
    assert upper == 1.0
    assert lower == published("0.912829")


def test_wilson_confidence_one_gives_zero_and_one():
    assert wilson_ci(3, 10, 1) == (0.0, 1.0)
    assert wilson_ci(3, 10, 100, multiplier=100) == (0.0, 100.0)


def test_wilson_multiplier_scales_both_limits():
    lower, upper = wilson_ci(7, 20, 0.95, multiplier=100)
    exp = wilson_by_hand(7, 20, 0.95)
    assert (lower, upper) == (
        pytest.approx(exp[0] * 100, rel=REL),
        pytest.approx(exp[1] * 100, rel=REL),
    )


def test_wilson_types_follow_the_input():
    assert isinstance(wilson_ci(1, 10)[0], float)
    lower, _ = wilson_ci(np.array([1, 2]), np.array([10, 10]))
    assert isinstance(lower, np.ndarray)
    s = pd.Series([1, 2, 3], index=["a", "b", "c"])
    lower, _upper = wilson_ci(s, pd.Series([10, 10, 10], index=["a", "b", "c"]))
    assert isinstance(lower, pd.Series)
    assert list(lower.index) == ["a", "b", "c"]
    lower, _ = wilson_ci(s, 10)
    assert list(lower.index) == ["a", "b", "c"]


def test_wilson_missing_inputs_give_nan():
    lower, upper = wilson_ci([np.nan, 0, 3, None], [10, np.nan, np.nan, 10])
    assert np.isnan(lower).all()
    assert np.isnan(upper).all()
    lower, _ = wilson_ci(pd.Series([1, pd.NA], dtype="Int64"), 10)
    assert np.isnan(lower.iloc[1])


def test_wilson_errors_name_argument_rule_and_rows():
    with pytest.raises(
        InputError,
        match=r"^x: numerators must be greater than or equal to zero \(offending row 1\)$",
    ):
        wilson_ci([1, -1], [10, 10])
    with pytest.raises(
        InputError, match=r"^n: denominators must be greater than zero \(offending rows 0, 2\)$"
    ):
        wilson_ci([0, 1, 0], [0, 10, -3])
    with pytest.raises(
        InputError,
        match=r"^x: numerators must be less than or equal to denominator for a proportion "
        r"statistic \(offending row 'b'\)$",
    ):
        wilson_ci(pd.Series([1, 11], index=["a", "b"]), 10)
    with pytest.raises(InputError, match=r"^multiplier: must be a positive number \(got 0\)$"):
        wilson_ci(1, 10, multiplier=0)
    with pytest.raises(InputError, match=r"^multiplier: must be a positive number \(got 'x'\)$"):
        wilson_ci(1, 10, multiplier="x")


def test_error_messages_list_at_most_five_rows():
    with pytest.raises(InputError, match=r"\(offending rows 0, 1, 2, 3, 4 and 3 more\)$"):
        wilson_ci([-1] * 8, 10)


def test_mismatched_inputs_are_errors():
    with pytest.raises(InputError, match=r"^x, n: lengths do not match$"):
        wilson_ci([1, 2, 3], [10, 10])
    with pytest.raises(InputError, match=r"^pandas inputs must share the same index$"):
        wilson_ci(pd.Series([1], index=["a"]), pd.Series([10], index=["b"]))
    with pytest.raises(InputError, match=r"^x: values must be numeric$"):
        wilson_ci(["a"], [10])


# -- exact Poisson and Byar's -------------------------------------------------------------
@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("x", [0, 1, 2, 5, 9, 10, 2.5])
def test_exact_limits_match_scipy_chi2(x, confidence):
    lower, upper = exact_poisson_ci(x, confidence)
    exp_lower, exp_upper = exact_by_chi2(x, confidence)
    assert lower == pytest.approx(exp_lower, rel=REL)
    assert upper == pytest.approx(exp_upper, rel=REL)


def test_exact_limits_published_values():
    assert exact_poisson_ci(0, 0.95) == (0.0, published("3.688879"))
    assert exact_poisson_ci(0, 0.998) == (0.0, published("6.907755"))
    assert exact_poisson_ci(1, 0.95) == (published("0.0253178"), published("5.5716434"))
    assert exact_poisson_ci(1, 0.998) == (published("0.0010005"), published("9.2334135"))
    assert exact_poisson_ci(9, 0.95) == (published("4.11537"), published("17.08480"))


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("x", [10, 11, 57, 1000, 123456])
def test_byars_matches_the_formula(x, confidence):
    lower, upper = byars_ci(x, confidence)
    exp_lower, exp_upper = byars_by_hand(x, confidence)
    assert lower == pytest.approx(exp_lower, rel=REL)
    assert upper == pytest.approx(exp_upper, rel=REL)


def test_byars_published_values():
    assert byars_ci(10, 0.95) == (published("4.78745"), published("18.39146"))
    assert byars_ci(10, 0.998) == (published("2.91632"), published("24.19372"))


def test_byars_negative_lower_limit_is_missing():
    lower, upper = byars_ci(1, 0.998)
    assert np.isnan(lower)
    assert upper == pytest.approx(byars_by_hand(1, 0.998)[1], rel=REL)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_poisson_switches_from_exact_to_byars_at_ten(confidence):
    lower, upper = poisson_ci(np.array([0, 1, 9, 10, 11, np.nan]), confidence)
    for i, x in enumerate([0, 1, 9]):
        assert (lower[i], upper[i]) == pytest.approx(exact_by_chi2(x, confidence), rel=REL)
    for i, x in [(3, 10), (4, 11)]:
        assert (lower[i], upper[i]) == pytest.approx(byars_by_hand(x, confidence), rel=REL)
    assert np.isnan(lower[5]) and np.isnan(upper[5])


def test_poisson_confidence_one():
    assert poisson_ci(5, 1) == (0.0, float("inf"))
    assert poisson_ci(50, 1) == (0.0, float("inf"))


def test_count_errors():
    with pytest.raises(InputError, match=r"^x: numerators must be greater than or equal to zero"):
        poisson_ci([-2])
    with pytest.raises(InputError, match=r"^x: numerators must be greater than or equal to zero"):
        byars_ci(-2)
    with pytest.raises(InputError, match=r"^x: numerators must be greater than or equal to zero"):
        exact_poisson_ci(-0.5)


def test_non_integer_and_large_counts_use_the_general_path():
    values = np.array([0.5, 3.25, 7.0, 2500.0])
    lower, upper = exact_poisson_ci(values, 0.95)
    for i, x in enumerate(values):
        assert (lower[i], upper[i]) == pytest.approx(exact_by_chi2(x, 0.95), rel=REL)
