"""The ``needsbook fetch`` and ``needsbook snapshot --from-cache`` commands."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from needsbook import paths
from needsbook.errors import InputError
from needsbook.fetch.errors import FetchError


def cache_dir(args: argparse.Namespace) -> Path:
    """``--cache-dir``, else ``$NEEDSBOOK_FETCH_CACHE``, else ``<data dir>/fetch-cache``."""
    explicit = getattr(args, "cache_dir", None)
    if explicit:
        return Path(explicit)
    env = os.environ.get("NEEDSBOOK_FETCH_CACHE")
    if env:
        return Path(env)
    data = Path(args.data_dir) if args.data_dir else paths.default_data_dir()
    return data / "fetch-cache"


def _raw_dir(args: argparse.Namespace) -> Path | None:
    if getattr(args, "raw_dir", None):
        return Path(args.raw_dir)
    try:
        raw = paths.default_raw_dir()
    except FileNotFoundError:
        return None
    return raw if raw.is_dir() else None


def _pins(values: list[str]) -> dict[str, str]:
    pins = {}
    for value in values:
        key, sep, ident = value.partition("=")
        key = key.strip()
        if not sep or not ident.strip():
            raise InputError(f"--data-set wants KEY=ID (e.g. ees:cla=<data set id>), not '{value}'")
        pins[key if key.startswith("ees:") else f"ees:{key}"] = ident.strip()
    return pins


def list_items() -> int:
    from needsbook.fetch.sources import SOURCES, catalogue

    marks = {
        "fingertips": "id looked up by name",
        "ees": "data set found by title",
        "ons": "dataset id unconfirmed",
    }
    for item in catalogue():
        mark = "id checked" if item.checked else marks[item.source]
        print(f"{item.key}\t{SOURCES[item.source].title}\t{item.title}\t{mark}")
    return 0


def fetch_command(args: argparse.Namespace) -> int:
    """Download the selected items into the cache; exit 1 if any failed (others are kept)."""
    if args.list:
        return list_items()
    from needsbook.fetch.areas import area_context
    from needsbook.fetch.http import Fetcher
    from needsbook.fetch.sources import Outcome, ensure_cache_dir, run_fetch, select

    items = select(args.sources, args.indicators)
    pins = _pins(args.data_set or [])
    if args.max_age < 0:
        raise InputError("--max-age must be zero or more hours")
    cache = ensure_cache_dir(cache_dir(args))
    snap = paths.snapshot_dir(args.data_dir)
    print(f"fetching {len(items)} items into {cache}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="needsbook-fetch-") as tmp:
        ctx = area_context(_raw_dir(args), snap, Path(tmp))
        with Fetcher(
            cache,
            max_age=timedelta(hours=args.max_age),
            refresh=args.refresh,
            log=lambda m: print(f"  {m}", file=sys.stderr),
        ) as fetcher:
            seen = {"requests": 0}

            def report(o: Outcome) -> None:
                made = fetcher.requests - seen["requests"]
                seen["requests"] = fetcher.requests
                if o.ok:
                    how = (
                        f"downloaded, {made} request{'s' if made != 1 else ''}"
                        if made
                        else "cached"
                    )
                    print(f"ok      {o.item.key:<22} {o.summary} [{how}]")
                    for note in o.notes:
                        print(f"        {'':<22} note: {note}")
                else:
                    print(f"FAILED  {o.item.key:<22} {o.summary}")

            outcomes = run_fetch(items, fetcher, ctx, pins=pins, report=report)
    failed = [o for o in outcomes if not o.ok]
    done = len(outcomes) - len(failed)
    print(
        f"{done} of {len(outcomes)} items fetched into {cache}"
        + (f"; {len(failed)} failed (their previous downloads, if any, are kept)" if failed else "")
        + ". Next: needsbook snapshot --from-cache",
        file=sys.stderr,
    )
    if failed:
        keys = ", ".join(o.item.key for o in failed)
        raise FetchError(
            "needsbook fetch", f"{len(failed)} of {len(outcomes)} items failed: {keys}"
        )
    return 0


def snapshot_from_cache(args: argparse.Namespace) -> int:
    """Rebuild the snapshot from the cache, print what changed, replace it if all pass."""
    from needsbook.fetch.rebuild import rebuild_from_cache

    result = rebuild_from_cache(
        cache_dir(args),
        data_dir=args.data_dir,
        raw_dir=_raw_dir(args),
        log=lambda m: print(m, file=sys.stderr),
        on_diff=lambda diff: print(diff.text(), flush=True),
    )
    out = paths.snapshot_dir(args.data_dir)
    print(
        f"snapshot written to {out}: {len(result.entries)} tables, "
        f"{sum(e.rows for e in result.entries):,} rows (see {out / 'MANIFEST'})"
    )
    return 0
