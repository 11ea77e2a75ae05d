"""Which books a batch builds: ``--years`` and the (area, year) jobs a batch expands to.

A batch names areas (``--area``, ``--areas``, ``--all``) and years (``--year``, ``--years``
or the latest); each area is built for each year, once, into ``<root>/<code>/<year>/``. An
unknown area is one failure; a year an area has no data for is a failure of that
(area, year) only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from needsbook import paths
from needsbook.areas import resolve_area
from needsbook.build.batch_report import AreaOutcome
from needsbook.errors import InputError, NeedsbookError
from needsbook.messages import clip
from needsbook.years import resolve_year

_PART = re.compile(r"^(?P<first>\d{4})(?:\s*-\s*(?P<last>\d{4}))?$")


def parse_years(text: str) -> tuple[int, ...]:
    """The years ``--years`` names: a comma-separated list of years and ranges
    (``2023,2024``, ``2021-2024``, ``2019,2022-2024``), sorted, each once; InputError (exit 2)
    for anything else."""
    years: set[int] = set()
    parts = [p.strip() for p in text.split(",")]
    if not any(parts):
        raise InputError("--years names no year: give years or ranges, e.g. --years 2023,2024")
    for part in parts:
        m = _PART.match(part)
        if not m:
            raise InputError(
                f"--years '{clip(text, 60)}': '{clip(part, 20)}' is not a year or a range of "
                "years: write e.g. --years 2023,2024 or --years 2021-2024"
            )
        first, last = int(m["first"]), int(m["last"] or m["first"])
        if last < first:
            raise InputError(
                f"--years: the range {part} ends before it starts: write it as {last}-{first}"
            )
        years.update(range(first, last + 1))
    return tuple(sorted(years))


@dataclass(frozen=True)
class BookJob:
    """One book of a batch: an area (resolved) and the data year it is built for."""

    area_code: str
    area_name: str
    year: int


@dataclass
class Plan:
    """A batch resolved, in the order its outcomes are reported: ``unknown``, the failures of
    queries naming no area; then ``books``, each a job or, for a year the area has no data
    for, that (area, year)'s failure."""

    unknown: list[AreaOutcome] = field(default_factory=list)
    books: list[BookJob | AreaOutcome] = field(default_factory=list)

    @property
    def jobs(self) -> list[BookJob]:
        return [b for b in self.books if isinstance(b, BookJob)]


def plan(
    queries: list[str],
    years: tuple[int, ...] | None,
    year: int | None,
    data_dir: Path | None,
) -> Plan:
    """Resolve each query to an area and expand it to one job per year (``years``, else
    ``year``, else the latest): an unknown area is one failure, and a year the area has no
    data for the failure of that (area, year); the same (area, year) asked twice is one job."""
    found = Plan()
    seen: set[tuple[str, int | None]] = set()  # (code, year asked for)
    for query in queries:
        try:
            area = resolve_area(query, data_dir)
        except NeedsbookError as exc:
            found.unknown.append(AreaOutcome(query, "failed", 0.0, reason=_first_line(exc)))
            continue
        for wanted in years or (year,):
            if (area.code, wanted) in seen:
                continue
            seen.add((area.code, wanted))
            try:
                resolved = resolve_year(wanted, area, data_dir)
            except NeedsbookError as exc:
                found.books.append(
                    AreaOutcome(
                        query,
                        "failed",
                        0.0,
                        area.code,
                        area.name,
                        reason=_first_line(exc),
                        year=wanted,
                    )
                )
                continue
            found.books.append(BookJob(area.code, area.name, resolved))
    return found


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def log_path(query: str, year: int | None = None) -> Path:
    """A book's step log: ``_build/logs/<code>-<year>.log`` (``<query>.log`` without a year)."""
    safe = "".join(c if c.isalnum() else "_" for c in query)
    name = f"{safe}-{year}" if year is not None else safe
    return paths.build_dir() / "logs" / f"{name}.log"
