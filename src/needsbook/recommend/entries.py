"""What every entry of a hand-written YAML list (recommendation rules, policy documents) is
checked for: a mapping, an id that is a slug and unique, no unknown fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

ID = re.compile(r"^[a-z][a-z0-9_]*$")


def entries(
    doc: Any,
    key: str,
    fields: set[str],
    problem: Callable[[str, str, str], str],
    problems: list[str],
    whole: str = "(entry)",
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each entry of ``doc[key]`` as (id, mapping), adding the common problems to ``problems``:
    ``problem(id, field, message)`` words them, ``whole`` names the entry itself as a field.
    An entry that is not a mapping is reported and skipped."""
    seen: set[str] = set()
    for n, raw in enumerate(doc[key]):
        if not isinstance(raw, dict):
            problems.append(f"{key}[{n}]: must be a mapping")
            continue
        eid = str(raw.get("id") or f"#{n + 1}")
        if not ID.match(eid):
            problems.append(problem(eid, "id", f"must match {ID.pattern}"))
        if eid in seen:
            problems.append(problem(eid, "id", "duplicate id"))
        seen.add(eid)
        extra = sorted(set(raw) - fields)
        if extra:
            problems.append(problem(eid, whole, f"unknown field(s) {extra}"))
        yield eid, raw
