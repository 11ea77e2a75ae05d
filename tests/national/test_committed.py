"""The committed national tables hold for the committed snapshot and code, and hold exactly
what their readers would work out without them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from needsbook.national import read_frame, store
from needsbook.national.derive import book_years, computing

STALE = (
    "the committed national tables no longer match the snapshot or the code that makes them: "
    "run `python -m needsbook.national` (or `needsbook snapshot`) and commit data/national"
)


@pytest.fixture(scope="module")
def latest(data_dir: Path) -> int:
    if store.current_index(data_dir) is None:
        pytest.fail(f"{STALE}: {store.check_store(data_dir)}")
    year = store.latest_data_year(data_dir)
    assert year is not None
    return year


def test_the_committed_national_tables_are_current(data_dir: Path) -> None:
    assert store.check_store(data_dir) == [], STALE


def test_every_book_year_has_its_tables(data_dir: Path, latest: int) -> None:
    with computing():
        years = book_years(data_dir)
    assert years[-1] == latest
    for year in years:
        assert read_frame(f"benchmarks-{year}", data_dir) is not None


def test_the_latest_data_year_is_the_one_worked_out(data_dir: Path, latest: int) -> None:
    from needsbook.years import latest_data_year

    with computing():
        assert latest_data_year(data_dir) == latest


def test_stored_benchmarks_are_what_the_engine_works_out(data_dir: Path, latest: int) -> None:
    from needsbook.outcomes.compare import compute_benchmarks, load_data

    stored = read_frame(f"benchmarks-{latest}", data_dir)
    with computing():
        made = compute_benchmarks(load_data(data_dir), latest)
    pd.testing.assert_frame_equal(stored, made, check_exact=True)
    assert [type(v) for v in stored["band"]] == [type(v) for v in made["band"]]


def test_stored_need_fits_are_what_fitting_works_out(data_dir: Path, latest: int) -> None:
    from needsbook.need.fitting import _stored_fits, compute_fits

    stored = _stored_fits(latest, str(data_dir))
    with computing():
        made = compute_fits(latest, data_dir)
    assert stored is not None and list(stored) == list(made)
    for key, fit in made.items():
        got = stored[key]
        assert (got.outcome, got.year, got.period) == (fit.outcome, fit.year, fit.period)
        pd.testing.assert_frame_equal(got.counts, fit.counts, check_exact=True)
        assert got.full.names == fit.full.names
        assert np.array_equal(got.full.coef, fit.full.coef)
        assert np.array_equal(got.full.cov, fit.full.cov)
        assert (got.full.dispersion, got.full.n_areas, got.full.between) == (
            fit.full.dispersion,
            fit.full.n_areas,
            fit.full.between,
        )


def test_stored_ratios_are_what_the_model_works_out(data_dir: Path) -> None:
    from needsbook.adjusted.ratios import compute_ratios

    with computing():
        made = compute_ratios(data_dir)
    pd.testing.assert_frame_equal(read_frame("adjusted-ratios", data_dir), made, check_exact=True)


def test_the_evidence_catalogue_pass_is_recorded() -> None:
    from needsbook.evidence.catalogue import programmes_frame, read_entries, suite_passed

    assert suite_passed(programmes_frame(read_entries())), STALE
