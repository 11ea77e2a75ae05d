"""Which data years a book can be built for, and the default (the latest)."""

from __future__ import annotations

from pathlib import Path

from needsbook.areas import Area
from needsbook.data import load_table
from needsbook.errors import InputError


def available_years(area: Area, data_dir: Path | str | None = None) -> list[int]:
    """Years with a 0-17 population estimate for the area (the backbone of every chapter)."""
    pop = load_table("population_0_17", data_dir)
    years = pop.loc[pop["area_code"] == area.code, "year"].dropna().astype(int)
    return sorted(set(years))


def resolve_year(year: int | None, area: Area, data_dir: Path | str | None = None) -> int:
    years = available_years(area, data_dir)
    if not years:
        raise InputError(f"no population data for {area.name} ({area.code}) in the snapshot")
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise InputError(
            f"year {year} is not available for {area.name}: the data cover "
            f"{years[0]}-{years[-1]} (pass --year in that range, or omit it for "
            f"the latest, {years[-1]})"
        )
    return int(year)
