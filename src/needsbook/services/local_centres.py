"""Children's centres: reach and footfall by district and centre, RAG against the area value
with 95% Wilson confidence intervals where counts exist, the Ofsted 65% engagement benchmark
and centres with no deprived LSOA in reach (as in the Worcestershire 2015 needs assessment's
Tables 7-11)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from needsbook.charts import PALETTE
from needsbook.formatting import PERCENT_DP, RATIO_DP
from needsbook.local import cc_reach, centres_without_deprived_lsoa
from needsbook.local.templates import ALL
from needsbook.polarity import HIGH_IS_GOOD
from needsbook.services.common import LocalContext, small_label
from needsbook.stats import compare_ci, wilson_ci
from needsbook.stats.suppression import PRIMARY, SECONDARY, suppress_with_totals

OFSTED_BENCHMARK = 65.0  # % of families with under-5s in the reach area engaged (Ofsted)
GROUPS = {"all": "All 0-4s", "most_deprived_30": "0-4s in the 30% most deprived areas"}
NURSERY = {"included": "including nursery education", "excluded": "excluding nursery education"}
RAG_WORDS = {
    "Better": "Green: significantly above the area value",
    "Similar": "Amber: not significantly different from the area value",
    "Worse": "Red: significantly below the area value",
}
NOT_TESTED_ABOVE = "Not tested (published % only): above the area value"
NOT_TESTED_BELOW = "Not tested (published % only): below the area value"
NOT_TESTED_SAME = "Not tested (published % only): equal to the area value"


def _cc(ctx: LocalContext) -> pd.DataFrame | None:
    cc = ctx.table("children_centres")
    return None if cc is None or cc.empty else cc


def with_rag(cc: pd.DataFrame) -> pd.DataFrame:
    """Reach, footfall, Wilson 95% CI where seen and population are counts, and a RAG label
    against the area value of the same period, nursery option and population group."""
    r = cc_reach(cc)
    area = r[(r.district == ALL) & (r.centre == ALL)].set_index(
        ["period", "nursery", "population_group"]
    )["reach_percent"]
    keys = list(zip(r.period, r.nursery, r.population_group, strict=True))
    r["area_reach"] = [area.get(k, np.nan) for k in keys]
    seen, pop = r["children_seen"], r["population_0_4"]
    testable = seen.notna() & pop.notna() & (pop > 0) & (seen <= pop)
    lo = np.full(len(r), np.nan)
    hi = np.full(len(r), np.nan)
    if testable.any():
        lo_t, hi_t = wilson_ci(seen[testable].to_numpy(), pop[testable].to_numpy(), multiplier=100)
        lo[testable.to_numpy()] = lo_t
        hi[testable.to_numpy()] = hi_t
    r["lower_ci_95"], r["upper_ci_95"] = lo, hi
    labels = []
    is_area = ((r.district == ALL) & (r.centre == ALL)).to_numpy()
    for i, row in enumerate(r.itertuples()):
        if is_area[i]:
            labels.append("Area value")
        elif not row.applicable:
            labels.append("Not applicable: no such area in reach")
        elif np.isnan(row.reach_percent) or np.isnan(row.area_reach):
            labels.append("Not available")
        elif testable.iloc[i]:
            c = compare_ci(row.reach_percent, row.area_reach, lo[i], hi[i], HIGH_IS_GOOD)
            labels.append(RAG_WORDS.get(c, c))
        elif row.reach_percent > row.area_reach:
            labels.append(NOT_TESTED_ABOVE)
        elif row.reach_percent < row.area_reach:
            labels.append(NOT_TESTED_BELOW)
        else:
            labels.append(NOT_TESTED_SAME)
    r["rag"] = labels
    return r


KEYS = ["period", "nursery", "population_group"]
NOT_SHOWN = "Not shown (small numbers)"
UNITS = {
    "Children seen": "count",
    "Population aged 0-4": "persons",
    "Reach %": "percent",
    "Reach % 95% CI lower": "percent",
    "Reach % 95% CI upper": "percent",
    "Footfall (visits per child seen)": "visits per child seen",
    "Area reach %": "percent",
    "Ofsted benchmark %": "percent",
}


def published(ctx: LocalContext) -> pd.DataFrame:
    """Every children's centre row with reach, footfall, CI and RAG after small-number
    suppression (worked out once for the district, centre and Ofsted tables).

    Children seen and the 0-4 population are each suppressed with secondary suppression
    across districts (against the area row) and centres (against their district's row), in
    the same period, nursery option and population group. A hidden count hides the reach,
    its CI, the footfall and the RAG rating of its row; a hidden area row hides the area value
    every row is compared with. ``status`` is "primary", "secondary" or ""."""

    def make() -> pd.DataFrame:
        r = with_rag(_cc(ctx)).reset_index(drop=True)
        status = {}
        for count in ("children_seen", "population_0_4"):
            s = suppress_with_totals(
                r, count, dims=["district", "centre"], by=KEYS, total=ALL, derived=[]
            )["suppression"]
            status[count] = s.fillna("").to_numpy()
        seen, pop = status["children_seen"] != "", status["population_0_4"] != ""
        hidden = seen | pop
        r.loc[seen, ["children_seen", "footfall"]] = np.nan
        r.loc[pop, "population_0_4"] = np.nan
        r.loc[hidden, ["reach_percent", "lower_ci_95", "upper_ci_95"]] = np.nan
        r.loc[hidden, "rag"] = NOT_SHOWN
        is_area = ((r.district == ALL) & (r.centre == ALL)).to_numpy()
        gone = {tuple(k) for k in r.loc[is_area & hidden, KEYS].to_numpy()}
        in_gone = np.array([tuple(k) in gone for k in r[KEYS].to_numpy()], dtype=bool)
        r.loc[in_gone, "area_reach"] = np.nan
        r.loc[in_gone & ~hidden & ~is_area, "rag"] = "Not available"
        small = (status["children_seen"] == PRIMARY) | (status["population_0_4"] == PRIMARY)
        r["status"] = np.where(small, PRIMARY, np.where(hidden, SECONDARY, ""))
        return r

    return ctx.cached("cc_published", make)


def _table(r: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "Period": r["period"].astype(str),
            "Nursery education": r["nursery"].map(NURSERY),
            "Children": r["population_group"].map(GROUPS),
            "District": r["district"],
            "Centre": r["centre"].replace({ALL: "All centres"}),
            "Children seen": r["children_seen"].astype("float64"),
            "Population aged 0-4": r["population_0_4"].astype("float64"),
            "Reach %": r["reach_percent"].astype("float64"),
            "Reach % 95% CI lower": r["lower_ci_95"].astype("float64").round(PERCENT_DP),
            "Reach % 95% CI upper": r["upper_ci_95"].astype("float64").round(PERCENT_DP),
            "Footfall (visits per child seen)": r["footfall"].astype("float64").round(RATIO_DP),
            "Area reach %": r["area_reach"].astype("float64"),
            "Compared with the area (RAG)": r["rag"],
            "Small numbers": small_label(r["status"]),
        }
    )
    out.attrs.update(
        period="Period",
        units={c: u for c, u in UNITS.items() if c in out.columns},
        decimals={
            "Footfall (visits per child seen)": RATIO_DP,  # attendances / children seen
            "Reach %": PERCENT_DP,
            "Area reach %": PERCENT_DP,
        },
    )
    return out


def district_table(ctx: LocalContext) -> pd.DataFrame:
    """Reach and footfall by district and year (Tables 7-10), with RAG against the area."""
    r = published(ctx)
    r = r[r.centre == ALL]
    return _table(r.reset_index(drop=True))


def centre_table(ctx: LocalContext) -> pd.DataFrame:
    """Per-centre rows (Table 11), with RAG against the area value."""
    r = published(ctx)
    r = r[(r.centre != ALL) | (r.district == ALL)]
    periods = sorted(r.loc[r.centre != ALL, "period"].unique())
    r = r[r.period.isin(periods)]
    return _table(r.reset_index(drop=True))


def ofsted(ctx: LocalContext) -> pd.DataFrame:
    """Area reach for each period, nursery option and group against the Ofsted 65%."""
    r = published(ctx)
    a = r[(r.district == ALL) & (r.centre == ALL)]
    a = a[a["reach_percent"].notna() | (a["status"] != "")]
    out = pd.DataFrame(
        {
            "Period": a["period"].astype(str),
            "Nursery education": a["nursery"].map(NURSERY),
            "Children": a["population_group"].map(GROUPS),
            "Reach %": a["reach_percent"].astype("float64"),
            "Ofsted benchmark %": OFSTED_BENCHMARK,
        }
    )
    out["Meets the 65% benchmark"] = np.where(
        out["Reach %"].isna(),
        "not shown",
        np.where(out["Reach %"] >= OFSTED_BENCHMARK, "Yes", "No"),
    )
    out.attrs.update(
        period="Period",
        units={c: u for c, u in UNITS.items() if c in out.columns} | {"Reach %": "percent"},
        decimals={"Reach %": PERCENT_DP, "Ofsted benchmark %": PERCENT_DP},
    )
    return out.reset_index(drop=True)


def latest_area_reach(ctx: LocalContext, group: str) -> tuple[str, str, float] | None:
    """(period, nursery, reach %) for the latest period of a group, nursery included first."""
    o = ofsted(ctx)
    for nursery in ("included", "excluded"):
        sel = o[(o["Children"] == GROUPS[group]) & (o["Nursery education"] == NURSERY[nursery])]
        sel = sel.dropna(subset=["Reach %"])
        if len(sel):
            last = sel.sort_values("Period").iloc[-1]
            return str(last["Period"]), nursery, float(last["Reach %"])
    return None


def no_deprived(ctx: LocalContext) -> tuple[list[str], int]:
    """Centres with no 30%-most-deprived LSOA in reach, and the number of centres (merged
    centres, marked "merged" in the register, count once)."""
    cc = _cc(ctx)
    none = centres_without_deprived_lsoa(cc) if cc is not None else []
    reg = ctx.table("children_centres_register")
    if reg is None:
        return none, 0
    merged = reg["note"].fillna("").str.lower().str.startswith("merged").sum()
    return none, int(len(reg) - merged // 2)


def ofsted_chart(o: pd.DataFrame, description: str) -> alt.LayerChart:
    data = o.dropna(subset=["Reach %"]).copy()
    data = data[~data["Period"].str.fullmatch(r"\d{4}-\d{4}")]  # pooled years: table only
    data["Series"] = data["Children"] + ", " + data["Nursery education"]
    order = list(dict.fromkeys(data["Series"]))
    periods = sorted(data["Period"].unique(), key=lambda p: (p[:4], len(p)))
    shapes = ["circle", "square", "triangle-up", "diamond"][: len(order)]
    colour = alt.Color(
        "Series:N",
        sort=order,
        scale=alt.Scale(domain=order, range=PALETTE[: len(order)]),
        legend=alt.Legend(title=None, orient="bottom", columns=1, labelLimit=400),
    )
    x = alt.X("Period:N", sort=periods, title="Period (as published)", axis=alt.Axis(labelAngle=0))
    y = alt.Y("Reach %:Q", title="% of 0-4s seen", scale=alt.Scale(domain=[0, 100]))
    lines = alt.Chart(data).mark_line().encode(x=x, y=y, color=colour, detail="Series:N")
    points = (
        alt.Chart(data)
        .mark_point(filled=True, size=70)
        .encode(
            x=x,
            y=y,
            color=colour,
            shape=alt.Shape(
                "Series:N", sort=order, scale=alt.Scale(domain=order, range=shapes), legend=None
            ),
            tooltip=["Series", "Period", "Reach %", "Meets the 65% benchmark"],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"y": [OFSTED_BENCHMARK], "t": ["Ofsted 65% engagement"]}))
        .mark_rule(color="#d4351c", strokeDash=[6, 4])
        .encode(y="y:Q")
    )
    label = (
        alt.Chart(pd.DataFrame({"y": [OFSTED_BENCHMARK], "t": ["Ofsted 65% engagement"]}))
        .mark_text(align="left", dy=-7, x=4, color="#d4351c", fontSize=11)
        .encode(y="y:Q", text="t:N")
    )
    return alt.layer(rule, lines, points, label).properties(
        title="Children's centre reach against the Ofsted 65% benchmark",
        description=description,
        width=460,
        height=280,
    )
