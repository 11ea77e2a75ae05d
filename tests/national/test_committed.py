"""The committed national tables hold for the committed snapshot and code, and hold exactly
what their readers would work out without them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from needsbook.national import read_frame, store
from needsbook.national.derive import book_years, computing

#: Model fits and the ratios from them use linear algebra whose last bits depend on the
#: processor (OpenBLAS chooses its kernels by CPU): tables committed from one machine and
#: worked out on another agree to this relative tolerance, not bit for bit.
RTOL = 1e-9
#: The need model's coefficients come from BFGS stopped at a gradient of 1e-10: from one
#: processor to another they agree to about 1e-7 of the largest (1e-6 allowed).
FIT_RTOL = 1e-6

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
        _close(got.full.coef, fit.full.coef)
        _close(got.full.cov, fit.full.cov)
        assert got.full.n_areas == fit.full.n_areas
        assert got.full.dispersion == pytest.approx(fit.full.dispersion, rel=FIT_RTOL)
        assert got.full.between == pytest.approx(fit.full.between, rel=FIT_RTOL, abs=1e-12)


def _close(got: np.ndarray, made: np.ndarray) -> None:
    """Equal to :data:`FIT_RTOL` of the array's largest value (a covariance's small entries
    are differences of large ones)."""
    scale = float(np.abs(made).max()) if made.size else 0.0
    np.testing.assert_allclose(got, made, rtol=FIT_RTOL, atol=FIT_RTOL * scale)


def test_stored_ratios_are_what_the_model_works_out(data_dir: Path) -> None:
    from needsbook.adjusted.ratios import compute_ratios

    with computing():
        made = compute_ratios(data_dir)
    pd.testing.assert_frame_equal(
        read_frame("adjusted-ratios", data_dir), made, check_exact=False, rtol=RTOL, atol=1e-12
    )


def test_the_evidence_catalogue_pass_is_recorded() -> None:
    from needsbook.evidence.catalogue import programmes_frame, read_entries, suite_passed

    assert suite_passed(programmes_frame(read_entries())), STALE
