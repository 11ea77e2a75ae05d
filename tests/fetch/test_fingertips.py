"""The Fingertips adapter: recorded exports -> rows that pass the ``indicators`` suite."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from needsbook.fetch import fingertips
from needsbook.fetch.areas import AreaContext
from needsbook.fetch.errors import FetchError
from needsbook.fetch.http import Fetcher
from needsbook.fetch.sources import FINGERTIPS, select
from needsbook.snapshot.indicators import META_COLUMNS, meta_frame
from needsbook.snapshot.spec import INDICATOR_COLUMNS
from needsbook.stats import rate_ci, wilson_ci
from needsbook.validate import validate_frame
from needsbook.validate.runner import load_suite_json

from .conftest import Routes, csv_text, fixture_bytes, ok, replace_column

DATA = "/api/all_data/csv/by_indicator_id"
META = "/api/indicator_metadata/csv/by_indicator_id"


def spec(key: str) -> fingertips.FingertipsIndicator:
    return next(s for s in FINGERTIPS if s.key == key)


def suite_without_row_count(table: str) -> dict:
    """The table's suite minus its whole-table row count (a few areas are not a snapshot)."""
    suite = load_suite_json(table)
    suite["expectations"] = [
        e for e in suite["expectations"] if e["type"] != "expect_table_row_count_to_be_between"
    ]
    return suite


def row(df: pd.DataFrame, code: str, period: str) -> pd.Series:
    hit = df[(df["area_code"] == code) & (df["period"] == period)]
    assert len(hit) == 1, (code, period)
    return hit.iloc[0]


@pytest.fixture
def injuries(make_fetcher: Callable[..., Fetcher], ctx: AreaContext) -> fingertips.FingertipsResult:
    return fingertips.fetch_indicator(make_fetcher(), spec("injuries_0_14"), ctx)


def test_good_fetch_has_the_schema_and_passes_the_indicators_suite(
    injuries: fingertips.FingertipsResult,
) -> None:
    rows = injuries.rows
    assert tuple(rows.columns) == INDICATOR_COLUMNS
    assert str(rows["year"].dtype) == "Int64" and rows["value"].dtype == "float64"
    assert rows["area_code"].dtype == "str"
    report = validate_frame("indicators", rows, suite=suite_without_row_count("indicators"))
    assert report.success, report.text()
    meta = meta_frame([injuries.meta])
    assert tuple(meta.columns) == META_COLUMNS
    meta_report = validate_frame(
        "indicator_meta",
        meta,
        suite={
            **load_suite_json("indicator_meta"),
            "expectations": [
                e
                for e in load_suite_json("indicator_meta")["expectations"]
                if e["type"] != "expect_table_row_count_to_be_between"
            ],
        },
    )
    assert meta_report.success, meta_report.text()


def test_values_areas_and_periods(injuries: fingertips.FingertipsResult) -> None:
    rows = injuries.rows
    # England once (its duplicate as a child of itself dropped), 2 regions, 4 UTLAs, 3 periods
    assert rows.groupby("area_type")["area_code"].nunique().to_dict() == {
        "England": 1,
        "Region": 2,
        "UTLA": 4,
    }
    assert sorted(rows["period"].unique()) == ["2022/23", "2023/24", "2024/25"]
    assert len(rows) == 21  # persons only: male rows and deprivation deciles ignored
    rut = row(rows, "E06000017", "2023/24")
    assert rut["value"] == pytest.approx(41 / 5843 * 10_000, rel=1e-6)
    assert (rut["count"], rut["denominator"]) == (41.0, 5843.0)
    lo, hi = rate_ci(41, 5843, multiplier=10_000)
    assert (rut["lower_ci_95"], rut["upper_ci_95"]) == (
        pytest.approx(lo, rel=1e-5),
        pytest.approx(hi, rel=1e-5),
    )
    assert rut["area_name"] == "Rutland" and rut["parent_code"] == "E12000004"
    assert rut["year"] == 2024 and rut["period_type"] == "financial year"
    assert rut["polarity"] == "Low is good" and rut["unit"] == "per 10,000 aged 0-14"
    assert rut["source"] == "OHID Fingertips" and rut["indicator_id"] == "ft:90284"
    region = row(rows, "E12000005", "2024/25")
    assert region["area_name"] == "West Midlands" and region["parent_code"] == "E92000001"
    eng = row(rows, "E92000001", "2024/25")
    assert pd.isna(eng["parent_code"]) and eng["area_type"] == "England"
    assert injuries.meta["first_year"] == 2023 and injuries.meta["last_year"] == 2025
    assert injuries.meta["source_dataset"].startswith("OHID Fingertips API, indicator 90284")


def test_missing_998_limits_are_computed_like_the_snapshot(
    make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    r = fingertips.fetch_indicator(make_fetcher(), spec("smoking_delivery"), ctx)
    rut = row(r.rows, "E06000017", "2021/22")
    lo, hi = wilson_ci(24, 290, confidence=0.998, multiplier=100)
    assert rut["lower_ci_99_8"] == pytest.approx(lo) and rut["upper_ci_99_8"] == pytest.approx(hi)
    assert rut["value_type"] == "proportion" and rut["unit"] == "%"
    assert set(r.rows["area_type"]) == {"England", "Region", "UTLA"}
    assert r.meta["topic"] == "Pregnancy and birth"
    assert not r.rows[["lower_ci_99_8", "upper_ci_99_8"]].isna().any().any()


def test_changed_column_name(
    routes: Routes, make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    body = replace_column(csv_text("fingertips/data_90284.csv"), "Value", "Values")
    routes.add(DATA, ok(body), indicator_ids="90284")
    with pytest.raises(FetchError) as err:
        fingertips.fetch_indicator(make_fetcher(), spec("injuries_0_14"), ctx)
    msg = str(err.value)
    assert msg.startswith("OHID Fingertips, ft:90284: the layout has changed: expected column")
    assert "'Value' (found 'Values' instead?)" in msg
    assert (
        "URL: https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=90284"
        in msg
    )


def test_no_data_for_the_area_type(make_fetcher: Callable[..., Fetcher], ctx: AreaContext) -> None:
    with pytest.raises(FetchError) as err:
        fingertips.fetch_indicator(make_fetcher(), spec("tooth_decay_5"), ctx)
    msg = str(err.value)
    assert "ft:93563: no data for Counties & UAs (from Apr 2023) (area type 502)" in msg
    assert "child_area_type_id=502" in msg


def test_empty_data_response(
    routes: Routes, make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    routes.add(DATA, ok(b""), indicator_ids="93085")
    with pytest.raises(FetchError) as err:
        fingertips.fetch_indicator(make_fetcher(), spec("smoking_delivery"), ctx)
    assert "ft:93085: gave up after 3 attempts: empty response" in str(err.value)
    assert "indicator_ids=93085" in str(err.value)


def test_value_type_outside_the_vocabulary_is_refused(
    routes: Routes, make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    meta = fixture_bytes("fingertips/meta_90813.csv")
    routes.add(
        META,
        ok(meta.replace(b"Directly standardised rate", b"Life expectancy")),
        indicator_ids="90813",
    )
    with pytest.raises(FetchError) as err:
        fingertips.fetch_indicator(make_fetcher(), spec("self_harm_10_24"), ctx)
    assert "value type 'Life expectancy' is not in the snapshot's vocabulary" in str(err.value)


def test_id_looked_up_by_name_excluding_the_previous_method(
    routes: Routes, make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    r = fingertips.fetch_indicator(make_fetcher(), spec("ae_0_4"), ctx)
    assert r.indicator_id == "ft:90810" and r.name == "A&E attendances (0 to 4 years)"
    assert r.notes == ["'A&E attendances (0-4 years)' resolved to indicator 90810"]
    assert row(r.rows, "E06000017", "2022/23")["value"] == pytest.approx(980 / 1810 * 1000)
    assert r.rows["polarity"].eq("Not applicable").all()
    assert routes.count("/api/profiles") == 1


def test_ambiguous_name_lists_the_candidates(
    make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    with pytest.raises(FetchError) as err:
        fingertips.fetch_indicator(make_fetcher(), spec("hv_new_birth"), ctx)
    msg = str(err.value)
    assert "2 indicators of profile 'child-health-profiles' match" in msg
    assert "92444 New birth visits completed within 14 days;" in msg
    assert "choose one with --indicators ft:<id>" in msg


def test_a_reused_id_is_caught_by_its_name(
    routes: Routes, make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    """If a catalogue id now names another indicator, it is looked up by name instead."""
    wrong = fingertips.FingertipsIndicator(
        "ae",
        93085,
        "A&E attendances (0-4 years)",
        (r"A&E attendances", r"0 to 4"),
        exclude=(r"previous",),
        topic="Hospital use",
    )
    r = fingertips.fetch_indicator(make_fetcher(), wrong, ctx)
    assert r.indicator_id == "ft:90810"
    assert r.notes[0] == (
        "indicator 93085 is now 'Smoking status at time of delivery'; looked up by name"
    )


def test_adhoc_id_uses_fingertips_metadata(
    make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    (item,) = select(None, ["93085"])
    assert item.key == "ft:93085" and item.checked
    (adhoc,) = select(None, ["ft:90810"])
    r = fingertips.fetch_indicator(make_fetcher(), adhoc.spec, ctx)
    assert r.meta["unit"] == "per 1,000" and r.meta["topic"] == "Fingertips indicators"
    assert np.isfinite(r.rows["lower_ci_99_8"]).all()
