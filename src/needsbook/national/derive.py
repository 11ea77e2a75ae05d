"""Work out the national tables for a snapshot and write them beside it.

``python -m needsbook.national [--data-dir DIR]`` (``needsbook snapshot`` runs it after
replacing the snapshot, in a fresh process so that the INDEX lists exactly the code that made
the numbers). Tables, each worked out as its reader would without them:

* ``benchmarks-<year>``: :func:`needsbook.outcomes.compare.compute_benchmarks` for every year a
  book can show, and the years before it that the pooled sections look back to;
* ``need-fits`` and ``need-counts``: the need model's national fit of every outcome, per book
  year (:func:`needsbook.need.fitting.national_fits`);
* ``need-validation-accuracy``, ``-calibration`` and ``-gradient``: its cross-validation
  report per book year
  (:func:`needsbook.need.validation.validation_report`);
* ``adjusted-ratios``: observed against expected for every area
  (:func:`needsbook.adjusted.ratios.all_ratios`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from needsbook.errors import DataError
from needsbook.national import store

Tables = dict[str, dict[str, pd.DataFrame]]


@contextmanager
def computing() -> Iterator[None]:
    """Readers work every table out rather than read a stored one (for the derivation)."""
    store.BYPASS.append(True)
    try:
        yield
    finally:
        store.BYPASS.pop()


def book_years(data_dir: Path | str | None) -> list[int]:
    """Every year a book can be built for (the first single-year population estimate to the
    latest data year), as :func:`needsbook.years.available_years` finds them."""
    from needsbook.data import load_table
    from needsbook.years import latest_data_year

    first = int(load_table("population_syoa", data_dir)["year"].min())
    return list(range(first, latest_data_year(data_dir) + 1))


def benchmark_years(data_dir: Path | str | None) -> list[int]:
    """The book years and the years the pooled sections' windows reach back to."""
    from needsbook.outcomes.pooled import WINDOW

    years = book_years(data_dir)
    return list(range(years[0] - WINDOW + 1, years[-1] + 1))


def derive(data_dir: Path | str | None = None, log: Callable[[str], None] = print) -> Tables:
    """Every national table (module docstring), worked out from the snapshot."""
    from needsbook.adjusted.ratios import all_ratios
    from needsbook.need.fitting import fit_table, national_fits
    from needsbook.need.validation import validation_report
    from needsbook.outcomes.compare import benchmarks

    tables: Tables = {}
    with computing():
        for year in benchmark_years(data_dir):
            log(f"benchmarks {year} ...")
            tables[f"benchmarks-{year}"] = {"": benchmarks(year, data_dir)}
        fits: dict[str, pd.DataFrame] = {}
        counts: dict[str, pd.DataFrame] = {}
        report: Tables = {}
        for year in book_years(data_dir):
            log(f"need model {year}: national fits and cross-validation ...")
            fitted = national_fits(year, data_dir)
            fits[str(year)] = fit_table(fitted)
            counts.update({f"{year}/{key}": of.counts for key, of in fitted.items()})
            for name, frame in validation_report(year, data_dir).items():
                report.setdefault(f"need-validation-{name}", {})[str(year)] = frame
        tables["need-fits"] = fits
        tables["need-counts"] = counts
        tables.update(report)
        log("observed against expected ...")
        tables["adjusted-ratios"] = {"": all_ratios(data_dir)}
    return tables


def suite_passes(log: Callable[[str], None] = print) -> dict[str, str]:
    """Validate the evidence catalogue with its suite (raising if it fails); its key, so that
    loading it later need not repeat the check (:func:`needsbook.evidence.suite_passed`)."""
    from needsbook.evidence.catalogue import TABLE, programmes_frame, read_entries
    from needsbook.validate import validate_frame
    from needsbook.validate.runner import frame_key

    log("evidence catalogue: expectation suite ...")
    frame = programmes_frame(read_entries())
    report = validate_frame(TABLE, frame)
    if not report.success:
        raise DataError(report.text())
    return {TABLE: frame_key(TABLE, frame)}


def write(data_dir: Path | str | None = None, log: Callable[[str], None] = print) -> Path:
    """Derive the tables and write them with their INDEX; the folder written."""
    from needsbook.years import latest_data_year

    start = time.perf_counter()
    tables = derive(data_dir, log)
    with computing():
        latest = latest_data_year(data_dir)
    modules = list(sys.modules)  # before validation: GX is not part of the tables' key
    folder = store.write_store(data_dir, tables, modules, latest, passed=suite_passes(log))
    log(f"national tables written to {folder} in {time.perf_counter() - start:.0f} s")
    return folder


def write_in_fresh_process(data_dir: Path, log: Callable[[str], None] = print) -> Path:
    """:func:`write` in a new Python process (the INDEX then lists only the code it ran)."""
    cmd = [sys.executable, "-m", "needsbook.national", "--data-dir", str(data_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    for line in (proc.stdout + proc.stderr).splitlines():
        log(line)
    if proc.returncode != 0:
        raise DataError(f"working out the national tables failed (exit {proc.returncode})")
    return store.national_dir(data_dir)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m needsbook.national", description=__doc__.splitlines()[0]
    )
    p.add_argument("--data-dir", type=Path, default=None, help="folder holding snapshot/")
    args = p.parse_args(argv)
    write(args.data_dir, log=lambda m: print(m, file=sys.stderr))
    return 0
