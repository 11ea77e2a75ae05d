"""Refresh the snapshot from the official sources: OHID Fingertips, DfE EES and ONS (Nomis).

``needsbook fetch`` downloads into a cache (:mod:`~needsbook.fetch.sources`, one adapter module
per source, :mod:`~needsbook.fetch.http` for retries, proxies and the cache);
``needsbook snapshot --from-cache`` rebuilds and validates the snapshot from it
(:mod:`~needsbook.fetch.rebuild`) and reports what changed (:mod:`~needsbook.fetch.diff`).
"""

from needsbook.fetch.errors import FetchError

__all__ = ["FetchError"]
