"""Factors identified at the end of children in need assessments (DfE table C3) in the snapshot,
recomputed from the raw EES files with plain pandas.

Rates are episodes with the factor per 10,000 aged 0-17 (DfE's 0-17 estimate for the previous
mid-year, as for the children in need rate); shares are over episodes with at least one factor
recorded. City of London's factor counts are suppressed ("c") in 2025, so 152 of the 153
current upper-tier areas have a 2025 rate; the Isles of Scilly's are published (often 0) and
kept. Cumbria keeps its own code as a former area up to 2023.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import norm

from needsbook.data import load_table
from needsbook.outcomes.catalogue import load_catalogue
from needsbook.snapshot.ind_c3 import factors

RAW = Path(__file__).parents[2].parent / "shared" / "data-raw"
pytestmark = [
    pytest.mark.needs_raw,
    pytest.mark.skipif(not RAW.is_dir(), reason=f"raw data not found at {RAW}"),
]

C3 = RAW / "dfe_csc" / "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
POP = RAW / "dfe_csc" / "ons_mid-year_population_estimates_2012_to_2024.csv"
ENGLAND = "E92000001"
WORCS = "E10000034"


@pytest.fixture(scope="module")
def ind() -> pd.DataFrame:
    t = load_table("indicators")
    return t[t["indicator_id"].str.startswith("c3:")].copy()


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(C3, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def pop() -> pd.DataFrame:
    return pd.read_csv(POP, dtype=str, keep_default_na=False)


def _raw_row(raw: pd.DataFrame, year: str, *, la: str = "", level: str) -> pd.Series:
    r = raw[(raw["time_period"] == year) & (raw["geographic_level"] == level)]
    if la:
        r = r[r["old_la_code"] == la]
    assert len(r) == 1
    return r.iloc[0]


def _pop(pop: pd.DataFrame, year: str, *, la: str = "", level: str) -> float:
    r = pop[(pop["time_period"] == year) & (pop["geographic_level"] == level)]
    if la:
        r = r[r["old_la_code"] == la]
    assert len(r) == 1
    return float(r.iloc[0]["population_estimate"])


def _row(ind: pd.DataFrame, indicator: str, code: str, period: str) -> pd.Series:
    hit = ind[(ind["indicator_id"] == indicator) & (ind["area_code"] == code)]
    hit = hit[hit["period"] == period]
    assert len(hit) == 1, (indicator, code, period)
    return hit.iloc[0]


def _byar(x: float, n: float, m: float, level: float) -> tuple[float, float]:
    z = norm.ppf(1 - (1 - level) / 2)
    lo = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    hi = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lo / n * m, hi / n * m


def _wilson(x: float, n: float, m: float, level: float) -> tuple[float, float]:
    z = norm.ppf(1 - (1 - level) / 2)
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n) * m, (centre + half) / (1 + z * z / n) * m


def test_worcestershire_domestic_abuse_parent_2025(
    ind: pd.DataFrame, raw: pd.DataFrame, pop: pd.DataFrame
) -> None:
    r = _raw_row(raw, "2025", la="885", level="Local authority")
    assert r["new_la_code"] == WORCS
    count = float(r["Domestic_Abuse_parent"])
    base = float(r["Episodes_with_assessment_factor"])
    children = _pop(pop, "2024", la="885", level="Local authority")  # mid-2024 for 2024/25
    assert (count, base, children) == (1772.0, 4693.0, 120119.0)

    rate = _row(ind, "c3:Domestic_Abuse_parent", WORCS, "2025")
    assert rate["count"] == count and rate["denominator"] == children
    assert rate["value"] == pytest.approx(count / children * 10_000, abs=1e-9)
    assert round(rate["value"], 1) == 147.5
    for level, cols in (
        (0.95, ("lower_ci_95", "upper_ci_95")),
        (0.998, ("lower_ci_99_8", "upper_ci_99_8")),
    ):
        lo, hi = _byar(count, children, 10_000, level)
        assert rate[cols[0]] == pytest.approx(lo, abs=1e-9)
        assert rate[cols[1]] == pytest.approx(hi, abs=1e-9)
    assert (rate["area_type"], rate["parent_code"], rate["year"]) == ("UTLA", "E12000005", 2025)
    assert rate["period_type"] == "financial year" and rate["source"] == "DfE CIN"
    assert rate["unit"] == "per 10,000 aged 0-17" and rate["polarity"] == "No judgement"

    share = _row(ind, "c3:Domestic_Abuse_parent_pct", WORCS, "2025")
    assert share["count"] == count and share["denominator"] == base
    assert share["value"] == pytest.approx(count / base * 100, abs=1e-9)
    assert round(share["value"], 1) == 37.8
    lo, hi = _wilson(count, base, 100, 0.95)
    assert share["lower_ci_95"] == pytest.approx(lo, abs=1e-9)
    assert share["upper_ci_95"] == pytest.approx(hi, abs=1e-9)
    assert share["unit"] == "%" and share["value_type"] == "proportion"


def test_england_and_region_are_published_rows(
    ind: pd.DataFrame, raw: pd.DataFrame, pop: pd.DataFrame
) -> None:
    r = _raw_row(raw, "2025", level="National")
    children = _pop(pop, "2024", level="National")
    for factor in ("Domestic_Abuse_parent", "Neglect", "Child_criminal_exploitation"):
        count = float(r[factor])
        rate = _row(ind, f"c3:{factor}", ENGLAND, "2025")
        assert rate["value"] == pytest.approx(count / children * 10_000, abs=1e-9)
        share = _row(ind, f"c3:{factor}_pct", ENGLAND, "2025")
        base = float(r["Episodes_with_assessment_factor"])
        assert share["value"] == pytest.approx(count / base * 100, abs=1e-9)
    assert round(_row(ind, "c3:Domestic_Abuse_parent", ENGLAND, "2025")["value"], 1) == 133.7
    assert round(_row(ind, "c3:Domestic_Abuse_parent_pct", ENGLAND, "2025")["value"], 1) == 31.7
    # West Midlands: DfE's own regional row (rounded counts), not a sum of its areas
    wm = _raw_row(raw[raw["region_code"] == "E12000005"], "2025", level="Regional")
    row = _row(ind, "c3:Neglect", "E12000005", "2025")
    assert row["count"] == float(wm["Neglect"]) and row["source"] == "DfE CIN"


def test_every_factor_has_both_indicators_catalogued(ind: pd.DataFrame) -> None:
    cat = load_catalogue()
    meta = load_table("indicator_meta").set_index("indicator_id")
    names = factors()  # the catalogue's c3: rate entries, in its order
    assert len(names) == 15
    assert (names[0], names[-1]) == ("Domestic_Abuse_parent", "Self_harm")
    ids = [i for f in names for i in (f"c3:{f}", f"c3:{f}_pct")]
    assert sorted(ind["indicator_id"].unique()) == sorted(ids)
    for i in ids:
        entry = cat[i]
        assert entry.use == ("vulnerable",)
        assert entry.polarity == "No judgement" and "DfE gives no polarity" in entry.polarity_note
        assert entry.decimals == 1 and entry.has_ci
        pct = i.endswith("_pct")
        assert (entry.unit, entry.ci_method, entry.multiplier) == (
            ("%", "wilson", 100) if pct else ("per 10,000 aged 0-17", "poisson", 10000)
        )
        assert meta.loc[i, "indicator_name"] == entry.name and bool(meta.loc[i, "has_ci"])
    assert cat["c3:Domestic_Abuse_parent"].name == (
        "Domestic abuse concerning a parent or carer identified at assessment"
    )


def test_all_current_areas_where_published(ind: pd.DataFrame, raw: pd.DataFrame) -> None:
    areas = set(load_table("areas")["area_code"])
    r25 = ind[(ind["indicator_id"] == "c3:Domestic_Abuse_parent") & (ind["year"] == 2025)]
    utla = set(r25.loc[r25["area_type"] == "UTLA", "area_code"])
    assert utla == areas - {"E09000001"}  # City of London: "c" in 2025
    la = raw[(raw["time_period"] == "2025") & (raw["geographic_level"] == "Local authority")]
    assert la.loc[la["new_la_code"] == "E09000001", "Domestic_Abuse_parent"].item() == "c"
    # Isles of Scilly: published as 0, kept (a real zero, not a suppression)
    scilly = _row(ind, "c3:Domestic_Abuse_parent", "E06000053", "2025")
    assert scilly["value"] == 0 and scilly["count"] == 0
    assert set(r25.loc[r25["area_type"] == "Region", "area_code"]) == {
        f"E1200000{i}" for i in range(1, 10)
    }
    # every (indicator, period) has an England row
    keys = ind[["indicator_id", "period"]].drop_duplicates()
    eng = ind.loc[ind["area_code"] == ENGLAND, ["indicator_id", "period"]].drop_duplicates()
    assert len(keys) == len(eng) == 8 * 28 + 4 * 2


def test_suppressed_and_unavailable_values_are_absent(ind: pd.DataFrame) -> None:
    # "u" (low reliability): every factor of Herefordshire and Hampshire in 2024
    for code in ("E06000019", "E10000014"):
        assert ind[(ind["area_code"] == code) & (ind["period"] == "2024")].empty
        assert not ind[(ind["area_code"] == code) & (ind["period"] == "2025")].empty
    # child criminal exploitation is recorded from 2021/22
    cce = ind[ind["indicator_id"] == "c3:Child_criminal_exploitation"]
    assert cce["year"].min() == 2022
    assert ind["value"].notna().all() and ind["count"].notna().all()


def test_former_and_recoded_areas(ind: pd.DataFrame, raw: pd.DataFrame) -> None:
    cumbria = ind[(ind["indicator_id"] == "c3:Neglect") & (ind["area_code"] == "E10000006")]
    assert set(cumbria["area_type"]) == {"Former UTLA"}
    assert cumbria["year"].max() == 2023
    assert cumbria["series_break"].str.contains("not comparable").all()
    # North Yorkshire: published as E10000023 before 2024, same area, one series
    ny = ind[(ind["indicator_id"] == "c3:Neglect") & (ind["area_code"] == "E06000065")]
    assert sorted(ny["year"]) == list(range(2018, 2026))
    assert set(ny["area_code_original"]) == {"E10000023", "E06000065"}
    r = raw[(raw["time_period"] == "2018") & (raw["new_la_code"] == "E10000023")]
    assert ny.loc[ny["year"] == 2018, "count"].item() == float(r["Neglect"].item())
