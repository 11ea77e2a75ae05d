"""Project LSOA populations and modelled need forward (need proportions held fixed).

LSOA populations for a base year are scaled by the area's projected growth in each age band
(ONS subnational projections are only published for whole local authorities), and each LSOA's
modelled need proportions are held fixed. So the projected need share changes only through the
changing age mix of the area; differential growth of deprived neighbourhoods is not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from needsbook.errors import InputError
from needsbook.need.model import GROUPS, NEED_GROUPS

BAND_AGES: Mapping[str, tuple[int, int]] = {
    "0-4": (0, 4),
    "5-10": (5, 10),
    "11-15": (11, 15),
    "16-19": (16, 19),
}


def band_growth(
    projections: pd.DataFrame,
    area_code: str,
    base_year: int,
    years: Sequence[int],
    bands: Mapping[str, tuple[int, int]] = BAND_AGES,
) -> pd.DataFrame:
    """Projected population of each band in ``years`` relative to ``base_year`` (1.0 = same).

    ``projections`` has ``area_code, year, age`` and ``persons`` (or ``population``).
    Returns one row per year with a column per band.
    """
    value = "persons" if "persons" in projections else "population"
    sel = projections[projections["area_code"] == area_code]
    need_years = sorted({int(base_year), *map(int, years)})
    have = set(sel["year"].astype(int))
    missing = [y for y in need_years if y not in have]
    if missing:
        raise InputError(
            f"no population projections for {area_code} in {missing}: projections cover "
            f"{min(have) if have else '?'}-{max(have) if have else '?'}"
        )
    rows = {}
    for band, (lo, hi) in bands.items():
        by_year = sel[sel["age"].between(lo, hi)].groupby("year")[value].sum().astype("float64")
        if by_year.loc[base_year] <= 0:
            raise InputError(f"projected {band} population of {area_code} in {base_year} is 0")
        rows[band] = by_year.loc[list(years)] / by_year.loc[base_year]
    out = pd.DataFrame(rows)
    out.index = out.index.astype(int)
    out.index.name = "year"
    return out.reset_index()


def project_populations(populations: pd.DataFrame, growth: pd.DataFrame) -> pd.DataFrame:
    """LSOA band populations (``lsoa11_code, band, population``) scaled by ``growth`` (from
    :func:`band_growth`) for each of its years: ``lsoa11_code, band, year, population``."""
    factors = growth.melt(id_vars="year", var_name="band", value_name="factor")
    out = populations.merge(factors, on="band", how="inner")
    if out["band"].nunique() != populations["band"].nunique():
        raise InputError("project_populations: growth lacks some of the populations' age bands")
    out["population"] = out["population"] * out["factor"]
    return out.drop(columns="factor")[["lsoa11_code", "band", "year", "population"]]


def project_need(proportions: pd.DataFrame, projected: pd.DataFrame) -> pd.DataFrame:
    """Children in each group by year, holding each LSOA's group proportions fixed.

    Returns one row per (year, group) with ``children`` and ``percent`` of that year's 0-19s;
    group ``need`` is additional + extra + intensive.
    """
    merged = projected.merge(proportions, on=["lsoa11_code", "band"], how="inner")
    if len(merged) != len(projected):
        raise InputError("project_need: some projected LSOA/age bands have no need proportions")
    rows = []
    for year, sub in merged.groupby("year", sort=True):
        total = sub["population"].sum()
        counts = {g: float((sub[g] * sub["population"]).sum()) for g in GROUPS}
        counts["need"] = sum(counts[g] for g in NEED_GROUPS)
        for g, n in counts.items():
            rows.append((int(year), g, n, n / total * 100 if total else float("nan")))
    return pd.DataFrame(rows, columns=["year", "group", "children", "percent"])
