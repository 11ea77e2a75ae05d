"""Observed against expected: intervals recomputed by hand, and every area's rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from needsbook.adjusted import all_ratios, area_rows, fit_measures, observed_expected, verdict
from needsbook.adjusted.ratios import HIGHER, IN_LINE, LOWER, NO_DATA, SUPPRESSED
from needsbook.areas import all_areas

WORCS = "E10000034"


def byar(o: float, level: float) -> tuple[float, float]:
    z = sps.norm.ppf(1 - (1 - level) / 2)
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lower, upper


def exact(o: float, level: float) -> tuple[float, float]:
    a = 1 - level
    lower = 0.0 if o == 0 else sps.chi2.ppf(a / 2, 2 * o) / 2
    return lower, sps.chi2.ppf(1 - a / 2, 2 * o + 2) / 2


def _row(data_dir, key: str, year: int, area: str) -> pd.Series:
    r = all_ratios(data_dir)
    return r[(r["measure"] == key) & (r["year"] == year) & (r["area_code"] == area)].iloc[0]


def test_ratio_ci_is_byars_for_ten_or_more(data_dir):
    r = _row(data_dir, "cla", 2025, WORCS)
    o, e = r["observed"], r["expected"]
    assert o >= 10 and r["method"] == "Byars"
    assert r["ratio"] == pytest.approx(o / e, rel=1e-12)
    for level, suffix in ((0.95, "95"), (0.998, "99_8")):
        lo, hi = byar(o, level)
        assert r[f"lower_ci_{suffix}"] == pytest.approx(lo / e, rel=1e-9, abs=1e-12)
        assert r[f"upper_ci_{suffix}"] == pytest.approx(hi / e, rel=1e-9, abs=1e-12)


def test_ratio_ci_is_exact_below_ten(data_dir):
    r = _row(data_dir, "cla", 2024, "E09000001")  # City of London: 7 looked-after children
    o, e = r["observed"], r["expected"]
    assert o == 7 and r["method"] == "Exact"
    for level, suffix in ((0.95, "95"), (0.998, "99_8")):
        lo, hi = exact(o, level)
        assert r[f"lower_ci_{suffix}"] == pytest.approx(lo / e, rel=1e-9, abs=1e-12)
        assert r[f"upper_ci_{suffix}"] == pytest.approx(hi / e, rel=1e-9, abs=1e-12)


def test_zero_count_has_zero_ratio_and_exact_upper_limit(data_dir):
    r = _row(data_dir, "cpp", 2024, "E06000053")  # Isles of Scilly: no child on a plan
    assert r["observed"] == 0 and r["ratio"] == 0 and r["lower_ci_95"] == 0
    assert r["upper_ci_95"] == pytest.approx(3.688879454 / r["expected"], rel=1e-9)


def test_wider_interval_is_poisson_for_the_effective_count(data_dir):
    r = _row(data_dir, "cla", 2025, WORCS)
    fits = fit_measures(data_dir).fits
    phi = fits[(fits["measure"] == "cla") & (fits["year"] == 2025)]["dispersion"].iloc[0]
    assert r["dispersion"] == pytest.approx(phi, rel=1e-12)
    o_eff = r["observed"] / phi
    lo, hi = byar(o_eff, 0.95) if o_eff >= 10 else exact(o_eff, 0.95)
    assert r["wide_lower_ci_95"] == pytest.approx(lo * phi / r["expected"], rel=1e-9)
    assert r["wide_upper_ci_95"] == pytest.approx(hi * phi / r["expected"], rel=1e-9)
    assert r["wide_lower_ci_95"] < r["lower_ci_95"] and r["wide_upper_ci_95"] > r["upper_ci_95"]


def test_observed_expected_with_no_overdispersion_gives_the_poisson_interval():
    out = observed_expected([25, 3], [1000, 1000], [0.02, 0.01], dispersion=0.5)
    assert out["expected"].tolist() == pytest.approx([20.0, 10.0], rel=1e-12)
    assert out["ratio"].tolist() == pytest.approx([1.25, 0.3], rel=1e-12)
    np.testing.assert_allclose(out["wide_lower_ci_95"], out["lower_ci_95"], rtol=1e-12)
    np.testing.assert_allclose(out["wide_upper_ci_95"], out["upper_ci_95"], rtol=1e-12)
    assert out["method"].tolist() == ["Byars", "Exact"]
    lo, hi = exact(3, 0.95)
    assert out["lower_ci_95"][1] == pytest.approx(lo / 10, rel=1e-9)
    assert out["upper_ci_95"][1] == pytest.approx(hi / 10, rel=1e-9)
    assert out["comparison"].tolist() == [IN_LINE, LOWER]


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [(1.01, 1.2, HIGHER), (0.8, 0.99, LOWER), (0.9, 1.1, IN_LINE), (1.0, 1.3, IN_LINE)],
)
def test_verdict_uses_the_interval(lower, upper, expected):
    assert verdict(lower, upper) == expected
    assert verdict(np.nan, upper) == NO_DATA


def test_every_area_has_a_row_per_measure_and_modelled_year(data_dir):
    """The "all areas" test: all 153 areas, every measure, no error; rows with data match the
    model's rows exactly."""
    ratios = all_ratios(data_dir)
    expected_years = {"cla": 10, "cpp": 13, "cin": 13}
    for area in all_areas(data_dir):
        rows = area_rows(area.code, 2025, data_dir)
        counts = rows.groupby("measure").size().to_dict()
        assert counts == expected_years, area.code
        mine = ratios[ratios["area_code"] == area.code]
        assert int(rows["has_data"].sum()) == len(mine), area.code
        assert set(rows.loc[~rows["has_data"], "comparison"]) <= {NO_DATA}
        assert rows.loc[~rows["has_data"], "ratio"].isna().all()


def test_years_stop_at_the_book_year(data_dir):
    rows = area_rows(WORCS, 2018, data_dir)
    assert rows["year"].max() == 2018
    assert rows.groupby("measure").size().to_dict() == {"cla": 3, "cpp": 6, "cin": 6}
    before = area_rows(WORCS, 2012, data_dir)
    assert len(before) == 3 and not before["has_data"].any()
    assert (before["period"] == NO_DATA).all()


def test_new_unitaries_have_no_data_before_they_existed(data_dir):
    rows = area_rows("E06000063", 2025, data_dir)  # Cumberland, from April 2023
    cla = rows[rows["measure"] == "cla"].set_index("year")
    assert not cla.loc[2023, "has_data"] and cla.loc[2025, "has_data"]
    assert cla.loc[2023, "observed_display"] is None or pd.isna(cla.loc[2023, "observed_display"])


def test_small_counts_are_hidden_with_everything_built_on_them(data_dir, monkeypatch):
    import needsbook.adjusted.ratios as ratios_module

    real = all_ratios(data_dir).copy()
    hit = (real["measure"] == "cla") & (real["year"] == 2025) & (real["area_code"] == WORCS)
    real.loc[hit, "observed"] = 3.0
    monkeypatch.setattr(ratios_module, "all_ratios", lambda data_dir=None: real)
    rows = ratios_module.area_rows(WORCS, 2025, data_dir)
    row = rows[(rows["measure"] == "cla") & (rows["year"] == 2025)].iloc[0]
    assert row["suppressed"] and row["observed_display"] == "<5"
    for col in [*ratios_module.RATIO_COLUMNS, "observed"]:
        assert pd.isna(row[col]), col
    assert row["comparison"] == SUPPRESSED
    # the expected number does not depend on the count, so it stays
    assert row["expected"] == pytest.approx(710.0768, abs=1e-3)
