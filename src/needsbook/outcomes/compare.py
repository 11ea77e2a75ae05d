"""The one benchmarking engine: every catalogue indicator, for every area, at once.

Every chapter, the summary, the recommendations and ``needsbook export`` read their values,
comparisons, trends and ranks from :func:`compute_benchmarks` (through :func:`benchmarks`) and
only select and phrase them. The rows come from the snapshot's ``indicators`` table as they are
(earlier years recalculated from counts, summed regions and intervals are made by
``needsbook snapshot``); nothing here derives an indicator value.

For a book's year each indicator uses its latest period ending in that year or earlier (the
latest with an England value). Each area is then compared:

* indicators with confidence intervals: England's value inside the area's 95% CI -> Similar,
  else Better/Worse (Higher/Lower with no judgement), by
  :func:`needsbook.stats.compare_to_benchmark`; the same test against the region, the
  statistical neighbours' mean and an analyst's own comparator group's mean;
* indicators without (DfE LAIT publishes values only): the fifth of all upper-tier areas the
  area falls in (legacy Fingertips rule, PERCENTILE.INC), by
  :func:`needsbook.stats.compare_quintiles`.

Each row also carries the rank among all areas and among the area and its neighbours (1 = best;
both within 1..N), the fifth, the LAIT-style quartile band (A best to D), the verdict in one
word (``direction``) and as tables write it (``comparison_label``), the first comparable value
and the change since. Recent trends use :func:`needsbook.stats.recent_trend` on the five most
recent comparable, non-overlapping periods: the chi-squared test for proportions with counts,
weighted regression on the CIs for rates; otherwise "Cannot be calculated" with the reason.

Everything is computed for all 153 areas in one pass and cached per snapshot (its folder and
MANIFEST), year and comparator group, so one area's chapter, or the findings of every area, cost
one table look-up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.data import load_table, snapshot_key
from needsbook.national import read_frame
from needsbook.outcomes.catalogue import Catalogue, load_catalogue
from needsbook.polarity import JUDGED, LOW_IS_GOOD
from needsbook.stats import (
    compare_quintiles,
    compare_to_benchmark,
    recent_trend,
    trend_label,
)

ENGLAND = "E92000001"
NEIGHBOUR_MODEL = "2025"
VALUE_COLUMNS = [
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",
    "count",
    "denominator",
]
#: The 99.8% limits go with the 95% ones (the catalogue lists the 95% columns).
_WITH_95 = {"lower_ci_99_8": "lower_ci_95", "upper_ci_99_8": "upper_ci_95"}
NO_CI_REASON = "no counts or confidence intervals in the source"
POOLED_REASON = "periods overlap (pooled years)"
#: Fewest neighbours with a value for a neighbours' average to be shown.
MIN_NEIGHBOURS = 5

#: The verdict against England in a word, whichever method made it (every chapter's findings).
WORSE, BETTER, SIMILAR = "worse", "better", "similar"
HIGHER, LOWER = "higher", "lower"
NOT_COMPARED, NO_DATA = "not compared", "no data"
#: How a fifth is labelled in tables (judged indicators: best to worst; others: lowest up).
FIFTH_LABELS_JUDGED = {1: "Best 20%", 2: "2nd best 20%", 3: "Middle 20%"}
FIFTH_LABELS_JUDGED |= {4: "2nd worst 20%", 5: "Worst 20%"}
FIFTH_LABELS_NEUTRAL = {1: "Lowest 20%", 2: "2nd lowest 20%", 3: "Middle 20%"}
FIFTH_LABELS_NEUTRAL |= {4: "2nd highest 20%", 5: "Highest 20%"}
_CI_DIRECTION = {
    "Better": BETTER,
    "Best": BETTER,
    "Worse": WORSE,
    "Worst": WORSE,
    "Similar": SIMILAR,
    "Higher": HIGHER,
    "Lower": LOWER,
}


@dataclass(frozen=True)
class OutcomeData:
    """The tables every outcome calculation needs, loaded and prepared once."""

    catalogue: Catalogue
    rows: pd.DataFrame  # long: catalogue indicators for current UTLAs, regions, England
    areas: pd.DataFrame  # area_code, area_name, region_code, region_name
    neighbours: pd.DataFrame  # area_code, rank, neighbour_code, neighbour_name
    regions: dict[str, str]
    notes: dict[str, str]  # indicator_id -> data-quality note (e.g. England value dropped)
    by_indicator: dict[str, pd.DataFrame] = field(default_factory=dict)  # rows per indicator
    #: One area's neighbour averages of every indicator, by the last year included
    #: (:func:`neighbour_series`); only the latest area's are kept.
    neighbour_means: dict[tuple[str, int], pd.DataFrame] = field(
        default_factory=dict, repr=False, compare=False
    )


# --------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------
def display_period(period: str, period_type: str) -> str:
    """A period label a reader can place in time.

    LAIT writes academic and financial years as the year they end ("2024" -> "2023/24");
    stocks are dated ("at 31 March" -> "31 March 2024"); NEET figures, the average of
    December to February, are "around the end of the calendar year" as DfE puts it ("2025" ->
    "end of 2024"); other labels are kept.
    """
    p = str(period)
    if not re.fullmatch(r"\d{4}", p):
        return p
    y = int(p)
    kind = str(period_type)
    if kind in ("academic year", "financial year"):
        return f"{y - 1}/{str(y)[-2:]}"
    if kind == "at 31 March":
        return f"31 March {y}"
    if kind == "at 30 September":
        return f"30 September {y}"
    if kind == "January census":
        return f"January {y}"
    if kind.startswith("annual (December-February"):
        return f"end of {y - 1}"
    return p


def latest_years(rows: pd.DataFrame, year: int) -> pd.Series:
    """Per indicator, the latest year at or before ``year`` with an England value.

    Indicators without any England row fall back to the latest year with any area's value.
    Indicators with nothing at or before ``year`` are absent from the result.
    """
    upto = rows[(rows["year"] <= year) & rows["value"].notna()]
    eng = upto[upto["area_code"] == ENGLAND].groupby("indicator_id")["year"].max()
    anyarea = upto.groupby("indicator_id")["year"].max()
    return eng.combine_first(anyarea).astype(int)


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------
def prepare_rows(
    table: pd.DataFrame,
    catalogue: Catalogue,
    areas: pd.DataFrame,
    data_dir: Path | str | None = None,
) -> pd.DataFrame:
    """Catalogue indicators' rows for current UTLAs, regions and England, as the snapshot holds
    them (history, derived regions and intervals are computed by ``needsbook snapshot``)."""
    keep = ["indicator_id", "area_code", "area_type", "period", "year", "period_type"]
    keep += [*VALUE_COLUMNS, "source"]
    current = set(areas["area_code"])
    base = table[
        table["indicator_id"].isin(catalogue.ids)
        & (
            (table["area_type"].isin(["Region", "England"]))
            | ((table["area_type"] == "UTLA") & table["area_code"].isin(current))
        )
    ][keep]
    parts = []
    for ind in catalogue.indicators:
        df = base[base["indicator_id"] == ind.id].copy()
        for col in VALUE_COLUMNS:
            if _WITH_95.get(col, col) not in ind.columns:
                df[col] = np.nan
        parts.append(df)
    rows = pd.concat(parts, ignore_index=True)
    rows["year"] = rows["year"].astype(int)
    for col in VALUE_COLUMNS:
        rows[col] = rows[col].astype(float)
    return rows.sort_values(["indicator_id", "area_code", "year"], ignore_index=True)


def implausible_england(rows: pd.DataFrame, counts: Sequence[str] = ()) -> pd.Series:
    """True for England rows outside the range of every current area's value that year.

    An England rate or share cannot lie outside the range of its areas' figures, so such a row
    is a publishing error (LAIT's first-time entrants to youth justice gives England about ten
    times the area rates) and is not used. ``counts`` (indicator ids whose England total is
    larger than any area's by nature) are left alone.
    """
    rates = rows[~rows["indicator_id"].isin(list(counts))]
    utla = rates[rates["area_type"] == "UTLA"].groupby(["indicator_id", "year"])["value"]
    lo, hi = utla.min(), utla.max()
    eng = (rows["area_code"] == ENGLAND) & ~rows["indicator_id"].isin(list(counts))
    key = pd.MultiIndex.from_frame(rows[["indicator_id", "year"]])
    low = pd.Series(lo.reindex(key).to_numpy(), index=rows.index)
    high = pd.Series(hi.reindex(key).to_numpy(), index=rows.index)
    return eng & ((rows["value"] < low) | (rows["value"] > high))


def _drop_implausible(
    rows: pd.DataFrame, catalogue: Catalogue
) -> tuple[pd.DataFrame, dict[str, str]]:
    counts = [i.id for i in catalogue.indicators if i.value_type == "count"]
    bad = implausible_england(rows, counts)
    notes = {}
    for ind, grp in rows[bad].groupby("indicator_id"):
        years = sorted(grp["year"].astype(int))
        span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
        notes[str(ind)] = (
            f"The published England figure ({span}) lies outside the range of every area's "
            "figure, so it is not a comparable rate and is not shown."
        )
    return rows[~bad].reset_index(drop=True), notes


@lru_cache(maxsize=4)
def _load(data_dir: str, _key: tuple[str, int, int] | None = None) -> OutcomeData:
    dd = data_dir or None
    catalogue = load_catalogue(data_dir=dd)
    areas = load_table("areas", dd)[["area_code", "area_name", "region_code", "region_name"]]
    table = load_table("indicators", dd)
    rows, notes = _drop_implausible(prepare_rows(table, catalogue, areas, dd), catalogue)
    sn = load_table("statistical_neighbours", dd)
    sn = sn[(sn["model"] == NEIGHBOUR_MODEL) & sn["area_code"].isin(areas["area_code"])]
    neighbours = sn[["area_code", "rank", "neighbour_code", "neighbour_name"]].reset_index(
        drop=True
    )
    regions = dict(zip(areas["region_code"], areas["region_name"], strict=False))
    by_indicator = {str(k): g for k, g in rows.groupby("indicator_id", sort=False)}
    return OutcomeData(
        catalogue, rows, areas.reset_index(drop=True), neighbours, regions, notes, by_indicator
    )


def load_data(data_dir: Path | str | None = None) -> OutcomeData:
    """The prepared outcome tables (cached per snapshot: folder and MANIFEST)."""
    return _load(str(data_dir or ""), snapshot_key(data_dir or None))


# --------------------------------------------------------------------------------------
# Benchmarks for every area
# --------------------------------------------------------------------------------------
def _grid(data: OutcomeData, years: pd.Series) -> pd.DataFrame:
    cat = data.catalogue.table()
    grid = cat.merge(data.areas, how="cross")
    grid["year"] = grid["indicator_id"].map(years).astype("Int64")
    return grid


def _at_year(rows: pd.DataFrame, years: pd.Series) -> pd.DataFrame:
    chosen = rows["indicator_id"].map(years)
    return rows[rows["year"] == chosen]


def _neighbour_means(data: OutcomeData, current: pd.DataFrame) -> pd.DataFrame:
    vals = current[current["area_type"] == "UTLA"][["indicator_id", "area_code", "value"]]
    nb = data.neighbours.merge(
        vals.rename(columns={"area_code": "neighbour_code"}), on="neighbour_code", how="inner"
    )
    nb = nb.dropna(subset=["value"])
    out = nb.groupby(["indicator_id", "area_code"], as_index=False).agg(
        neighbours_mean=("value", "mean"), neighbours_n=("value", "size")
    )
    out.loc[out["neighbours_n"] < MIN_NEIGHBOURS, "neighbours_mean"] = np.nan
    return out


def _spine(grid: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: worst, 25th, 75th percentile and best of all areas (type-7 quantiles)."""
    have = grid.dropna(subset=["value"])
    q = have.groupby("indicator_id")["value"].agg(
        area_min="min",
        area_q1=lambda v: float(np.quantile(v, 0.25)),
        area_q3=lambda v: float(np.quantile(v, 0.75)),
        area_max="max",
        n_areas="size",
    )
    return q.reset_index()


def _comparisons(grid: pd.DataFrame) -> pd.DataFrame:
    """England / region / neighbour comparison columns for every (indicator, area) row."""
    out = grid.copy()
    ci = out["has_ci"].astype(bool)
    for target, bench in (("", "england"), ("region_", "region_value")):
        res = compare_to_benchmark(out[ci], bench, polarity="polarity")
        out.loc[ci, f"{target}comparison"] = res["comparison"]
        out.loc[ci, f"{target}comparison_reason"] = res["comparison_reason"]
    res = compare_to_benchmark(out[ci], "neighbours_mean", polarity="polarity")
    out.loc[ci, "neighbours_comparison"] = res["comparison"]
    if "group_mean" in out:
        res = compare_to_benchmark(out[ci], "group_mean", polarity="polarity")
        out.loc[ci, "group_comparison"] = res["comparison"]
        out.loc[~ci, "group_comparison"] = "Not compared"
    out.loc[ci, "comparison_method"] = "95% confidence interval"
    noci = ~ci
    fifths = compare_quintiles(out, polarity="polarity", group_by="indicator_id")
    out["fifth"] = fifths["quintile"].astype("Int64")
    q = fifths[noci]
    out["quintile"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[noci, "quintile"] = q["quintile"]
    out.loc[noci, "comparison"] = q["comparison"]
    out.loc[noci, "comparison_reason"] = q["comparison_reason"]
    out.loc[noci, "comparison_method"] = "quintiles of all areas"
    out.loc[noci, ["region_comparison", "neighbours_comparison"]] = "Not compared"
    # A count grows with the area's size: it is ranked but never placed in fifths or judged.
    counts = out["is_count"].astype(bool)
    out.loc[counts, ["quintile", "fifth"]] = pd.NA
    out.loc[counts, "comparison"] = np.nan
    out.loc[counts, "comparison_reason"] = "a count, not compared between areas"
    out.loc[counts, "comparison_method"] = "not compared (a count)"
    missing = out["value"].isna()
    out.loc[missing, "comparison_reason"] = "no data"
    return out


def _rank_key(grid: pd.DataFrame) -> pd.Series:
    """Sort key whose ascending order puts the best first (highest first for no judgement)."""
    return grid["value"] * np.where(grid["polarity"] == LOW_IS_GOOD, 1.0, -1.0)


def _ranks(grid: pd.DataFrame) -> pd.Series:
    """Rank among areas with a value: 1 = best (or highest for NO_JUDGEMENT)."""
    key = _rank_key(grid)
    return key.groupby(grid["indicator_id"]).rank(method="min").astype("Int64")


def _bands(grid: pd.DataFrame) -> pd.Series:
    """LAIT-style quartile band from the rank among all areas: A (best quarter) to D (worst);
    none for indicators without a judgement or areas without a value."""
    n = grid.groupby("indicator_id")["value"].transform("count")
    position = (grid["rank"].astype("Float64") / n).to_numpy(dtype=float, na_value=np.nan)
    band = np.select(
        [position <= 0.25, position <= 0.5, position <= 0.75, position <= 1.0],
        list("ABCD"),
        default="",
    )
    judged = grid["polarity"].isin(JUDGED).to_numpy()
    return pd.Series(np.where(judged & (band != ""), band, None), index=grid.index, dtype=object)


def group_ranks(grid: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """Ranks (1 = best; highest first for no judgement) of the areas ``codes`` among
    themselves, per indicator, counting only areas with a value: ``group_rank``,
    ``group_ranked`` (N), for each (indicator, area) of ``grid`` in the group."""
    sel = grid[grid["area_code"].isin(list(codes))].dropna(subset=["value"]).copy()
    key = _rank_key(sel)
    sel["group_rank"] = key.groupby(sel["indicator_id"]).rank(method="min").astype("Int64")
    sel["group_ranked"] = sel.groupby("indicator_id")["value"].transform("size").astype("Int64")
    return sel[["indicator_id", "area_code", "group_rank", "group_ranked"]]


def _neighbour_ranks(data: OutcomeData, grid: pd.DataFrame) -> pd.DataFrame:
    """Each area's rank among itself and its statistical neighbours with a value (1..N)."""
    nb = data.neighbours[["area_code", "neighbour_code"]]
    members = pd.concat(
        [nb, pd.DataFrame({"area_code": data.areas["area_code"], "neighbour_code": None})]
    )
    members["member"] = members["neighbour_code"].fillna(members["area_code"])
    vals = grid[["indicator_id", "area_code", "value", "polarity"]].dropna(subset=["value"])
    g = members[["area_code", "member"]].merge(
        vals.rename(columns={"area_code": "member"}), on="member"
    )
    g["key"] = _rank_key(g)
    g["neighbours_rank"] = g.groupby(["indicator_id", "area_code"])["key"].rank(method="min")
    g["neighbours_ranked"] = g.groupby(["indicator_id", "area_code"])["key"].transform("size")
    own = g[g["member"] == g["area_code"]]
    out = own[["indicator_id", "area_code", "neighbours_rank", "neighbours_ranked"]].copy()
    out["neighbours_rank"] = out["neighbours_rank"].astype("Int64")
    out["neighbours_ranked"] = out["neighbours_ranked"].astype("Int64")
    return out


def _group_means(grid: pd.DataFrame, codes: tuple[str, ...]) -> pd.DataFrame:
    """Mean of an analyst's comparator group per indicator, leaving each area itself out."""
    vals = grid[grid["area_code"].isin(codes)].dropna(subset=["value"])
    total = vals.groupby("indicator_id")["value"].agg(["sum", "count"])
    out = grid[["indicator_id", "area_code", "value"]].copy()
    s = out["indicator_id"].map(total["sum"]).fillna(0.0)
    n = out["indicator_id"].map(total["count"]).fillna(0).astype(int)
    own = out["area_code"].isin(codes) & out["value"].notna()
    s = s - np.where(own, out["value"].fillna(0.0), 0.0)
    n = n - own.astype(int)
    out["group_mean"] = np.where(n > 0, s / n.where(n > 0, 1), np.nan)
    out["group_n"] = n
    return out[["indicator_id", "area_code", "group_mean", "group_n"]]


def _trends(data: OutcomeData, years: pd.Series) -> pd.DataFrame:
    """Recent trend for every (indicator, current area) with the catalogue's method."""
    rows = data.rows[data.rows["area_type"] == "UTLA"]
    rows = rows[rows["year"] <= rows["indicator_id"].map(years)]
    cat = data.catalogue.table().set_index("indicator_id")
    start = rows["indicator_id"].map(cat["comparable_from"]).fillna(0).astype(int)
    rows = rows[rows["year"] >= start]
    pooled = rows["period_type"].str.contains("pooled")
    parts = []
    for method in ("chi2", "regression"):
        ids = cat.index[cat["trend_method"] == method]
        sel = rows[rows["indicator_id"].isin(ids) & ~pooled].copy()
        if method == "chi2":
            sel = sel.dropna(subset=["count", "denominator"])
            sel = sel[(sel["count"] <= sel["denominator"]) & (sel["denominator"] > 0)]
        else:
            sel = sel.dropna(subset=["value", "lower_ci_95", "upper_ci_95"])
        if sel.empty:
            continue
        sel["polarity"] = sel["indicator_id"].map(cat["polarity"])
        res = recent_trend(
            sel,
            time="year",
            count="count" if method == "chi2" else None,
            denominator="denominator" if method == "chi2" else None,
            group_by=["indicator_id", "area_code"],
            polarity="polarity",
            method=method,
        )
        parts.append(res)
    trends = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["indicator_id", "area_code"])
    )
    trends = trends.rename(columns={"from_time": "trend_from", "to_time": "trend_to"})
    keep = ["indicator_id", "area_code", "trend", "trend_label", "trend_reason", "trend_method"]
    return trends[[*keep, "points", "trend_from", "trend_to"]]


def _comparable(data: OutcomeData, years: pd.Series) -> pd.DataFrame:
    """Each area's values up to the book's period, from the first comparable year on."""
    rows = data.rows[(data.rows["area_type"] == "UTLA") & data.rows["value"].notna()]
    rows = rows[rows["year"] <= rows["indicator_id"].map(years)]
    start = rows["indicator_id"].map(
        data.catalogue.table().set_index("indicator_id")["comparable_from"]
    )
    return rows[rows["year"] >= start.fillna(0).astype(int)]


def _previous(data: OutcomeData, years: pd.Series) -> pd.DataFrame:
    """The earliest of the five most recent comparable values (for describing change)."""
    rows = _comparable(data, years)
    recent = rows.groupby(["indicator_id", "area_code"]).tail(5)
    first = recent.groupby(["indicator_id", "area_code"], as_index=False).first()
    first = first[["indicator_id", "area_code", "year", "period", "period_type", "value"]]
    first = first.rename(
        columns={
            "year": "previous_year",
            "period": "previous_period",
            "period_type": "previous_period_type",
            "value": "previous_value",
        }
    )
    return first


def _direction(value: float, has_ci: bool, comparison: object, quintile: object, pol: str) -> str:
    if pd.isna(value):
        return NO_DATA
    if has_ci:
        return _CI_DIRECTION.get(str(comparison), NOT_COMPARED)
    if pd.isna(quintile):
        return NOT_COMPARED
    q = int(quintile)  # type: ignore[call-overload]
    if pol in JUDGED:
        return BETTER if q <= 2 else WORSE if q >= 4 else SIMILAR
    return HIGHER if q >= 4 else LOWER if q <= 2 else SIMILAR


def _label(value: float, has_ci: bool, comparison: object, quintile: object, pol: str) -> str:
    """The comparison with England as every table writes it ("Worse", "Worst 20%")."""
    if pd.isna(value):
        return "No data"
    if not has_ci:
        if pd.isna(quintile):
            return "Not compared"
        labels = FIFTH_LABELS_JUDGED if pol in JUDGED else FIFTH_LABELS_NEUTRAL
        return labels[int(quintile)]  # type: ignore[call-overload]
    text = "Not compared" if pd.isna(comparison) else str(comparison)
    return {"Best": "Better", "Worst": "Worse"}.get(text, text)


def _first(data: OutcomeData, years: pd.Series) -> pd.DataFrame:
    """The first comparable value of each area's series (for the change since then)."""
    rows = _comparable(data, years)
    first = rows.groupby(["indicator_id", "area_code"], as_index=False).first()
    first["first_label"] = [
        display_period(p, t) for p, t in zip(first["period"], first["period_type"], strict=True)
    ]
    first = first.rename(columns={"year": "first_year", "value": "first_value"})
    return first[["indicator_id", "area_code", "first_year", "first_label", "first_value"]]


def compute_benchmarks(
    data: OutcomeData, year: int, comparators: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row per (indicator, current area) for ``year``: values, benchmarks, comparisons,
    spine-chart percentiles, ranks (among all areas and among the statistical neighbours),
    fifth, quartile band and recent trend. With ``comparators`` (area codes), also the mean of
    that group (each area left out of its own group) and the comparison with it. Areas
    without data have NaN values and the reason "no data"."""
    rows = data.rows
    years = latest_years(rows, int(year))
    grid = _grid(data, years)
    current = _at_year(rows, years)
    utla = current[current["area_type"] == "UTLA"][
        ["indicator_id", "area_code", "period", "period_type", *VALUE_COLUMNS]
    ]
    grid = grid.merge(utla, on=["indicator_id", "area_code"], how="left")
    eng = current[current["area_code"] == ENGLAND].set_index("indicator_id")
    grid["england"] = grid["indicator_id"].map(eng["value"])
    grid["england_lower"] = grid["indicator_id"].map(eng["lower_ci_95"])
    grid["england_upper"] = grid["indicator_id"].map(eng["upper_ci_95"])
    # The period label is the same for every area of an indicator (one year per indicator).
    labels = current.drop_duplicates("indicator_id").set_index("indicator_id")
    grid["period"] = grid["indicator_id"].map(labels["period"])
    grid["period_type"] = grid["indicator_id"].map(labels["period_type"])
    reg = current[current["area_type"] == "Region"][
        ["indicator_id", "area_code", "value", "lower_ci_95", "upper_ci_95"]
    ].rename(
        columns={
            "area_code": "region_code",
            "value": "region_value",
            "lower_ci_95": "region_lower",
            "upper_ci_95": "region_upper",
        }
    )
    grid = grid.merge(reg, on=["indicator_id", "region_code"], how="left")
    grid = grid.merge(_neighbour_means(data, current), on=["indicator_id", "area_code"], how="left")
    grid["neighbours_n"] = grid["neighbours_n"].fillna(0).astype(int)
    if comparators:
        grid = grid.merge(
            _group_means(grid, comparators), on=["indicator_id", "area_code"], how="left"
        )
    grid = _comparisons(grid)
    verdict = list(
        zip(
            grid["value"],
            grid["has_ci"].astype(bool),
            grid["comparison"],
            grid["quintile"],
            grid["polarity"],
            strict=True,
        )
    )
    grid["direction"] = [_direction(*v) for v in verdict]
    grid["comparison_label"] = [_label(*v) for v in verdict]
    grid["rank"] = _ranks(grid)
    grid["band"] = _bands(grid)
    grid = grid.merge(_neighbour_ranks(data, grid), on=["indicator_id", "area_code"], how="left")
    grid = grid.merge(_spine(grid), on="indicator_id", how="left")
    grid["n_areas"] = grid["n_areas"].fillna(0).astype(int)
    grid = grid.merge(_trends(data, years), on=["indicator_id", "area_code"], how="left")
    grid = grid.merge(_previous(data, years), on=["indicator_id", "area_code"], how="left")
    grid = grid.merge(_first(data, years), on=["indicator_id", "area_code"], how="left")
    # fold change, latest / first: undefined for a one-period series or a zero start
    since = (grid["first_value"] > 0) & (grid["first_year"] < grid["year"])
    grid["fold_change"] = grid["value"] / grid["first_value"].where(since)
    no_test = ~grid["has_ci"].astype(bool)
    pooled = grid["period_type"].fillna("").str.contains("pooled")
    grid.loc[no_test, "trend_reason"] = NO_CI_REASON
    grid.loc[grid["has_ci"].astype(bool) & pooled, "trend_reason"] = POOLED_REASON
    untested = grid["trend"].isna()
    grid.loc[untested, "trend"] = "Cannot be calculated"
    grid.loc[untested & grid["trend_reason"].isna(), "trend_reason"] = "fewer than 5 valid points"
    grid["trend_label"] = trend_label(grid["trend"], grid["polarity"])
    grid["period_label"] = [
        display_period(p, t) if pd.notna(p) else "no data"
        for p, t in zip(grid["period"], grid["period_type"], strict=True)
    ]
    labels = _period_lookup(rows)
    for end in ("from", "to"):
        grid[f"trend_{end}_label"] = [
            labels.get((i, int(y))) if pd.notna(y) else None
            for i, y in zip(grid["indicator_id"], grid[f"trend_{end}"], strict=True)
        ]
    grid["previous_label"] = [
        display_period(p, t) if pd.notna(p) else None
        for p, t in zip(grid["previous_period"], grid["previous_period_type"], strict=True)
    ]
    grid["difference"] = grid["value"] - grid["england"]
    grid["relative_difference"] = grid["difference"] / grid["england"] * 100
    return grid.sort_values(["order", "area_code"], ignore_index=True)


def _period_lookup(rows: pd.DataFrame) -> dict[tuple[str, int], str]:
    """(indicator, year) -> the period as a reader would write it."""
    first = rows.drop_duplicates(["indicator_id", "year"])
    return {
        (str(i), int(y)): display_period(p, t)
        for i, y, p, t in zip(
            first["indicator_id"], first["year"], first["period"], first["period_type"], strict=True
        )
    }


@lru_cache(maxsize=16)
def _benchmarks(
    data_dir: str, year: int, comparators: tuple[str, ...], _key: tuple[str, int, int]
) -> pd.DataFrame:
    if not comparators:
        stored = read_frame(f"benchmarks-{year}", data_dir or None)
        if stored is not None:
            return stored
    return compute_benchmarks(load_data(data_dir or None), year, comparators)


def benchmarks(
    year: int, data_dir: Path | str | None = None, comparators: Sequence[str] = ()
) -> pd.DataFrame:
    """:func:`compute_benchmarks` for the snapshot in ``data_dir``: without ``comparators``
    the table ``needsbook snapshot`` worked out for the year (:mod:`needsbook.national`) when
    it holds, else worked out here (cached; do not modify)."""
    group = tuple(sorted(set(comparators)))
    return _benchmarks(str(data_dir or ""), int(year), group, snapshot_key(data_dir or None))


def area_benchmarks(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    comparators: Sequence[str] = (),
) -> pd.DataFrame:
    """The benchmark rows of one area, in catalogue order (a copy)."""
    b = benchmarks(year, data_dir, comparators)
    return b[b["area_code"] == area_code].reset_index(drop=True)


def series(
    data: OutcomeData, indicator_ids: list[str], codes: list[str], upto: int
) -> pd.DataFrame:
    """All years up to ``upto`` of the given indicators for the given areas (for charts)."""
    parts = [data.by_indicator[i] for i in indicator_ids if i in data.by_indicator]
    if not parts:
        return data.rows.iloc[:0].copy()
    rows = pd.concat(parts) if len(parts) > 1 else parts[0]
    sel = rows[rows["area_code"].isin(codes) & (rows["year"] <= upto)]
    return sel.reset_index(drop=True)


def neighbour_series(
    data: OutcomeData, indicator_ids: list[str], area_code: str, upto: int
) -> pd.DataFrame:
    """Neighbours' average per indicator and year (only years with >= MIN_NEIGHBOURS values).

    The averages of every indicator are worked out once per area and year (a chapter asks for
    one indicator at a time); each indicator's are those of its own rows, in the same order."""
    known = [i for i in indicator_ids if i in data.by_indicator]
    if not known or len(set(known)) < len(known):  # none, or one asked for twice: as asked
        return _neighbour_averages(data, indicator_ids, area_code, upto)
    key = (area_code, int(upto))
    every = data.neighbour_means.get(key)
    if every is None:
        if any(k[0] != area_code for k in data.neighbour_means):
            data.neighbour_means.clear()
        every = _neighbour_averages(data, list(data.by_indicator), area_code, upto)
        data.neighbour_means[key] = every
    return every[every["indicator_id"].isin(indicator_ids)].reset_index(drop=True)


def _neighbour_averages(
    data: OutcomeData, indicator_ids: list[str], area_code: str, upto: int
) -> pd.DataFrame:
    codes = data.neighbours.loc[data.neighbours["area_code"] == area_code, "neighbour_code"]
    sel = series(data, indicator_ids, list(codes), upto).dropna(subset=["value"])
    out = sel.groupby(["indicator_id", "year"], as_index=False).agg(
        value=("value", "mean"), n=("value", "size"), period=("period", "first")
    )
    return out[out["n"] >= MIN_NEIGHBOURS].reset_index(drop=True)
