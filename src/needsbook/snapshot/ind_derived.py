"""Indicator rows the snapshot derives from other rows, as the catalogue says.

* **History** (catalogue ``history``): earlier years of an indicator rebuilt from another
  indicator's count and a population table, e.g. children looked after per 10,000 before DfE's
  own rates begin: LAIT's count over DfE's 0-17 population of the previous mid-year.
* **Regions**: where a count-based indicator has no published region row for a year, the sum of
  the region's upper-tier areas' counts over the sum of their denominators.

Both run in :func:`needsbook.snapshot.indicators.assemble` before confidence intervals are
filled, so these rows get their intervals by the catalogue's method like any other.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.outcomes.catalogue import Catalogue, Indicator
from needsbook.snapshot.codes import ENGLAND, REGION_NAMES

HISTORY_SOURCE = "DfE LAIT count / ONS 0-17 population (recalculated)"
REGION_SOURCE = "sum of the region's UTLAs"


def _population(table: str, raw_dir: Path) -> pd.DataFrame:
    from needsbook.snapshot import population  # (imports this package's modules)

    if table != "population_0_17":
        raise KeyError(f"history denominators come from population_0_17, not {table}")
    return population.build_population_0_17(raw_dir)[["area_code", "year", "population"]]


def history_rows(df: pd.DataFrame, catalogue: Catalogue, raw_dir: Path) -> pd.DataFrame:
    """Rows for the years an indicator with a ``history`` lacks (mapped-area layout)."""
    parts = []
    for ind in catalogue.indicators:
        h = ind.history
        if h is None:
            continue
        counts = df[df["indicator_id"] == h.count].drop(
            columns=["indicator_id", "count", "denominator", "value"]
        )
        counts = counts.assign(count=df.loc[counts.index, "value"])
        pop = _population(h.denominator, Path(raw_dir))
        pop = pop.assign(year=pop["year"] + h.denominator_lag, denominator=pop["population"])
        rows = counts.merge(pop[["area_code", "year", "denominator"]], on=["area_code", "year"])
        rows = rows[rows["denominator"] > 0]
        have = df.loc[df["indicator_id"] == ind.id, ["area_code", "year"]]
        seen = pd.MultiIndex.from_frame(have).unique()
        rows = rows[~pd.MultiIndex.from_frame(rows[["area_code", "year"]]).isin(seen)].copy()
        rows["indicator_id"] = ind.id
        rows["value"] = rows["count"] / rows["denominator"] * float(ind.multiplier or 1)
        rows["period"] = rows["year"].astype(str)
        rows["source"] = HISTORY_SOURCE
        for col in df.columns.difference(rows.columns):
            rows[col] = pd.NA
        parts.append(rows[list(df.columns)])
    return _concat(parts, df)


def _summable(ind: Indicator) -> bool:
    return {"count", "denominator"} <= set(ind.columns) and ind.multiplier is not None


def region_rows(df: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Region rows summed from UTLAs for count-based indicators' years with none published."""
    parts = []
    for ind in catalogue.indicators:
        if not _summable(ind):
            continue
        rows = df[df["indicator_id"] == ind.id]
        have = set(rows.loc[rows["area_type"] == "Region", "year"])
        utla = rows[(rows["area_type"] == "UTLA") & ~rows["year"].isin(have)]
        utla = utla.dropna(subset=["count", "denominator", "parent_code"])
        if utla.empty:
            continue
        sums = utla.groupby(["parent_code", "year", "period", "period_type"], as_index=False)[
            ["count", "denominator"]
        ].sum()
        sums = sums.rename(columns={"parent_code": "area_code"})
        sums["value"] = sums["count"] / sums["denominator"] * float(ind.multiplier or 1)
        sums["indicator_id"] = ind.id
        sums["area_type"] = "Region"
        sums["area_name"] = sums["area_code"].map(REGION_NAMES)
        sums["area_code_original"] = sums["area_code"]
        sums["parent_code"] = ENGLAND
        sums["source"] = REGION_SOURCE
        for col in df.columns.difference(sums.columns):
            sums[col] = pd.NA
        parts.append(sums[list(df.columns)])
    return _concat(parts, df)


def _concat(parts: list[pd.DataFrame], like: pd.DataFrame) -> pd.DataFrame:
    if not parts:
        return like.iloc[:0]
    return pd.concat(parts, ignore_index=True)
