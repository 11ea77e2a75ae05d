"""Neighbourhood (LSOA) predictors of need: deprivation domains and the type of area.

Each IMD 2019 domain rank (1 = most deprived of England's 32,844 LSOAs) becomes a normal score,
``z = Phi^-1(1 - (rank - 0.5) / N)``, so 0 is England's middle neighbourhood and +1 is about the
84th percentile of deprivation. Normal scores keep the ranks' order, treat the ends of the scale
evenly and sit well on a logistic model's linear scale. The type of area (London borough,
metropolitan district, unitary authority, county) is the area's, shared by its LSOAs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from needsbook.data import load_table

#: IMD 2019 domains used, with the words the book uses for them.
DOMAINS = {
    "income": "income deprivation",
    "education": "education, skills and training deprivation",
    "health": "health deprivation and disability",
    "crime": "crime",
    "environment": "living environment deprivation",
}
#: The one-predictor baseline: income deprivation, the domain IDACI is drawn from (IDACI itself
#: is not published per LSOA in the open files the snapshot holds).
BASELINE = ("income",)
#: Area types, each compared with county councils (two-tier areas).
AREA_KINDS = {
    "London borough": "kind_london",
    "Metropolitan district": "kind_metropolitan",
    "Unitary authority": "kind_unitary",
}
FULL = (*DOMAINS, *AREA_KINDS.values())

LABELS = {
    "intercept": "Intercept (log-odds, county council, England's middle neighbourhood)",
    **{k: f"Per standard score of {v}" for k, v in DOMAINS.items()},
    "kind_london": "London borough (against county council)",
    "kind_metropolitan": "Metropolitan district (against county council)",
    "kind_unitary": "Unitary authority (against county council)",
}


def normal_score(rank: pd.Series, n: int) -> np.ndarray:
    """Normal score of a deprivation rank (1 = most deprived): higher = more deprived."""
    r = pd.to_numeric(rank, errors="coerce").to_numpy(dtype="float64")
    return -special.ndtri((r - 0.5) / n)


def lsoa_predictors(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Every English LSOA11 with ``utla_code``, ``lad_code`` and the columns of :data:`FULL`."""
    imd = load_table("imd2019_lsoa11", data_dir)
    areas = load_table("areas", data_dir)[["area_code", "area_kind"]]
    out = imd[["lsoa11_code", "lad_code", "utla_code"]].copy()
    n = len(imd)
    for domain in DOMAINS:
        out[domain] = normal_score(imd[f"{domain}_rank"], n)
    kind = out["utla_code"].map(areas.set_index("area_code")["area_kind"])
    for label, column in AREA_KINDS.items():
        out[column] = (kind == label).astype("float64")
    return out


def matrix(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """Design matrix: an intercept column then ``columns``."""
    x = frame[list(columns)].to_numpy(dtype="float64")
    return np.column_stack([np.ones(len(frame)), x])
