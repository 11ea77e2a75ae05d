"""Secondary suppression in tables that hold their own totals
(:func:`needsbook.stats.suppression.suppress_with_totals`), and the zero-need targeting ratio."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from needsbook.local import targeting_ratios
from needsbook.stats.suppression import suppress_with_totals


def status(out: pd.DataFrame) -> list[str]:
    return out["suppression"].fillna("").tolist()


def test_the_next_smallest_part_is_hidden_not_the_total():
    df = pd.DataFrame({"p": ["A", "B", "C", "All"], "n": [3, 156, 500, 659]})
    out = suppress_with_totals(df, "n", dims=["p"])
    assert status(out) == ["primary", "secondary", "", ""]
    assert out["n"].tolist()[2:] == [500, 659]


def test_hidden_parts_adding_to_a_small_count_get_a_third():
    df = pd.DataFrame({"p": ["A", "B", "C", "D", "All"], "n": [1, 2, 500, 600, 1103]})
    assert status(suppress_with_totals(df, "n", dims=["p"])) == [
        "primary",
        "primary",
        "secondary",
        "",
        "",
    ]


def test_one_grand_total_shared_by_every_dimension():
    """Providers and quintiles each add up to the same grand total: each is protected, and a
    cell hidden in one dimension does not leave the other alone."""
    df = pd.DataFrame(
        {
            "provider": ["A", "B", "C", "All", "All", "All", "All"],
            "quintile": ["All", "All", "All", "1", "2", "3", "All"],
            "n": [3, 40, 57, 50, 2, 48, 100],
        }
    )
    out = suppress_with_totals(df, "n", dims=["provider", "quintile"])
    assert status(out) == ["primary", "secondary", "", "", "primary", "secondary", ""]


def test_a_hidden_total_is_protected_where_it_is_a_part():
    """Centres add up to their district, districts to the area: hiding a district's row
    (as the last resort) makes it a hidden part of the area's equation too."""
    df = pd.DataFrame(
        {
            "district": ["D1", "D1", "D1", "D2", "All"],
            "centre": ["c1", "c2", "All", "All", "All"],
            "n": [3, 0, 3, 50, 53],
        }
    )
    out = suppress_with_totals(df, "n", dims=["district", "centre"])
    assert status(out) == ["primary", "", "primary", "secondary", ""]


def test_an_equation_with_an_unknown_count_needs_nothing():
    df = pd.DataFrame({"p": ["A", "B", "C", "All"], "n": [2, np.nan, 40, 100]})
    assert status(suppress_with_totals(df, "n", dims=["p"])) == ["primary", "", "", ""]


def test_derived_columns_of_hidden_rows_go_too():
    df = pd.DataFrame({"p": ["A", "B", "C", "All"], "n": [3, 10, 87, 100]})
    df["pct"] = df["n"]
    out = suppress_with_totals(df, "n", dims=["p"], derived=["pct"])
    assert out["pct"].isna().tolist() == [True, True, False, False]


def test_targeting_ratio_against_no_need_is_not_applicable():
    shares = pd.DataFrame({"imd_quintile": ["3", "4", "5"], "percent": [30.0, 30.0, 40.0]})
    need = {"1": 0.0, "2": 0.0, "3": 20.0, "4": 30.0, "5": 50.0}
    tr = targeting_ratios(shares, need).set_index("group")
    most, least = tr.iloc[0], tr.iloc[1]
    assert not most["applicable"] and np.isnan(most["ratio"]) and most["service_percent"] == 0
    assert least["applicable"] and least["ratio"] == pytest.approx(70 / 80)
