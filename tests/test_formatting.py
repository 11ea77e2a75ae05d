"""One formatting rule per unit (needsbook.formatting), and the places that use it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from needsbook import formatting as f
from needsbook.chapters import need, text
from needsbook.chapters.display import _format
from needsbook.services.demand_sections import summary_table


def test_percent() -> None:
    assert f.percent(4.86) == "4.9%"
    assert f.percent(4.84) == "4.8%"
    assert f.percent(87.0) == "87.0%"
    assert f.percent(1234.56) == "1,234.6%"
    assert f.percent(-0.04) == "0.0%"  # never "-0.0%"
    assert f.percent(-0.0) == "0.0%"
    assert f.percent(-1.26) == "-1.3%"
    assert f.percent(1.26, sign=True) == "+1.3%"
    assert f.percent(-1.26, sign=True) == "-1.3%"
    assert f.percent(0.04, sign=True) == "0.0%"  # no sign on a zero


def test_rate_count_ratio_mean() -> None:
    assert f.rate(87.23, "per 10,000 aged 0-17") == "87.2 per 10,000 aged 0-17"
    assert f.rate(87.23, "Rate per 10,000") == "87.2 per 10,000"
    assert f.rate(87.23) == "87.2"
    assert f.rate(-0.01, "per 1,000") == "0.0 per 1,000"
    assert f.count(12345.0) == "12,345"
    assert f.count(12345) == "12,345"
    assert f.count(np.int64(7)) == "7"
    assert f.count(-0.4) == "0"
    assert f.ratio(1.449) == "1.45"
    assert f.ratio(0.7) == "0.70"
    assert f.ratio(-0.001) == "0.00"
    assert f.mean(1.94) == "1.9"
    assert f.points(-0.04) == "0.0"
    assert f.points(1.26, sign=True) == "+1.3"
    # ties round as Python's format does (half to even), as the page's tables do
    assert f.points(1.25) == "1.2" and f.count(2.5) == "2"


def test_coefficient_never_prints_zero_for_a_non_zero_value() -> None:
    assert f.coefficient(-0.0431) == "-0.0431"
    assert f.coefficient(-0.0123) == "-0.0123"
    assert f.coefficient(-0.445194) == "-0.445"
    assert f.coefficient(1.1) == "1.10"
    assert f.coefficient(1234.5) == "1,234"
    assert f.coefficient(0.0) == "0"
    assert f.coefficient(-0.0) == "0"
    for v in (-0.0004, 0.0004, -1e-9, 3e-7, -0.04999):
        out = f.coefficient(v)
        assert out not in {"-0", "0", "-0.0", "0.0"}, (v, out)
        assert float(out) == pytest.approx(v, rel=0.01)
    assert f.coefficient_decimals([-0.445194, -0.0431, 0.0, 0.55, 1.1]) == 4
    assert f.coefficient_decimals([0.0, math.nan]) == 0


@pytest.mark.parametrize("missing", [None, math.nan, np.nan, pd.NA, math.inf, "text"])
def test_missing_values_get_the_placeholder(missing: object) -> None:
    for fn in (f.percent, f.count, f.ratio, f.mean, f.coefficient, f.points):
        assert fn(missing) == "no data"  # type: ignore[operator]
        assert fn(missing, missing="not shown") == "not shown"  # type: ignore[operator]
    assert f.rate(missing, "per 1,000") == "no data"
    assert f.value(missing, "%") == "no data"
    assert f.fmt_ci(missing, 2.0, "%", missing="") == ""
    assert f.fmt_ci(1.0, missing) == "no data"


def test_value_dispatches_by_unit_and_value_type() -> None:
    assert f.value(4.86, "%") == "4.9%"
    assert f.value(4.86, "% of EHC plans", "proportion") == "4.9%"
    assert f.value(87.23, "per 10,000 aged 0-17", "crude rate") == "87.2 per 10,000 aged 0-17"
    assert f.value(87.23, "Rate per 100,000", "crude rate") == "87.2 per 100,000"
    assert f.value(12345.0, "Number", "count") == "12,345"
    assert f.value(12345.0, "Number of Children Looked After", "count") == "12,345"
    assert f.value(45.26, "Score per pupil", "mean") == "45.3"
    assert f.value(45.26, "Score", "score") == "45.3"
    assert f.value(1.449, "ratio") == "1.45"
    assert f.value(-0.04, "") == "0.0"
    assert f.decimals("%") == f.PERCENT_DP == 1
    assert f.decimals("per 10,000 aged 0-17") == f.RATE_DP == 1
    assert f.decimals("Number", "count") == f.COUNT_DP == 0
    assert f.decimals("ratio") == f.RATIO_DP == 2


def test_confidence_intervals() -> None:
    assert f.fmt_ci(0.5, 2.2) == "0.5 to 2.2"
    assert f.fmt_ci(4.06, 5.24, "%") == "4.1% to 5.2%"
    assert f.fmt_ci(80.14, 94.26, "per 10,000") == "80.1 to 94.3 per 10,000"
    assert f.fmt_ci(-0.04, 0.3, "%") == "0.0% to 0.3%"
    assert f.fmt_ci(0.812, 1.346, "ratio") == "0.81 to 1.35"


def test_table_decimals_by_column_heading() -> None:
    t = pd.DataFrame(
        {
            "Area": ["A"],
            "% of EHAs": [4.86],
            "Rate per 1,000 aged 0-19": [2.04],
            "Targeting ratio": [1.449],
            "Fold-change since first period (ratio)": [1.2],
            "Mean change (score points)": [1.94],
            "Children": [12345.0],
            "Value": [0.5],
        }
    )
    t.attrs["decimals"] = {"% of EHAs": 2}  # a table's own choice wins over the heading
    got = f.table_decimals(t, {"Value": 3})
    assert got == {
        "% of EHAs": 2,
        "Rate per 1,000 aged 0-19": 1,
        "Targeting ratio": 2,
        "Fold-change since first period (ratio)": 2,
        "Mean change (score points)": 1,
        "Value": 3,
    }
    shown = _format(f.apply_decimals(t.drop(columns="% of EHAs"))).iloc[0]
    assert shown["Rate per 1,000 aged 0-19"] == "2.0" and shown["Targeting ratio"] == "1.45"
    assert shown["Children"] == "12,345"


def test_text_helpers_delegate() -> None:
    assert text.pct(4.86) == "4.9%"
    assert text.pct(-0.04) == "0.0%"
    assert text.pct(4.866, 2) == "4.87%"
    assert text.pct(math.nan) == "not available"
    assert text.number(12345.4) == "12,345"
    assert text.number(None) == "not available"  # type: ignore[arg-type]
    assert text.change(100, 102.14) == "rose by 2.1%"
    assert text.change(100, 99.96) == "was unchanged"
    assert text.change(0, 5) == "cannot be compared"
    assert text.points_change(25.0, 24.96) == "no change"
    assert text.points_change(25.0, math.nan) == "cannot be compared"


def test_demand_table_shows_shares_and_rates_to_one_decimal() -> None:
    """The EHC plan shares read 4.9 against 4.8, not 5 against 5."""
    summary = pd.DataFrame(
        {
            "measure": ["Pupils with an EHC plan", "Children looked after"],
            "unit": ["% Total pupils with statement/EHC", "per 10,000 aged 0-17"],
            "period": ["2023/24", "31 March 2024"],
            "value": [4.9, 87.23],
            "lower_ci_95": [np.nan, 0.5],
            "upper_ci_95": [np.nan, 2.2],
            "england": [4.8, 71.0],
            "neighbours": [4.7, 65.0],
            "comparison": ["Middle", "Worse"],
            "comparison_label": ["Middle 20%", "Worse"],
            "first_period": ["2015/16", "31 March 2013"],
            "first_value": [2.9, 60.0],
            "fold_change": [1.6896, 1.4538],
            "trend": ["", ""],
            "trend_label": ["", ""],
            "source": ["DfE", "DfE"],
        }
    )
    shown = _format(summary_table(summary))
    assert shown["Value"].tolist() == ["4.9", "87.2"]
    assert shown["England"].tolist() == ["4.8", "71.0"]
    assert shown["95% CI lower"].tolist() == ["", "0.5"]
    assert shown["Fold-change since first period (ratio)"].tolist() == ["1.69", "1.45"]


def test_need_model_parameters_never_print_as_zero(data_dir: Path) -> None:
    """Parameters show to 3 significant figures, a true zero as 0, never as "-0"."""
    chapter = need.build("E10000034", 2024, data_dir, only=("model",))
    shown = _format(chapter.section("model").table)
    params = dict(zip(shown["Parameter"], shown["Value"], strict=True))
    assert params["Threshold: intensive help"] == "1.10"
    assert params["Threshold: extra help"] == "0.550"
    raw = chapter.section("model").table  # the values before formatting
    for name, value in zip(raw["Parameter"], raw["Value"], strict=True):
        if isinstance(value, float) and value != 0:
            digits = params[name].lstrip("-").lstrip("0.").replace(".", "")
            assert len(digits) == 3, (name, params[name])
    assert not any(v.startswith("-0") and float(v) == 0 for v in params.values())
