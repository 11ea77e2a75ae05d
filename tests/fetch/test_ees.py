"""The DfE explore-education-statistics adapter: resolve the data set, check its layout."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import httpx
import pandas as pd
import pytest

from needsbook.fetch import ees
from needsbook.fetch.errors import FetchError
from needsbook.fetch.http import Fetcher
from needsbook.fetch.sources import EES
from needsbook.snapshot.ind_csc import read_ees

from .conftest import CLA_DS, CLA_PUB, Routes, csv_text, fixture_bytes, ok, replace_column

CLA = next(s for s in EES if s.key == "cla")
CSV_PATH = f"/statistics/v1/data-sets/{CLA_DS}/csv"


def test_resolves_publication_and_data_set_then_downloads(
    routes: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    r = ees.fetch_data_set(make_fetcher(), CLA)
    assert (
        r.data_set_id == CLA_DS and r.target == "dfe_csc/cla_number_and_rate_per_10k_children.csv"
    )
    assert r.title.startswith("Children looked after on 31 March, starting and ceasing")
    assert r.periods == ["2024", "2025", "2026"] and r.rows == 63
    assert r.urls[0] == (
        "https://api.education.gov.uk/statistics/v1/publications?"
        "search=Children+looked+after+in+England+including+adoptions&page=1&pageSize=40"
    )
    assert r.urls[-1] == f"https://api.education.gov.uk{CSV_PATH}"
    assert r.body == fixture_bytes("ees/cla_data_set.csv")


def test_download_reads_like_the_raw_file(
    routes: Routes, make_fetcher: Callable[..., Fetcher], tmp_path: pd.DataFrame
) -> None:
    r = ees.fetch_data_set(make_fetcher(), CLA)
    path = tmp_path / "cla.csv"
    path.write_bytes(r.body)
    df = read_ees(path)
    rut = df[(df["code"] == "E06000017") & (df["time_period"] == "2026")]
    assert set(rut["population_type"]) == {
        "Children looked after on 31 March each year",
        "Children starting to be looked after each year",
        "Children ceasing to be looked after each year",
    }


def test_pinned_data_set_skips_the_lookup(
    routes: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    r = ees.fetch_data_set(make_fetcher(), CLA, pins={"ees:cla": CLA_DS})
    assert r.urls == [f"https://api.education.gov.uk{CSV_PATH}"]
    assert routes.count("/statistics/v1/publications") == 0


def test_no_matching_data_set_lists_what_is_there(
    routes: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    listing = json.loads(fixture_bytes("ees/data_sets_cla.json"))
    listing["results"] = listing["results"][1:]  # only the placements data set is published
    routes.add(
        f"/statistics/v1/publications/{CLA_PUB}/data-sets",
        ok(json.dumps(listing), "application/json"),
    )
    with pytest.raises(FetchError) as err:
        ees.fetch_data_set(make_fetcher(), CLA)
    msg = str(err.value)
    assert msg.startswith("DfE explore-education-statistics, ees:cla: no data sets of")
    assert "'Placements of children looked after at 31 March'" in msg
    assert "needsbook fetch --data-set ees:cla=<data set id>" in msg
    assert (
        f"URL: https://api.education.gov.uk/statistics/v1/publications/{CLA_PUB}/data-sets" in msg
    )


def test_unknown_publication(routes: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    routes.add(
        "/statistics/v1/publications",
        ok('{"paging": {"page": 1, "totalPages": 1}, "results": []}', "application/json"),
    )
    with pytest.raises(
        FetchError,
        match=r"publication 'Children looked after in England including adoptions' not found "
        r"\(search returned: none\)",
    ):
        ees.fetch_data_set(make_fetcher(), CLA)


def test_changed_column(routes: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    body = replace_column(csv_text("ees/cla_data_set.csv"), "children_count", "number_of_children")
    routes.add(CSV_PATH, ok(body))
    with pytest.raises(FetchError) as err:
        ees.fetch_data_set(make_fetcher(), CLA)
    msg = str(err.value)
    assert "ees:cla: the layout has changed: expected column 'children_count'" in msg
    assert f"URL: https://api.education.gov.uk{CSV_PATH}" in msg


def test_no_local_authority_rows(routes: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    df = pd.read_csv(
        io.BytesIO(fixture_bytes("ees/cla_data_set.csv")), dtype=str, encoding="utf-8-sig"
    )
    routes.add(CSV_PATH, ok(df[df["geographic_level"] != "Local authority"].to_csv(index=False)))
    with pytest.raises(
        FetchError, match="no local authority rows \\(geographic levels: National, Regional\\)"
    ):
        ees.fetch_data_set(make_fetcher(), CLA)


def test_500_then_json_error_page(routes: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    routes.add("/statistics/v1/publications", httpx.Response(500), ok("<html>Service unavailable"))
    with pytest.raises(FetchError) as err:
        ees.fetch_data_set(make_fetcher(), CLA)
    assert "gave up after 3 attempts: the response is not valid JSON" in str(err.value)


def test_drop_periods_for_older_files() -> None:
    body = b"time_period,geographic_level,x\n2023,National,1\n2024,National,2\n"
    assert ees.drop_periods(body, ["2024"]) == b"time_period,geographic_level,x\n2023,National,1\n"
