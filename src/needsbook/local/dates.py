"""When local service data is from: each table's period span, read from its period column,
and whether it is too old to count as evidence about services now ("historical").

Data ending more than :data:`~needsbook.historical.HISTORICAL_AFTER_YEARS` years before the
book's data year is shown as historical context only: it never feeds key findings, headlines
or recommendations.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

import pandas as pd

from needsbook.historical import HISTORICAL_AFTER_YEARS
from needsbook.local.templates import TEMPLATES

#: (year, month) with the words a reader sees for that end of a period.
Point = tuple[int, int, str]


@dataclass(frozen=True)
class Span:
    """The first and last month a table's periods cover, and how a reader sees them."""

    start: tuple[int, int]
    end: tuple[int, int]
    label: str  # e.g. "August 2013 to March 2015", "2014-15", "2012-13 to 2014-15"

    @property
    def end_year(self) -> int:
        return self.end[0]


def _month(year: int, month: int) -> str:
    return f"{calendar.month_name[month]} {year}"


def period_points(kind: str, value: str) -> tuple[Point, Point]:
    """The start and end of one valid period value (as the validator accepts it).

    A year is January to December; a financial or academic year ``2014-15`` is taken to end
    in the second year (its month is not known: March is assumed); a quarter ``2014-Q3`` is a
    calendar quarter."""
    value = str(value).strip()
    if kind == "month":
        y, m = int(value[:4]), int(value[5:7])
        return (y, m, _month(y, m)), (y, m, _month(y, m))
    if kind == "quarter":
        y, q = int(value[:4]), int(value[-1])
        words = f"{value[:4]} quarter {q}"
        return (y, 3 * q - 2, words), (y, 3 * q, words)
    if "/" in value:
        (y0, m0), (y1, m1) = ((int(p[:4]), int(p[5:7])) for p in value.split("/"))
        return (y0, m0, _month(y0, m0)), (y1, m1, _month(y1, m1))
    years = [int(y) for y in re.findall(r"\d{4}", value)]
    if len(value) == 7:  # 2014-15
        return (years[0], 4, value), (years[0] + 1, 3, value)
    if len(years) == 2:  # 2012-2014
        return (years[0], 1, str(years[0])), (years[1], 12, str(years[1]))
    return (years[0], 1, value), (years[0], 12, value)


def period_column(name: str) -> tuple[str, str] | None:
    """A template's period column and its format, or None (the centres register has none)."""
    for c in TEMPLATES[name].columns:
        if c.period:
            return c.name, c.period
    return None


def span_of(name: str, table: pd.DataFrame | None) -> Span | None:
    """The span of a validated local table's periods (None without rows or a period column)."""
    col = period_column(name)
    if col is None or table is None or table.empty:
        return None
    column, kind = col
    points = [period_points(kind, v) for v in table[column].dropna().astype(str).unique()]
    if not points:
        return None
    start = min((p[0] for p in points), key=lambda p: p[:2])
    end = max((p[1] for p in points), key=lambda p: p[:2])
    label = start[2] if start[2] == end[2] else f"{start[2]} to {end[2]}"
    return Span(start[:2], end[:2], label)


def is_historical(span: Span | None, year: int) -> bool:
    """True when the data ends more than :data:`HISTORICAL_AFTER_YEARS` years before the book's
    data year."""
    return span is not None and int(year) - span.end_year > HISTORICAL_AFTER_YEARS


def spans(tables: dict[str, pd.DataFrame]) -> dict[str, Span]:
    """The span of every dated table with rows."""
    return {n: s for n, t in tables.items() if (s := span_of(n, t)) is not None}


def historical(tables: dict[str, pd.DataFrame], year: int) -> dict[str, Span]:
    """The tables (by template name) whose data ends more than :data:`HISTORICAL_AFTER_YEARS`
    years before ``year``."""
    return {n: s for n, s in spans(tables).items() if is_historical(s, year)}
