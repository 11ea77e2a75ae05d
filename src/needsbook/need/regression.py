"""Aggregated binomial regression: a neighbourhood-level logistic model fitted to area totals.

Each area ``a`` has ``events[a]`` out of ``trials[a]`` (e.g. children not reaching a good level
of development). Its neighbourhoods (LSOAs) ``l`` have predictors ``x[l]`` and population weights
``w[l]``. The model says a child in LSOA ``l`` has the outcome with probability
``expit(x[l] @ beta)``, so the area's expected share is the population-weighted mean

    p[a] = sum_l w[l] expit(x[l] @ beta) / sum_l w[l]

and ``beta`` maximises the binomial likelihood of the area counts. This is the "aggregated
individual" (ecological) model of Wakefield (2004) and Jackson, Best & Richardson (2006): the
outcome is only known for areas, the predictors for the small areas inside them. Area counts
vary more than binomial sampling allows, so the standard errors are scaled by the Pearson
dispersion (quasi-binomial, McCullagh & Nelder 1989), never by less than 1, and the fit records
how far areas depart from the model beyond chance (for the need figures' intervals).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse, special

from needsbook.errors import DataError, InputError


@dataclass(frozen=True)
class Design:
    """Neighbourhood predictors grouped into areas."""

    x: np.ndarray  # (L, k) predictors, first column the intercept (1)
    area: np.ndarray  # (L,) index of each LSOA's area, 0..A-1
    weight: np.ndarray  # (L,) population weights
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.x.ndim != 2 or len(self.x) != len(self.area) or len(self.area) != len(self.weight):
            raise InputError("regression design: x, area and weight must have one row per LSOA")
        if (self.weight < 0).any():
            raise InputError("regression design: population weights must be non-negative")

    @property
    def n_areas(self) -> int:
        return int(self.area.max()) + 1 if len(self.area) else 0

    def averaging(self) -> sparse.csr_matrix:
        """(A, L) matrix turning LSOA values into population-weighted area means."""
        totals = np.bincount(self.area, weights=self.weight, minlength=self.n_areas)
        if (totals <= 0).any():
            raise InputError("regression design: an area has no population")
        data = self.weight / totals[self.area]
        cols = np.arange(len(self.area))
        return sparse.csr_matrix((data, (self.area, cols)), shape=(self.n_areas, len(self.area)))


@dataclass(frozen=True)
class Fit:
    """A fitted aggregated binomial model."""

    names: tuple[str, ...]
    coef: np.ndarray
    cov: np.ndarray  # dispersion-scaled covariance of coef
    dispersion: float
    n_areas: int
    between: float  # variance of areas' departures from the model, log-odds scale

    def linear(self, x: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
        """Log-odds for predictor rows ``x``."""
        return np.asarray(x, dtype="float64") @ (self.coef if coef is None else coef)

    def predict(self, x: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
        """Probabilities for predictor rows ``x``."""
        return special.expit(self.linear(x, coef))

    def standard_errors(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def draws(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` coefficient vectors from the estimate's approximate normal distribution."""
        return rng.multivariate_normal(self.coef, self.cov, size=n, method="cholesky")


def _loglik(
    beta: np.ndarray, design: Design, avg: sparse.csr_matrix, events: np.ndarray, trials: np.ndarray
) -> tuple[float, np.ndarray]:
    pi = special.expit(design.x @ beta)
    p = np.clip(avg @ pi, 1e-12, 1 - 1e-12)
    ll = float(np.sum(events * np.log(p) + (trials - events) * np.log1p(-p)))
    dp = events / p - (trials - events) / (1 - p)
    grad = (avg.T @ dp * pi * (1 - pi)) @ design.x
    return ll, grad


def between_area_variance(events: np.ndarray, trials: np.ndarray, p: np.ndarray) -> float:
    """How much areas depart from the model beyond chance, as a variance on the log-odds scale:
    the mean squared log-odds residual less its binomial sampling variance (method of moments,
    never below 0)."""
    obs = np.clip(events / trials, 0.5 / trials, 1 - 0.5 / trials)
    resid = special.logit(obs) - special.logit(p)
    sampling = 1 / (trials * p * (1 - p))
    return max(0.0, float(np.mean(resid**2 - sampling)))


def fit(design: Design, events: np.ndarray, trials: np.ndarray) -> Fit:
    """Maximum-likelihood fit of the aggregated binomial model (see the module docstring)."""
    events = np.asarray(events, dtype="float64")
    trials = np.asarray(trials, dtype="float64")
    if len(events) != design.n_areas or len(trials) != design.n_areas:
        raise InputError("regression: one event count and one denominator per area")
    if (trials <= 0).any() or (events < 0).any() or (events > trials).any():
        raise InputError("regression: counts must satisfy 0 <= events <= trials, trials > 0")
    k = design.x.shape[1]
    if design.n_areas <= k:
        raise InputError(f"regression: {design.n_areas} areas cannot fit {k} parameters")
    avg = design.averaging()
    scale = float(trials.sum())

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = _loglik(beta, design, avg, events, trials)
        return -ll / scale, -grad / scale

    start = np.zeros(k)
    start[0] = special.logit(events.sum() / trials.sum())
    res = optimize.minimize(
        objective, start, jac=True, method="BFGS", options={"gtol": 1e-10, "maxiter": 2000}
    )
    beta = res.x
    _, final = _loglik(beta, design, avg, events, trials)
    if not np.all(np.isfinite(beta)) or np.max(np.abs(final / scale)) > 1e-6:
        raise DataError(
            f"the need model's regression did not converge ({res.message}); check the "
            "snapshot's outcome and population tables"
        )
    p = avg @ special.expit(design.x @ beta)
    # Observed information by central differences of the analytic gradient.
    hess = np.empty((k, k))
    for j in range(k):
        step = np.zeros(k)
        step[j] = 1e-5
        g_hi = _loglik(beta + step, design, avg, events, trials)[1]
        g_lo = _loglik(beta - step, design, avg, events, trials)[1]
        hess[j] = (g_hi - g_lo) / 2e-5
    info = -(hess + hess.T) / 2
    pearson = float(np.sum((events - trials * p) ** 2 / (trials * p * (1 - p))))
    dispersion = max(1.0, pearson / (design.n_areas - k))
    return Fit(
        names=design.names,
        coef=beta,
        cov=np.linalg.inv(info) * dispersion,
        dispersion=dispersion,
        n_areas=design.n_areas,
        between=between_area_variance(events, trials, p),
    )


def area_means(values: np.ndarray, design: Design) -> np.ndarray:
    """Population-weighted mean of LSOA ``values`` in each area of ``design``."""
    return design.averaging() @ np.asarray(values, dtype="float64")
