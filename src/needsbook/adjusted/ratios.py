"""Observed against expected: each council's ratio with its intervals, for every year.

The ratio is an indirectly standardised ratio (Breslow & Day 1987; the Fingertips and
PHEindicatormethods ``calculate_ISRatio`` convention) whose reference rate is the model's
rate at the council's deprivation: ``E = denominator × exp(a + b × score)``, ratio ``O / E``,
CI ``[L(O), U(O)] / E`` with exact Poisson limits below 10 events and Byar's from 10, at 95%
and 99.8%, all by :func:`needsbook.stats.isratio`.

Those intervals allow for Poisson (chance) variation only. Councils differ from the model far
more than that (over-dispersion, Pearson chi-squared / df, well above 1), so a wider interval
is also given: the quasi-Poisson one, the same Poisson limits for the effective count
``O / φ`` scaled back (``φ · [L(O/φ), U(O/φ)] / E``, with ``φ = max(1, dispersion)``), by
:func:`needsbook.stats.isr_ci`. The verdict (``comparison``) uses the Poisson 95% interval;
``wide_comparison`` uses the wider one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.adjusted.model import MEASURES, MULTIPLIER, fit_measures
from needsbook.data import snapshot_key
from needsbook.national import read_frame
from needsbook.outcomes.compare import display_period
from needsbook.stats import isr_ci, isratio, suppress_small_numbers

__all__ = [
    "HIGHER",
    "IN_LINE",
    "LOWER",
    "NO_DATA",
    "RATIO_COLUMNS",
    "SUPPRESSED",
    "all_ratios",
    "area_rows",
    "observed_expected",
    "verdict",
]

HIGHER = "higher than expected"
LOWER = "lower than expected"
IN_LINE = "in line with expected"
NO_DATA = "no data"
SUPPRESSED = "not shown (fewer than 5)"

#: Columns derived from the observed count (hidden with it when it is a small number).
RATIO_COLUMNS = [
    "observed_rate",
    "ratio",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",
    "wide_lower_ci_95",
    "wide_upper_ci_95",
]
LEVELS = (0.95, 0.998)


def verdict(lower: object, upper: object) -> str:
    """ "higher than expected" when the interval lies above 1, "lower than expected" below it,
    "in line with expected" when it includes 1, "no data" when either end is missing."""
    lo = pd.to_numeric(pd.Series([lower]), errors="coerce").iloc[0]
    hi = pd.to_numeric(pd.Series([upper]), errors="coerce").iloc[0]
    if pd.isna(lo) or pd.isna(hi):
        return NO_DATA
    if lo > 1:
        return HIGHER
    if hi < 1:
        return LOWER
    return IN_LINE


def observed_expected(
    observed: object, denominator: object, model_rate: object, dispersion: object = 1.0
) -> pd.DataFrame:
    """Ratio of observed to expected counts with Poisson 95% and 99.8% intervals and a
    quasi-Poisson 95% interval.

    ``model_rate`` is the expected rate per person (``exp(a + b × score)``), so the expected
    count is ``denominator × model_rate``; ``dispersion`` (one number or one per row) widens
    the last interval (values below 1 count as 1). Returns ``observed``, ``expected``,
    ``ratio``, ``lower_ci_95``, ``upper_ci_95``, ``lower_ci_99_8``, ``upper_ci_99_8``,
    ``method`` ("Exact" below 10 events, else "Byars"), ``wide_lower_ci_95``,
    ``wide_upper_ci_95``, ``comparison`` and ``wide_comparison``, one row per input row.
    """
    frame = pd.DataFrame(
        {
            "row": np.arange(len(np.atleast_1d(np.asarray(observed, dtype=float)))),
            "observed": np.atleast_1d(np.asarray(observed, dtype=float)),
            "denominator": np.atleast_1d(np.asarray(denominator, dtype=float)),
            "model_rate": np.atleast_1d(np.asarray(model_rate, dtype=float)),
            "one": 1.0,
        }
    )
    result = isratio(
        frame,
        x="observed",
        n="denominator",
        x_ref="model_rate",
        n_ref="one",
        group_by="row",
        confidence=list(LEVELS),
    ).sort_values("row", ignore_index=True)
    out = pd.DataFrame(
        {
            "observed": result["observed"].to_numpy(dtype=float),
            "expected": result["expected"].to_numpy(dtype=float),
            "ratio": result["value"].to_numpy(dtype=float),
            "lower_ci_95": result["lower_ci_95"].to_numpy(dtype=float),
            "upper_ci_95": result["upper_ci_95"].to_numpy(dtype=float),
            "lower_ci_99_8": result["lower_ci_99_8"].to_numpy(dtype=float),
            "upper_ci_99_8": result["upper_ci_99_8"].to_numpy(dtype=float),
            "method": result["method"].astype(str).to_numpy(),
        }
    )
    phi = np.broadcast_to(np.asarray(dispersion, dtype=float), (len(out),))
    phi = np.where(np.isfinite(phi), np.maximum(phi, 1.0), np.nan)
    lower, upper = isr_ci(out["observed"] / phi, out["expected"] / phi, 0.95)
    out["wide_lower_ci_95"] = np.asarray(lower, dtype=float)
    out["wide_upper_ci_95"] = np.asarray(upper, dtype=float)
    out["comparison"] = [
        verdict(lo, hi) for lo, hi in zip(out["lower_ci_95"], out["upper_ci_95"], strict=True)
    ]
    out["wide_comparison"] = [
        verdict(lo, hi)
        for lo, hi in zip(out["wide_lower_ci_95"], out["wide_upper_ci_95"], strict=True)
    ]
    return out


@lru_cache(maxsize=4)
def _all_ratios(data_dir: str, _key: tuple[str, int, int]) -> pd.DataFrame:
    stored = read_frame("adjusted-ratios", data_dir or None)
    return stored if stored is not None else compute_ratios(data_dir or None)


def compute_ratios(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Observed against expected for every modelled row, worked out from the snapshot."""
    model = fit_measures(data_dir)
    rows = model.rows[model.rows["expected"].notna()].reset_index(drop=True)
    fits = model.fits.set_index(["measure", "year"])
    key = pd.MultiIndex.from_frame(rows[["measure", "year"]])
    rows["dispersion"] = fits["dispersion"].reindex(key).to_numpy(dtype=float)
    rows["model_rate"] = rows["expected"] / rows["denominator"]
    ratios = observed_expected(
        rows["observed"], rows["denominator"], rows["model_rate"], rows["dispersion"]
    )
    ratios = ratios.drop(columns=["observed"]).rename(columns={"expected": "expected_isr"})
    out = pd.concat([rows, ratios], axis=1)
    out["expected_rate"] = out["model_rate"] * MULTIPLIER
    return out.drop(columns=["model_rate", "expected_isr"])


def all_ratios(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Observed against expected for every modelled row (measure, year, area), unsuppressed:
    the analysis behind every area's section (the table ``needsbook snapshot`` worked out when
    it holds, else :func:`compute_ratios`; cached per snapshot). Treat it as read-only."""
    return _all_ratios(str(data_dir or ""), snapshot_key(data_dir or None))


AREA_COLUMNS = [
    "measure",
    "label",
    "noun",
    "indicator_id",
    "area_code",
    "year",
    "period",
    "has_data",
    "observed",
    "denominator",
    "observed_rate",
    "expected",
    "expected_rate",
    "ratio",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",
    "method",
    "wide_lower_ci_95",
    "wide_upper_ci_95",
    "dispersion",
    "comparison",
    "wide_comparison",
    "comparison_99_8",
]


def area_rows(area_code: str, year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per measure and modelled year up to ``year`` for one area, for publication.

    A year the model was fitted but the area has no count (it did not exist yet, the count
    was suppressed at source, or its denominator is missing) gives a "no data" row; a measure
    with no modelled year up to ``year`` gives one "no data" row with no year. Observed counts
    of 1-4 and everything derived from them (observed rate, ratio, intervals) are hidden
    (``suppressed``, ``observed_display`` "<5", comparisons "not shown (fewer than 5)").
    Never raises for a current area code; an unknown code gives "no data" rows.
    """
    ratios = all_ratios(data_dir)
    fits = fit_measures(data_dir).fits
    parts = []
    for m in MEASURES:
        years = sorted(int(y) for y in fits.loc[fits["measure"] == m.key, "year"] if y <= year)
        own = ratios[(ratios["measure"] == m.key) & (ratios["area_code"] == area_code)]
        own = own[own["year"] <= year].set_index("year")
        mfits = fits[fits["measure"] == m.key].set_index("year")
        kinds = ratios.loc[ratios["measure"] == m.key, "period_type"]
        period_type = str(kinds.iloc[0]) if len(kinds) else "at 31 March"
        take = [c for c in AREA_COLUMNS if c in own.columns and c != "year"]
        joined = own.reindex(years)[take].rename_axis("year").reset_index()
        if not years:  # nothing modelled up to the book's year: one "no data" row
            joined = pd.DataFrame({"year": [pd.NA]})
        joined["measure"] = m.key
        joined["label"] = m.label
        joined["noun"] = m.noun
        joined["indicator_id"] = m.indicator_id
        joined["area_code"] = area_code
        joined["period"] = [
            NO_DATA if pd.isna(y) else display_period(str(y), period_type) for y in joined["year"]
        ]
        joined["dispersion"] = [
            np.nan if pd.isna(y) else float(mfits["dispersion"].get(y, np.nan))
            for y in joined["year"]
        ]
        parts.append(joined)
    out = pd.concat(parts, ignore_index=True)
    for col in AREA_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan
    out["has_data"] = out["expected"].notna()
    out["year"] = out["year"].astype("Int64")
    for col in ("comparison", "wide_comparison"):
        out[col] = out[col].where(out["has_data"], NO_DATA)
    out["comparison_99_8"] = [
        verdict(lo, hi) for lo, hi in zip(out["lower_ci_99_8"], out["upper_ci_99_8"], strict=True)
    ]
    out["method"] = out["method"].where(out["has_data"], None)
    out = out[AREA_COLUMNS]
    out = suppress_small_numbers(out, "observed", derived=RATIO_COLUMNS)
    for col in ("comparison", "wide_comparison", "comparison_99_8"):
        out[col] = out[col].where(~out["suppressed"], SUPPRESSED)
    return out.reset_index(drop=True)
