"""Chart data: floats to 12 significant figures, so a chart is the same on every processor."""

from __future__ import annotations

import json
import math

import altair as alt
import numpy as np
import pandas as pd

from needsbook.charts import enable
from needsbook.charts.values import DIGITS, rounded


def test_floats_keep_twelve_significant_figures_and_nothing_else_changes() -> None:
    df = pd.DataFrame(
        {
            "value": [23.012345678912345, 0.1 + 0.2, 1e-20 / 3, math.nan, 1234567890123.4],
            "count": [1, 2, 3, 4, 5],
            "label": ["a", "b", "c", "d", "e"],
            "nullable": pd.array([1 / 3, None, 2.5, 7.0, 0.0], dtype="Float64"),
        }
    )
    out = rounded(df)
    assert out["value"].tolist()[:3] == [23.0123456789, 0.3, 3.33333333333e-21]
    assert math.isnan(out["value"].iloc[3]) and out["value"].iloc[4] == 1234567890120.0
    assert out["nullable"].dtype == df["nullable"].dtype and out["nullable"].isna().tolist() == [
        False,
        True,
        False,
        False,
        False,
    ]
    assert out["nullable"].iloc[0] == 0.333333333333
    pd.testing.assert_frame_equal(out[["count", "label"]], df[["count", "label"]])
    assert df["value"].iloc[1] == 0.1 + 0.2  # the caller's table is untouched
    assert DIGITS == 12


def test_values_a_bit_apart_give_the_same_chart() -> None:
    enable()
    a = np.array([0.7669676612345678, 12.3456789012])
    b = np.nextafter(a, np.inf)  # the last bit differs, as between two processors
    specs = [
        alt.Chart(pd.DataFrame({"x": v, "y": [1, 2]})).mark_point().encode(x="x:Q", y="y:Q")
        for v in (a, b)
    ]
    dicts = [s.to_dict() for s in specs]
    assert dicts[0] == dicts[1]
    (values,) = dicts[0]["datasets"].values()
    assert [r["x"] for r in values] == [0.766967661235, 12.3456789012]


def test_chart_values_are_altairs_records_of_the_rounded_table() -> None:
    """The records a chart carries equal Altair's own ``to_values`` of the rounded table, for
    every kind of column (those it converts itself and those it leaves to Altair)."""
    from altair.utils.data import to_values

    from needsbook.charts.values import chart_values

    plain = pd.DataFrame(
        {
            "float": [1 / 3, math.nan, math.inf, -0.0, 1234567890123.4],
            "int": np.array([1, 2, 3, 4, 5], dtype="int32"),
            "flag": [True, False, True, True, False],
            "str": ["a", None, "c", "d", "e"],
            "string": pd.array(["a", pd.NA, "c", "d", "e"], dtype="string"),
            "object": [np.float64(2.5), None, "x", math.nan, np.int64(7)],
        },
        index=[10, 11, 12, 13, 14],
    )
    others = [
        plain.assign(when=pd.to_datetime(["2021-01-01"] * 5)),
        plain.assign(group=pd.Categorical(["a", "b", None, "a", "b"])),
        plain.assign(nullable=pd.array([1.5, None, 2.0, 3.0, 4.0], dtype="Float64")),
        plain.assign(small=np.array([0.1] * 5, dtype="float32")),
        pd.DataFrame(index=[0, 1]),
        plain.iloc[:0],
    ]
    for df in (plain, *others):
        ours, altairs = chart_values(df), to_values(rounded(df))
        assert json.dumps(ours) == json.dumps(altairs), df.dtypes.to_dict()
