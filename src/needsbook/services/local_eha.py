"""Early help assessments (EHAs): who leads them, where they go, and whether they reach need
(seed Tables 2-5, Fig 39; methods M12-M14)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from needsbook.charts import PALETTE
from needsbook.local import eha_shares, group_share, targeting_ratios
from needsbook.local.analysis import LEAST_DEPRIVED_40, MOST_DEPRIVED_40, QUINTILE_GROUPS
from needsbook.local.example import SEED_NEED_SHARES
from needsbook.local.templates import ALL
from needsbook.services.common import (
    SMALL_NOTE,
    LocalContext,
    count_text,
    during,
    fmt,
    latest_period,
    period_label,
    suppress,
)

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
OPEN_MODEL = "open need model (needsbook)"
SEED_MODEL = "seed report's need model (PREview, 2015)"


def _eha(ctx: LocalContext) -> pd.DataFrame | None:
    return ctx.table("eha_assessments")


def period_of(ctx: LocalContext) -> str | None:
    eha = _eha(ctx)
    return None if eha is None or eha.empty else period_label(latest_period(eha))


def totals(ctx: LocalContext) -> pd.DataFrame | None:
    """All EHAs per period (the grand-total rows), oldest first."""
    eha = _eha(ctx)
    if eha is None:
        return None
    g = eha[(eha["provider"] == ALL) & (eha["district"] == ALL) & (eha["imd_quintile"] == ALL)]
    g = g.sort_values("period")
    out = pd.DataFrame(
        {
            "Period": [period_label(p) for p in g["period"]],
            "Assessments": g["assessments"].astype("float64").to_numpy(),
        }
    )
    return suppress(out, "Assessments")


def providers(ctx: LocalContext) -> pd.DataFrame:
    """EHAs by lead provider: count, % of all EHAs and rate per 1,000 aged 0-19."""
    eha = _eha(ctx)
    period = latest_period(eha)
    s = eha_shares(eha, "provider", period)
    total = s.attrs["total"]
    pop = ctx.population_0_19
    out = pd.DataFrame(
        {
            "Lead provider": s["provider"],
            "Assessments": s["assessments"].astype("float64"),
            "% of all EHAs": s["percent"].round(2),
            "Rate per 1,000 aged 0-19": (s["assessments"] / pop * 1000).round(1),
        }
    )
    total_row = {
        "Lead provider": "All providers",
        "Assessments": float(total),
        "% of all EHAs": 100.0,
        "Rate per 1,000 aged 0-19": round(total / pop * 1000, 1),
    }
    out = pd.concat([out, pd.DataFrame([total_row])], ignore_index=True)
    out = suppress(out, "Assessments", ["% of all EHAs", "Rate per 1,000 aged 0-19"])
    out.attrs["period"] = period_label(period)
    out.attrs["decimals"] = {"% of all EHAs": 2, "Rate per 1,000 aged 0-19": 1}
    return out


def districts(ctx: LocalContext) -> pd.DataFrame | None:
    """EHAs by district with rates per 1,000 aged 0-19 (None when the data has no district rows)."""
    eha = _eha(ctx)
    period = latest_period(eha)
    g = eha[eha["period"] == period]
    rows = g[(g["provider"] == ALL) & (g["imd_quintile"] == ALL) & (g["district"] != ALL)]
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
    out = suppress(out, "Assessments", ["Rate per 1,000 aged 0-19"])
    out.attrs["decimals"] = {"Rate per 1,000 aged 0-19": 1}
    return out


def quintiles(ctx: LocalContext) -> pd.DataFrame:
    """EHAs by national IMD quintile against children and modelled need in each quintile."""
    eha = _eha(ctx)
    period = latest_period(eha)
    s = eha_shares(eha, "imd_quintile", period)
    need = ctx.need.assign(imd_quintile=ctx.need["imd_quintile"].astype(str)).set_index(
        "imd_quintile"
    )
    q = s["imd_quintile"].astype(str)
    out = pd.DataFrame(
        {
            "IMD quintile": q.map(QUINTILE_NAMES).to_numpy(),
            "Assessments": s["assessments"].astype("float64").to_numpy(),
            "% of EHAs": s["percent"].round(2).to_numpy(),
            "% of children aged 0-19": q.map(need["percent_of_children"]).round(1).to_numpy(),
            "% of modelled need": q.map(need["percent_of_need"]).round(1).to_numpy(),
        }
    )
    out["Rate per 1,000 aged 0-19"] = (
        out["Assessments"] / q.map(need["children_0_19"]).to_numpy() * 1000
    ).round(1)
    out["Targeting ratio (EHA share / need share)"] = (
        out["% of EHAs"] / out["% of modelled need"]
    ).round(2)
    derived = [
        "% of EHAs",
        "Rate per 1,000 aged 0-19",
        "Targeting ratio (EHA share / need share)",
    ]
    out = suppress(out, "Assessments", derived)
    out.attrs["decimals"] = {
        "% of EHAs": 2,
        "Targeting ratio (EHA share / need share)": 2,
        "Rate per 1,000 aged 0-19": 1,
    }
    return out


def targeting(ctx: LocalContext) -> pd.DataFrame:
    """Targeting ratios for the most and least deprived 40%: with the open need model, and for
    the worked example also with the seed report's need shares (73% / 7%)."""
    eha = _eha(ctx)
    s = eha_shares(eha, "imd_quintile", latest_period(eha))
    s = s.assign(imd_quintile=s["imd_quintile"].astype(str))
    need = ctx.need.assign(imd_quintile=ctx.need["imd_quintile"].astype(str))
    small = s["assessments"].map(lambda v: 1 <= v <= 4)
    parts = []
    models = [(OPEN_MODEL, need)]
    if ctx.is_example:
        models.append((SEED_MODEL, SEED_NEED_SHARES))
    for label, shares in models:
        tr = targeting_ratios(s, shares)
        tr.insert(0, "need model", label)
        parts.append(tr)
    out = pd.concat(parts, ignore_index=True).rename(
        columns={
            "need model": "Need model",
            "group": "Group of areas",
            "service_percent": "% of EHAs",
            "need_percent": "% of modelled need",
            "ratio": "Targeting ratio",
        }
    )
    out["% of modelled need"] = out["% of modelled need"].round(1)
    out["Targeting ratio"] = out["Targeting ratio"].round(2)
    if small.any():  # a group share built on a count of 1-4 is not published
        hidden = {
            name
            for name, members in QUINTILE_GROUPS.items()
            if s.loc[s["imd_quintile"].isin(members), "assessments"].between(1, 4).any()
        }
        mask = out["Group of areas"].isin(hidden)
        out.loc[mask, ["% of EHAs", "Targeting ratio"]] = np.nan
    out["Reading"] = out["Targeting ratio"].map(reading)
    out.attrs["decimals"] = {"% of EHAs": 2, "Targeting ratio": 2, "% of modelled need": 1}
    return out


def reading(ratio: float) -> str:
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
    eha = _eha(ctx)
    s = eha_shares(eha, "imd_quintile", latest_period(eha))
    s = s.assign(imd_quintile=s["imd_quintile"].astype(str))
    return group_share(s, MOST_DEPRIVED_40), group_share(s, LEAST_DEPRIVED_40)


SMALL_NOTES = [SMALL_NOTE]
