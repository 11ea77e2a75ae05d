"""The long indicator table and its metadata, checked against values read from the raw files."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

RAW = Path(__file__).parents[2].parent / "shared" / "data-raw"
ROOT = Path(__file__).parents[2]
pytestmark = [
    pytest.mark.needs_raw,
    pytest.mark.skipif(not RAW.is_dir(), reason=f"raw data not found at {RAW}"),
]

from needsbook.snapshot import indicators  # noqa: E402
from needsbook.snapshot.build import write_parquet  # noqa: E402
from needsbook.snapshot.ind_common import period_end_year  # noqa: E402
from needsbook.snapshot.ind_lait import value_type_of  # noqa: E402
from needsbook.snapshot.spec import INDICATOR_COLUMNS  # noqa: E402

ENGLAND = "E92000001"


@pytest.fixture(scope="module")
def built() -> tuple[pd.DataFrame, pd.DataFrame]:
    return indicators.assemble(RAW)


@pytest.fixture(scope="module")
def ind(built: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    return built[0]


@pytest.fixture(scope="module")
def meta(built: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    return built[1]


def _row(df: pd.DataFrame, indicator: str, code: str, period: str) -> pd.Series:
    hit = df[
        (df["indicator_id"] == indicator) & (df["area_code"] == code) & (df["period"] == period)
    ]
    assert len(hit) == 1, (indicator, code, period, len(hit))
    return hit.iloc[0]


# ------------------------------------------------------------------------------------------
# Shape, types, keys
# ------------------------------------------------------------------------------------------
def test_columns_and_types(ind: pd.DataFrame, meta: pd.DataFrame) -> None:
    assert tuple(ind.columns) == INDICATOR_COLUMNS
    assert str(ind["year"].dtype) == "Int64"
    for col in ("value", "count", "denominator", "lower_ci_95", "upper_ci_99_8"):
        assert ind[col].dtype == "float64"
    for col in ("indicator_id", "area_code", "period", "series_break", "parent_code"):
        assert ind[col].dtype == "str"
    assert tuple(meta.columns) == indicators.META_COLUMNS
    assert str(meta["first_year"].dtype) == "Int64"
    assert meta["has_ci"].dtype == bool


def test_key_unique_and_sorted(ind: pd.DataFrame) -> None:
    assert not ind.duplicated(list(indicators.KEY)).any()
    order = ind.sort_values(["indicator_id", "area_code", "year", "period"], kind="mergesort")
    assert order.index.equals(ind.index)


def test_families(ind: pd.DataFrame, meta: pd.DataFrame) -> None:
    fam = ind["indicator_id"].str.split(":").str[0].value_counts()
    assert set(fam.index) == {"lait", "csc", "cover", "neet", "eyfs", "ft", "c3"}
    assert set(meta["indicator_id"]) == set(ind["indicator_id"])
    assert meta["indicator_id"].is_unique
    n_lait = meta["indicator_id"].str.startswith("lait:").sum()
    assert 420 <= n_lait <= 434  # 434 measures less the few with no England row at all
    for needed in (
        "cover:DTaPIPVHib3_12m",
        "cover:MMR1_24m",
        "cover:MMR2_Boo_5y",
        "cover:DTaPIPV_Boo_5y",
        "csc:cla_rate",
        "csc:cin_rate",
        "csc:cpp_rate",
        "csc:rereferral_pct",
        "neet:neet_or_not_known_pct",
        "eyfs:gld_all",
        "eyfs:gld_fsm",
        "ft:90284",
        "lait:InfMort",
    ):
        assert needed in set(meta["indicator_id"]), needed
    derived = meta[~meta["indicator_id"].str.startswith("lait:")]
    assert derived["has_ci"].all() and derived["has_count"].all()
    assert not meta.loc[meta["indicator_id"].str.startswith("lait:"), "has_ci"].any()


def test_england_present_for_every_indicator_period(ind: pd.DataFrame) -> None:
    assert indicators.england_missing(ind).empty
    assert (ind["area_code"] == ENGLAND).any()
    assert indicators.england_missing(ind[ind["area_code"] != ENGLAND]).shape[0] > 0


# ------------------------------------------------------------------------------------------
# Values against the raw files
# ------------------------------------------------------------------------------------------
def test_worcestershire_cla_rate_2025(ind: pd.DataFrame) -> None:
    with (RAW / "dfe_csc" / "cla_number_and_rate_per_10k_children.csv").open(
        encoding="utf-8-sig", newline=""
    ) as f:
        pub = next(
            r
            for r in csv.DictReader(f)
            if r["new_la_code"] == "E10000034"
            and r["time_period"] == "2025"
            and r["population_type"] == "Children looked after on 31 March each year"
        )
    row = _row(ind, "csc:cla_rate", "E10000034", "2025")
    assert row["count"] == float(pub["children_count"]) == 1036
    assert row["denominator"] == float(pub["population_estimate"]) == 120119
    assert round(row["value"]) == int(pub["rate_per_10000"]) == 86
    assert row["value"] == pytest.approx(1036 / 120119 * 10_000)
    assert row["lower_ci_99_8"] < row["lower_ci_95"] < row["value"] < row["upper_ci_95"]
    assert row["upper_ci_95"] < row["upper_ci_99_8"]
    assert row["area_name"] == "Worcestershire" and row["parent_code"] == "E12000005"
    assert row["unit"] == "per 10,000 aged 0-17" and row["value_type"] == "crude rate"


def test_cin_rate_reproduces_lait(ind: pd.DataFrame) -> None:
    """CIN at 31 March / previous mid-year 0-17 population = DfE's published CIN rate."""
    for year in ("2016", "2021", "2025"):
        ours = _row(ind, "csc:cin_rate", ENGLAND, year)["value"]
        lait = _row(ind, "lait:CIN", ENGLAND, year)["value"]
        assert round(ours, 1) == pytest.approx(lait)


def test_cover_annual_is_sum_of_quarters(ind: pd.DataFrame) -> None:
    num = den = 0.0
    quarters = set()
    with gzip.open(RAW / "ukhsa_cover" / "cover_utla_quarterly_long.csv.gz", "rt") as f:
        for r in csv.DictReader(f):
            if (r["utla_ons_code_mapped"], r["age"], r["vaccine"], r["financial_year"]) == (
                "E10000034",
                "24m",
                "MMR1",
                "2023-24",
            ):
                num += float(r["numerator"])
                den += float(r["denominator"])
                quarters.add(r["fy_quarter"])
    assert len(quarters) == 4
    row = _row(ind, "cover:MMR1_24m", "E10000034", "2023/24")
    assert row["count"] == num and row["denominator"] == den
    assert row["value"] == pytest.approx(100 * num / den)
    assert row["period_type"] == "financial year" and row["year"] == 2024
    eng = _row(ind, "cover:MMR1_24m", ENGLAND, "2023/24")
    assert eng["source"] == "UKHSA COVER (sum of UTLAs)"
    assert 85 < eng["value"] < 92


def test_cover_northamptonshire_combined_quarters(ind: pd.DataFrame) -> None:
    """2021/22 Q1-Q2 'West Northamptonshire' rows are both authorities combined."""
    cover = ind[ind["indicator_id"].str.startswith("cover:")]
    for code in ("E06000061", "E06000062"):
        assert not ((cover["area_code"] == code) & (cover["period"] == "2021/22")).any()
        assert ((cover["area_code"] == code) & (cover["period"] == "2022/23")).any()


def test_fingertips_keeps_its_own_values(ind: pd.DataFrame) -> None:
    with gzip.open(RAW / "dfe_csc" / "la_hospital_admissions_2324.csv.gz", "rt") as f:
        pub = next(
            r
            for r in csv.DictReader(f)
            if r["Area Code"] == "E10000034"
            and r["Time period"] == "2023/24"
            and r["Sex"] == "Persons"
            and not r["Category Type"]
        )
    row = _row(ind, "ft:90284", "E10000034", "2023/24")
    assert row["value"] == pytest.approx(float(pub["Value"]))
    assert row["lower_ci_95"] == pytest.approx(float(pub["Lower CI 95.0 limit"]))
    assert row["upper_ci_99_8"] == pytest.approx(float(pub["Upper CI 99.8 limit"]))
    assert row["count"] == float(pub["Count"]) and row["denominator"] == float(pub["Denominator"])
    early = _row(ind, "ft:90284", ENGLAND, "2010/11")  # 99.8% limits computed (not exported)
    assert early["lower_ci_99_8"] < early["lower_ci_95"] < early["upper_ci_95"]
    assert early["upper_ci_95"] < early["upper_ci_99_8"]


def test_neet_and_eyfs(ind: pd.DataFrame) -> None:
    neet = _row(ind, "neet:neet_or_not_known_pct", ENGLAND, "2025")
    assert neet["value"] == 5.6 and neet["denominator"] == 1335160
    assert neet["count"] == round(0.056 * 1335160)
    gld = _row(ind, "eyfs:gld_all", ENGLAND, "2021/22")
    assert (gld["count"], gld["denominator"]) == (405723, 622583)
    assert round(gld["value"], 1) == 65.2
    fsm = _row(ind, "eyfs:gld_fsm", ENGLAND, "2021/22")
    assert round(fsm["value"], 1) == 49.1


def test_lait_metadata(ind: pd.DataFrame, meta: pd.DataFrame) -> None:
    m = meta.set_index("indicator_id").loc["lait:InfMort"]
    assert m["polarity"] == "Low is good" and m["value_type"] == "crude rate"
    # catalogued: name, unit and polarity are the catalogue's; LAIT's dictionary otherwise
    assert m["unit"] == "per 1,000 live births" and m["period_type"] == "calendar year"
    assert m["indicator_name"] == "Infant mortality"
    assert meta.set_index("indicator_id").loc["lait:LAC", "polarity"] == "No judgement"
    rev = ind[ind["indicator_id"] == "lait:A3A"]
    assert {"2018 (Rev)", "2020 (Final)", "2025 (Rev)"} <= set(rev["period"])
    assert not rev.duplicated(["area_code", "year"]).any()
    pooled = _row(ind, "lait:RTA", ENGLAND, "2014-16")
    assert pooled["year"] == 2016 and pooled["period_type"] == "3 calendar years pooled"


# ------------------------------------------------------------------------------------------
# Area codes
# ------------------------------------------------------------------------------------------
def test_buckinghamshire_recoded(ind: pd.DataFrame) -> None:
    lait = ind[ind["indicator_id"].str.startswith("lait:")]
    early = lait[(lait["area_code"] == "E06000060") & (lait["year"] < 2020)]
    assert len(early) > 500
    assert (early["area_code_original"] == "E10000002").all()
    assert (early["area_type"] == "UTLA").all() and early["series_break"].isna().all()
    assert (early["area_name"] == "Buckinghamshire").all()
    late = lait[(lait["area_code"] == "E06000060") & (lait["year"] > 2020)]
    assert (late["area_code_original"] == "E06000060").all()
    assert not (ind["area_code"] == "E10000002").any()


def test_former_utlas_kept_separate(ind: pd.DataFrame) -> None:
    cumbria = ind[ind["area_code"] == "E10000006"]
    assert len(cumbria) > 1000
    assert (cumbria["area_type"] == "Former UTLA").all()
    assert (cumbria["parent_code"] == "E12000002").all()
    assert cumbria["series_break"].notna().all()
    assert not (ind["area_code_original"].eq("E10000006") & ind["area_code"].ne("E10000006")).any()
    for code in ("E10000021", "E10000009", "E06000028", "E06000029"):
        assert (ind.loc[ind["area_code"] == code, "area_type"] == "Former UTLA").all()
    types = set(ind["area_type"])
    assert {"England", "Region", "UTLA", "Former UTLA"} <= types
    assert not ind["area_code"].str.startswith("E13").any()


def test_barnsley_boundary_change_marked(ind: pd.DataFrame) -> None:
    rows = ind[ind["area_code_original"] == "E08000016"]
    assert (rows["area_code"] == "E08000038").all()
    assert rows["series_break"].str.contains("boundary change").all()


# ------------------------------------------------------------------------------------------
# Determinism
# ------------------------------------------------------------------------------------------
def test_rebuild_is_identical(built: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path) -> None:
    again = indicators.assemble(RAW)
    pd.testing.assert_frame_equal(again[0], built[0])
    pd.testing.assert_frame_equal(again[1], built[1])
    a = write_parquet(built[0], tmp_path / "a.parquet")
    b = write_parquet(again[0], tmp_path / "b.parquet")
    assert a == b
    assert hashlib.sha256((tmp_path / "a.parquet").read_bytes()).hexdigest() == a


def test_build_functions_match_tables(ind: pd.DataFrame) -> None:
    specs = {s.name: s for s in indicators.TABLES}
    assert set(specs) == {"indicators", "indicator_meta"}
    assert specs["indicators"].key == ("indicator_id", "area_code", "period")
    assert all((RAW / f).is_file() for s in specs.values() for f in s.source_files)
    pd.testing.assert_frame_equal(specs["indicators"].build(RAW), ind)


# ------------------------------------------------------------------------------------------
# Expectation suites
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def batch_definition() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = ctx.data_sources.add_pandas("s")
    return source.add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")


def _suite(name: str) -> Any:
    import great_expectations as gx

    raw = json.loads((ROOT / "expectations" / f"{name}.json").read_text())
    suite = gx.ExpectationSuite(**raw)
    # GX silently drops expectations whose type it does not know: make sure none were.
    assert len(suite.expectations) == len(raw["expectations"])
    return suite


def _failures(batch_definition: Any, name: str, df: pd.DataFrame) -> list[tuple[str, str]]:
    batch = batch_definition.get_batch(batch_parameters={"dataframe": df.reset_index(drop=True)})
    result = batch.validate(_suite(name))
    out = []
    for r in result.results:
        if not r.success:
            kw = r.expectation_config.kwargs
            col = kw.get("column") or f"{kw.get('column_A')} vs {kw.get('column_B')}"
            out.append((r.expectation_config.type, col))
    return out


def test_suites_pass(batch_definition: Any, ind: pd.DataFrame, meta: pd.DataFrame) -> None:
    assert _failures(batch_definition, "indicators", ind) == []
    assert _failures(batch_definition, "indicator_meta", meta) == []


def test_suite_catches_broken_copy(batch_definition: Any, ind: pd.DataFrame) -> None:
    broken = ind.copy()
    counted = broken.index[broken["count"].notna()]
    broken.loc[counted[0], "count"] = -5.0
    inside = (broken["lower_ci_95"] < broken["value"]) & (broken["value"] < broken["upper_ci_95"])
    i = broken.index[inside][10]
    lower, upper = float(broken.at[i, "lower_ci_95"]), float(broken.at[i, "upper_ci_95"])
    broken.at[i, "lower_ci_95"], broken.at[i, "upper_ci_95"] = upper, lower
    assert broken.at[i, "lower_ci_95"] > broken.at[i, "value"] > broken.at[i, "upper_ci_95"]
    fails = _failures(batch_definition, "indicators", broken)
    assert ("expect_column_values_to_be_between", "count") in fails
    assert ("expect_column_pair_values_a_to_be_greater_than_b", "value vs lower_ci_95") in fails
    assert ("expect_column_pair_values_a_to_be_greater_than_b", "upper_ci_95 vs value") in fails
    assert all("count" in c or "ci_95" in c for _, c in fails), fails


def test_meta_suite_catches_bad_polarity(batch_definition: Any, meta: pd.DataFrame) -> None:
    broken = meta.copy()
    broken.loc[0, "polarity"] = "Higher is better"
    fails = _failures(batch_definition, "indicator_meta", broken)
    assert fails == [("expect_column_values_to_be_in_set", "polarity")]


# ------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "year"),
    [
        ("2023/24", 2024),
        ("2016-17 (OT)", 2017),
        ("2014-16", 2016),
        ("2025 (Rev)", 2025),
        ("2013/14-15/16", 2016),
        ("2020 (Final)", 2020),
        ("2025 (prov)", 2025),
        ("2024", 2024),
        ("0", None),
    ],
)
def test_period_end_year(label: str, year: int | None) -> None:
    assert period_end_year(label) == year


@pytest.mark.parametrize(
    ("unit", "kind"),
    [
        ("% achieving expected level", "proportion"),
        ("Rate per 10,000", "crude rate"),
        ("% gap", "difference"),
        ("Number of Children Looked After", "count"),
        ("Average Score", "mean"),
        ("Score", "score"),
        ("Unit Cost", "money"),
        ("Turnover rate", "proportion"),
        ("% of the school population", "crude rate"),
    ],
)
def test_value_type_of(unit: str, kind: str) -> None:
    assert value_type_of(unit) == kind
