"""HTTP for the fetchers: one ``httpx`` client, retries with backoff, and an on-disk cache.

* **Client**: ``httpx.Client`` with connect/read timeouts, ``trust_env=True`` so that
  ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` (and ``SSL_CERT_FILE``) from the
  environment are honoured, redirects followed, and a ``User-Agent`` naming needsbook.
* **Retries**: connection errors, timeouts, truncated bodies, empty bodies, HTTP 408/429 and 5xx
  are tried again up to ``RetryPolicy.attempts`` times with exponential backoff (1 s, 2 s,
  4 s ... capped; ``Retry-After`` is honoured up to the cap). Other 4xx fail at once. A proxy
  refusal (``httpx.ProxyError`` or HTTP 407) fails at once with a message naming the proxy
  (credentials redacted); so does a failure to connect to the configured proxy, which is not
  reported as the publisher refusing. After a host (or the proxy) has refused connections for a
  whole retry budget, later requests to it in the same run fail immediately.
* **Cache**: one entry per URL under ``<cache>/http/<source>/``: ``<key>.body`` (the bytes as
  received) and ``<key>.json`` (URL, fetched-at time, sha256, size). Both are written to a
  temporary file and renamed into place, body first; an entry is only used when the body's
  sha256 matches its sidecar, so a crash mid-write can never be read back as data. A body is
  cached only after the caller's ``check`` accepted it (parsed, expected columns, non-empty),
  so a failed or partial download never replaces a good entry. Entries younger than
  ``max_age`` are served without a request; ``offline=True`` serves any entry regardless of age
  and never touches the network (``needsbook snapshot --from-cache``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx

from needsbook import __version__
from needsbook.fetch.errors import FetchError
from needsbook.files import atomic_write

T = TypeVar("T")

USER_AGENT = f"needsbook/{__version__} (children's needs assessment; python-httpx)"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=15.0)
DEFAULT_MAX_AGE = timedelta(hours=24)
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry transient failures."""

    attempts: int = 4
    backoff: float = 1.0  # seconds before the 2nd attempt; doubles each time
    max_backoff: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        base = min(self.backoff * 2 ** (attempt - 1), self.max_backoff)
        if retry_after is not None:
            base = max(base, min(retry_after, self.max_backoff))
        return base


@dataclass(frozen=True)
class CacheEntry:
    """A cached response body and where it came from."""

    url: str
    path: Path
    fetched_at: datetime
    sha256: str
    size: int
    from_cache: bool

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class Download(Generic[T]):
    """A cache entry plus what the caller's ``check`` made of its bytes."""

    entry: CacheEntry
    value: T


def _default_transport() -> httpx.BaseTransport | None:
    """The transport for real runs: ``None`` lets httpx build its own (with env proxies).

    Tests replace this function to route requests to recorded responses.
    """
    return None


def cache_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:32]


def redact(url: str) -> str:
    """A URL with any ``user:password@`` replaced by ``***@``."""
    return re.sub(r"//[^/@\s]+@", "//***@", url)


def proxy_for(url: str) -> str | None:
    """The proxy the environment configures for ``url`` (as httpx would pick it, ``NO_PROXY``
    honoured), redacted."""
    parsed = httpx.URL(url)
    scheme = parsed.scheme
    if parsed.host and urllib.request.proxy_bypass_environment(parsed.host):
        return None
    for name in (f"{scheme}_proxy", "all_proxy"):
        value = os.environ.get(name) or os.environ.get(name.upper())
        if value:
            return redact(value)
    return None


class Fetcher:
    """GET with retries and an on-disk cache; see the module docstring for the rules."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        max_age: timedelta = DEFAULT_MAX_AGE,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        offline: bool = False,
        refresh: bool = False,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.max_age = max_age
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.offline = offline
        self.refresh = refresh
        self.sleep = sleep
        self.log = log or (lambda _m: None)
        self._transport = transport if transport is not None else _default_transport()
        self._client: httpx.Client | None = None
        self._dead_hosts: dict[str, str] = {}
        self.requests = 0  # network requests made (for reports and tests)

    # -- client ---------------------------------------------------------------------------
    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout,
                trust_env=True,
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT},
                transport=self._transport,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- cache ----------------------------------------------------------------------------
    def _paths(self, source: str, url: str) -> tuple[Path, Path]:
        folder = self.cache_dir / "http" / re.sub(r"[^a-z0-9_-]+", "_", source.lower())
        key = cache_key(url)
        return folder / f"{key}.body", folder / f"{key}.json"

    def cached(self, source: str, url: str) -> CacheEntry | None:
        """The valid cache entry for ``url`` (sidecar present, sha256 matches), or ``None``."""
        body, meta = self._paths(source, url)
        try:
            info = json.loads(meta.read_text())
            data = body.read_bytes()
        except (OSError, ValueError):
            return None
        if info.get("url") != url or hashlib.sha256(data).hexdigest() != info.get("sha256"):
            return None
        try:
            fetched_at = datetime.fromisoformat(info["fetched_at"])
        except (KeyError, ValueError):
            return None
        return CacheEntry(url, body, fetched_at, info["sha256"], len(data), from_cache=True)

    def _store(self, source: str, url: str, data: bytes, extra: Mapping[str, Any]) -> CacheEntry:
        body, meta = self._paths(source, url)
        sha = hashlib.sha256(data).hexdigest()
        now = datetime.now(UTC).replace(microsecond=0)
        atomic_write(body, data)
        info = {"url": url, "fetched_at": now.isoformat(), "sha256": sha, "bytes": len(data)}
        atomic_write(meta, (json.dumps({**info, **extra}, indent=1) + "\n").encode())
        return CacheEntry(url, body, now, sha, len(data), from_cache=False)

    # -- GET ------------------------------------------------------------------------------
    def get(
        self,
        url: str,
        *,
        source: str,
        indicator: str | None = None,
        params: Mapping[str, str | int] | None = None,
        check: Callable[[bytes], T] | None = None,
    ) -> Download[T]:
        """The body of ``url`` (from the cache when fresh), accepted by ``check``.

        ``check(body)`` parses the body and raises :class:`FetchError` if it is unusable; its
        result is returned as ``Download.value``. Raises :class:`FetchError` naming ``source``,
        the full URL and ``indicator`` on any failure; the cache is then left as it was.
        """
        full = str(httpx.URL(url, params=dict(params)) if params else httpx.URL(url))
        run = _guarded(check, source)
        hit = self.cached(source, full)
        if hit is not None:
            fresh = datetime.now(UTC) - hit.fetched_at <= self.max_age
            if self.offline or (fresh and not self.refresh):
                try:
                    return Download(hit, run(hit.read_bytes()))
                except FetchError as exc:
                    if self.offline:
                        raise exc.with_context(indicator=indicator, url=full) from None
                    self.log(f"cached copy of {full} no longer passes its checks; downloading")
        if self.offline:
            raise FetchError(
                source,
                f"not in the download cache: run `needsbook fetch` first (cache: {self.cache_dir})",
                url=full,
                indicator=indicator,
            )
        data, value = self._download(full, source=source, indicator=indicator, check=run)
        entry = self._store(source, full, data, {"source": source, "indicator": indicator})
        return Download(entry, value)

    def _download(
        self, url: str, *, source: str, indicator: str | None, check: Callable[[bytes], T]
    ) -> tuple[bytes, T]:
        proxy = proxy_for(url)
        host = proxy or httpx.URL(url).host  # through a proxy, the proxy is what can fail
        if host in self._dead_hosts:
            which = "the proxy" if proxy else "the host"
            raise FetchError(
                source,
                f"{self._dead_hosts[host]} ({which} failed earlier in this run; not retried)",
                url=url,
                indicator=indicator,
            )
        last = "no attempt made"
        connection_failures = 0
        attempts = max(1, self.retry.attempts)
        for attempt in range(1, attempts + 1):
            retry_after: float | None = None
            try:
                self.requests += 1
                response = self.client.get(url)
            except httpx.ProxyError as exc:
                raise self._proxy_error(source, url, indicator, str(exc)) from None
            except httpx.TimeoutException as exc:
                last = f"timed out ({type(exc).__name__}: no response within the time limit)"
            except httpx.TransportError as exc:
                detail = f"{type(exc).__name__}: {exc or 'no detail'}"
                if isinstance(exc, httpx.ConnectError):
                    connection_failures += 1
                if isinstance(exc, httpx.ConnectError) and proxy:
                    last = (
                        f"could not connect to the proxy {proxy} ({detail}), so the publisher "
                        "was not reached: check that the proxy is running and that "
                        "HTTPS_PROXY/HTTP_PROXY name it, or add the host to NO_PROXY"
                    )
                else:
                    last = f"connection failed ({detail})"
            else:
                status = response.status_code
                if status == 407:
                    raise self._proxy_error(source, url, indicator, "HTTP 407") from None
                if status in RETRY_STATUSES or status >= 500:
                    last = f"HTTP {status} {response.reason_phrase}".rstrip()
                    retry_after = _retry_after(response)
                elif status >= 400:
                    raise FetchError(
                        source,
                        f"HTTP {status} {response.reason_phrase}{_hint(status)}".rstrip(),
                        url=url,
                        indicator=indicator,
                    )
                else:
                    data = response.content
                    expected = response.headers.get("content-length")
                    encoded = response.headers.get("content-encoding")
                    if (
                        expected
                        and not encoded
                        and expected.isdigit()
                        and int(expected) != len(data)
                    ):
                        last = (
                            f"response body truncated: got {len(data):,} of {int(expected):,} bytes"
                        )
                    elif not data.strip():
                        last = "empty response (HTTP 200 with no data)"
                    else:
                        try:
                            return data, check(data)
                        except FetchError as exc:
                            if not exc.retryable:
                                raise exc.with_context(indicator=indicator, url=url) from None
                            last = exc.reason
            if attempt < attempts:
                wait = self.retry.delay(attempt, retry_after)
                self.log(f"{source}: {last}; retrying in {wait:g} s ({attempt}/{attempts}): {url}")
                self.sleep(wait)
        if connection_failures == attempts:
            self._dead_hosts[host] = last
        raise FetchError(
            source,
            f"gave up after {attempts} attempt{'s' if attempts > 1 else ''}: {last}",
            url=url,
            indicator=indicator,
        )

    def _proxy_error(self, source: str, url: str, indicator: str | None, detail: str) -> FetchError:
        proxy = proxy_for(url)
        via = f"the proxy {proxy}" if proxy else "a proxy"
        return FetchError(
            source,
            f"{via} refused the request ({redact(detail)}): check the proxy address and "
            "credentials in HTTPS_PROXY/HTTP_PROXY, or add the host to NO_PROXY if it should "
            "be reached directly",
            url=url,
            indicator=indicator,
        )


def _guarded(check: Callable[[bytes], T] | None, source: str) -> Callable[[bytes], T]:
    """``check`` with unexpected parse errors (e.g. from pandas) turned into FetchError."""

    def run(body: bytes) -> T:
        if check is None:
            return None  # type: ignore[return-value]
        try:
            return check(body)
        except FetchError:
            raise
        except (ValueError, KeyError, TypeError, IndexError, UnicodeError) as exc:
            raise FetchError(
                source, f"the response could not be read ({type(exc).__name__}: {exc})"
            ) from exc

    return run


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _hint(status: int) -> str:
    if status == 404:
        return " (not found: the indicator or data set id may be wrong or withdrawn)"
    if status in (401, 403):
        return " (access refused by the server)"
    return ""
