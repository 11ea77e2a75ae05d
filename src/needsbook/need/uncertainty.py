"""95% intervals for modelled need, by simulation.

Each draw takes every age band's coefficients from their estimated (dispersion-scaled) normal
distribution, gives each district a departure from the model as large as areas show across
England (a normal log-odds effect with the fit's between-area variance), draws the area's
observed outcome from its binomial sampling distribution, re-calibrates the area total, and
recounts the children needing help. The 2.5th and 97.5th percentiles of the draws bound the
interval. One random generator with a fixed seed is used, so a book's intervals are
reproducible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import special

from needsbook.errors import InputError
from needsbook.need.fitting import weights
from needsbook.need.inputs import BAND_COLUMNS
from needsbook.need.open_model import OutcomeModel, calibration_shift

if TYPE_CHECKING:
    from needsbook.need.estimate import NeedEstimate

SEED = 2015
DRAWS = 200
COLUMNS = ["need_lower", "need_upper", "intensive_lower", "intensive_upper"]


def _band_populations(lsoas: pd.DataFrame, bands: list[str]) -> np.ndarray:
    """(band, LSOA) children."""
    return np.vstack([lsoas[BAND_COLUMNS[b]].to_numpy(dtype="float64") for b in bands])


def simulate(estimate: NeedEstimate, draws: int = DRAWS) -> tuple[np.ndarray, np.ndarray]:
    """Simulated children needing help and needing intensive help: arrays (draw, band, LSOA)."""
    model = estimate.model
    if not isinstance(model, OutcomeModel):
        raise InputError("need intervals: only the open need model carries uncertainty")
    lsoas = estimate.lsoas
    bands = list(model.fits)
    x = model.design_matrix(lsoas)
    district = pd.factorize(lsoas["lad_code"])[0]
    n_districts = int(district.max()) + 1
    rng = np.random.default_rng(SEED)
    need = np.empty((draws, len(bands), len(lsoas)))
    for j, band in enumerate(bands):
        fit = model.fits[band]
        eta = x @ fit.draws(draws, rng).T  # (LSOA, draw)
        eta += rng.normal(0.0, np.sqrt(fit.between), size=(n_districts, draws))[district]
        obs = estimate.observations.get(band)
        w = weights(lsoas, model.anchors[band])
        for s in range(draws):
            shift = 0.0
            if obs is not None:
                p = obs.percent / 100
                sd = np.sqrt(p * (1 - p) / obs.trials) if obs.trials > 0 else 0.0
                target = float(np.clip(rng.normal(p, sd), 1e-6, 1 - 1e-6))
                shift = calibration_shift(eta[:, s], w, target)
            elif band in model.shift:
                shift = float(model.shift[band])
            need[s, j] = special.expit(eta[:, s] + shift)
    pops = _band_populations(lsoas, bands)
    intensive = special.ndtr(special.ndtri(need) - model.intensive_threshold) * pops
    return need * pops, intensive


def _groups(
    estimate: NeedEstimate, by: str | None, bands: list[str]
) -> tuple[list[object], np.ndarray]:
    """Group labels and a (group, band, LSOA) 0/1 membership array for ``by``."""
    n = len(estimate.lsoas)
    if by == "band":
        labels: list[object] = [*bands, "0-19"]
        member = np.zeros((len(labels), len(bands), n))
        for j in range(len(bands)):
            member[j, j] = 1
        member[-1] = 1
        return labels, member
    if by is None:
        return [0], np.ones((1, len(bands), n))
    key = estimate.lsoas[by].to_numpy()
    labels = sorted(pd.unique(key))
    member = np.stack([np.broadcast_to(key == k, (len(bands), n)) for k in labels]).astype(float)
    return labels, member


def need_intervals(
    estimate: NeedEstimate, by: str | None = None, draws: int = DRAWS
) -> pd.DataFrame:
    """Intervals for :meth:`NeedEstimate.summary` rows (``by`` a column, ``"band"``, or None).

    Models other than :class:`OutcomeModel` carry no uncertainty here: their columns are NaN.
    """
    model = estimate.model
    if not isinstance(model, OutcomeModel):
        if by == "band":
            labels = [*estimate.counts["band"].unique(), "0-19"]
        elif by is None:
            labels = [0]
        else:
            labels = sorted(pd.unique(estimate.lsoas[by]))
        out = pd.DataFrame(np.nan, index=pd.Index(labels, name=by or "area"), columns=COLUMNS)
        return out.reset_index()
    cache = estimate.__dict__.setdefault("_simulated", {})
    if draws not in cache:
        cache[draws] = simulate(estimate, draws)
    need, intensive = cache[draws]
    bands = list(model.fits)
    labels, member = _groups(estimate, by, bands)
    denom = np.einsum("gbl,bl->g", member, _band_populations(estimate.lsoas, bands))
    n_pct = np.einsum("gbl,sbl->sg", member, need) / denom * 100
    i_pct = np.einsum("gbl,sbl->sg", member, intensive) / denom * 100
    out = pd.DataFrame(
        {
            "need_lower": np.percentile(n_pct, 2.5, axis=0),
            "need_upper": np.percentile(n_pct, 97.5, axis=0),
            "intensive_lower": np.percentile(i_pct, 2.5, axis=0),
            "intensive_upper": np.percentile(i_pct, 97.5, axis=0),
        },
        index=pd.Index(labels, name=by or "area"),
    )
    return out.reset_index()
