"""Public demand and provision: children's social care, EHC plans and vaccination coverage.

The measures are the catalogue entries whose ``use`` includes ``services``
(``data/indicators.yml``: name, polarity and group are defined there). Every value, comparison,
rank and trend comes from the one benchmarking engine (:mod:`needsbook.outcomes.compare`), so
a measure that also appears in the outcomes chapter gets the same period, value, comparison and
trend in both. This module only selects and arranges: the series for the charts and one
summary row per measure (with the fold change since the first comparable year).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.compare import (
    ENGLAND,
    area_benchmarks,
    display_period,
    load_data,
    neighbour_series,
    series,
)

#: A fold-change this far from 1 (10%) counts as a real rise or fall when no trend test is
#: possible (fewer than five points).
FOLD_TOLERANCE = 0.10
_MOVING = ("Increasing", "Decreasing", "No significant change")


@dataclass(frozen=True)
class Measure:
    """One public demand measure: its finding key, indicator, name, group and polarity."""

    key: str  # finding key suffix: demand:<key>
    indicator_id: str
    name: str
    group: str
    polarity: str

    @property
    def finding_key(self) -> str:
        return f"demand:{self.key}"


def measures(data_dir: Path | str | None = None) -> tuple[Measure, ...]:
    """The services chapter's measures, in catalogue order."""
    return tuple(
        Measure(
            key=i.services.key,
            indicator_id=i.id,
            name=i.name,
            group=i.services.group,
            polarity=i.polarity,
        )
        for i in load_catalogue(data_dir=data_dir).for_use("services")
        if i.services
    )


MEASURES: tuple[Measure, ...] = measures()


def outcome_measure_keys(data_dir: Path | str | None = None) -> set[str]:
    """Finding keys of the demand measures that are also outcome indicators: one fact, which
    the outcome finding speaks for in summaries (headlines, conclusions)."""
    return {
        f"demand:{i.services.key}"
        for i in load_catalogue(data_dir=data_dir).for_use("services")
        if i.services is not None and "outcomes" in i.use
    }


def demand_series(area_code: str, year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Long table: one row per measure, year and series (the area, England, neighbours' mean).

    Columns: ``key``, ``indicator_id``, ``measure``, ``group``, ``unit``, ``year``, ``period``,
    ``series`` (``area`` / ``england`` / ``neighbours``), ``value`` and, for the area and
    England, the 95% CI, count and denominator. Years after ``year`` are left out.
    """
    data = load_data(data_dir)
    ms = measures(data_dir)
    ids = [m.indicator_id for m in ms]
    rows = series(data, ids, [area_code, ENGLAND], int(year)).dropna(subset=["value"])
    rows = rows.assign(series=np.where(rows["area_code"] == ENGLAND, "england", "area"))
    nb = neighbour_series(data, ids, area_code, int(year)).assign(series="neighbours")
    kinds = rows.drop_duplicates(["indicator_id", "period"]).set_index(["indicator_id", "period"])[
        "period_type"
    ]
    pairs = zip(nb["indicator_id"], nb["period"], strict=True)
    nb["period_type"] = [kinds.get((i, p), "") for i, p in pairs]
    out = pd.concat([rows, nb], ignore_index=True)
    by_id = {m.indicator_id: m for m in ms}
    cat = load_catalogue(data_dir=data_dir)
    out["key"] = out["indicator_id"].map(lambda i: by_id[i].key)
    out["measure"] = out["indicator_id"].map(lambda i: by_id[i].name)
    out["group"] = out["indicator_id"].map(lambda i: by_id[i].group)
    out["unit"] = out["indicator_id"].map(lambda i: cat[i].unit)
    out["source"] = out["indicator_id"].map(lambda i: cat[i].source)
    out["period"] = [
        display_period(p, k) for p, k in zip(out["period"], out["period_type"], strict=True)
    ]
    order = {m.indicator_id: k for k, m in enumerate(ms)}
    out["_o"] = out["indicator_id"].map(order)
    out = out.sort_values(["_o", "series", "year"]).drop(columns="_o").reset_index(drop=True)
    keep = ["key", "indicator_id", "measure", "group", "unit", "year", "period", "series"]
    keep += ["value", "lower_ci_95", "upper_ci_95", "count", "denominator", "source"]
    return out[keep]


def _rising(trend: str, fold: float) -> bool | None:
    if trend in _MOVING:
        return trend == "Increasing"
    if not np.isnan(fold):
        return bool(fold > 1 + FOLD_TOLERANCE)
    return None


def demand_summary(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    comparators: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per measure the area has data for: the engine's latest value, England,
    neighbours, comparison with England, first comparable year and value, fold-change and
    trend, plus ``rising`` (the trend's direction, else a fold-change beyond 10%)."""
    ms = {m.indicator_id: m for m in measures(data_dir)}
    cat = load_catalogue(data_dir=data_dir)
    b = area_benchmarks(area_code, int(year), data_dir, comparators)
    b = b[b["indicator_id"].isin(ms) & b["value"].notna()]
    rows = []
    for _, r in b.iterrows():
        m = ms[r["indicator_id"]]
        fold = float(r["fold_change"]) if pd.notna(r["fold_change"]) else float("nan")
        rows.append(
            {
                "key": m.key,
                "indicator_id": m.indicator_id,
                "measure": m.name,
                "group": m.group,
                "unit": r["unit"],
                "year": int(r["year"]),
                "period": str(r["period_label"]),
                "value": float(r["value"]),
                "lower_ci_95": r["lower_ci_95"],
                "upper_ci_95": r["upper_ci_95"],
                "count": r["count"],
                "england": r["england"],
                "neighbours": r["neighbours_mean"],
                "comparison": r["comparison"],
                "comparison_method": r["comparison_method"],
                "direction": r["direction"],
                "comparison_label": r["comparison_label"],
                "first_year": int(r["first_year"]),
                "first_period": str(r["first_label"]),
                "first_value": float(r["first_value"]),
                "fold_change": fold,
                "trend": r["trend"],
                "trend_label": r["trend_label"],
                "polarity": m.polarity,
                "source": cat[m.indicator_id].source,
                "rising": _rising(str(r["trend"]), fold),
            }
        )
    return pd.DataFrame(rows)


def measure(key: str) -> Measure:
    return next(m for m in MEASURES if m.key == key)
