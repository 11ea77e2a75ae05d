"""Read a downloaded CSV/JSON body strictly: empty, truncated or re-shaped bodies are errors."""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Iterable
from typing import Any

import pandas as pd

from needsbook.fetch.errors import FetchError


def decode(body: bytes, *, source: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); anything else is an error, not mojibake."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FetchError(source, f"the response is not UTF-8 text ({exc.reason})") from None


def _check_complete(text: str, *, source: str) -> list[str]:
    """The header; raises (retryable) if the last row was cut short or a quote never closes."""
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FetchError(source, "empty response (no CSV header)", retryable=True) from None
    except csv.Error as exc:
        raise FetchError(source, f"unreadable CSV header ({exc})", retryable=True) from None
    last: list[str] | None = None
    try:
        for row in reader:
            if row:
                last = row
    except csv.Error as exc:
        raise FetchError(
            source, f"CSV body truncated or malformed ({exc})", retryable=True
        ) from None
    if last is not None and len(last) < len(header):
        raise FetchError(
            source,
            f"CSV body truncated: the last row has {len(last)} of {len(header)} fields",
            retryable=True,
        )
    return header


def missing_columns_message(missing: Iterable[str], found: Iterable[str]) -> str:
    """``"column 'Value' is missing (found 'Values' instead?)"`` - for changed layouts."""
    found = list(found)
    parts = []
    for col in missing:
        near = difflib.get_close_matches(col, found, n=1, cutoff=0.6)
        parts.append(f"'{col}'" + (f" (found '{near[0]}' instead?)" if near else ""))
    return (
        f"the layout has changed: expected column{'s' if len(parts) > 1 else ''} "
        + ", ".join(parts)
        + f" missing; columns received: {', '.join(found[:40])}"
    )


def read_csv(
    body: bytes,
    *,
    source: str,
    required: Iterable[str] = (),
    what: str = "rows",
) -> pd.DataFrame:
    """Parse a CSV body as text columns, checking it is complete and has ``required`` columns.

    Suppression markers stay as text; empty cells are NA. Raises :class:`FetchError` for an
    empty body, a truncated body, missing columns or a header with no rows.
    """
    text = decode(body, source=source)
    if not text.strip():
        raise FetchError(source, "empty response (no data)", retryable=True)
    header = [h.strip() for h in _check_complete(text, source=source)]
    missing = [c for c in required if c not in header]
    if missing:
        raise FetchError(source, missing_columns_message(missing, header))
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise FetchError(source, f"the response has a header but no {what}")
    return df


def read_json(body: bytes, *, source: str, required: Iterable[str] = ()) -> Any:
    """Parse a JSON body; an object must carry the ``required`` keys."""
    text = decode(body, source=source)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FetchError(
            source, f"the response is not valid JSON ({exc.msg} at char {exc.pos})", retryable=True
        ) from None
    if isinstance(value, dict):
        missing = [k for k in required if k not in value]
        if missing:
            raise FetchError(source, missing_columns_message(missing, value.keys()))
    return value
