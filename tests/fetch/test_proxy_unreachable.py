"""A configured proxy that cannot be reached is named as the problem, not the publisher."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from needsbook.fetch.errors import FetchError
from needsbook.fetch.http import Fetcher, RetryPolicy, proxy_for

URL = "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id"


@pytest.fixture
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> str:
    """HTTPS_PROXY pointing at a local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "https_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(var, raising=False)
    proxy = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    return proxy


def test_unreachable_proxy_is_named_not_the_publisher(tmp_path: Path, dead_proxy: str) -> None:
    fetcher = Fetcher(tmp_path, retry=RetryPolicy(attempts=2), sleep=lambda _s: None)
    with pytest.raises(FetchError) as exc:
        fetcher.get(URL, source="OHID Fingertips", indicator="ft:93085")
    msg = str(exc.value)
    assert f"could not connect to the proxy {dead_proxy}" in msg
    assert "the publisher was not reached" in msg and "NO_PROXY" in msg
    with pytest.raises(FetchError, match="the proxy failed earlier in this run"):
        fetcher.get(URL + "?again=1", source="OHID Fingertips")
    assert fetcher.requests == 2  # the second URL was not tried through the dead proxy


def test_no_proxy_is_honoured(monkeypatch: pytest.MonkeyPatch, dead_proxy: str) -> None:
    assert proxy_for(URL) == dead_proxy
    monkeypatch.setenv("NO_PROXY", "phe.org.uk")
    assert proxy_for(URL) is None
