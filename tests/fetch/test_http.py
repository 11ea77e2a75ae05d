"""The HTTP layer: retries and backoff, failures named by source/URL/indicator, proxies, cache."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from needsbook.fetch.csvio import read_csv
from needsbook.fetch.errors import FetchError
from needsbook.fetch.http import Fetcher, RetryPolicy, cache_key, redact

from .conftest import Routes, Sleeps, ok

URL = "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id"
PARAMS = {"indicator_ids": "93085", "child_area_type_id": "502", "parent_area_type_id": "6"}
FULL = f"{URL}?indicator_ids=93085&child_area_type_id=502&parent_area_type_id=6"
GOOD = "Area Code,Value\nE92000001,9.1\nE06000017,8.3\n"
PATH = "/api/all_data/csv/by_indicator_id"


def csv_check(body: bytes) -> int:
    return len(read_csv(body, source="OHID Fingertips", required=("Area Code", "Value")))


def get(fetcher: Fetcher) -> int:
    return fetcher.get(
        URL, params=PARAMS, source="OHID Fingertips", indicator="ft:93085", check=csv_check
    ).value


@pytest.fixture
def fresh(routes: Routes) -> Routes:
    routes.routes.clear()
    return routes


def test_retries_503_with_backoff_then_succeeds_and_caches(
    fresh: Routes, make_fetcher: Callable[..., Fetcher], sleeps: Sleeps
) -> None:
    fresh.add(PATH, httpx.Response(503), httpx.Response(503), ok(GOOD))
    fetcher = make_fetcher()
    assert get(fetcher) == 2
    assert fetcher.requests == 3
    assert sleeps == [1.0, 2.0]  # exponential backoff
    entry = fetcher.cached("OHID Fingertips", FULL)
    assert entry is not None and entry.read_bytes() == GOOD.encode()
    side = json.loads(entry.path.with_suffix(".json").read_text())
    assert side["url"] == FULL and side["bytes"] == len(GOOD) and len(side["sha256"]) == 64
    assert side["indicator"] == "ft:93085" and side["fetched_at"].endswith("+00:00")


def test_gives_up_after_n_attempts_naming_source_url_and_indicator(
    fresh: Routes, make_fetcher: Callable[..., Fetcher], sleeps: Sleeps
) -> None:
    fresh.add(PATH, httpx.Response(500, text="Internal Server Error"))
    with pytest.raises(FetchError) as err:
        get(make_fetcher(retry=RetryPolicy(attempts=4, backoff=0.5)))
    msg = str(err.value)
    assert msg.startswith("OHID Fingertips, ft:93085: gave up after 4 attempts: HTTP 500")
    assert f"URL: {FULL}" in msg
    assert sleeps == [0.5, 1.0, 2.0]
    assert fresh.count(PATH) == 4
    assert err.value.exit_code == 1


def test_retry_after_header_is_honoured_up_to_the_cap(
    fresh: Routes, make_fetcher: Callable[..., Fetcher], sleeps: Sleeps
) -> None:
    fresh.add(PATH, httpx.Response(429, headers={"Retry-After": "7"}), ok(GOOD))
    get(make_fetcher(retry=RetryPolicy(attempts=2, backoff=1.0, max_backoff=5.0)))
    assert sleeps == [5.0]


def test_timeout_is_retried_then_reported(
    fresh: Routes, make_fetcher: Callable[..., Fetcher], sleeps: Sleeps
) -> None:
    fresh.add(PATH, httpx.ReadTimeout("read timed out"))
    with pytest.raises(FetchError) as err:
        get(make_fetcher())
    assert "gave up after 3 attempts: timed out (ReadTimeout" in str(err.value)
    assert fresh.count(PATH) == 3


def test_timeout_then_success(fresh: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    fresh.add(PATH, httpx.ConnectTimeout("connect timed out"), ok(GOOD))
    assert get(make_fetcher()) == 2


def test_truncated_body_by_content_length_is_retried(
    fresh: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    short = httpx.Response(200, content=GOOD[:20].encode(), headers={"Content-Length": "200"})
    fresh.add(PATH, short)
    with pytest.raises(FetchError) as err:
        get(make_fetcher())
    assert "response body truncated: got 20 of 200 bytes" in str(err.value)
    assert fresh.count(PATH) == 3


def test_truncated_csv_row_is_retried_then_cached_when_complete(
    fresh: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    fresh.add(PATH, ok("Area Code,Value,Count\nE92000001,9.1,52109\nE0600001"), ok(GOOD))
    fetcher = make_fetcher()
    assert get(fetcher) == 2
    assert fetcher.cached("OHID Fingertips", FULL).read_bytes() == GOOD.encode()


def test_truncated_csv_message(fresh: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    fresh.add(PATH, ok("Area Code,Value,Count\nE92000001,9.1,52109\nE0600001"))
    with pytest.raises(FetchError) as err:
        get(make_fetcher())
    assert "CSV body truncated: the last row has 1 of 3 fields" in str(err.value)


def test_empty_response(fresh: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    fresh.add(PATH, ok(""))
    with pytest.raises(FetchError) as err:
        get(make_fetcher())
    assert "empty response (HTTP 200 with no data)" in str(err.value)
    assert "ft:93085" in str(err.value) and FULL in str(err.value)


def test_header_only_is_not_retried(fresh: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    fresh.add(PATH, ok("Area Code,Value\n"))
    with pytest.raises(FetchError) as err:
        get(make_fetcher())
    assert "the response has a header but no rows" in str(err.value)
    assert fresh.count(PATH) == 1


def test_changed_column_names_the_near_miss(
    fresh: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    fresh.add(PATH, ok("Area Code,Values\nE92000001,9.1\n"))
    with pytest.raises(FetchError) as err:
        get(make_fetcher())
    msg = str(err.value)
    assert "the layout has changed: expected column 'Value' (found 'Values' instead?)" in msg
    assert fresh.count(PATH) == 1  # a changed layout is not transient


def test_404_fails_at_once_with_a_hint(fresh: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    fresh.add(PATH, httpx.Response(404))
    with pytest.raises(FetchError) as err:
        get(make_fetcher())
    assert "HTTP 404 Not Found (not found: the indicator or data set id may be wrong" in str(
        err.value
    )
    assert fresh.count(PATH) == 1


def test_proxy_error_is_explained_with_the_proxy_redacted(
    fresh: Routes, make_fetcher: Callable[..., Fetcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://alice:s3cret@proxy.council.local:3128")
    fresh.add(PATH, httpx.ProxyError("407 Proxy Authentication Required"))
    with pytest.raises(FetchError) as err:
        get(make_fetcher())
    msg = str(err.value)
    assert "the proxy http://***@proxy.council.local:3128 refused the request" in msg
    assert "s3cret" not in msg and "alice" not in msg
    assert "HTTPS_PROXY/HTTP_PROXY" in msg and "NO_PROXY" in msg
    assert fresh.count(PATH) == 1


def test_http_407_is_a_proxy_refusal(fresh: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    fresh.add(PATH, httpx.Response(407))
    with pytest.raises(FetchError, match="a proxy refused the request \\(HTTP 407\\)"):
        get(make_fetcher())


@pytest.fixture
def refusing_proxy() -> Iterator[str]:
    """A local 'proxy' that answers every CONNECT with 407."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(4096)
                conn.sendall(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="council"\r\nContent-Length: 0\r\n\r\n'
                )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    server.close()


def test_proxy_from_environment_is_used_and_its_refusal_reported(
    tmp_path: Path, refusing_proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real httpx transport: HTTPS_PROXY from the environment is honoured (trust_env)."""
    for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", refusing_proxy)
    fetcher = Fetcher(tmp_path, retry=RetryPolicy(attempts=2, backoff=0), timeout=httpx.Timeout(5))
    with pytest.raises(FetchError) as err:
        get(fetcher)
    msg = str(err.value)
    assert f"the proxy {refusing_proxy} refused the request" in msg
    assert "407" in msg and FULL in msg
    assert not list(tmp_path.rglob("*.body"))


def test_cache_hit_skips_the_network(fresh: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    fresh.add(PATH, ok(GOOD))
    fetcher = make_fetcher()
    get(fetcher)
    got = fetcher.get(URL, params=PARAMS, source="OHID Fingertips", check=csv_check)
    assert got.entry.from_cache and got.value == 2
    assert fresh.count(PATH) == 1


def test_expired_entry_is_downloaded_again(
    fresh: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    newer = GOOD + "E10000034,7.9\n"
    fresh.add(PATH, ok(GOOD), ok(newer))
    get(make_fetcher())
    assert get(make_fetcher(max_age=timedelta(0))) == 3
    assert fresh.count(PATH) == 2


def test_failed_refresh_leaves_the_previous_entry_intact(
    fresh: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    fresh.add(PATH, ok(GOOD), httpx.Response(503))
    first = make_fetcher()
    get(first)
    before = first.cached("OHID Fingertips", FULL)
    stale = make_fetcher(refresh=True)
    with pytest.raises(FetchError, match="gave up after 3 attempts: HTTP 503"):
        get(stale)
    after = stale.cached("OHID Fingertips", FULL)
    assert after is not None and after.sha256 == before.sha256
    assert after.read_bytes() == GOOD.encode() and after.fetched_at == before.fetched_at
    leftovers = [p for p in (stale.cache_dir).rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_bad_new_body_never_replaces_a_good_entry(
    fresh: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    fresh.add(PATH, ok(GOOD), ok("Area Code,Values\nE92000001,9.1\n"))
    get(make_fetcher())
    with pytest.raises(FetchError, match="layout has changed"):
        get(make_fetcher(refresh=True))
    assert make_fetcher(offline=True).cached("OHID Fingertips", FULL).read_bytes() == GOOD.encode()


def test_corrupted_body_is_not_served(fresh: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    fresh.add(PATH, ok(GOOD))
    fetcher = make_fetcher()
    get(fetcher)
    body = next(fetcher.cache_dir.rglob(f"{cache_key(FULL)}.body"))
    body.write_bytes(b"Area Code,Value\nE92000001,9")  # e.g. a crash while writing
    assert fetcher.cached("OHID Fingertips", FULL) is None
    assert get(fetcher) == 2 and fresh.count(PATH) == 2


def test_offline_serves_old_entries_and_names_missing_ones(
    fresh: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    fresh.add(PATH, ok(GOOD))
    get(make_fetcher())
    offline = make_fetcher(offline=True, max_age=timedelta(0))
    assert get(offline) == 2 and offline.requests == 0
    with pytest.raises(FetchError) as err:
        offline.get(URL, params={"indicator_ids": "1"}, source="OHID Fingertips", indicator="ft:1")
    assert "not in the download cache: run `needsbook fetch` first" in str(err.value)
    assert "indicator_ids=1" in str(err.value)


def test_unreachable_host_is_not_retried_for_every_item(
    fresh: Routes, make_fetcher: Callable[..., Fetcher], sleeps: Sleeps
) -> None:
    fresh.add(PATH, httpx.ConnectError("[Errno -3] Temporary failure in name resolution"))
    fetcher = make_fetcher()
    with pytest.raises(FetchError, match="gave up after 3 attempts: connection failed"):
        get(fetcher)
    with pytest.raises(FetchError, match="the host failed earlier in this run; not retried"):
        fetcher.get(URL, params={"indicator_ids": "90284"}, source="OHID Fingertips")
    assert fresh.count(PATH) == 3 and len(sleeps) == 2


def test_redact_and_atomic_cache_files(fresh: Routes, make_fetcher: Callable[..., Fetcher]) -> None:
    assert redact("http://u:p@proxy:8080") == "http://***@proxy:8080"
    assert redact("http://proxy:8080") == "http://proxy:8080"
    fresh.add(PATH, ok(GOOD))
    fetcher = make_fetcher()
    get(fetcher)
    files = sorted(p.name for p in fetcher.cache_dir.rglob("*") if p.is_file())
    assert files == [f"{cache_key(FULL)}.body", f"{cache_key(FULL)}.json"]
    assert oct(os.stat(fetcher.cache_dir).st_mode)[-3:] in {"755", "775", "777", "700"}


def test_unexpected_parse_errors_become_fetch_errors(
    fresh: Routes, make_fetcher: Callable[..., Fetcher]
) -> None:
    fresh.add(PATH, ok(GOOD))

    def broken(body: bytes) -> None:
        raise KeyError("Time period")

    with pytest.raises(FetchError) as err:
        make_fetcher().get(
            URL, params=PARAMS, source="OHID Fingertips", indicator="ft:1", check=broken
        )
    assert "ft:1: the response could not be read (KeyError: 'Time period')" in str(err.value)
    assert not list(make_fetcher().cache_dir.rglob("*.body"))  # nothing cached
