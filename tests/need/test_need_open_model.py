"""The default need model: the regression it rests on, per-band calibration, intervals, and an
estimate for every one of England's 153 areas."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from need_helpers import LATEST
from scipy import special

from needsbook.need import estimate_need
from needsbook.need.estimate import NeedEstimate
from needsbook.need.fitting import national_fits, weights
from needsbook.need.model import AGE_BANDS
from needsbook.need.open_model import OutcomeModel
from needsbook.need.regression import Design, _loglik, fit

WORCS = "E10000034"
YEAR = LATEST


def _synthetic(seed: int = 1) -> tuple[Design, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    areas, per = 120, 40
    x1 = rng.normal(size=areas * per) + np.repeat(rng.normal(size=areas), per)
    x = np.column_stack([np.ones(areas * per), x1])
    area = np.repeat(np.arange(areas), per)
    w = rng.uniform(50, 150, size=areas * per)
    beta = np.array([-1.0, 0.6])
    design = Design(x=x, area=area, weight=w, names=("intercept", "x1"))
    p = np.bincount(area, weights=w * special.expit(x @ beta)) / np.bincount(area, weights=w)
    trials = np.bincount(area, weights=w)
    return design, trials * p, trials, beta


def test_fit_recovers_the_coefficients_of_exact_area_shares() -> None:
    design, events, trials, beta = _synthetic()
    f = fit(design, events, trials)
    assert f.coef == pytest.approx(beta, abs=1e-6)
    assert f.dispersion == 1.0  # no extra-binomial variation: never scaled below 1
    assert f.between == 0.0  # no area departs from the model


def test_between_area_variance_is_the_excess_over_sampling_variance() -> None:
    design, events, trials, _ = _synthetic(3)
    rng = np.random.default_rng(7)
    shifted = special.expit(special.logit(events / trials) + rng.normal(0, 0.3, len(trials)))
    f = fit(design, np.round(shifted * trials), trials)
    assert f.between == pytest.approx(0.09, rel=0.35)  # 0.3 squared, estimated from 120 areas
    assert f.dispersion > 1


def test_a_fit_that_does_not_converge_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from scipy import optimize

    from needsbook.errors import DataError
    from needsbook.need import regression

    design, events, trials, _ = _synthetic(4)

    def stuck(fun, x0, **kwargs):  # type: ignore[no-untyped-def]
        return optimize.OptimizeResult(x=np.asarray(x0) + 5.0, message="stopped", success=False)

    monkeypatch.setattr(regression.optimize, "minimize", stuck)
    with pytest.raises(DataError, match="did not converge"):
        fit(design, events, trials)


def test_the_analytic_gradient_matches_finite_differences() -> None:
    design, events, trials, _ = _synthetic(2)
    events = np.round(events * 0.9)
    avg = design.averaging()
    beta = np.array([-0.7, 0.3])
    _, grad = _loglik(beta, design, avg, events, trials)
    num = [
        (
            _loglik(beta + d, design, avg, events, trials)[0]
            - _loglik(beta - d, design, avg, events, trials)[0]
        )
        / 2e-6
        for d in np.eye(2) * 1e-6
    ]
    assert grad == pytest.approx(num, rel=1e-5)


def test_each_band_is_calibrated_exactly_to_the_areas_observed_outcome(snap: Path) -> None:
    est = estimate_need(WORCS, YEAR, snap)
    assert set(est.observations) == set(AGE_BANDS)
    for band, obs in est.observations.items():
        sub = est.counts[est.counts["band"] == band]
        outcome = est.model.anchors[band]  # type: ignore[attr-defined]
        w = weights(est.lsoas, outcome)
        p = est.model.probability(est.lsoas, band)  # type: ignore[attr-defined]
        assert np.dot(w, p) / w.sum() * 100 == pytest.approx(obs.percent, abs=1e-9)
        assert sub["need"].sum() > 0
        assert obs.modelled == pytest.approx(obs.percent, abs=6)  # the model alone is close


def test_intervals_bracket_the_estimates_and_are_reproducible(snap: Path) -> None:
    est = estimate_need(WORCS, YEAR, snap)
    for by, key in (("band", "band"), ("lad_code", "lad_code"), ("imd_decile", "imd_decile")):
        iv = est.intervals(by)
        point = est.by_band().set_index("band") if by == "band" else est.summary(by).set_index(key)
        iv = iv.set_index(key)
        assert (iv["need_lower"] <= point.loc[iv.index, "need_pct"] + 1e-9).all()
        assert (iv["need_upper"] >= point.loc[iv.index, "need_pct"] - 1e-9).all()
        assert (iv["need_upper"] > iv["need_lower"]).all()
    again = estimate_need(WORCS, YEAR, snap).intervals("lad_code")
    pd.testing.assert_frame_equal(again, est.intervals("lad_code"))


def test_district_intervals_allow_for_districts_departing_from_the_model(
    snap: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    est = estimate_need(WORCS, YEAR, snap)
    with_departures = est.intervals("lad_code")
    width = (with_departures["need_upper"] - with_departures["need_lower"]).to_numpy()
    whole = est.intervals().iloc[0]
    # the area total is pinned to its observed values; its districts are not
    assert (width > whole["need_upper"] - whole["need_lower"]).all()
    model = est.model
    fits = {b: replace(f, between=0.0) for b, f in model.fits.items()}  # type: ignore[attr-defined]
    plain = replace(est, model=replace(model, fits=fits))  # type: ignore[type-var]
    plain.__dict__.pop("_simulated", None)
    narrow = plain.intervals("lad_code")
    assert (narrow["need_upper"] - narrow["need_lower"] < width).all()


def test_estimates_for_all_153_areas(snap: Path, every_estimate: dict[str, NeedEstimate]) -> None:
    assert len(every_estimate) == 153
    fits = national_fits(YEAR, snap)
    totals = {}
    for code, est in every_estimate.items():
        assert isinstance(est.model, OutcomeModel)
        band = est.by_band().set_index("band")
        assert band["need_pct"].between(0, 100).all() and band["need_pct"].notna().all()
        assert (band["intensive_pct"] < band["need_pct"]).all()
        for b, obs in est.observations.items():
            w = weights(est.lsoas, est.model.anchors[b])
            got = np.dot(w, est.model.probability(est.lsoas, b)) / w.sum() * 100
            assert got == pytest.approx(obs.percent, abs=1e-6), (code, b)
        iv = est.intervals().iloc[0]
        assert iv["need_lower"] <= band.loc["0-19", "need_pct"] <= iv["need_upper"], code
        totals[code] = band.loc["0-19", "need_pct"]
    # Every area has at least three of the four band outcomes observed in the fit.
    for key in ("not_gld", "not_ks2", "not_ks4", "neet"):
        assert len(fits[key].counts) >= 148
    assert 20 < np.median(list(totals.values())) < 45
