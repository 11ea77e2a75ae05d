"""Public demand and provision: children's social care, EHC plans and vaccination coverage.

Every measure comes from the snapshot ``indicators`` table (DfE children in need and looked
after, DfE LAIT, UKHSA COVER). For each: the area's series against England and the average of
its statistical neighbours, the latest value compared with England by 95% confidence interval
(where the source has counts), the fold-change from the first to the latest year (seed M21)
and the recent trend (Fingertips method: the latest five points).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.data import load_table, snapshot_key
from needsbook.outcomes.compare import display_period
from needsbook.stats import compare_ci, recent_trend

ENGLAND = "E92000001"
NEIGHBOUR_MODEL = "2025"
MIN_NEIGHBOURS = 5
#: A fold-change this far from 1 (10%) counts as a real rise or fall when no trend test is
#: possible (fewer than five points).
FOLD_TOLERANCE = 0.10


@dataclass(frozen=True)
class Measure:
    """One public demand measure: its finding key, indicator and plain-English name."""

    key: str  # finding key suffix: demand:<key>
    indicator_id: str
    name: str
    group: str
    polarity: str = "No judgement"  # demand volumes: higher/lower, not better/worse

    @property
    def finding_key(self) -> str:
        return f"demand:{self.key}"


_HIGH = "High is good"

MEASURES: tuple[Measure, ...] = (
    Measure("referrals", "csc:referral_rate", "Referrals to children's social care", "Social care"),
    Measure(
        "re_referrals",
        "csc:rereferral_pct",
        "Re-referrals within 12 months",
        "Social care",
        polarity="Low is good",
    ),
    Measure("cin", "csc:cin_rate", "Children in need", "Social care"),
    Measure(
        "cpp_started", "csc:cpp_started_rate", "Child protection plans starting", "Social care"
    ),
    Measure("cpp", "csc:cpp_rate", "Children on child protection plans", "Social care"),
    Measure(
        "cpp_subsequent",
        "csc:cpp_subsequent_pct",
        "Child protection plans that are a second or later plan",
        "Social care",
        polarity="Low is good",
    ),
    Measure(
        "cpp_2yrs",
        "csc:cpp_2yrs_pct",
        "Child protection plans lasting 2 years or more",
        "Social care",
        polarity="Low is good",
    ),
    Measure("cla", "csc:cla_rate", "Children looked after", "Social care"),
    Measure(
        "cla_started", "csc:cla_started_rate", "Children starting to be looked after", "Social care"
    ),
    Measure(
        "ehc_plans",
        "lait:SEN_EHC_All_20wks",
        "New EHC plans issued within 20 weeks",
        "Special educational needs",
        _HIGH,
    ),
    Measure(
        "ehc_pupils",
        "lait:SEN_TotStat",
        "Pupils with an EHC plan or statement",
        "Special educational needs",
    ),
    Measure("mmr1_24m", "cover:MMR1_24m", "MMR first dose by 24 months", "Vaccination", _HIGH),
    Measure("mmr2_5y", "cover:MMR2_Boo_5y", "MMR two doses by 5 years", "Vaccination", _HIGH),
    Measure(
        "dtap_12m",
        "cover:DTaPIPVHib3_12m",
        "6-in-1 vaccine (3 doses) by 12 months",
        "Vaccination",
        _HIGH,
    ),
)

_COLS = ["value", "lower_ci_95", "upper_ci_95", "count", "denominator"]


def _neighbours(area_code: str, data_dir: Path | str | None) -> list[str]:
    n = load_table("statistical_neighbours", data_dir)
    n = n[(n["model"] == NEIGHBOUR_MODEL) & (n["area_code"] == area_code)]
    return n["neighbour_code"].astype(str).tolist()


def demand_series(area_code: str, year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Long table: one row per measure, year and series (the area, England, neighbours' mean).

    Columns: ``key``, ``indicator_id``, ``measure``, ``group``, ``unit``, ``year``, ``period``,
    ``series`` (``area`` / ``england`` / ``neighbours``), ``value`` and, for the area and
    England, the 95% CI, count and denominator. Years after ``year`` are left out.
    """
    ids = [m.indicator_id for m in MEASURES]
    ind = load_table("indicators", data_dir)
    ind = ind[ind["indicator_id"].isin(ids) & (ind["year"] <= year)]
    ind = ind.dropna(subset=["value"])
    neighbours = _neighbours(area_code, data_dir)
    parts = []
    for label, codes in (("area", [area_code]), ("england", [ENGLAND])):
        sel = ind[ind["area_code"].isin(codes)][["indicator_id", "year", "period", "unit", *_COLS]]
        parts.append(sel.assign(series=label))
    nb = ind[ind["area_code"].isin(neighbours)]
    if len(nb):
        agg = nb.groupby(["indicator_id", "year"], as_index=False).agg(
            value=("value", "mean"),
            n=("value", "size"),
            period=("period", "first"),
            unit=("unit", "first"),
        )
        agg = agg[agg["n"] >= MIN_NEIGHBOURS].drop(columns="n")
        parts.append(agg.assign(series="neighbours"))
    out = pd.concat(parts, ignore_index=True)
    by_id = {m.indicator_id: m for m in MEASURES}
    out["key"] = out["indicator_id"].map(lambda i: by_id[i].key)
    out["measure"] = out["indicator_id"].map(lambda i: by_id[i].name)
    out["group"] = out["indicator_id"].map(lambda i: by_id[i].group)
    meta = load_table("indicator_meta", data_dir).set_index("indicator_id")
    kinds = out["indicator_id"].map(meta["period_type"])
    out["period"] = [display_period(p, k) for p, k in zip(out["period"], kinds, strict=True)]
    out["source"] = out["indicator_id"].map(meta["source"] + " (" + meta["publisher"] + ")")
    order = {m.indicator_id: k for k, m in enumerate(MEASURES)}
    out["_o"] = out["indicator_id"].map(order)
    out = out.sort_values(["_o", "series", "year"]).drop(columns="_o").reset_index(drop=True)
    return out


def fold_change(values: pd.Series) -> float:
    """Latest value / first value of a series ordered by year (seed M21); NaN if not possible."""
    s = values.dropna()
    if len(s) < 2 or not s.iloc[0] > 0:
        return float("nan")
    return float(s.iloc[-1] / s.iloc[0])


def _trend(area: pd.DataFrame) -> str:
    if area[["lower_ci_95", "upper_ci_95"]].isna().any(axis=None) or len(area) < 5:
        return "Cannot be calculated"
    t = recent_trend(area, time="year")
    return str(t["trend"].iloc[0])


def demand_summary(area_code: str, year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per measure the area has data for: latest value, England, neighbours,
    comparison with England, first year and value, fold-change, trend and ``rising``.
    Worked out once per area, year and snapshot in a process; callers get a copy."""
    return _demand_summary(area_code, int(year), data_dir, snapshot_key(data_dir)).copy()


@lru_cache(maxsize=8)
def _demand_summary(
    area_code: str, year: int, data_dir: Path | str | None, _key: tuple[str, int, int]
) -> pd.DataFrame:
    s = demand_series(area_code, year, data_dir)
    rows = []
    for m in MEASURES:
        area = s[(s["indicator_id"] == m.indicator_id) & (s["series"] == "area")]
        area = area.sort_values("year").reset_index(drop=True)
        if area.empty:
            continue
        last = area.iloc[-1]
        eng = s[
            (s["indicator_id"] == m.indicator_id)
            & (s["series"] == "england")
            & (s["year"] == last["year"])
        ]
        nb = s[
            (s["indicator_id"] == m.indicator_id)
            & (s["series"] == "neighbours")
            & (s["year"] == last["year"])
        ]
        england = float(eng["value"].iloc[0]) if len(eng) else np.nan
        polarity = m.polarity
        comparison = compare_ci(
            last["value"], england, last["lower_ci_95"], last["upper_ci_95"], polarity
        )
        fold = fold_change(area["value"])
        trend = _trend(area)
        if trend in ("Increasing", "Decreasing", "No significant change"):
            rising = trend == "Increasing"
        elif not np.isnan(fold):
            rising = fold > 1 + FOLD_TOLERANCE
        else:
            rising = None
        rows.append(
            {
                "key": m.key,
                "indicator_id": m.indicator_id,
                "measure": m.name,
                "group": m.group,
                "unit": last["unit"],
                "year": int(last["year"]),
                "period": str(last["period"]),
                "value": float(last["value"]),
                "lower_ci_95": last["lower_ci_95"],
                "upper_ci_95": last["upper_ci_95"],
                "count": last["count"],
                "england": england,
                "neighbours": float(nb["value"].iloc[0]) if len(nb) else np.nan,
                "comparison": comparison,
                "first_year": int(area["year"].iloc[0]),
                "first_period": str(area["period"].iloc[0]),
                "first_value": float(area["value"].iloc[0]),
                "fold_change": fold,
                "trend": trend,
                "polarity": polarity,
                "source": str(last["source"]),
                "rising": rising,
            }
        )
    return pd.DataFrame(rows)


def measure(key: str) -> Measure:
    return next(m for m in MEASURES if m.key == key)
