"""ONS population via Nomis: the CSV layout, chunking under the row limit, and area mapping."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from needsbook.fetch import ons
from needsbook.fetch.areas import AreaContext
from needsbook.fetch.csvio import read_csv
from needsbook.fetch.errors import FetchError
from needsbook.fetch.http import Fetcher
from needsbook.fetch.sources import ONS
from needsbook.validate import validate_frame
from needsbook.validate.runner import load_suite_json

from .conftest import Routes, fixture_bytes, ok

MYE = next(s for s in ONS if s.key == "mye")
ONE_YEAR = ons.NomisDataset(
    "mye", MYE.title, "NM_2002_1", "date", ("latest",), "0", "population_syoa", districts=True
)


def test_sample_layout_and_ages() -> None:
    df = read_csv(fixture_bytes("ons/nm_2002_1_sample.csv"), source=ons.SOURCE)
    assert list(ons._age(df["C_AGE_NAME"])) == [0, 1, 17, 90]


def test_mye_rows_for_all_areas_in_requests_under_the_limit(
    routes: Routes, make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    r = ons.fetch_dataset(make_fetcher(), ONE_YEAR, ctx)
    assert r.table == "population_syoa" and r.years == [2024]
    rows = r.rows
    assert (
        list(rows.columns)
        == load_suite_json("population_syoa")["expectations"][0]["kwargs"]["column_list"]
    )
    assert rows.groupby("area_type")["area_code"].nunique().to_dict() == {
        "England": 1,
        "Region": 9,
        "UTLA": 153,
        "District": 296,
    }
    assert len(rows) == (1 + 9 + 153 + 296) * 91
    # Barnsley was published under its pre-2025 code and is put on today's
    barnsley = rows[(rows["area_code"] == "E08000038") & (rows["area_type"] == "UTLA")]
    assert len(barnsley) == 91 and barnsley["parent_code"].eq("E12000003").all()
    rut = rows[(rows["area_code"] == "E06000017") & (rows["age"] == 90)]
    assert set(rut["area_type"]) == {"UTLA", "District"}
    calls = [c for c in routes.calls if c.url.path.endswith("NM_2002_1.data.csv")]
    assert len(calls) >= 2  # geographies split so that no request can reach 25,000 rows
    for call in calls:
        q = parse_qs(urlsplit(str(call.url)).query)
        assert len(q["geography"][0].split(",")) * 91 < ons.ROW_LIMIT
        assert q["c_age"] == ["101...191"] and q["gender"] == ["0"] and q["measures"] == ["20100"]
    # a refreshed year validates against the same suite as the embedded snapshot
    suite = load_suite_json("population_syoa")
    report = validate_frame("population_syoa", rows, suite=suite)
    assert report.success, report.text()


def test_row_limit_response_is_refused(
    routes: Routes, make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    header = "DATE_NAME,GEOGRAPHY_CODE,GEOGRAPHY_NAME,GENDER_NAME,C_AGE_NAME,OBS_VALUE\n"
    big = header + "2024,E06000017,Rutland,Total,Age 0,1\n" * ons.ROW_LIMIT
    routes.add("/api/v01/dataset/NM_2002_1.data.csv", ok(big))
    with pytest.raises(FetchError) as err:
        ons.fetch_dataset(make_fetcher(), ONE_YEAR, ctx)
    assert "ons:mye: the response has 25,000 rows, Nomis's limit: it may be incomplete" in str(
        err.value
    )


def test_missing_areas_are_an_error(
    routes: Routes, make_fetcher: Callable[..., Fetcher], ctx: AreaContext
) -> None:
    def only_england(request: httpx.Request) -> httpx.Response:
        return ok(
            "DATE_NAME,GEOGRAPHY_CODE,GEOGRAPHY_NAME,GENDER_NAME,C_AGE_NAME,OBS_VALUE\n"
            "2024,E92000001,England,Total,Age 0,560000\n"
        )

    routes.add("/api/v01/dataset/NM_2002_1.data.csv", only_england)
    with pytest.raises(FetchError, match="no data for 153 current upper-tier LAs \\(E06000001"):
        ons.fetch_dataset(make_fetcher(), ONE_YEAR, ctx)
