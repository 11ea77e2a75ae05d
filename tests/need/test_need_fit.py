"""The model's national gradient can be re-derived from the raw public data."""

from __future__ import annotations

import pytest
from need_helpers import RAW

from needsbook.need.fit import fit_gradient
from needsbook.need.model import NATIONAL_INTERCEPT, NATIONAL_SLOPE


@pytest.mark.needs_raw
@pytest.mark.skipif(not RAW.is_dir(), reason=f"raw data not found at {RAW}")
def test_fit_reproduces_the_published_constants() -> None:
    fit = fit_gradient(RAW)
    assert fit.n_districts == 309
    assert round(fit.intercept, 4) == NATIONAL_INTERCEPT
    assert round(fit.slope, 4) == NATIONAL_SLOPE
    assert fit.england_observed == pytest.approx(0.3482, abs=1e-4)
    assert abs(fit.england_modelled - fit.england_observed) < 0.005
    assert 0.4 < fit.r_squared < 0.5
