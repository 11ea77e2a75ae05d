"""Offline stand-ins for the official APIs: recorded responses behind ``httpx.MockTransport``.

``routes`` maps request paths (and query parameters) to recorded bodies in ``fixtures/`` or to
failures (HTTP errors, timeouts, truncated bodies). ``use_routes`` makes every ``Fetcher``
built by the code under test (including via the CLI) use them. The Nomis responses are made on
the fly from the committed ``population_syoa`` table, in the Nomis CSV layout, because a real
response for all 153 areas would not be a small fixture.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from needsbook.fetch import http as fetch_http
from needsbook.fetch.areas import AreaContext, area_context
from needsbook.fetch.http import Fetcher, RetryPolicy

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "data" / "snapshot"
RAW = ROOT.parent / "shared" / "data-raw"
FT = "https://fingertips.phe.org.uk"
EES = "https://api.education.gov.uk/statistics"
NOMIS = "https://www.nomisweb.co.uk/api/v01"
CLA_PUB = "5ee4a7a1-1c3e-4c4a-8b5e-2e9c1f0d7a11"
CLA_DS = "7a0e3f52-3d1b-4c8e-9f6d-0b2a6c4e9d21"
Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def ok(body: bytes | str, content_type: str = "text/csv") -> httpx.Response:
    data = body.encode() if isinstance(body, str) else body
    return httpx.Response(200, content=data, headers={"content-type": content_type})


class Routes:
    """A tiny fake web: ``add(path, *replies, **query)``; replies are used in order, the last
    one repeats. Unknown requests get a 404. ``calls`` records every request."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, dict[str, str], list[Reply]]] = []
        self.calls: list[httpx.Request] = []

    def add(self, path: str, *replies: Reply, **query: str) -> Routes:
        self.routes.insert(0, (path, {k: str(v) for k, v in query.items()}, list(replies)))
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        for path, query, replies in self.routes:
            if request.url.path == path and all(
                request.url.params.get(k) == v for k, v in query.items()
            ):
                reply = replies[0] if len(replies) == 1 else replies.pop(0)
                if isinstance(reply, Exception):
                    raise reply
                if callable(reply) and not isinstance(reply, httpx.Response):
                    return reply(request)
                return reply
        return httpx.Response(404, text=f"no route for {request.url}")

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def count(self, path: str) -> int:
        return sum(1 for c in self.calls if c.url.path == path)


# -- Nomis ----------------------------------------------------------------------------------
YEARS = {"latest": 2024, **{f"latestMINUS{k}": 2024 - k for k in range(1, 6)}}
RENUMBERED = {"E08000038": "E08000016", "E08000039": "E08000019"}  # published before May 2025


def _nomis_base() -> pd.DataFrame:
    pop = pd.read_parquet(SNAPSHOT / "population_syoa.parquet")
    pop = pop[pop["year"] == 2020].drop_duplicates(["area_code", "age"])
    pop = pop.assign(code=pop["area_code"].replace(RENUMBERED))
    return pop[["code", "area_name", "age", "population"]]


_BASE: list[pd.DataFrame] = []


def nomis_mye(request: httpx.Request) -> httpx.Response:
    """NM_2002_1 as Nomis returns it: one row per geography x date x age (persons)."""
    if not _BASE:
        _BASE.append(_nomis_base())
    base = _BASE[0]
    params = request.url.params
    year = YEARS[params["date"]]
    codes = params["geography"].split(",")
    rows = base[base["code"].isin(codes)]
    out = pd.DataFrame(
        {
            "DATE_NAME": str(year),
            "GEOGRAPHY_CODE": rows["code"],
            "GEOGRAPHY_NAME": rows["area_name"],
            "GENDER_NAME": "Total",
            "C_AGE_NAME": [f"Age {a}" if a < 90 else "Aged 90+" for a in rows["age"]],
            "OBS_VALUE": (rows["population"] * (1 + (year - 2020) / 100)).round().astype(int),
        }
    )
    return ok(out.to_csv(index=False))


def default_routes() -> Routes:
    r = Routes()
    for ind in ("90284", "93085", "93563", "90810"):
        r.add(
            "/api/all_data/csv/by_indicator_id",
            ok(fixture_bytes(f"fingertips/data_{ind}.csv")),
            indicator_ids=ind,
            child_area_type_id="502",
            parent_area_type_id="6",
        )
    for ind in ("90284", "93085", "90813", "93563", "90810"):
        r.add(
            "/api/indicator_metadata/csv/by_indicator_id",
            ok(fixture_bytes(f"fingertips/meta_{ind}.csv")),
            indicator_ids=ind,
        )
    r.add("/api/profiles", ok(fixture_bytes("fingertips/profiles.json"), "application/json"))
    r.add(
        "/api/indicator_metadata/csv/by_profile_id",
        ok(fixture_bytes("fingertips/meta_profile_133.csv")),
        profile_id="133",
    )
    r.add(
        "/statistics/v1/publications",
        ok(fixture_bytes("ees/publications_cla.json"), "application/json"),
        search="Children looked after in England including adoptions",
    )
    r.add(
        f"/statistics/v1/publications/{CLA_PUB}/data-sets",
        ok(fixture_bytes("ees/data_sets_cla.json"), "application/json"),
    )
    r.add(f"/statistics/v1/data-sets/{CLA_DS}/csv", ok(fixture_bytes("ees/cla_data_set.csv")))
    r.add("/api/v01/dataset/NM_2002_1.data.csv", nomis_mye)
    return r


@pytest.fixture
def routes(monkeypatch: pytest.MonkeyPatch) -> Routes:
    """The recorded official APIs, used by every Fetcher made during the test."""
    r = default_routes()
    monkeypatch.setattr(fetch_http, "_default_transport", r.transport)
    monkeypatch.setattr(
        fetch_http, "RetryPolicy", lambda *a, **k: RetryPolicy(attempts=3, backoff=0.0)
    )
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(var, raising=False)
    return r


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_fetcher(tmp_path: Path, routes: Routes, sleeps: Sleeps) -> Callable[..., Fetcher]:
    """``make_fetcher(**kw)``: a Fetcher on the recorded APIs with a temp cache, no sleeping."""

    def make(**kw: Any) -> Fetcher:
        kw.setdefault("retry", RetryPolicy(attempts=3, backoff=1.0))
        kw.setdefault("sleep", sleeps)
        kw.setdefault("transport", routes.transport())
        return Fetcher(tmp_path / "cache", **kw)

    return make


@pytest.fixture(scope="session")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> AreaContext:
    """Area lookups rebuilt from the committed snapshot (no raw data folder needed)."""
    return area_context(None, SNAPSHOT, tmp_path_factory.mktemp("lookups"))


def csv_text(name: str) -> str:
    return fixture_bytes(name).decode("utf-8-sig")


def replace_column(text: str, old: str, new: str) -> bytes:
    header, _, rest = text.partition("\n")
    return (
        re.sub(rf"(^|,){re.escape(old)}(,|$)", rf"\g<1>{new}\g<2>", header) + "\n" + rest
    ).encode()


def read_fixture_frame(name: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(csv_text(name)), dtype=str)


@pytest.fixture(autouse=True)
def national_requests(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The data folders a rebuilt snapshot asked national tables for, recorded instead of
    worked out: deriving them takes minutes (tests/national checks them), and a book built
    from a snapshot without them works the same values out as it builds."""
    from needsbook.snapshot import build

    asked: list[Path] = []
    monkeypatch.setattr(build, "write_national", lambda data_dir, log=print: asked.append(data_dir))
    return asked
