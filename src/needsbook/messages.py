"""Helpers for messages that echo user input: long values are clipped, never echoed whole."""

from __future__ import annotations

from pathlib import Path

ARG_LIMIT = 60
PATH_LIMIT = 160


def clip(value: object, limit: int = ARG_LIMIT) -> str:
    """``value`` as text, cut to ``limit`` characters plus ``...`` (control characters shown
    escaped, so a message stays on one line)."""
    text = str(value)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "..."


def clip_path(path: Path | str, limit: int = PATH_LIMIT) -> str:
    """A path for a message: its start and end kept, the middle elided if it is very long."""
    text = clip(path, limit=10**9)
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]}...{text[-half:]}"
