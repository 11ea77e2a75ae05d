"""The deprivation model, recomputed independently from the snapshot's own tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from needsbook.adjusted import deprivation_scores, fit_measures, fit_poisson
from needsbook.data import load_table
from needsbook.errors import InputError

WORCS = "E10000034"


def _inputs(data_dir, indicator_id: str, year: int) -> pd.DataFrame:
    """Counts, denominators and the LSOA-mean income score, read straight from the tables."""
    ind = pd.read_parquet(data_dir / "snapshot" / "indicators.parquet")
    areas = pd.read_parquet(data_dir / "snapshot" / "areas.parquet")["area_code"]
    rows = ind[
        (ind["indicator_id"] == indicator_id)
        & (ind["area_type"] == "UTLA")
        & (ind["year"] == year)
        & ind["area_code"].isin(areas)
        & ind["count"].notna()
        & (ind["denominator"] > 0)
    ]
    iod = pd.read_parquet(data_dir / "snapshot" / "imd2025_lsoa21.parquet")
    score = iod.groupby("utla_code")["income_score"].agg(lambda s: s.sum() / len(s))
    out = rows[["area_code", "count", "denominator"]].copy()
    out["score"] = out["area_code"].map(score)
    return out.dropna().reset_index(drop=True)


def _scipy_fit(d: pd.DataFrame) -> np.ndarray:
    """Maximum likelihood by scipy (trust-region Newton on the exact Poisson log-likelihood)."""
    y = d["count"].to_numpy(float)
    off = np.log(d["denominator"].to_numpy(float))
    x = d["score"].to_numpy(float)
    scale = y.sum()

    def nll(b):
        eta = b[0] + b[1] * x + off
        return (np.exp(eta).sum() - (y * eta).sum()) / scale

    def grad(b):
        r = np.exp(b[0] + b[1] * x + off) - y
        return np.array([r.sum(), (r * x).sum()]) / scale

    def hess(b):
        mu = np.exp(b[0] + b[1] * x + off)
        return np.array([[mu.sum(), (mu * x).sum()], [(mu * x).sum(), (mu * x * x).sum()]]) / scale

    start = np.array([np.log(y.sum() / np.exp(off).sum()), 0.0])
    res = optimize.minimize(
        nll, start, jac=grad, hess=hess, method="trust-exact", options={"gtol": 1e-10}
    )
    # at the optimum the (scaled) score equations are zero; an error d in the coefficients
    # leaves a gradient of about H d, with H's smallest entries ~0.07, so d < 1e-7 here
    assert np.abs(grad(res.x)).max() < 1e-9, res.message
    return res.x


@pytest.mark.parametrize(
    ("indicator_id", "key", "year"), [("csc:cla_rate", "cla", 2025), ("csc:cin_rate", "cin", 2013)]
)
def test_fit_matches_an_independent_scipy_fit(data_dir, indicator_id, key, year):
    d = _inputs(data_dir, indicator_id, year)
    a, b = _scipy_fit(d)
    fits = fit_measures(data_dir).fits
    fit = fits[(fits["measure"] == key) & (fits["year"] == year)].iloc[0]
    assert int(fit["areas"]) == len(d)
    assert fit["intercept"] == pytest.approx(a, abs=1e-6)
    assert fit["slope"] == pytest.approx(b, abs=1e-6)
    assert bool(fit["converged"])

    rows = fit_measures(data_dir).rows
    mine = rows[(rows["measure"] == key) & (rows["year"] == year) & (rows["area_code"] == WORCS)]
    w = d[d["area_code"] == WORCS].iloc[0]
    expected = w["denominator"] * np.exp(a + b * w["score"])
    assert mine["expected"].iloc[0] == pytest.approx(expected, rel=1e-6)
    # the observed rate is the one the rest of the book shows: count / denominator x 10,000
    assert mine["observed_rate"].iloc[0] == pytest.approx(
        w["count"] / w["denominator"] * 10_000, rel=1e-9
    )


def test_worcestershire_looked_after_2025_values(data_dir):
    """Pinned values (from the fit above, checked against scipy) so a change is noticed."""
    rows = fit_measures(data_dir).rows
    w = rows[(rows["measure"] == "cla") & (rows["year"] == 2025) & (rows["area_code"] == WORCS)]
    assert w["observed"].iloc[0] == 1036
    assert w["denominator"].iloc[0] == 120119
    assert w["expected"].iloc[0] == pytest.approx(710.0768, abs=1e-3)
    assert w["expected_rate"].iloc[0] == pytest.approx(59.1144, abs=1e-3)


def test_likelihood_equations_hold_for_every_fit(data_dir):
    """Closed-form check: at the maximum, sum(O - E) = 0 and sum(score (O - E)) = 0, and the
    Pearson statistic and deviance are the textbook sums."""
    model = fit_measures(data_dir)
    for (key, year), grp in model.rows.groupby(["measure", "year"]):
        o, e, x = grp["observed"], grp["expected"], grp["income_score"]
        assert abs((o - e).sum()) < 1e-6 * o.sum(), (key, year)
        assert abs((x * (o - e)).sum()) < 1e-6 * (x * o).sum(), (key, year)
        fit = model.fits[(model.fits["measure"] == key) & (model.fits["year"] == year)].iloc[0]
        assert fit["pearson_chi2"] == pytest.approx(((o - e) ** 2 / e).sum(), rel=1e-9)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = 2 * (np.where(o > 0, o * np.log(o / e), 0.0) - (o - e)).sum()
        assert fit["deviance"] == pytest.approx(dev, rel=1e-9)
        assert fit["df"] == len(grp) - 2
        assert fit["dispersion"] == pytest.approx(fit["pearson_chi2"] / fit["df"], rel=1e-12)


def test_fits_cover_the_published_years(data_dir):
    fits = fit_measures(data_dir).fits
    years = {k: sorted(g["year"]) for k, g in fits.groupby("measure")}
    assert years["cin"] == list(range(2013, 2026))
    assert years["cpp"] == list(range(2013, 2026))
    assert years["cla"] == list(range(2016, 2026))
    # deprivation raises every measure's expected rate, every year
    assert (fits["slope"] > 0).all()
    # and the counts are over-dispersed (councils differ more than chance)
    assert (fits["dispersion"] > 10).all()


def test_fit_poisson_recovers_known_coefficients():
    """Counts exactly on the curve give back the curve, with no dispersion."""
    x = np.linspace(0.05, 0.4, 20)
    n = np.full(20, 1e6)
    y = n * np.exp(-5 + 2.5 * x)
    fit = fit_poisson(y, n, x)
    assert fit.intercept == pytest.approx(-5, abs=1e-10)
    assert fit.slope == pytest.approx(2.5, abs=1e-9)
    assert fit.pearson_chi2 == pytest.approx(0, abs=1e-12)
    assert fit.rate_ratio_per_point == pytest.approx(np.exp(0.025), rel=1e-9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1, 2], [10, 10, 10], [0.1, 0.2, 0.3]), "same length"),
        (([1, -2, 3], [10, 10, 10], [0.1, 0.2, 0.3]), "greater than or equal to zero"),
        (([1, 2, 3], [10, 0, 10], [0.1, 0.2, 0.3]), "denominators: must be present"),
        (([1, 2, 3], [10, 10, 10], [0.1, np.nan, 0.3]), "scores: must be present"),
        (([1, 2], [10, 10], [0.1, 0.2]), "at least three areas"),
        (([0, 0, 0], [10, 10, 10], [0.1, 0.2, 0.3]), "no events"),
        (([1, 2, 3], [10, 10, 10], [0.2, 0.2, 0.2]), "same score"),
    ],
)
def test_fit_poisson_rejects_bad_input(args, message):
    with pytest.raises(InputError, match=message):
        fit_poisson(*args)


def test_deprivation_score_is_the_unweighted_lsoa_mean(data_dir):
    scores = deprivation_scores(data_dir)
    assert len(scores) == 153
    assert scores["income_score"].notna().all()
    iod = load_table("imd2025_lsoa21", data_dir)
    worcs = iod.loc[iod["utla_code"] == WORCS, "income_score"]
    row = scores.set_index("area_code").loc[WORCS]
    assert row["income_score"] == pytest.approx(worcs.sum() / len(worcs), rel=1e-12)
    assert row["lsoas"] == len(worcs)
    assert scores.set_index("area_code").loc["E06000053", "lsoas"] == 1  # Isles of Scilly
    # new unitaries have a score too
    new = scores.set_index("area_code").loc[["E06000063", "E06000064", "E06000065"]]
    assert new["income_score"].between(0, 1).all()


def test_income_score_ranks_councils_like_idaci_2019(data_dir):
    """The methods page's claim: rank correlation 0.92 with the IMD 2019 IDACI average score
    over the 149 councils in both."""
    scores = deprivation_scores(data_dir)
    idaci = load_table("imd_utla_summary", data_dir)[["area_code", "idaci_average_score"]]
    both = scores.merge(idaci, on="area_code")
    assert len(both) == 149
    rho = both["income_score"].corr(both["idaci_average_score"], method="spearman")
    assert round(rho, 2) == 0.92
