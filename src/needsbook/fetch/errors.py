"""The error every fetch failure becomes: it names the source, the URL and the indicator."""

from __future__ import annotations

from needsbook.errors import NeedsbookError


class FetchError(NeedsbookError):
    """Downloading or reading an official source failed.

    ``str(error)`` reads ``"<source>, <indicator>: <reason>\\n  URL: <url>"`` so that a user can
    retry the exact request in a browser. ``retryable`` marks transient failures (5xx,
    timeouts, truncated bodies) that the HTTP layer may try again.
    """

    def __init__(
        self,
        source: str,
        reason: str,
        *,
        url: str | None = None,
        indicator: str | None = None,
        retryable: bool = False,
    ) -> None:
        self.source = source
        self.reason = reason
        self.url = url
        self.indicator = indicator
        self.retryable = retryable
        where = f"{source}, {indicator}" if indicator else source
        text = f"{where}: {reason}"
        if url:
            text += f"\n  URL: {url}"
        super().__init__(text)

    def with_context(self, *, indicator: str | None = None, url: str | None = None) -> FetchError:
        """A copy with the indicator/URL filled in where this error did not know them."""
        return FetchError(
            self.source,
            self.reason,
            url=self.url or url,
            indicator=self.indicator or indicator,
            retryable=self.retryable,
        )
