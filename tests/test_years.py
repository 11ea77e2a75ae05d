"""The book's year: the latest data by default, and every offered year builds.

A book for year Y shows each indicator's latest period ending in Y or earlier; the default Y is
the latest year any catalogue indicator reaches. The sweep builds every chapter (the code each
chapter notebook runs) of every offered year for six areas of every kind, and of the earliest
and the latest year for four more; one real build of the earliest year goes through the
command line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from needsbook.areas import resolve_area
from needsbook.chapters import (
    evidence,
    need,
    outcomes,
    population,
    recommendations,
    services,
    summary,
)
from needsbook.chapters.display import data_table_html
from needsbook.errors import InputError
from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.compare import area_benchmarks
from needsbook.years import available_years, latest_data_year, resolve_year

#: Counties, unitaries old and new (2019, 2021, 2023), a metropolitan district, London boroughs
#: and the two smallest areas.
SAMPLE = (
    "E10000034",  # Worcestershire (county)
    "E10000012",  # Essex (county)
    "E06000017",  # Rutland (small unitary)
    "E06000053",  # Isles of Scilly (smallest)
    "E06000058",  # Bournemouth, Christchurch and Poole (2019)
    "E06000061",  # North Northamptonshire (2021)
    "E06000063",  # Cumberland (2023)
    "E08000003",  # Manchester (metropolitan district)
    "E09000001",  # City of London
    "E09000007",  # Camden (London borough)
)


def test_the_default_year_is_the_latest_in_the_data() -> None:
    area = resolve_area("Worcestershire")
    assert latest_data_year() == 2025
    assert resolve_year(None, area) == 2025 == available_years(area)[-1]


def test_years_offered_start_with_single_year_population_estimates() -> None:
    assert available_years(resolve_area("Rutland")) == list(range(2019, 2026))
    with pytest.raises(InputError, match="the data cover 2019-2025"):
        resolve_year(2018, resolve_area("Rutland"))


def _chapters(code: str, year: int) -> None:
    for module in (population, need, outcomes):
        for s in module.build(code, year, None).sections:
            data_table_html(s)
    for module in (services, evidence, recommendations, summary):
        for s in module.build(code, year, None, None).sections:
            data_table_html(s)


#: Areas built for every offered year: those whose boundaries or figures change between years
#: (unitaries of 2019, 2021 and 2023; the smallest areas, merged with a neighbour in some
#: years) and the county of the model report. The others are built for the earliest and the
#: latest year (each year's chapters read the same tables for every area).
EVERY_YEAR = {"E10000034", "E06000053", "E06000058", "E06000061", "E06000063", "E09000001"}


def _every_year(code: str) -> None:
    years = available_years(resolve_area(code))
    assert years[-1] == latest_data_year() and len(years) >= 3
    for year in years if code in EVERY_YEAR else (years[0], years[-1]):
        _chapters(code, year)


# Two classes, so that the test workers (--dist loadscope) share the sweep.
@pytest.mark.slow
class TestEveryOfferedYearBuildsEveryChapter:
    @pytest.mark.parametrize("code", SAMPLE[:5])
    def test_counties_and_unitaries(self, code: str) -> None:
        _every_year(code)


@pytest.mark.slow
class TestEveryOfferedYearBuildsEveryChapterToo:
    @pytest.mark.parametrize("code", SAMPLE[5:])
    def test_new_unitaries_and_cities(self, code: str) -> None:
        _every_year(code)


@pytest.mark.slow
def test_the_earliest_year_builds_from_the_command_line(tmp_path: Path) -> None:
    """Rutland in 2019, with an analyst's comparator group beside England and the region."""
    out = tmp_path / "book"
    args = ["build", "--area", "Rutland", "--year", "2019", "--out", str(out), "--quiet"]
    args += ["--comparators", "Herefordshire,E06000019,Shropshire"]
    run = subprocess.run(
        [sys.executable, "-m", "needsbook", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    html = (out / "notebooks" / "03_outcomes.html").read_text(encoding="utf-8")
    assert "31 March 2019" in html and "31 March 2025" not in html
    assert "Comparison with a chosen group of areas" in html
    table = pd.read_csv(
        out / "downloads" / "E06000017-comparison-with-a-chosen-group-of-areas.csv", dtype=str
    ).set_index("Indicator")
    engine = area_benchmarks("E06000017", 2019, None, ("E06000019", "E06000051"))
    for _, r in engine[engine["outcome"]].iterrows():
        name = load_catalogue()[r["indicator_id"]].name
        assert table.loc[name, "Compared with the group"] == r["group_comparison"], name
        assert table.loc[name, "Compared with England"] == r["comparison"], name
