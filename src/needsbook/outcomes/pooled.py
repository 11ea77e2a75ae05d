"""Maternal and early years health over three years, and good level of development by district.

DfE's Local Authority Interactive Tool publishes infant mortality, low birth weight,
breastfeeding, under-18 conceptions and the 2-2½ year review as one value a year, without counts
or intervals, so the benchmarking engine (:mod:`needsbook.outcomes.compare`) can only place each
single year in a fifth of English areas. A single year of a rare event in one area moves a lot
by chance, so this module adds a distinct, labelled measure over the last three years:

* per-live-birth indicators (:data:`PER_BIRTH`): live births are approximated by the ONS
  mid-year population aged 0 (snapshot ``population_syoa``; the nearest available year when a
  year is missing), each year's events are reconstructed as value x births / multiplier, and
  the three-year pooled value is sum(events) / sum(births) x multiplier, with an approximate 95%
  confidence interval from :mod:`needsbook.stats` (exact Poisson below 10 events, Byar's from
  10, for rates; Wilson's score interval for percentages). England is pooled the same way over
  the same years and compared by whether it lies inside the area's interval
  (:func:`needsbook.stats.compare_to_benchmark`, polarity from the catalogue);
* the others: the mean of the three annual values (England's likewise), and the engine's fifth
  of all areas in each year (the engine's rows for each year; no rank is recomputed here).

A single year is flagged as too volatile to judge when a reconstructed annual count is below
:data:`MIN_EVENTS` or the year-to-year swings exceed the gap to England.

:func:`district_gld` compares each district's good level of development (snapshot table
``district_indicators``) with the county and England by the same confidence-interval rule.

Everything here returns frames; the sections and their text are in
:mod:`needsbook.chapters.early_years_health`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.areas import Area
from needsbook.data import load_table, load_table_or_none, snapshot_key
from needsbook.errors import DataError
from needsbook.outcomes.catalogue import Indicator
from needsbook.outcomes.compare import (
    BETTER,
    ENGLAND,
    HIGHER,
    LOWER,
    NO_DATA,
    NOT_COMPARED,
    SIMILAR,
    WORSE,
    benchmarks,
    display_period,
    load_data,
    series,
)
from needsbook.polarity import NOT_APPLICABLE
from needsbook.stats import compare_to_benchmark, rate_ci, wilson_ci

#: The catalogue's ``use`` for the indicators of the three-year section.
USE = "early_years_health"
#: Years pooled or averaged (the latest period and the two before it).
WINDOW = 3
#: Fewest reconstructed events in a year for that single year to be judged on its own.
MIN_EVENTS = 20
#: Fewest years with a value in the window for a three-year measure.
MIN_YEARS = 2
#: Indicators whose denominator is live births (approximated by the population aged 0).
PER_BIRTH = ("lait:InfMort", "lait:Low_Birth_Weight_Babies", "lait:6wksBreast")
#: Reconstructed counts in this range are not shown, and a pooled value resting on them is
#: withheld.
SMALL = (1, 4)
#: How the three years are combined.
POOLED, AVERAGE, NONE = "three-year pooled", "three-year average", "no data"
#: The good level of development indicator and the snapshot table of district figures.
GLD_ID = "eyfs:gld_all"
DISTRICT_TABLE = "district_indicators"
_DIRECTION = {"Better": BETTER, "Worse": WORSE, "Similar": SIMILAR}
_DIRECTION |= {"Best": BETTER, "Worst": WORSE, "Higher": HIGHER, "Lower": LOWER}


def multiplier(ind: Indicator) -> float:
    """The indicator's multiplier read from its unit: "%" -> 100; "per 1,000 ..." -> 1,000."""
    if ind.unit == "%":
        return 100.0
    m = re.search(r"per ([\d,]+)", ind.unit)
    if not m:
        raise DataError(f"{ind.id}: cannot read a multiplier from its unit {ind.unit!r}")
    return float(m.group(1).replace(",", ""))


def is_rate(ind: Indicator) -> bool:
    """True for rates (Poisson intervals), False for proportions (Wilson intervals)."""
    return ind.value_type != "proportion"


def direction(comparison: object) -> str:
    """The engine's one-word verdict for a :func:`needsbook.stats.compare_to_benchmark` label."""
    return _DIRECTION.get(str(comparison), NOT_COMPARED)


def window_years(latest: int) -> list[int]:
    """The years pooled for an indicator whose latest period ends in ``latest``."""
    return list(range(int(latest) - WINDOW + 1, int(latest) + 1))


def births(codes: list[str], years: list[int], data_dir: Path | str | None = None) -> pd.DataFrame:
    """Live births approximated by the ONS mid-year population aged 0, per area and year.

    Columns ``area_code``, ``year``, ``births`` and ``births_year`` (the mid-year estimate used:
    the same year, else the nearest available one, the later on a tie). Areas with no estimate
    at all are absent."""
    pop = load_table("population_syoa", data_dir)
    pop = pop[
        (pop["age"] == 0)
        & pop["area_code"].isin(codes)
        & pop["area_type"].isin(["UTLA", "England"])
        & pop["population"].notna()
    ]
    rows = []
    for code, g in pop.groupby("area_code"):
        have = dict(zip(g["year"].astype(int), g["population"].astype(float), strict=True))
        for y in years:
            used = min(have, key=lambda h, y=y: (abs(h - y), -h))
            rows.append(
                {"area_code": code, "year": int(y), "births": have[used], "births_year": used}
            )
    return pd.DataFrame(rows, columns=["area_code", "year", "births", "births_year"])


_ENGINE_COLUMNS = ["indicator_id", "area_code", "year", "value", "period_label"]
_ENGINE_COLUMNS += ["comparison_label", "fifth", "direction"]


@lru_cache(maxsize=16)
def _engine(data_dir: str, year: int, _key: tuple[str, int, int]) -> dict[str, pd.DataFrame]:
    b = benchmarks(year, data_dir or None)
    ids = [i.id for i in load_data(data_dir or None).catalogue.for_use(USE)]
    b = b.loc[b["indicator_id"].isin(ids), _ENGINE_COLUMNS]
    return {str(k): g.set_index("indicator_id") for k, g in b.groupby("area_code")}


def engine_rows(area_code: str, year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """The benchmarking engine's rows for ``year`` of the section's indicators for one area
    (indexed by indicator; a view of :func:`~needsbook.outcomes.compare.benchmarks`, cached
    per snapshot and year: do not modify)."""
    by_area = _engine(str(data_dir or ""), int(year), snapshot_key(data_dir or None))
    empty = pd.DataFrame(columns=_ENGINE_COLUMNS).set_index("indicator_id")
    return by_area.get(area_code, empty)


def _fifths(
    area_code: str, ids: list[str], years: list[int], data_dir: Path | str | None
) -> pd.DataFrame:
    """The engine's fifth of all areas for each indicator and year (its row for that year)."""
    rows = []
    for y in sorted(set(years)):
        b = engine_rows(area_code, y, data_dir).reset_index()
        sel = b[b["indicator_id"].isin(ids) & (b["year"] == y)]
        for r in sel.itertuples(index=False):
            if pd.isna(r.value):
                continue
            rows.append(
                {
                    "indicator_id": r.indicator_id,
                    "year": int(y),
                    "fifth": r.fifth if pd.notna(r.fifth) else pd.NA,
                    "fifth_label": str(r.comparison_label),
                }
            )
    out = pd.DataFrame(rows, columns=["indicator_id", "year", "fifth", "fifth_label"])
    out["fifth"] = out["fifth"].astype("Int64")
    return out


def annual(area_code: str, year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Every single year of the section's indicators for the area and England, up to each
    indicator's latest period at or before ``year`` (the engine's rows).

    One row per (indicator, place, year): ``indicator_id``, ``place`` ("area" or "England"),
    ``area_code``, ``year``, ``period_label``, ``value``, ``in_window`` (one of the three years
    pooled), ``births`` and ``births_year`` (per-live-birth indicators), ``events`` (value x
    births / multiplier, reconstructed and approximate), and for the area in the three years
    the engine's ``fifth`` and ``fifth_label``."""
    data = load_data(data_dir)
    inds = list(data.catalogue.for_use(USE))
    latest = engine_rows(area_code, year, data_dir)["year"]
    cols = ["indicator_id", "place", "area_code", "year", "period_label", "value", "in_window"]
    cols += ["births", "births_year", "events", "fifth", "fifth_label"]
    frames = []
    for ind in inds:
        if ind.id not in latest.index or pd.isna(latest[ind.id]):
            continue
        upto = int(latest[ind.id])
        s = series(data, [ind.id], [area_code, ENGLAND], upto).dropna(subset=["value"])
        if ind.comparable_from:
            s = s[s["year"] >= ind.comparable_from]
        s = s[["indicator_id", "area_code", "year", "period", "period_type", "value"]].copy()
        s["place"] = np.where(s["area_code"] == ENGLAND, "England", "area")
        s["period_label"] = [
            display_period(p, t) for p, t in zip(s["period"], s["period_type"], strict=True)
        ]
        s["in_window"] = s["year"].isin(window_years(upto))
        frames.append(s)
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["year"] = out["year"].astype(int)
    per_birth = out["indicator_id"].isin(PER_BIRTH)
    found = births([area_code, ENGLAND], sorted(set(out["year"])), data_dir)
    out = out.merge(found, on=["area_code", "year"], how="left")
    out.loc[~per_birth, ["births", "births_year"]] = np.nan
    mult = out["indicator_id"].map({i.id: multiplier(i) for i in inds})
    out["events"] = out["value"] * out["births"] / mult
    window = out[out["in_window"] & (out["place"] == "area")]
    fifths = _fifths(area_code, [i.id for i in inds], sorted(set(window["year"])), data_dir)
    out = out.merge(fifths, on=["indicator_id", "year"], how="left")
    out.loc[out["place"] == "England", ["fifth", "fifth_label"]] = pd.NA
    out["_order"] = out["indicator_id"].map({i.id: n for n, i in enumerate(inds)})
    out["_england"] = out["place"] == "England"
    out = out.sort_values(["_order", "_england", "year"])
    out["births_year"] = out["births_year"].astype("Int64")
    return out[cols].reset_index(drop=True)


def _span(labels: list[str], consecutive: bool) -> str:
    """'2021 to 2023' for consecutive years, '2021/22 and 2023/24' otherwise."""
    if len(labels) == 1:
        return labels[0]
    if consecutive:
        return f"{labels[0]} to {labels[-1]}"
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _max_swing(values: pd.Series) -> float:
    v = values.to_numpy(dtype=float)
    return float(np.max(np.abs(np.diff(v)))) if len(v) > 1 else np.nan


def _small(x: float) -> bool:
    """A count that would be published as 1-4 (a non-zero count below 5 once rounded)."""
    return bool(pd.notna(x) and x > 0 and round(x) <= SMALL[1])


def pooled(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per indicator of the section (catalogue order): the three-year measure
    (:data:`NONE` when fewer than :data:`MIN_YEARS` of the three years have a value).

    Columns:

    - ``indicator_id``; ``method``: :data:`POOLED`, :data:`AVERAGE` or :data:`NONE`;
    - ``latest_year``: the engine's period for ``year``; ``years``: the window years with a
      value (a tuple); ``missing_years`` and ``missing_labels`` ("2022/23"): those without;
    - ``period_label``: "2021 to 2023" ("2021/22 and 2023/24" with a year missing);
    - ``value``, ``lower_ci_95``, ``upper_ci_95``, ``ci_method``; ``events`` and ``births``
      (sums; pooled only);
    - ``england``: England over the same years, pooled or averaged the same way;
      ``difference``: value minus England;
    - ``comparison`` and ``direction`` (pooled only): England's pooled value against the
      area's interval;
    - ``min_events``; ``max_swing``: the largest change between consecutive years in the
      window; ``few_events``, ``swings_exceed_gap`` and ``volatile`` (either);
    - ``suppressed``: pooled events 1-4, value and interval withheld;
    - the engine's single-year row for ``year``: ``single_value``, ``single_period``,
      ``single_label``, ``single_fifth``, ``single_direction``.

    ``rows``: :func:`annual` for the same area and year, when the caller has it already."""
    data = load_data(data_dir)
    mine = engine_rows(area_code, year, data_dir)
    rows = annual(area_code, year, data_dir) if rows is None else rows
    out = []
    for ind in data.catalogue.for_use(USE):
        rec: dict[str, object] = {"indicator_id": ind.id, "method": NONE}
        r = mine.loc[ind.id] if ind.id in mine.index else None
        latest = int(r["year"]) if r is not None and pd.notna(r["year"]) else None
        rec["latest_year"] = latest
        if r is not None:
            rec |= {
                "single_value": r["value"],
                "single_period": r["period_label"],
                "single_label": r["comparison_label"],
                "single_fifth": r["fifth"],
                "single_direction": r["direction"],
            }
        g = rows[(rows["indicator_id"] == ind.id) & rows["in_window"]]
        area = g[g["place"] == "area"].sort_values("year")
        eng = g[g["place"] == "England"].set_index("year")
        if latest is None or area.empty:
            rec["years"], rec["missing_years"], rec["missing_labels"] = (), (), ()
            out.append(rec)
            continue
        years = [int(y) for y in area["year"]]
        rec["years"] = tuple(years)
        rec["missing_years"] = tuple(y for y in window_years(latest) if y not in years)
        labels = dict(zip(eng.index.astype(int), eng["period_label"], strict=True))
        rec["missing_labels"] = tuple(labels.get(y, str(y)) for y in rec["missing_years"])
        rec["period_label"] = _span(list(area["period_label"]), not rec["missing_years"])
        if len(years) < MIN_YEARS:
            out.append(rec)
            continue
        rec["max_swing"] = _max_swing(area["value"])
        eng_same = eng.reindex(years)
        england_ok = eng_same["value"].notna().all()
        if ind.id in PER_BIRTH and area["births"].notna().all():
            rec |= pool_years(ind, area, eng_same if england_ok else None)
        else:
            rec["method"] = AVERAGE
            rec["value"] = float(area["value"].mean())
            rec["england"] = float(eng_same["value"].mean()) if england_ok else np.nan
        rec["difference"] = _num(rec.get("value")) - _num(rec.get("england"))
        gap = abs(rec["difference"])  # type: ignore[arg-type]
        rec["swings_exceed_gap"] = bool(
            pd.notna(rec["max_swing"]) and pd.notna(gap) and rec["max_swing"] > gap
        )
        rec["volatile"] = bool(rec.get("few_events", False) or rec["swings_exceed_gap"])
        out.append(rec)
    columns = [
        "indicator_id", "method", "latest_year", "years", "missing_years", "missing_labels",
        "period_label",
        "value", "lower_ci_95", "upper_ci_95", "ci_method", "events", "births", "england",
        "difference", "comparison", "direction", "min_events", "max_swing", "few_events",
        "swings_exceed_gap", "volatile", "suppressed", "single_value", "single_period",
        "single_label", "single_fifth", "single_direction",
    ]  # fmt: skip
    df = pd.DataFrame(out).reindex(columns=columns)
    for col in ("few_events", "swings_exceed_gap", "volatile", "suppressed"):
        df[col] = df[col].astype(object).where(df[col].notna(), False).astype(bool)
    for col, missing in (("single_direction", NO_DATA), ("direction", NOT_COMPARED)):
        df[col] = df[col].astype(object).where(df[col].notna(), missing)
    return df


def _num(v: object) -> float:
    return float(v) if v is not None and pd.notna(v) else np.nan  # type: ignore[arg-type]


def pool_years(ind: Indicator, area: pd.DataFrame, eng: pd.DataFrame | None) -> dict[str, object]:
    """Pool one indicator's years: ``area`` has a row per year with ``value``, ``births`` and
    ``events``; ``eng`` England's ``value`` and ``births`` for the same years (None: not
    compared). Returns the :func:`pooled` columns from ``method`` to ``suppressed``."""
    m = multiplier(ind)
    x, n = float(area["events"].sum()), float(area["births"].sum())
    if is_rate(ind):
        lower, upper = rate_ci(x, n, multiplier=m)
        how = "exact Poisson" if x < 10 else "Byar's"
    else:
        lower, upper = wilson_ci(x, n, multiplier=m)
        how = "Wilson score"
    england = np.nan
    if eng is not None and eng["births"].notna().all():
        england = float((eng["value"] * eng["births"]).sum() / eng["births"].sum())
    rec: dict[str, object] = {
        "method": POOLED,
        "value": x / n * m,
        "lower_ci_95": float(lower),
        "upper_ci_95": float(upper),
        "ci_method": how,
        "events": x,
        "births": n,
        "england": england,
        "min_events": float(area["events"].min()),
        "few_events": bool(area["events"].min() < MIN_EVENTS),
        "suppressed": _small(x),
    }
    if rec["suppressed"]:
        rec |= {"value": np.nan, "lower_ci_95": np.nan, "upper_ci_95": np.nan}
    frame = pd.DataFrame([rec])
    res = compare_to_benchmark(frame, england, polarity=ind.polarity)
    rec["comparison"] = str(res["comparison"].iloc[0])
    rec["direction"] = direction(rec["comparison"])
    return rec


# --------------------------------------------------------------------------------------
# Good level of development by district
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DistrictGLD:
    """Districts' good level of development beside the county and England.

    ``status``: "ok", "no districts" (a single-tier area), "not available" (no district
    table in the snapshot) or "no data" (the table has no figures for the area's districts).
    ``rows``: one row per district (``district_code``, ``district_name``, ``period``, ``year``,
    ``value``, ``lower_ci_95``, ``upper_ci_95``, ``count``, ``denominator``, ``suppressed``,
    ``county_comparison``, ``england_comparison`` and their ``*_direction``), best first."""

    status: str
    rows: pd.DataFrame
    county: float | None = None
    england: float | None = None
    period: str = ""
    source: str = ""
    missing: tuple[str, ...] = ()  # districts of the area without a figure


def _reference(code: str, year: int, table: pd.DataFrame) -> float | None:
    sel = table[(table["area_code"] == code) & (table["year"] == year)].dropna(subset=["value"])
    return float(sel["value"].iloc[0]) if len(sel) else None


def district_gld(area: Area, year: int, data_dir: Path | str | None = None) -> DistrictGLD:
    """Good level of development for each district of ``area`` at the latest period at or
    before ``year``, compared with the county's and England's values (each inside the
    district's 95% confidence interval -> similar, else better/worse by the catalogue's
    polarity). District counts of 1-4 (children with, or without, a good level of
    development) withhold that district's figures."""
    empty = pd.DataFrame()
    table = load_table_or_none(DISTRICT_TABLE, data_dir)
    sel = (
        pd.DataFrame()
        if table is None
        else table[
            (table["indicator_id"] == GLD_ID)
            & (table["utla_code"] == area.code)
            & (table["year"].astype(int) <= int(year))
        ]
    )
    # A unitary formed from districts (Cumberland, North Yorkshire, ...) keeps its former
    # districts' figures from before the change; any other single-tier area has no districts.
    if len(area.districts) <= 1 and sel.get("district_code", pd.Series()).nunique() <= 1:
        return DistrictGLD("no districts", empty)
    if table is None:
        return DistrictGLD("not available", empty)
    sel = sel.dropna(subset=["value"])
    if sel.empty:
        return DistrictGLD("no data", empty)
    latest = int(sel["year"].max())
    sel = sel[sel["year"].astype(int) == latest].copy()
    cat = load_data(data_dir).catalogue
    ind = cat.entry(GLD_ID)
    polarity = ind.polarity if ind else NOT_APPLICABLE
    indicators = load_table("indicators", data_dir)
    indicators = indicators[indicators["indicator_id"] == GLD_ID]
    county = _reference(area.code, latest, indicators)
    england = _reference(ENGLAND, latest, indicators)
    not_met = sel["denominator"] - sel["count"]
    sel["suppressed"] = [_small(c) or _small(n) for c, n in zip(sel["count"], not_met, strict=True)]
    sel.loc[sel["suppressed"], ["value", "lower_ci_95", "upper_ci_95", "count"]] = np.nan
    for name, bench in (("county", county), ("england", england)):
        res = compare_to_benchmark(sel, np.nan if bench is None else bench, polarity=polarity)
        sel[f"{name}_comparison"] = res["comparison"].to_numpy()
        sel[f"{name}_direction"] = [direction(c) for c in res["comparison"]]
    sel = sel.sort_values(["value", "district_name"], ascending=[False, True], na_position="last")
    keep = ["district_code", "district_name", "period", "year", "value", "lower_ci_95"]
    keep += ["upper_ci_95", "count", "denominator", "suppressed", "county_comparison"]
    keep += ["county_direction", "england_comparison", "england_direction"]
    codes = "current_district_code" if "current_district_code" in sel else "district_code"
    have = set(sel[codes]) | set(sel["district_code"])
    missing = tuple(name for code, name in area.districts if code not in have)
    source = "; ".join(dict.fromkeys(str(s) for s in sel["source"].dropna()))
    return DistrictGLD(
        "ok",
        sel[keep].reset_index(drop=True),
        county,
        england,
        str(sel["period"].iloc[0]),
        source,
        missing,
    )
