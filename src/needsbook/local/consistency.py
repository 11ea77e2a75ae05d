"""Identities that published tables may break (marginal totals, shares): warnings, not errors.

The frames are indexed by CSV line number, so a warning can name its row.
"""

from __future__ import annotations

import pandas as pd

from needsbook.local.templates import ALL, EHA_DIMS, PRIMARY_FAMILY_OUTCOMES


def consistency_warnings(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Identities that published tables may break: reported, not fatal."""
    out: list[str] = []
    eha = tables.get("eha_assessments")
    if eha is not None:
        for period, g in eha.groupby("period"):
            total = g.loc[(g[list(EHA_DIMS)] == ALL).all(axis=1), "assessments"]
            if total.empty:
                continue
            n = total.iloc[0]
            for dim in EHA_DIMS:
                others = [d for d in EHA_DIMS if d != dim]
                part = g.loc[(g[dim] != ALL) & (g[others] == ALL).all(axis=1), "assessments"]
                if len(part) and part.sum() != n:
                    out.append(
                        f"eha_assessments.csv: period {period}: rows by {dim} add to "
                        f"{part.sum():,.0f}, not the grand total {n:,.0f} "
                        "(source table inconsistent)"
                    )
    cc = tables.get("children_centres")
    if cc is not None:
        keys = ["period", "nursery", "population_group"]
        for k, g in cc.dropna(subset=["children_seen"]).groupby(keys):
            county = g.loc[(g.district == ALL) & (g.centre == ALL), "children_seen"]
            dist = g.loc[(g.district != ALL) & (g.centre == ALL), "children_seen"]
            if len(county) and len(dist) and dist.sum() != county.iloc[0]:
                out.append(
                    f"children_centres.csv: {', '.join(map(str, k))}: district totals of "
                    f"children_seen add to {dist.sum():,.0f}, not the area total "
                    f"{county.iloc[0]:,.0f} (source table inconsistent; the area total may "
                    "de-duplicate children seen in more than one district)"
                )
        both = cc.dropna(subset=["children_seen", "population_0_4", "percent_seen"])
        both = both[both.population_0_4 > 0]
        off = (both.children_seen / both.population_0_4 * 100 - both.percent_seen).abs() > 0.5
        for i in both.index[off]:
            out.append(
                f"children_centres.csv: row {i}: percent_seen disagrees with seen/population"
            )
    reasons, fam = tables.get("eha_reasons"), tables.get("family_support_outcomes")
    if reasons is not None and reasons.groupby("period").assessments_total.nunique().gt(1).any():
        out.append("eha_reasons.csv: assessments_total differs between rows of the same period")
    if fam is not None and len(fam) and not fam.outcome.isin(PRIMARY_FAMILY_OUTCOMES).any():
        out.append("family_support_outcomes.csv: no primary outcome rows; no families counted")
    return out
