"""Early help assessments (EHAs): who leads them, where they go, and whether they reach need
(as in the Worcestershire 2015 needs assessment's Tables 2-5)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from needsbook.charts import PALETTE
from needsbook.errors import InputError
from needsbook.local import targeting_ratios
from needsbook.local.analysis import QUINTILE_GROUPS
from needsbook.local.templates import ALL, EHA_DIMS
from needsbook.services.common import (
    LocalContext,
    count_text,
    during,
    fmt,
    latest_period,
    period_label,
    small_label,
)
from needsbook.stats.suppression import suppress_with_totals

#: A targeting ratio within this distance of 1 is "about in proportion to need".
TARGETING_TOLERANCE = 0.10
MOST, LEAST = QUINTILE_GROUPS  # group labels
QUINTILE_NAMES = {
    "1": "1 (most deprived 20%)",
    "2": "2",
    "3": "3",
    "4": "4",
    "5": "5 (least deprived 20%)",
}
GROUP_WORDS = {MOST: "most deprived 40%", LEAST: "least deprived 40%"}
NOT_APPLICABLE = "not applicable: "  # a targeting table's reading for a group without need
DIMS = list(EHA_DIMS)
#: The unit of each measure in the EHA tables (for the CSV downloads).
UNITS = {
    "Assessments": "count",
    "% of all EHAs": "percent",
    "% of EHAs": "percent",
    "Rate per 1,000 aged 0-19": "rate per 1,000",
    "Population aged 0-19": "persons",
    "% of children aged 0-19": "percent",
    "% of modelled need": "percent",
    "Targeting ratio (EHA share / need share)": "ratio",
    "Targeting ratio": "ratio",
}
POPULATION_COLUMNS = ("Population aged 0-19", "% of children aged 0-19", "% of modelled need")


def _eha(ctx: LocalContext) -> pd.DataFrame | None:
    return ctx.table("eha_assessments")


def period_of(ctx: LocalContext) -> str | None:
    eha = _eha(ctx)
    return None if eha is None or eha.empty else period_label(latest_period(eha))


def published(ctx: LocalContext) -> pd.DataFrame:
    """The EHA rows the book shows, after small-number suppression (worked out once).

    For the latest period: the grand total and the rows split by one dimension (provider,
    district or quintile), each dimension's rows with the grand total as their total; for
    earlier periods, the grand total. ``assessments`` is missing where hidden and
    ``suppression`` says why. Raises InputError without a grand total for the latest period.
    """

    def make() -> pd.DataFrame:
        eha = _eha(ctx).assign(imd_quintile=lambda d: d["imd_quintile"].astype(str))
        latest = latest_period(eha)
        split = (eha[DIMS] != ALL).sum(axis=1)
        rows = eha[(split == 0) | ((split == 1) & (eha["period"] == latest))]
        if not ((rows["period"] == latest) & (split[rows.index] == 0)).any():
            raise InputError("eha_assessments.csv: no grand total row (All/All/All) for the period")
        rows = rows.reset_index(drop=True)
        return suppress_with_totals(rows, "assessments", dims=DIMS, by=["period"], derived=[])

    return ctx.cached("eha_published", make)


def _split(ctx: LocalContext, by: str) -> tuple[pd.DataFrame, float, str]:
    """The latest period's rows by ``by`` (others ``All``), the grand total and its status."""
    p = published(ctx)
    g = p[p["period"] == latest_period(_eha(ctx))]
    others = [d for d in DIMS if d != by]
    total = g[(g[DIMS] == ALL).all(axis=1)].iloc[0]
    rows = g[(g[others] == ALL).all(axis=1) & (g[by] != ALL)].reset_index(drop=True)
    return rows, float(total["assessments"]), total["suppression"] or ""


def totals(ctx: LocalContext) -> pd.DataFrame | None:
    """All EHAs per period (the grand-total rows), oldest first."""
    if _eha(ctx) is None:
        return None
    p = published(ctx)
    g = p[(p[DIMS] == ALL).all(axis=1)].sort_values("period")
    out = pd.DataFrame(
        {
            "Period": [period_label(x) for x in g["period"]],
            "Assessments": g["assessments"].astype("float64").to_numpy(),
            "Small numbers": small_label(g["suppression"]),
        }
    )
    out.attrs["period"] = "Period"
    out.attrs["units"] = {"Assessments": "count"}
    return out


def providers(ctx: LocalContext) -> pd.DataFrame:
    """EHAs by lead provider: count, % of all EHAs and rate per 1,000 aged 0-19."""
    rows, total, status = _split(ctx, "provider")
    pop = ctx.population_0_19
    counts = pd.concat([rows["assessments"], pd.Series([total])], ignore_index=True)
    out = pd.DataFrame(
        {
            "Lead provider": [*rows["provider"], "All providers"],
            "Assessments": counts.astype("float64"),
            "% of all EHAs": (counts / total * 100).round(2),
            "Rate per 1,000 aged 0-19": (counts / pop * 1000).round(1),
            "Small numbers": small_label(pd.Series([*rows["suppression"], status])),
        }
    )
    return _label(ctx, out, {"% of all EHAs": 2, "Rate per 1,000 aged 0-19": 1})


def _label(
    ctx: LocalContext,
    out: pd.DataFrame,
    decimals: dict[str, int],
    periods: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Period, units and decimals of an EHA table (for the page and its CSV download);
    ``periods`` gives measures whose data is of another period than the EHAs'."""
    period = period_of(ctx) or ""
    pop = f"{period}; population mid-{ctx.population_year}"
    units = {c: u for c, u in UNITS.items() if c in out.columns}
    out.attrs.update(
        period=period,
        decimals=decimals,
        units=units,
        periods={c: pop for c in out.columns if "per 1,000" in c}
        | {c: f"{period}; need mid-{ctx.population_year}" for c in out.columns if "need share" in c}
        | {c: f"mid-{ctx.population_year}" for c in out.columns if c in POPULATION_COLUMNS}
        | (periods or {}),
    )
    return out


def districts(ctx: LocalContext) -> pd.DataFrame | None:
    """EHAs by district with rates per 1,000 aged 0-19 (None when the data has no district rows)."""
    rows, _, _ = _split(ctx, "district")
    if rows.empty:
        return None
    names = dict(ctx.area.districts)
    pop = ctx.lsoas.groupby("lad_code")["population_0_19"].sum()
    pop.index = [names.get(c, c) for c in pop.index]
    out = pd.DataFrame(
        {
            "District": rows["district"].to_numpy(),
            "Assessments": rows["assessments"].astype("float64").to_numpy(),
        }
    )
    out["Population aged 0-19"] = out["District"].map(pop).astype("float64")
    out["Rate per 1,000 aged 0-19"] = (
        out["Assessments"] / out["Population aged 0-19"] * 1000
    ).round(1)
    out["Small numbers"] = small_label(rows["suppression"])
    return _label(ctx, out, {"Rate per 1,000 aged 0-19": 1})


def quintiles(ctx: LocalContext) -> pd.DataFrame:
    """EHAs by national IMD quintile against children and modelled need in each quintile
    (no rate or ratio for a quintile with no neighbourhoods in the area)."""
    rows, total, _ = _split(ctx, "imd_quintile")
    need = ctx.need.assign(imd_quintile=ctx.need["imd_quintile"].astype(str)).set_index(
        "imd_quintile"
    )
    q = rows["imd_quintile"]
    children = q.map(need["children_0_19"]).astype("float64")
    need_pct = q.map(need["percent_of_need"]).astype("float64")
    a = rows["assessments"].astype("float64")
    out = pd.DataFrame(
        {
            "IMD quintile": q.map(QUINTILE_NAMES).fillna(q).to_numpy(),
            "Assessments": a.to_numpy(),
            "% of EHAs": (a / total * 100).round(2).to_numpy(),
            "% of children aged 0-19": q.map(need["percent_of_children"]).round(1).to_numpy(),
            "% of modelled need": need_pct.round(1).to_numpy(),
            "Rate per 1,000 aged 0-19": (a / children.where(children > 0) * 1000)
            .round(1)
            .to_numpy(),
        }
    )
    out["Targeting ratio (EHA share / need share)"] = (
        out["% of EHAs"] / out["% of modelled need"].where(need_pct.to_numpy() > 0)
    ).round(2)
    out["Small numbers"] = small_label(rows["suppression"])
    if (children == 0).any():
        out["Note"] = np.where(
            children == 0,
            f"no neighbourhoods in {ctx.area.name} are in this quintile: no rate or ratio",
            "",
        )
    return _label(
        ctx,
        out,
        {
            "% of EHAs": 2,
            "Targeting ratio (EHA share / need share)": 2,
            "Rate per 1,000 aged 0-19": 1,
        },
    )


def not_applicable(ctx: LocalContext, group: str) -> str:
    """Why a quintile group has no targeting ratio, e.g. "no neighbourhoods in Rutland are in
    the most deprived 40% nationally"."""
    members = [str(m) for m in QUINTILE_GROUPS[group]]
    need = ctx.need.assign(imd_quintile=ctx.need["imd_quintile"].astype(str))
    children = need.loc[need["imd_quintile"].isin(members), "children_0_19"].sum()
    words = GROUP_WORDS[group]
    if children == 0:
        return f"no neighbourhoods in {ctx.area.name} are in the {words} nationally"
    return f"the need model puts none of {ctx.area.name}'s need in the {words}"


def why_not_applicable(tr: pd.DataFrame, group: str) -> str | None:
    """Why ``group``'s ratio in a targeting table (indexed by group) is not applicable, or
    None when it applies: read from the table's published ``Reading``."""
    text = str(tr.loc[group, "Reading"])
    return text.removeprefix(NOT_APPLICABLE) if text.startswith(NOT_APPLICABLE) else None


def targeting(ctx: LocalContext) -> pd.DataFrame:
    """Targeting ratios for the most and least deprived 40% against the book's open need
    model. A group share is not shown when one of its quintiles is hidden; a group with no
    need has no ratio ("not applicable", with the reason)."""

    def make() -> pd.DataFrame:
        rows, total, _ = _split(ctx, "imd_quintile")
        need = ctx.need.assign(imd_quintile=ctx.need["imd_quintile"].astype(str))
        shares = rows.assign(percent=rows["assessments"] / total * 100)
        tr = targeting_ratios(shares, need)
        out = pd.DataFrame(
            {
                "Group of areas": tr["group"],
                "% of EHAs": tr["service_percent"],
                "% of modelled need": tr["need_percent"].round(1),
                "Targeting ratio": tr["ratio"].round(2),
                "Reading": [
                    reading(round(r, 2)) if ok else NOT_APPLICABLE + not_applicable(ctx, g)
                    for r, ok, g in zip(tr["ratio"], tr["applicable"], tr["group"], strict=True)
                ],
            }
        )
        eha = period_of(ctx) or ""
        need_period = f"mid-{ctx.population_year}"
        return _label(
            ctx,
            out,
            {"% of EHAs": 2, "Targeting ratio": 2, "% of modelled need": 1},
            {"% of modelled need": need_period, "Targeting ratio": f"{eha}; need {need_period}"},
        )

    return ctx.cached("eha_targeting", make).copy()


def reading(ratio: float | None) -> str:
    """How a targeting ratio reads: about in proportion (within the tolerance), more or less."""
    if ratio is None or np.isnan(ratio):
        return "not shown"
    if abs(ratio - 1) <= TARGETING_TOLERANCE:
        return "about in proportion to need"
    return "more than their share of need" if ratio > 1 else "less than their share of need"


def concentration(ctx: LocalContext) -> pd.DataFrame:
    """Cumulative % of EHAs against cumulative % of modelled need, most deprived first."""
    q = quintiles(ctx)
    ehas = q["% of EHAs"].to_numpy(dtype=float)
    need = q["% of modelled need"].to_numpy(dtype=float)
    kids = q["% of children aged 0-19"].to_numpy(dtype=float)
    scale = np.nansum(ehas) or 1.0
    out = pd.DataFrame(
        {
            "Up to IMD quintile": q["IMD quintile"],
            "Cumulative % of modelled need": np.round(np.cumsum(need) / need.sum() * 100, 1),
            "Cumulative % of children aged 0-19": np.round(np.cumsum(kids) / kids.sum() * 100, 1),
            "Cumulative % of EHAs": np.round(np.cumsum(ehas) / scale * 100, 1),
        }
    )
    if np.isnan(ehas).any():
        out["Cumulative % of EHAs"] = np.nan
    return out


def concentration_chart(curve: pd.DataFrame, description: str) -> alt.LayerChart:
    zero = pd.DataFrame(
        {
            "Up to IMD quintile": ["none"],
            "Cumulative % of modelled need": [0.0],
            "Cumulative % of EHAs": [0.0],
        }
    )
    data = pd.concat([zero, curve], ignore_index=True)
    x = alt.X(
        "Cumulative % of modelled need:Q",
        title="Cumulative % of modelled need (most deprived quintile first)",
        scale=alt.Scale(domain=[0, 100]),
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"a": [0, 100], "b": [0, 100]}))
        .mark_line(color="#505a5f", strokeDash=[6, 4], strokeWidth=1.5)
        .encode(x="a:Q", y="b:Q")
    )
    line = (
        alt.Chart(data)
        .mark_line(color=PALETTE[0], point=alt.OverlayMarkDef(filled=True, size=60))
        .encode(
            x=x,
            y=alt.Y(
                "Cumulative % of EHAs:Q",
                title="Cumulative % of EHAs",
                scale=alt.Scale(domain=[0, 100]),
            ),
            tooltip=[*curve.columns[:2], "Cumulative % of EHAs"],
        )
    )
    labels = (
        alt.Chart(curve)
        .mark_text(align="left", dx=6, dy=-8, fontSize=11)
        .encode(x=x, y="Cumulative % of EHAs:Q", text="Up to IMD quintile:N")
    )
    return alt.layer(diagonal, line, labels).properties(
        title="Concentration curve: EHAs against modelled need",
        description=description,
        width=420,
        height=320,
    )


def quintile_chart(q: pd.DataFrame, description: str) -> alt.Chart:
    cols = ["% of EHAs", "% of modelled need", "% of children aged 0-19"]
    long = q.melt(id_vars=["IMD quintile"], value_vars=cols, var_name="Measure", value_name="%")
    long["label"] = long["%"].map(lambda v: "" if pd.isna(v) else f"{v:.0f}%")
    colour = alt.Color(
        "Measure:N",
        sort=cols,
        scale=alt.Scale(domain=cols, range=PALETTE[:3]),
        legend=alt.Legend(title=None, orient="top"),
    )
    base = alt.Chart(long).encode(
        y=alt.Y(
            "IMD quintile:N", sort=list(QUINTILE_NAMES.values()), title="National IMD quintile"
        ),
        yOffset=alt.YOffset("Measure:N", sort=cols),
    )
    bars = base.mark_bar().encode(
        x=alt.X("%:Q", title="% of the area total"),
        color=colour,
        tooltip=["IMD quintile", "Measure", alt.Tooltip("%:Q", format=".1f")],
    )
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(
        x="%:Q", text="label:N", detail="Measure:N"
    )
    return (bars + text).properties(
        title="EHAs, children and modelled need by deprivation quintile",
        description=description,
        width=460,
        height=320,
    )


def summary_sentences(ctx: LocalContext) -> dict[str, str]:
    """Plain-English sentences on providers and targeting (used by the chapter and findings)."""
    prov = providers(ctx)
    period = prov.attrs["period"]
    total = prov.loc[prov["Lead provider"] == "All providers", "Assessments"].iloc[0]
    top = prov[prov["Lead provider"] != "All providers"].sort_values("Assessments", ascending=False)
    first = top.iloc[0]
    text = {
        "providers": (
            f"{count_text(total)} early help assessments (EHAs) were started {during(period)} "
            f"({ctx.source('eha_assessments.csv')}). {first['Lead provider']} led the most: "
            f"{count_text(first['Assessments'])}, {fmt(first['% of all EHAs'], 2, '%')} of all "
            "EHAs."
        )
    }
    return text


def group_shares(ctx: LocalContext) -> tuple[float, float]:
    """% of EHAs in the most and least deprived 40% (NaN where not shown)."""
    t = targeting(ctx).set_index("Group of areas")["% of EHAs"]
    return float(t[MOST]), float(t[LEAST])
