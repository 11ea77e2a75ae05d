"""How well the need model predicts: leave-areas-out cross-validation, calibration and the
deprivation gradient, each set against the income-deprivation-only baseline.

* **Cross-validation.** England's areas are split into ten folds at random (a fixed seed). Each
  fold is predicted by the model fitted on the other nine, so every area's prediction comes from a
  fit that never saw it. Accuracy is the root mean square error of the predicted share against
  the observed share (percentage points) and R-squared, 1 - SSE / SST, with SST the squared
  deviations from the mean observed share.
* **Calibration.** Areas are grouped into tenths by their cross-validated prediction; within
  each tenth the children predicted to have the outcome are set against those observed.
* **Gradient.** The fitted model's share for children in each national IMD decile of
  neighbourhood, England's children weighted by where they live.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.national import read_frames
from needsbook.need import predictors as pred
from needsbook.need.fitting import (
    OutcomeFit,
    design,
    fit_outcome,
    national_fits,
    national_lsoas,
    weights,
)
from needsbook.need.regression import area_means

FOLDS = 10
SEED = 20261206
MODELS = {"full": pred.FULL, "baseline": pred.BASELINE}
REPORT = ("accuracy", "calibration", "gradient")


def folds(areas: pd.Index, k: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """Fold number (0..k-1) of each area: a fixed random permutation dealt round-robin."""
    order = np.random.default_rng(seed).permutation(len(areas))
    out = np.empty(len(areas), dtype="int64")
    out[order] = np.arange(len(areas)) % k
    return out


def cross_validated(of: OutcomeFit, lsoas: pd.DataFrame, k: int = FOLDS) -> pd.DataFrame:
    """Out-of-fold predicted share for every area, from the full and the baseline model."""
    counts = of.counts.reset_index(drop=True)
    fold = folds(pd.Index(counts["area_code"]), k)
    out = counts[["area_code", "events", "trials", "observed"]].copy()
    for name, columns in MODELS.items():
        pred_share = np.empty(len(counts))
        for f in range(k):
            train, test = counts[fold != f], counts[fold == f]
            model = fit_outcome(of.outcome, train, lsoas, columns)
            d = design(lsoas, of.outcome, pd.Index(test["area_code"]), columns)
            pred_share[fold == f] = area_means(model.predict(d.x), d)
        out[name] = pred_share
    return out


def accuracy(cv: pd.DataFrame) -> dict[str, float]:
    """RMSE (percentage points) and R-squared of each model's cross-validated predictions."""
    y = cv["observed"].to_numpy()
    sst = float(np.sum((y - y.mean()) ** 2))
    out: dict[str, float] = {}
    for name in MODELS:
        err = cv[name].to_numpy() - y
        out[f"rmse_{name}"] = float(np.sqrt(np.mean(err**2)) * 100)
        out[f"r2_{name}"] = 1 - float(np.sum(err**2)) / sst
    return out


def calibration(cv: pd.DataFrame, model: str = "full", groups: int = 10) -> pd.DataFrame:
    """Predicted and observed % in tenths of areas by cross-validated prediction."""
    ranked = cv.sort_values(model, kind="mergesort").reset_index(drop=True)
    tenth = np.arange(len(ranked)) * groups // len(ranked) + 1
    ranked["tenth"] = tenth
    ranked["predicted_events"] = ranked[model] * ranked["trials"]
    g = ranked.groupby("tenth")[["predicted_events", "events", "trials"]].sum()
    n = ranked.groupby("tenth").size()
    return pd.DataFrame(
        {
            "tenth": g.index,
            "areas": n.to_numpy(),
            "predicted": (g["predicted_events"] / g["trials"] * 100).to_numpy(),
            "observed": (g["events"] / g["trials"] * 100).to_numpy(),
        }
    )


def gradient(of: OutcomeFit, lsoas: pd.DataFrame) -> pd.DataFrame:
    """Modelled % by national IMD decile of neighbourhood: full model and baseline."""
    w = weights(lsoas, of.outcome)
    out = pd.DataFrame({"imd_decile": range(1, 11)})
    for name, columns in MODELS.items():
        fit = of.full if name == "full" else fit_outcome(of.outcome, of.counts, lsoas, columns)
        p = fit.predict(pred.matrix(lsoas, columns))
        num = pd.Series(p * w).groupby(lsoas["imd_decile"].to_numpy()).sum()
        den = pd.Series(w).groupby(lsoas["imd_decile"].to_numpy()).sum()
        out[name] = (num / den * 100).reindex(range(1, 11)).to_numpy()
    return out


@lru_cache(maxsize=4)
def _report(year: int, data_dir: str | None) -> dict[str, pd.DataFrame]:
    stored = {n: read_frames(f"need-validation-{n}", data_dir) for n in REPORT}
    if all(parts is not None and str(year) in parts for parts in stored.values()):
        return {n: parts[str(year)] for n, parts in stored.items() if parts is not None}
    return compute_report(year, data_dir)


def compute_report(year: int, data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """:func:`validation_report` worked out from the snapshot (cross-validating every fit)."""
    lsoas = national_lsoas(year, data_dir)
    fits = national_fits(year, data_dir)
    rows, calib, grad = [], [], []
    for key, of in fits.items():
        cv = cross_validated(of, lsoas)
        acc = accuracy(cv)
        rows.append(
            {
                "outcome": key,
                "label": of.outcome.label,
                "period": of.period,
                "areas": len(cv),
                "observed_england": float(cv["events"].sum() / cv["trials"].sum() * 100),
                **acc,
                "beats_baseline": acc["rmse_full"] < acc["rmse_baseline"],
            }
        )
        calib.append(calibration(cv).assign(outcome=key))
        grad.append(gradient(of, lsoas).assign(outcome=key))
    return {
        "accuracy": pd.DataFrame(rows),
        "calibration": pd.concat(calib, ignore_index=True),
        "gradient": pd.concat(grad, ignore_index=True),
    }


def validation_report(year: int, data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """``accuracy`` (one row per outcome), ``calibration`` and ``gradient`` tables: as
    ``needsbook snapshot`` stored them (:mod:`needsbook.national`) when they hold, else
    :func:`compute_report` (cached)."""
    rep = _report(int(year), None if data_dir is None else str(data_dir))
    return {k: v.copy() for k, v in rep.items()}
