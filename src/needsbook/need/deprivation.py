"""Where children live on England's deprivation scale: shares in the most deprived LSOAs,
distribution across national IMD deciles and quintiles (as in the Worcestershire 2015 needs
assessment, Table 1).

All functions take an LSOA table with an ``imd_decile`` column (1 = most deprived 10% of LSOAs in
England) and population columns, and work for any set of LSOAs (an area, a district, England).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from needsbook.errors import InputError

DECILES = tuple(range(1, 11))
QUINTILES = tuple(range(1, 6))


def quintile(decile: pd.Series) -> pd.Series:
    """National IMD quintile (1 = most deprived 20%) from the decile."""
    return ((decile.astype("int64") + 1) // 2).astype("int64")


def _check(lsoas: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in ("imd_decile", *columns) if c not in lsoas]
    if missing:
        raise InputError(f"LSOA table lacks column(s) {missing}")


def deprived_share(
    lsoas: pd.DataFrame, population: str, most_deprived: int = 2
) -> dict[str, float]:
    """Children in LSOAs of the ``most_deprived`` national deciles (2 = most deprived 20%).

    Returns ``{"in_deprived": n, "total": N, "percent": n / N * 100}`` (percent NaN if N is 0).
    """
    _check(lsoas, [population])
    if not 1 <= most_deprived <= 10:
        raise InputError(f"most_deprived must be a number of deciles 1-10, got {most_deprived}")
    pop = lsoas[population].astype("float64")
    n = float(pop[lsoas["imd_decile"] <= most_deprived].sum())
    total = float(pop.sum())
    return {"in_deprived": n, "total": total, "percent": n / total * 100 if total else np.nan}


def distribution(lsoas: pd.DataFrame, population: str, by: str = "decile") -> pd.DataFrame:
    """Population and % of the total in each national decile (or quintile), all levels shown."""
    _check(lsoas, [population])
    if by == "decile":
        levels, key = DECILES, lsoas["imd_decile"].astype("int64")
    elif by == "quintile":
        levels, key = QUINTILES, quintile(lsoas["imd_decile"])
    else:
        raise InputError(f"distribution by must be 'decile' or 'quintile', got {by!r}")
    counts = lsoas[population].astype("float64").groupby(key.to_numpy()).sum()
    counts = counts.reindex(list(levels), fill_value=0.0)
    total = counts.sum()
    out = pd.DataFrame({by: list(levels), "population": counts.to_numpy()})
    out["percent"] = out["population"] / total * 100 if total else np.nan
    return out


def share_of_lsoas(lsoas: pd.DataFrame, most_deprived: int = 2) -> dict[str, float]:
    """LSOAs (not children) in the ``most_deprived`` national deciles: for index vintages with no
    matching small-area populations (IoD 2025 on LSOA 2021)."""
    _check(lsoas, [])
    n = float((lsoas["imd_decile"] <= most_deprived).sum())
    total = float(len(lsoas))
    return {"in_deprived": n, "total": total, "percent": n / total * 100 if total else np.nan}


def profile_by(
    lsoas: pd.DataFrame, group: str, populations: Sequence[str], deciles: Sequence[int] = (1, 2)
) -> pd.DataFrame:
    """For each ``group`` value (e.g. district): each population's total and % living in the most
    deprived 10% (``deciles`` = 1) and 20% (2) of LSOAs nationally."""
    _check(lsoas, [group, *populations])
    rows = []
    for key, sub in lsoas.groupby(group, sort=True):
        row: dict[str, object] = {group: key, "lsoas": len(sub)}
        for pop in populations:
            for d in deciles:
                share = deprived_share(sub, pop, d)
                row[f"{pop}_total"] = share["total"]
                row[f"{pop}_most_deprived_{d * 10}pc"] = share["in_deprived"]
                row[f"{pop}_most_deprived_{d * 10}pc_percent"] = share["percent"]
        rows.append(row)
    return pd.DataFrame(rows)
