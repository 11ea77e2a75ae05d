"""Outcome-star domain scores with an expected score from deprivation.

For each of the Worcestershire 2015 needs assessment's eight outcome-star domains
(``star_domains`` in ``data/indicators.yml``):

1. every domain indicator is standardised across the English upper-tier areas with a value:
   ``z = s × (x − England) / SD``, where SD is the standard deviation of the areas' values and
   ``s`` is +1 when high is good and −1 when low is good, so that a higher z is always better
   and England scores 0 (where England's value is not available the mean of all areas stands
   in for it);
2. an area's domain score is the mean z of the domain's indicators it has a value for;
3. the **expected** score is the fitted value of an ordinary least-squares regression, across
   all areas, of the domain score on the area's IMD 2019 average score (its deprivation),
   evaluated at the area's own IMD score.

IMD 2019 average scores come from the upper-tier summaries (File 11). The four areas created
since 2019 (North and West Northamptonshire, Cumberland, Westmorland and Furness) have none;
their score is derived from their LSOAs (see :func:`imd_average_scores`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.data import load_table
from needsbook.outcomes.compare import benchmarks, load_data
from needsbook.polarity import LOW_IS_GOOD

FILE11 = "IMD 2019 upper-tier summary (File 11)"
#: Fewest areas with a domain score and an IMD score for the regression to be fitted.
MIN_FIT = 30
DERIVED = "derived from LSOA ranks (IMD 2019)"


@lru_cache(maxsize=4)
def _imd(data_dir: str) -> pd.DataFrame:
    dd = data_dir or None
    summary = load_table("imd_utla_summary", dd)
    official = summary[summary["area_type"] == "UTLA"].set_index("area_code")["imd_average_score"]
    lsoa = load_table("imd2019_lsoa11", dd)[["lsoa11_code", "utla_code", "imd_rank"]]
    pop = load_table("lsoa_population", dd)
    pop = pop[pop["year"] == pop["year"].min()][["lsoa11_code", "pop_all_ages"]]
    ref = load_table("imd2025_lsoa21", dd)[["imd_rank", "imd_score"]].sort_values("imd_rank")
    # IMD scores are a fixed, steep function of national rank; IMD 2019 LSOA scores are not in
    # the snapshot, so the 2025 rank -> score curve (same method) stands in for it.
    ref_pct = (ref["imd_rank"].to_numpy() - 0.5) / len(ref)
    m = lsoa.merge(pop, on="lsoa11_code", how="inner")
    pct = (m["imd_rank"].to_numpy(dtype=float) - 0.5) / len(lsoa)
    m["score"] = np.interp(pct, ref_pct, ref["imd_score"].to_numpy(dtype=float))
    m["weighted"] = m["score"] * m["pop_all_ages"]
    g = m.groupby("utla_code")[["weighted", "pop_all_ages"]].sum()
    estimate = g["weighted"] / g["pop_all_ages"]
    both = pd.concat([official.rename("official"), estimate.rename("estimate")], axis=1).dropna()
    slope, intercept = np.polyfit(both["estimate"], both["official"], 1)
    calibrated = intercept + slope * estimate
    out = pd.DataFrame({"imd_score": official.astype(float), "imd_source": FILE11})
    missing = calibrated.index.difference(out.index)
    derived = pd.DataFrame({"imd_score": calibrated.loc[missing], "imd_source": DERIVED})
    out = pd.concat([out, derived])
    out["imd_estimate"] = calibrated.reindex(out.index).astype(float)
    out["population"] = g["pop_all_ages"].reindex(out.index).astype(float)
    out.index.name = "area_code"
    return out.reset_index()


def imd_average_scores(data_dir: Path | str | None = None) -> pd.DataFrame:
    """IMD 2019 average score per current area, with where it came from.

    Columns: ``area_code``, ``imd_score`` (used), ``imd_source``, ``imd_estimate`` (the
    LSOA-derived estimate, for every area, to check the derivation) and ``population``
    (mid-2019, the weights).

    Areas in the IMD 2019 upper-tier summaries take the published score. For the others, each
    of their LSOAs' IMD 2019 national rank is turned into a score using the IMD 2025 rank ->
    score curve, the scores are averaged weighted by population (mid-2019), and the result is
    put on File 11's scale by a straight-line fit across the 149 areas that have both (the fit
    reproduces File 11 within 0.25 on average; it gives 21.1 for the former Cumbria against the
    published 21.3, and 18.5 for Northamptonshire against 18.6).
    """
    return _imd(str(data_dir or "")).copy()


def domain_scores(year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per (area, domain): score, expected score and how they were formed.

    Columns: ``area_code``, ``domain``, ``domain_title``, ``score`` (mean z; England = 0),
    ``n_indicators`` (with a value), ``indicators`` (their names), ``imd_score``,
    ``imd_source``, ``expected`` (NaN without an IMD score), ``slope``, ``intercept``,
    ``r_squared`` and ``n_fit`` (areas in the regression).
    """
    return _domain_scores(str(data_dir or ""), int(year)).copy()


@lru_cache(maxsize=8)
def _domain_scores(data_dir: str, year: int) -> pd.DataFrame:
    data = load_data(data_dir or None)
    cat = data.catalogue
    b = benchmarks(year, data_dir or None)
    b = b[b["domain"].notna()].copy()
    stats = b.groupby("indicator_id")["value"].agg(["mean", "std"])
    centre = b["england"].fillna(b["indicator_id"].map(stats["mean"]))
    sign = np.where(b["polarity"] == LOW_IS_GOOD, -1.0, 1.0)
    b["z"] = sign * (b["value"] - centre) / b["indicator_id"].map(stats["std"])
    grouped = b.dropna(subset=["z"]).groupby(["area_code", "domain"])
    scores = grouped["z"].agg(score="mean", n_indicators="size").reset_index()
    names = grouped["name"].agg(lambda s: "; ".join(s)).rename("indicators").reset_index()
    grid = pd.MultiIndex.from_product(
        [data.areas["area_code"], list(cat.star_domains)], names=["area_code", "domain"]
    ).to_frame(index=False)
    out = grid.merge(scores, how="left").merge(names, how="left")
    out["n_indicators"] = out["n_indicators"].fillna(0).astype(int)
    out["domain_title"] = out["domain"].map(cat.star_domains)
    out = out.merge(_imd(data_dir), on="area_code", how="left")
    fits = []
    for domain, part in out.groupby("domain", sort=False):
        ok = part.dropna(subset=["score", "imd_score"])
        if len(ok) < MIN_FIT:
            fits.append((domain, np.nan, np.nan, np.nan, len(ok)))
            continue
        slope, intercept = np.polyfit(ok["imd_score"], ok["score"], 1)
        fitted = intercept + slope * ok["imd_score"]
        ss_res = float(((ok["score"] - fitted) ** 2).sum())
        ss_tot = float(((ok["score"] - ok["score"].mean()) ** 2).sum())
        fits.append((domain, slope, intercept, 1 - ss_res / ss_tot, len(ok)))
    fit = pd.DataFrame(fits, columns=["domain", "slope", "intercept", "r_squared", "n_fit"])
    out = out.merge(fit, on="domain", how="left")
    out["expected"] = out["intercept"] + out["slope"] * out["imd_score"]
    order = {d: n for n, d in enumerate(cat.star_domains)}
    out["domain_order"] = out["domain"].map(order)
    return out.sort_values(["area_code", "domain_order"], ignore_index=True)


def area_domain_scores(
    area_code: str, year: int, data_dir: Path | str | None = None
) -> pd.DataFrame:
    """The eight domain rows of one area, in the catalogue's domain order."""
    d = domain_scores(year, data_dir)
    return d[d["area_code"] == area_code].reset_index(drop=True)
