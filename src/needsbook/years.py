"""Which data years a book can be built for, and the default (the latest).

A book's year ``Y`` is the book as it would have been with the data published up to ``Y``:
each indicator shows its latest period that ends in ``Y`` or earlier (and has an England
value), and population figures are the latest mid-year estimate at or before ``Y``. By
default ``Y`` is the latest year any catalogue indicator reaches, so every indicator shows the
latest period the snapshot holds. The years offered run from the first year with single-year
population estimates (the population chapter's age structure) -- or the area's creation, for
areas formed since -- to that latest year.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from needsbook.errors import InputError

if TYPE_CHECKING:  # the data modules load late: `needsbook --help` states the years cheaply
    from needsbook.areas import Area

#: The first and latest years the embedded snapshot offers (as :func:`available_years` finds
#: them for an area that existed throughout). ``--help`` states them, as reading the snapshot
#: takes seconds; tests/test_cli_help.py keeps them equal to the data.
EMBEDDED_YEARS = (2019, 2025)

RULE = (
    "A book for year Y shows each indicator's latest period that ends in Y or earlier, and "
    "the latest population estimates for a mid-year at or before Y. By default Y is the latest "
    "year in the data, so every indicator shows its latest published period."
)


def years_help() -> str:
    """The year range as ``--help`` states it (from :data:`EMBEDDED_YEARS`)."""
    first, last = EMBEDDED_YEARS
    return (
        f"Data years: {first}-{last} in the embedded snapshot; the default is the latest, "
        f"{last}. An area formed since {first} starts in the year it was formed, and a "
        "refreshed snapshot (`needsbook fetch`) may reach later years. A book for year Y shows "
        "each indicator's latest period ending in Y or earlier; a year outside the range is "
        "refused with the range for the area."
    )


def latest_data_year(data_dir: Path | str | None = None) -> int:
    """The latest year any indicator a chapter uses reaches (with an England value): as
    recorded with the national tables when they hold, else from the catalogue's rows."""
    from needsbook import national

    stored = national.latest_data_year(data_dir)
    if stored is not None:
        return stored
    from needsbook.outcomes.compare import ENGLAND, load_data

    rows = load_data(data_dir).rows  # the engine's catalogue rows, loaded once per snapshot
    return int(rows.loc[(rows["area_code"] == ENGLAND) & rows["value"].notna(), "year"].max())


def available_years(area: Area, data_dir: Path | str | None = None) -> list[int]:
    """Every year a book can be built for the area (see the module docstring)."""
    from needsbook.data import load_table

    pop = load_table("population_0_17", data_dir)
    mine = pop.loc[pop["area_code"] == area.code, "year"].dropna().astype(int)
    if mine.empty:
        return []
    syoa = load_table("population_syoa", data_dir)
    first = max(int(syoa["year"].min()), int(mine.min()))
    return list(range(first, latest_data_year(data_dir) + 1))


def resolve_year(year: int | None, area: Area, data_dir: Path | str | None = None) -> int:
    years = available_years(area, data_dir)
    if not years:
        raise InputError(f"no population data for {area.name} ({area.code}) in the snapshot")
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise InputError(
            f"year {year} is not available for {area.name}: the data cover "
            f"{years[0]}-{years[-1]} (ask for a year in that range, or omit it for "
            f"the latest, {years[-1]})"
        )
    return int(year)
