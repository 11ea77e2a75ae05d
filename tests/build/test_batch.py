"""Batch builds: each area for each year asked, one failure never stops the others, unchanged
books are skipped, and the batch reports its throughput and each worker's peak memory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from needsbook import paths
from needsbook.build import BuildOptions, outdir
from needsbook.build.batch import build_batch, build_many
from needsbook.build.batch_report import AreaOutcome, BatchResult
from needsbook.build.fingerprint import STAMP
from needsbook.build.jobs import BookJob, log_path, parse_years, plan
from needsbook.cli import main
from needsbook.errors import BuildError, InputError

RUTLAND, CUMBERLAND = "E06000017", "E06000063"  # Cumberland was formed in 2023


# --- which books: --years and the (area, year) jobs ----------------------------------------


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2024", (2024,)),
        ("2023,2024", (2023, 2024)),
        ("2021-2024", (2021, 2022, 2023, 2024)),
        (" 2024 , 2019-2020,2020 ", (2019, 2020, 2024)),  # sorted, each once
        ("2022 - 2023", (2022, 2023)),
    ],
)
def test_years_are_listed_or_ranges(text: str, years: tuple[int, ...]) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "--years names no year"),
        (",", "--years names no year"),
        ("2023,", "'' is not a year or a range of years"),
        ("24", "'24' is not a year or a range"),
        ("2023..2024", "'2023..2024' is not a year"),
        ("2024-2021", "the range 2024-2021 ends before it starts: write it as 2021-2024"),
    ],
)
def test_a_bad_years_value_says_how_to_write_it(text: str, message: str) -> None:
    with pytest.raises(InputError, match="--years") as error:
        parse_years(text)
    assert message in str(error.value)


def test_each_area_is_built_for_each_year_once_and_a_missing_year_fails_alone() -> None:
    found = plan(["Cumberland", "Rutland", "Narnia", RUTLAND], (2022, 2023), None, None)
    (unknown,) = found.unknown
    assert (unknown.query, unknown.status) == ("Narnia", "failed")
    assert unknown.reason.startswith("unknown area 'Narnia'")
    missing, *jobs = found.books
    assert isinstance(missing, AreaOutcome)
    assert (missing.status, missing.area_code, missing.area_name, missing.year) == (
        "failed",
        CUMBERLAND,
        "Cumberland",
        2022,
    )
    assert missing.reason.startswith("year 2022 is not available for Cumberland")
    assert jobs == [  # "Rutland" and its code: one area, each year once
        BookJob(CUMBERLAND, "Cumberland", 2023),
        BookJob(RUTLAND, "Rutland", 2022),
        BookJob(RUTLAND, "Rutland", 2023),
    ]
    assert found.jobs == jobs


def test_without_years_an_area_is_built_for_the_year_asked_or_the_latest() -> None:
    from needsbook.years import EMBEDDED_YEARS

    assert plan(["Rutland"], None, None, None).jobs == [
        BookJob(RUTLAND, "Rutland", EMBEDDED_YEARS[1])
    ]
    assert plan(["Rutland", RUTLAND], None, 2021, None).jobs == [BookJob(RUTLAND, "Rutland", 2021)]
    (failed,) = plan(["Rutland"], None, 1999, None).books
    assert isinstance(failed, AreaOutcome) and failed.year == 1999
    assert "year 1999 is not available for Rutland" in failed.reason


def test_each_book_has_its_own_log() -> None:
    logs = paths.build_dir() / "logs"
    assert log_path(RUTLAND, 2024) == logs / f"{RUTLAND}-2024.log"
    assert log_path(RUTLAND) == logs / f"{RUTLAND}.log"  # the name before books had years
    assert log_path("St. Helens") == logs / "St__Helens.log"


# --- what a batch reports ------------------------------------------------------------------


def _outcome(status: str, worker: str = "", peak: float = 0.0, year: int = 2024) -> AreaOutcome:
    return AreaOutcome(
        RUTLAND, status, 30.0, RUTLAND, "Rutland", year=year, worker=worker, peak_mb=peak
    )


def test_the_summary_gives_counts_throughput_and_peak_memory_per_worker() -> None:
    result = BatchResult(
        [
            _outcome("built", "pid 11", 900.0, 2023),
            _outcome("built", "pid 12", 1200.4),
            _outcome("built", "pid 11", 1010.0, 2022),
            _outcome("built", "pid 12", 1100.0, 2021),
            _outcome("skipped", "pid 11", 1500.0, 2020),  # it still ran in that worker
            _outcome("failed"),
        ],
        wall_seconds=120.0,
    )
    assert (result.built, result.count("skipped"), result.count("failed")) == (4, 1, 1)
    assert result.books_per_minute == pytest.approx(2.0)
    assert result.seconds_per_book == pytest.approx(30.0)
    assert result.peak_mb == {"pid 11": 1500.0, "pid 12": 1200.4}
    assert result.summary_lines() == [
        "4 built, 1 skipped (unchanged), 1 failed.",
        "4 books built in 120.0 s: 2.00 books per minute, 30.0 s per book.",
        "Peak memory per worker (process and notebook kernel): pid 11 1,500 MB, pid 12 1,200 MB.",
    ]


def test_a_batch_that_built_nothing_gives_no_rate() -> None:
    result = BatchResult([_outcome("skipped"), _outcome("failed")], wall_seconds=3.0)
    assert result.books_per_minute is None and result.seconds_per_book is None
    assert result.summary_lines() == ["0 built, 1 skipped (unchanged), 1 failed."]
    one = BatchResult([_outcome("built")], wall_seconds=45.0)
    assert (
        one.summary_lines()[1] == "1 book built in 45.0 s: 1.33 books per minute, 45.0 s per book."
    )


PEAK_SCRIPT = """
import json, subprocess, sys, time
from needsbook.build.batch_report import peak_memory_mb
before = peak_memory_mb()
grow = "x = b'1' * (300 * 1024 * 1024); import time; time.sleep(60)"
child = subprocess.Popen([sys.executable, "-c", grow])
for _ in range(200):  # until the child holds its 300 MB
    time.sleep(0.1)
    if peak_memory_mb() > before + 250:
        break
live = peak_memory_mb()
child.kill()
child.wait()
print(json.dumps({"before": before, "live": live, "ended": peak_memory_mb()}))
"""


def test_peak_memory_counts_this_process_and_its_children() -> None:
    """In a fresh process (this one's earlier children would count): its own peak, plus a
    child's while it runs and after it ended."""
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT], capture_output=True, text=True, check=True
    )
    mb = json.loads(run.stdout)
    # Python with needsbook's batch report imported; no upper bound: Linux keeps the peak of the
    # forked copy of this (large) test process across exec
    assert mb["before"] > 10
    assert mb["live"] > mb["before"] + 250
    assert mb["ended"] > mb["before"] + 250  # an ended child's peak still counts


# --- builds --------------------------------------------------------------------------------


@pytest.mark.slow
def test_batch_reports_each_area_and_skips_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = BuildOptions(area="", quiet=True)
    result = build_batch(["Rutland", "Narnia", "E06000017"], template, out_root=tmp_path)
    by_query = {o.query: o for o in result.outcomes}
    assert by_query["Narnia"].status == "failed"
    assert "unknown area 'Narnia'" in by_query["Narnia"].reason
    built = [o for o in result.outcomes if o.status == "built"]
    assert [o.area_code for o in built] == ["E06000017"]  # "Rutland" and its code: built once
    out = Path(built[0].out)  # <root>/<code>/<year>, with the area's page and the landing page
    assert out.parent == tmp_path / "E06000017" and out.name.isdigit()
    assert built[0].year == int(out.name)
    stamp = json.loads((out / STAMP).read_text())
    assert (stamp["area_code"], stamp["year"]) == ("E06000017", int(out.name))
    assert f'href="{out.name}/index.html"' in (out.parent / "index.html").read_text()
    assert f'href="E06000017/{out.name}/index.html"' in (tmp_path / "index.html").read_text()
    log = log_path("E06000017", built[0].year).read_text()  # _build/logs/<code>-<year>.log
    assert f"Built Rutland ({out.name}): {out / 'index.html'}" in log
    # the figures: this process built it (jobs=1), with its kernel
    assert result.built == 1 and result.wall_seconds >= built[0].seconds > 0
    assert result.peak_mb == {f"pid {os.getpid()}": built[0].peak_mb}
    assert built[0].peak_mb > 200
    again = build_many(["Rutland"], template, out_root=tmp_path)
    assert [o.status for o in again] == ["skipped"]
    before = (out / STAMP).read_bytes()

    def rebuilding(_root: Path) -> None:  # the first step of a build past the unchanged check
        raise BuildError("rebuilding")

    monkeypatch.setattr(outdir, "sweep_staging", rebuilding)
    forced = build_many(
        ["Rutland"], BuildOptions(area="", quiet=True, force=True), out_root=tmp_path
    )
    assert [o.status for o in forced] == ["failed"] and "rebuilding" in forced[0].reason
    assert (out / STAMP).read_bytes() == before  # a failed rebuild keeps the book


@pytest.mark.slow
def test_batch_exit_code_is_non_zero_when_any_area_fails(tmp_path: Path) -> None:
    code = main(["build", "--areas", "Narnia", "--out", str(tmp_path), "--quiet"])
    assert code == 1
    assert not any(tmp_path.iterdir())
