"""Pure functions over validated local tables: shares, rates, reach, targeting and coverage.

Definitions (stated in the book):

- **share** of EHAs = assessments / all assessments in the period x 100;
- **rate per 1,000** = count / population x 1,000, over the whole period (not annualised);
- **targeting ratio** = service share of a quintile group / modelled need share of that group
  (1 = in proportion to need; < 1 under-served; > 1 over-served);
- **reach %** = unique 0-4s seen / resident 0-4s x 100;
- **footfall rate** = attendances / unique children seen, i.e. mean visits per child seen;
- **coverage vs need** = referrals per year / births per year x 100, against the modelled share
  of births in the intensive-need group.

Functions return counts alongside rates; pass anything shown in a book through
:func:`publishable` (1-4 shown as "<5", rates derived from them removed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from needsbook.errors import InputError
from needsbook.local.templates import ALL, EHA_DIMS, PRIMARY_FAMILY_OUTCOMES
from needsbook.stats import suppress_small_numbers

MOST_DEPRIVED_40 = ("1", "2")
LEAST_DEPRIVED_40 = ("4", "5")
QUINTILE_GROUPS: dict[str, tuple[str, ...]] = {
    "most deprived 40% (Q1-2)": MOST_DEPRIVED_40,
    "least deprived 40% (Q4-5)": LEAST_DEPRIVED_40,
}


def round_half_up(value: float, decimals: int = 0) -> float:
    """Round as printed tables do (0.5 up), not Python's round-half-even."""
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(str(value)).quantize(q, rounding=ROUND_HALF_UP))


def _period(df: pd.DataFrame, period: str | None) -> pd.DataFrame:
    periods = df["period"].unique()
    if period is None:
        if len(periods) != 1:
            raise InputError(f"period: several periods present ({', '.join(periods)}); name one")
        period = periods[0]
    if period not in periods:
        raise InputError(f"period: {period!r} not in the data ({', '.join(periods)})")
    return df[df["period"] == period]


def eha_shares(eha: pd.DataFrame, by: str = "provider", period: str | None = None) -> pd.DataFrame:
    """EHAs and their % of all EHAs in the period, by provider, district or imd_quintile.

    Uses the rows where the other two dimensions are ``All``; the denominator is the grand
    total row (``All``/``All``/``All``).
    """
    dims = list(EHA_DIMS)
    if by not in dims:
        raise InputError(f"by: must be one of {', '.join(dims)} (got {by!r})")
    g = _period(eha, period)
    others = [d for d in dims if d != by]
    total = g.loc[(g[dims] == ALL).all(axis=1), "assessments"]
    if total.empty:
        raise InputError("eha_assessments.csv: no grand total row (All/All/All) for the period")
    rows = g[(g[others] == ALL).all(axis=1) & (g[by] != ALL)]
    out = rows[[by, "assessments"]].reset_index(drop=True)
    out["percent"] = out["assessments"] / total.iloc[0] * 100
    out.attrs["total"] = float(total.iloc[0])
    return out


def group_share(
    shares: pd.DataFrame, members: Sequence[str], column: str = "imd_quintile", decimals: int = 2
) -> float:
    """Share of a group of quintiles as a reader of the published table gets it: the sum of
    the members' shares each rounded to ``decimals`` (2015: 29.63 + 22.33 = 51.96); NaN
    when a member's share is not shown (small numbers)."""
    sel = shares[shares[column].astype(str).isin([str(m) for m in members])]
    if len(sel) != len(members):
        raise InputError(f"{column}: not all of {', '.join(members)} present")
    if sel["percent"].isna().any():
        return float("nan")
    return round(sum(round_half_up(v, decimals) for v in sel["percent"]), decimals)


def rate_per_1000(count: float, population: float) -> float:
    """Count per 1,000 population over the whole period (not annualised)."""
    if not population > 0:
        raise InputError(f"population: must be more than 0 (got {population!r})")
    return count / population * 1000


def need_shares(need: pd.DataFrame | Mapping[str, float]) -> dict[str, float]:
    """Need share (% of modelled need) per quintile, from ``need_share_by_quintile`` or a dict."""
    if isinstance(need, pd.DataFrame):
        return {
            str(q): float(p)
            for q, p in zip(need["imd_quintile"], need["percent_of_need"], strict=True)
        }
    return {str(k): float(v) for k, v in need.items()}


def targeting_ratios(
    shares: pd.DataFrame,
    need: pd.DataFrame | Mapping[str, float],
    groups: Mapping[str, Sequence[str]] = QUINTILE_GROUPS,
) -> pd.DataFrame:
    """Service share / need share for each quintile group (2015: 51.96/73 = 0.71, 28.24/7 = 4.0).

    ``need`` maps a quintile, or a group name of ``groups``, to its % of need; a group's need
    share is taken as given when its name is a key, else summed over its quintiles. A group
    with no need (an area with no neighbourhood in those quintiles, such as Rutland's most
    deprived 40%) has no ratio: ``applicable`` is False and ``ratio`` NaN. A quintile with no
    row in ``shares`` counts as 0% of the service where it has no need (no neighbourhood in
    the area), else as unknown (the group's share and ratio are then NaN).
    """
    ns = need_shares(need)
    quintiles = shares.assign(imd_quintile=shares["imd_quintile"].astype(str))
    rows = []
    for name, members in groups.items():
        if name in ns:
            need_pct = ns[name]
        elif all(m in ns for m in members):
            need_pct = sum(ns[m] for m in members)
        else:
            raise InputError(f"need: no need share for group {name!r} or its quintiles")
        if not need_pct >= 0:
            raise InputError(f"need: share for {name!r} must be 0 or more (got {need_pct})")
        absent = [m for m in members if m not in set(quintiles["imd_quintile"])]
        no_need = need_pct == 0 or all(ns.get(m) == 0 for m in absent)
        filled = pd.DataFrame({"imd_quintile": absent, "percent": 0.0 if no_need else np.nan})
        service = group_share(pd.concat([quintiles, filled], ignore_index=True), members)
        ratio = service / need_pct if need_pct > 0 else float("nan")
        rows.append((name, service, need_pct, ratio, need_pct > 0))
    return pd.DataFrame(
        rows, columns=["group", "service_percent", "need_percent", "ratio", "applicable"]
    )


def cc_reach(cc: pd.DataFrame) -> pd.DataFrame:
    """Children's centre rows with ``reach_percent`` and ``footfall``: computed from counts
    where given (seen / population x 100; attendances / seen), else the published values.
    ``applicable`` is False where the reach area has no such population (population 0)."""
    out = cc.copy()
    pop, seen = out["population_0_4"], out["children_seen"]
    computed = (seen / pop.where(pop > 0)) * 100
    out["reach_percent"] = computed.fillna(out["percent_seen"])
    footfall = out["attendances"] / seen.where(seen > 0)
    out["footfall"] = footfall.fillna(out["footfall_rate"])
    out["applicable"] = ~(pop == 0)
    out.loc[~out["applicable"], ["reach_percent", "footfall"]] = np.nan
    return out


def cc_area_reach(cc: pd.DataFrame, period: str, nursery: str, group: str) -> float:
    """Area-wide reach % (the ``All``/``All`` row) for one period, nursery option and group."""
    r = cc_reach(cc)
    sel = r[
        (r.period == period)
        & (r.nursery == nursery)
        & (r.population_group == group)
        & (r.district == ALL)
        & (r.centre == ALL)
    ]
    if len(sel) != 1:
        raise InputError(f"children_centres.csv: no area row for {period}, {nursery}, {group}")
    return float(sel["reach_percent"].iloc[0])


def centres_without_deprived_lsoa(cc: pd.DataFrame) -> list[str]:
    """Centres whose reach area has no 30%-most-deprived LSOA (deprived population 0)."""
    sel = cc[
        (cc.population_group == "most_deprived_30") & (cc.centre != ALL) & (cc.population_0_4 == 0)
    ]
    return sorted(sel["centre"].unique())


def hv_coverage(hv: pd.DataFrame) -> pd.DataFrame:
    """Mandated-review coverage % per quarter = completed in time / due x 100."""
    out = hv.copy()
    out["percent"] = out["completed"] / out["due"].where(out["due"] > 0) * 100
    return out


def specialist_midwifery_coverage(sm: pd.DataFrame, need_percent: float) -> pd.DataFrame:
    """Referrals / births x 100 per year against the intensive-need share of births,
    with the gap in percentage points and in births per year."""
    out = sm[["period", "referrals", "births"]].copy()
    out["coverage_percent"] = out["referrals"] / out["births"].where(out["births"] > 0) * 100
    out["need_percent"] = float(need_percent)
    out["gap_points"] = out["need_percent"] - out["coverage_percent"]
    out["gap_births"] = out["gap_points"] / 100 * out["births"]
    return out


def family_outcomes_cumulative(fam: pd.DataFrame) -> pd.DataFrame:
    """Families with a primary results claim per round, and the running total; the
    additional payments are for families already counted and are excluded."""
    primary = fam[fam["outcome"].isin(PRIMARY_FAMILY_OUTCOMES)]
    out = (
        primary.groupby(["programme", "claim_month"], as_index=False)["claims"]
        .sum()
        .sort_values(["programme", "claim_month"])
        .rename(columns={"claims": "families"})
    )
    out["cumulative_families"] = out.groupby("programme")["families"].cumsum()
    return out.reset_index(drop=True)


def fold_change(counts: pd.Series) -> float:
    """Fold change: last value / first value of a series ordered by period."""
    s = counts.dropna()
    if len(s) < 2 or not s.iloc[0] > 0:
        raise InputError("counts: need at least two values and a first value above 0")
    return float(s.iloc[-1] / s.iloc[0])


def publishable(
    df: pd.DataFrame, count: str, derived: Sequence[str] = (), **kwargs: object
) -> pd.DataFrame:
    """Apply the small-number rule before a table is shown: counts 1-4 become "<5" in
    ``<count>_display`` and the ``derived`` rates of those rows are removed."""
    return suppress_small_numbers(df, count, derived=list(derived), **kwargs)
