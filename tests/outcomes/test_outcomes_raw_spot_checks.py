"""Spot checks against the official files in ../shared/data-raw: for three areas and three
indicators the chapter's value, England value and comparison label are recomputed here from
the raw DfE / UKHSA files, with the confidence intervals written out independently."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from needsbook.outcomes.compare import benchmarks

RAW = Path(__file__).resolve().parents[2].parent / "shared" / "data-raw"
pytestmark = pytest.mark.needs_raw  # skipped by conftest when RAW is absent

AREAS = ["E10000034", "E06000017", "E08000025"]  # Worcestershire, Rutland, Birmingham
Z95 = 1.959963984540054


def wilson(x: float, n: float) -> tuple[float, float]:
    """95% Wilson score interval, in percent."""
    centre = 2 * x + Z95**2
    spread = Z95 * math.sqrt(Z95**2 + 4 * x * (1 - x / n))
    return (centre - spread) / (2 * (n + Z95**2)) * 100, (centre + spread) / (
        2 * (n + Z95**2)
    ) * 100


def byars(x: float) -> tuple[float, float]:
    """95% Byar's limits for a count of 10 or more."""
    lo = x * (1 - 1 / (9 * x) - Z95 / (3 * math.sqrt(x))) ** 3
    y = x + 1
    hi = y * (1 - 1 / (9 * y) + Z95 / (3 * math.sqrt(y))) ** 3
    return lo, hi


def label(lower: float, upper: float, england: float, low_is_good: bool) -> str:
    if lower <= england <= upper:
        return "Similar"
    higher = england < lower
    return "Worse" if higher == low_is_good else "Better"


@pytest.fixture(scope="module")
def chapter_rows() -> pd.DataFrame:
    return benchmarks(2024).set_index(["indicator_id", "area_code"])


def test_children_looked_after_rate_against_dfe_file(chapter_rows: pd.DataFrame) -> None:
    raw = pd.read_csv(RAW / "dfe_csc" / "cla_number_and_rate_per_10k_children.csv", dtype=str)
    raw = raw[
        (raw["time_period"] == "2024")
        & (raw["population_type"] == "Children looked after on 31 March each year")
    ]
    eng = raw[raw["geographic_level"] == "National"].iloc[0]
    england = float(eng["children_count"]) / float(eng["population_estimate"]) * 10000
    for code in AREAS:
        r = raw[raw["new_la_code"] == code].iloc[0]
        x, n = float(r["children_count"]), float(r["population_estimate"])
        value = x / n * 10000
        assert round(value) == int(r["rate_per_10000"])  # DfE's published (rounded) rate
        lo, hi = (v / n * 10000 for v in byars(x))
        got = chapter_rows.loc[("csc:cla_rate", code)]
        assert got["value"] == pytest.approx(value)
        assert got["england"] == pytest.approx(england)
        assert got["comparison"] == label(lo, hi, england, low_is_good=True), code


def test_mmr_first_dose_at_24_months_against_cover_quarters(chapter_rows: pd.DataFrame) -> None:
    q = pd.read_csv(RAW / "ukhsa_cover" / "cover_utla_quarterly_long.csv.gz")
    q = q[(q["financial_year"] == "2023-24") & (q["vaccine"] == "MMR1") & (q["age"] == "24m")]
    q = q.dropna(subset=["numerator", "denominator", "utla_ons_code_mapped"])
    assert q["fy_quarter"].nunique() == 4
    # England: the sum over every UTLA-quarter (COVER's tables have no England row)
    england = q["numerator"].sum() / q["denominator"].sum() * 100
    for code in AREAS:
        a = q[q["utla_ons_code_mapped"] == code]
        assert len(a) == 4, code
        x, n = a["numerator"].sum(), a["denominator"].sum()
        lo, hi = wilson(x, n)
        got = chapter_rows.loc[("cover:MMR1_24m", code)]
        assert got["period_label"] == "2023/24"
        assert got["value"] == pytest.approx(x / n * 100)
        assert got["england"] == pytest.approx(england, abs=0.01)
        assert got["comparison"] == label(lo, hi, england, low_is_good=False), code


def test_neet_or_not_known_against_nccis_file(chapter_rows: pd.DataFrame) -> None:
    raw = pd.read_csv(RAW / "dfe_neet" / "neet_la_2023.csv", dtype=str)
    eng = raw[raw["geographic_level"] == "National"].iloc[0]
    england = float(eng["NEET_not_known_percent"])
    for code in AREAS:
        r = raw[raw["new_la_code"] == code].iloc[0]
        pct, cohort = float(r["NEET_not_known_percent"]), float(r["Cohort_DJFavg"])
        lo, hi = wilson(round(pct * cohort / 100), cohort)
        got = chapter_rows.loc[("neet:neet_or_not_known_pct", code)]
        assert got["period_label"] == "end of 2022"  # the 2023 file: Dec 2022 - Feb 2023
        assert got["value"] == pytest.approx(pct)
        assert got["england"] == pytest.approx(england)
        assert got["comparison"] == label(lo, hi, england, low_is_good=True), code
