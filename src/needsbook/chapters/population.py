"""Chapter 1, population: how many children and young people live in the area, and how that is
changing, as in the Worcestershire 2015 needs assessment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd

from needsbook.areas import Area, resolve_area
from needsbook.chapters import population_mix
from needsbook.chapters.base import Chapter, Section
from needsbook.chapters.text import change, number, pct, points_change
from needsbook.charts import PALETTE
from needsbook.data import load_table, snapshot_key
from needsbook.errors import DataError

ENGLAND = "E92000001"
CYP_BANDS = ["0-4", "5-9", "10-14", "15-19"]
PROJECTION_GROUPS = {
    "0-4": (0, 4),
    "5-9": (5, 9),
    "10-14": (10, 14),
    "15-19": (15, 19),
    "0-24": (0, 24),
    "65+": (65, 200),
}
HORIZON = 5
MYE = "ONS mid-year population estimates"
SNPP = "ONS 2018-based subnational population projections (principal)"
DFE_POP = "ONS mid-year estimates of 0-17 population, as published by DfE"


def five_year_band(age: pd.Series) -> pd.Series:
    lower = (age.clip(upper=90) // 5 * 5).astype(int)
    return lower.map(lambda a: "90+" if a >= 90 else f"{a}-{a + 4}")


def _band_order() -> list[str]:
    return [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]


def _names(area: Area) -> dict[str, str]:
    return {area.code: area.name, area.region_code: area.region_name, ENGLAND: "England"}


def latest_year(years: pd.Series, year: int) -> int:
    """The latest of ``years`` at or before ``year``; the earliest when all are later."""
    known = sorted({int(y) for y in years.dropna()})
    if not known:
        raise DataError("no years to choose from")
    before = [y for y in known if y <= year]
    return before[-1] if before else known[0]


# --- age structure ------------------------------------------------------------------------


def age_structure(area: Area, year: int, data_dir: Path | str | None) -> Section:
    """0-19 by five-year band for the area, its region, England and the area's districts, from
    the latest single-year-of-age estimates at or before ``year``."""
    syoa = load_table("population_syoa", data_dir)
    areas = syoa[syoa["area_type"].ne("District")]  # a unitary is also its own district
    own = areas[areas["area_code"].eq(area.code)]
    if own.empty:
        raise DataError(f"no single-year-of-age estimates for {area.name} ({area.code})")
    mye_year = latest_year(own["year"], year)
    district_codes = [d for d, _ in area.districts if d != area.code]
    codes = [area.code, area.region_code, ENGLAND, *district_codes]
    in_year = syoa[syoa["year"].eq(mye_year)]
    pop = pd.concat(
        [
            in_year[in_year["area_type"].ne("District") & in_year["area_code"].isin(codes[:3])],
            in_year[
                in_year["area_type"].eq("District") & in_year["area_code"].isin(district_codes)
            ],
        ]
    )
    pop["band"] = five_year_band(pop["age"])
    wide = pop.pivot_table(
        index="area_code", columns="band", values="population", aggfunc="sum", observed=True
    ).reindex(columns=_band_order(), fill_value=0)
    table = pd.DataFrame(index=wide.index)
    for band in CYP_BANDS:
        table[band] = wide[band]
    table["0-19"] = table[CYP_BANDS].sum(axis=1)
    table["All ages"] = wide.sum(axis=1)
    table["% aged 0-19"] = table["0-19"] / table["All ages"] * 100
    names = {**_names(area), **dict(area.districts)}
    table = table.loc[[c for c in codes if c in table.index]].reset_index()
    table.insert(1, "Area", table["area_code"].map(names))
    table.insert(
        2,
        "Type",
        [
            "Area"
            if c == area.code
            else "Region"
            if c == area.region_code
            else "England"
            if c == ENGLAND
            else "District"
            for c in table["area_code"]
        ],
    )
    table = table.rename(columns={"area_code": "Code"})

    shares = table[table["Type"] != "District"].melt(
        id_vars=["Area"], value_vars=CYP_BANDS, var_name="Age band", value_name="Population"
    )
    totals = table.set_index("Area")["All ages"]
    shares["% of population"] = shares["Population"] / shares["Area"].map(totals) * 100
    me = table.set_index("Code").loc[area.code]
    eng = table.set_index("Code").loc[ENGLAND]
    summary = (
        f"An estimated {number(me['0-19'])} children and young people aged 0-19 live in "
        f"{area.name} (mid-{mye_year}), {pct(me['% aged 0-19'])} of its population "
        f"(England {pct(eng['% aged 0-19'])})."
    )
    notes = []
    if mye_year < year:
        notes.append(f"The latest estimates by single year of age are for mid-{mye_year}.")
    elif mye_year > year:
        notes.append(f"Estimates by single year of age for {area.name} start in mid-{mye_year}.")
    if len(district_codes) > 1 and not table["Type"].eq("District").any():
        notes.append(f"Figures for the area's districts are not available for mid-{mye_year}.")
    districts = table[table["Type"] == "District"]
    if len(districts) > 1:
        top = districts.sort_values("% aged 0-19", ascending=False).iloc[0]
        low = districts.sort_values("% aged 0-19").iloc[0]
        summary += (
            f" Among its {len(districts)} districts the share is highest in {top['Area']}"
            f" ({pct(top['% aged 0-19'])}) and lowest in {low['Area']} "
            f"({pct(low['% aged 0-19'])})."
        )
    chart = _grouped_bars(shares, area, f"Share of the population in each age band, mid-{mye_year}")
    chart = chart.properties(description=summary)
    return Section(
        "age_structure",
        "Children and young people by age",
        summary,
        table,
        chart,
        source=f"{MYE}, mid-{mye_year} (single year of age)",
        notes=notes,
    )


def _grouped_bars(shares: pd.DataFrame, area: Area, title: str) -> alt.Chart:
    series = [area.name, area.region_name, "England"]
    return (
        alt.Chart(shares)
        .mark_bar()
        .encode(
            y=alt.Y("Area:N", sort=series, title=None),
            x=alt.X("% of population:Q", title="% of total population"),
            color=alt.Color("Area:N", sort=series, scale=alt.Scale(range=PALETTE[:3]), legend=None),
            row=alt.Row(
                "Age band:N",
                sort=CYP_BANDS,
                title="Age band",
                header=alt.Header(labelAngle=0, labelAlign="left"),
            ),
            tooltip=[
                "Area",
                "Age band",
                alt.Tooltip("Population:Q", format=","),
                alt.Tooltip("% of population:Q", format=".1f"),
            ],
        )
        .properties(title=title, width=420, height=alt.Step(16))
    )


# --- pyramid ------------------------------------------------------------------------------


def _projection_long(data_dir: Path | str | None) -> pd.DataFrame:
    """Projections as (area_code, year, age, sex, population) whatever the stored layout, for
    every area (made once per snapshot and process; do not modify)."""
    return _long_projections(str(data_dir or ""), snapshot_key(data_dir or None))


@lru_cache(maxsize=2)
def _long_projections(data_dir: str, _snapshot: tuple[str, int, int]) -> pd.DataFrame:
    proj = load_table("population_projections", data_dir or None)
    if "sex" not in proj.columns:
        sexes = [c for c in ("females", "males", "persons") if c in proj.columns]
        proj = proj.melt(
            id_vars=[c for c in proj.columns if c not in sexes],
            value_vars=sexes,
            var_name="sex",
            value_name="population",
        )
        proj["sex"] = proj["sex"].str.rstrip("s")
    proj["sex"] = proj["sex"].str.lower().replace({"females": "female", "males": "male"})
    return proj


def pyramid(area: Area, year: int, data_dir: Path | str | None) -> Section:
    proj = _projection_long(data_dir)
    pyear = int(min(max(year, proj["year"].min()), proj["year"].max()))
    sel = proj[
        proj["area_code"].isin([area.code, ENGLAND])
        & (proj["year"] == pyear)
        & proj["sex"].isin(["female", "male"])
    ].copy()
    sel["band"] = five_year_band(sel["age"])
    grouped = sel.groupby(["area_code", "sex", "band"], observed=True)["population"].sum()
    totals = grouped.groupby(level="area_code").sum()
    pct_tab = grouped / totals.reindex(grouped.index.get_level_values(0)).to_numpy() * 100
    table = (
        pct_tab.rename("% of population")
        .reset_index()
        .merge(grouped.rename("Population").reset_index())
    )
    table["Area"] = table["area_code"].map(_names(area))
    table = table.rename(columns={"sex": "Sex", "band": "Age band"})
    table["Sex"] = table["Sex"].str.capitalize()
    table = table[["Area", "Sex", "Age band", "Population", "% of population"]]
    order = _band_order()[::-1]
    table["_o"] = table["Age band"].map({b: i for i, b in enumerate(_band_order())})
    table = table.sort_values(["Area", "Sex", "_o"]).drop(columns="_o").reset_index(drop=True)

    me = table[table["Area"] == area.name]
    eng = table[table["Area"] == "England"]
    young = CYP_BANDS
    me_cyp = me[me["Age band"].isin(young)]["% of population"].sum()
    eng_cyp = eng[eng["Age band"].isin(young)]["% of population"].sum()
    label = "projected" if pyear > 2018 else "estimated"
    summary = (
        f"In {pyear}, {pct(me_cyp)} of {area.name}'s {label} population are aged 0-19, "
        f"compared with {pct(eng_cyp)} in England. The pyramid shows the area's age and "
        "sex structure as bars, with England's as black tick marks for comparison."
    )
    plot = table.copy()
    plot["Signed %"] = plot["% of population"].where(
        plot["Sex"] == "Female", -plot["% of population"]
    )
    base = alt.Chart(plot).encode(
        y=alt.Y("Age band:N", sort=order, title="Age band"),
        x=alt.X(
            "Signed %:Q",
            title="% of population (males left, females right)",
            axis=alt.Axis(labelExpr="abs(datum.value)"),
        ),
    )
    bars = (
        base.transform_filter(alt.datum.Area == area.name)
        .mark_bar()
        .encode(
            color=alt.Color(
                "Sex:N",
                scale=alt.Scale(domain=["Male", "Female"], range=[PALETTE[0], PALETTE[1]]),
                legend=alt.Legend(title="Sex"),
            ),
            tooltip=[
                "Area",
                "Sex",
                "Age band",
                alt.Tooltip("Population:Q", format=",.0f"),
                alt.Tooltip("% of population:Q", format=".2f"),
            ],
        )
    )
    ticks = (
        base.transform_filter(alt.datum.Area == "England")
        .mark_tick(color="#0b0c0c", thickness=2, size=12)
        .encode(tooltip=["Area", "Sex", "Age band", alt.Tooltip("% of population:Q", format=".2f")])
    )
    chart = (bars + ticks).properties(
        title=f"Population pyramid, {area.name} ({label} {pyear}) with England (ticks)",
        width=480,
        height=380,
        description=summary,
    )
    return Section(
        "pyramid", "Age and sex structure", summary, table, chart, source=f"{SNPP}, {pyear}"
    )


# --- trend --------------------------------------------------------------------------------


def trend(area: Area, year: int, data_dir: Path | str | None) -> Section:
    """The 0-17 population since the area's first year, to the latest mid-year at or before
    ``year`` (the one 0-17 total the chapter states)."""
    pop = load_table("population_0_17", data_dir)
    names = _names(area)
    own = pop[pop["area_code"].eq(area.code)]
    if own.empty:
        raise DataError(f"no 0-17 population estimates for {area.name} ({area.code})")
    end = latest_year(own["year"], year)
    sel = pop[pop["area_code"].isin(names) & (pop["year"] <= end)].copy()
    wide = sel.pivot_table(index="year", columns="area_code", values="population").sort_index()
    wide = wide[[c for c in names if c in wide.columns]]
    first = int(wide[area.code].first_valid_index())
    index = wide / wide.loc[first] * 100
    table = pd.DataFrame({"Year": wide.index.astype(int)})
    for code, name in names.items():
        if code in wide:
            table[f"{name} (0-17)"] = wide[code].to_numpy()
    for code, name in names.items():
        if code in index:
            table[f"{name} index ({first} = 100)"] = index[code].round(2).to_numpy()

    def at(code: str, yr: int) -> float:
        return float(wide[code].get(yr, float("nan"))) if code in wide else float("nan")

    me_old, me_new = at(area.code, first), at(area.code, end)
    if first < end:
        summary = (
            f"The 0-17 population of {area.name} {change(me_old, me_new)} between {first} "
            f"and {end} (from {number(me_old)} in mid-{first} to {number(me_new)} in "
            f"mid-{end}), while England's {change(at(ENGLAND, first), at(ENGLAND, end))}."
        )
        if area.region_code in wide:
            region = change(at(area.region_code, first), at(area.region_code, end))
            summary += f" In the {area.region_name} region it {region}."
    else:
        summary = (
            f"An estimated {number(me_new)} children aged 0-17 lived in {area.name} in "
            f"mid-{end}, the first year with figures for the area, so no change can be shown yet."
        )
    breaks = (
        sel.loc[sel["area_code"] == area.code, "series_break"].dropna()
        if "series_break" in sel
        else pd.Series(dtype=str)
    )
    notes = sorted(set(breaks))
    if first > int(wide.index.min()):
        notes.append(_new_area_note(area, first, data_dir))
    if end < year:
        notes.append(f"No 0-17 estimate for mid-{year} is available yet: the latest is mid-{end}.")
    long = index.reset_index().melt(id_vars="year", var_name="code", value_name="Index")
    long["Area"] = long["code"].map(names)
    long["0-17 population"] = [
        wide.loc[y, c] for y, c in zip(long["year"], long["code"], strict=True)
    ]
    series = [n for c, n in names.items() if c in wide]
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Year (mid-year)"),
            y=alt.Y("Index:Q", title=f"Index, {first} = 100", scale=alt.Scale(zero=False)),
            # one domain on every encoding of Area: Vega-Lite draws one legend for all three
            color=alt.Color("Area:N", scale=alt.Scale(domain=series, range=PALETTE[:3])),
            strokeDash=alt.StrokeDash("Area:N", scale=alt.Scale(domain=series)),
            shape=alt.Shape("Area:N", scale=alt.Scale(domain=series)),
            tooltip=[
                "Area",
                "year",
                alt.Tooltip("0-17 population:Q", format=","),
                alt.Tooltip("Index:Q", format=".1f"),
            ],
        )
        .properties(
            title=f"Change in the 0-17 population since {first}",
            width=560,
            height=300,
            description=summary,
        )
    )
    return Section(
        "trend",
        "Trend in the 0-17 population",
        summary,
        table,
        chart,
        source=f"{DFE_POP}, {first}-{end}" if first < end else f"{DFE_POP}, mid-{end}",
        notes=notes,
    )


def _new_area_note(area: Area, first: int, data_dir: Path | str | None) -> str:
    hist = load_table("area_code_history", data_dir)
    pred = hist[
        (hist["new_code"] == area.code) & hist["relationship"].isin(["split_into", "merged_into"])
    ]
    if pred.empty:
        return f"Figures for {area.name} start in {first}."
    olds = ", ".join(f"{r.old_name} ({r.old_code})" for r in pred.itertuples())
    return (
        f"{area.name} was formed on {pred['change_date'].iloc[0]}; figures start in {first}. "
        f"Earlier figures were published for {olds} and cover a different area, so they are "
        "not joined to this series."
    )


# --- projection ---------------------------------------------------------------------------


def projection(
    area: Area, year: int, data_dir: Path | str | None, horizon: int | None = None
) -> Section:
    proj = _projection_long(data_dir)
    proj = (
        proj[proj["sex"] == "person"]
        if (proj["sex"] == "person").any()
        else (proj.groupby(["area_code", "year", "age"], as_index=False)["population"].sum())
    )
    base = int(min(max(year, proj["year"].min()), proj["year"].max()))
    end = int(min(horizon or base + HORIZON, proj["year"].max()))
    sel = proj[proj["area_code"].isin([area.code, ENGLAND]) & proj["year"].between(base, end)]
    total = sel.groupby(["area_code", "year"])["population"].sum()
    rows = []
    for group, (lo, hi) in PROJECTION_GROUPS.items():
        g = sel[sel["age"].between(lo, hi)].groupby(["area_code", "year"])["population"].sum()
        share = g / total * 100
        for (code, yr), value in share.items():
            rows.append((code, int(yr), group, g.loc[(code, yr)], value))
    table = pd.DataFrame(rows, columns=["code", "Year", "Age group", "Population", "% of total"])
    table.insert(0, "Area", table.pop("code").map({area.code: area.name, ENGLAND: "England"}))

    def share(name: str, yr: int, grp: str) -> float:
        t = table[(table["Area"] == name) & (table["Year"] == yr) & (table["Age group"] == grp)]
        return float(t["% of total"].iloc[0])

    young = (share(area.name, base, "0-24"), share(area.name, end, "0-24"))
    old = (share(area.name, base, "65+"), share(area.name, end, "65+"))
    summary = (
        f"By {end}, people aged 0-24 are projected to make up {pct(young[1])} of {area.name}'s "
        f"population ({points_change(*young)} on {base}), and people aged 65+ {pct(old[1])} "
        f"({points_change(*old)}). In England the 0-24 share is projected at "
        f"{pct(share('England', end, '0-24'))}."
    )
    areas = [area.name, "England"]
    chart = (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(
            x=alt.X("Year:O"),
            y=alt.Y("% of total:Q", title="% of total population", scale=alt.Scale(zero=False)),
            color=alt.Color("Area:N", scale=alt.Scale(domain=areas, range=PALETTE[:2])),
            strokeDash=alt.StrokeDash("Area:N", scale=alt.Scale(domain=areas)),
            shape=alt.Shape("Area:N", scale=alt.Scale(domain=areas)),
            facet=alt.Facet("Age group:N", sort=list(PROJECTION_GROUPS), columns=3, title=None),
            tooltip=[
                "Area",
                "Year",
                "Age group",
                alt.Tooltip("Population:Q", format=",.0f"),
                alt.Tooltip("% of total:Q", format=".2f"),
            ],
        )
        .resolve_scale(y="independent")
        .properties(
            title=f"Projected share of the population by age group, {base}-{end}",
            width=170,
            height=140,
            description=summary,
        )
    )
    notes = [
        "Projections are 2018-based: they predate the 2021 Census and the rebased "
        "mid-year estimates, so they describe trends, not exact future counts."
    ]
    return Section(
        "projection",
        "Projected population",
        summary,
        table,
        chart,
        source=f"{SNPP}, {base}-{end}",
        notes=notes,
    )


def build(
    area_code: str, year: int, data_dir: Path | str | None = None, horizon: int | None = None
) -> Chapter:
    """All sections of the population chapter for one area and data year."""
    area = resolve_area(area_code, data_dir)
    sections = [
        age_structure(area, year, data_dir),
        pyramid(area, year, data_dir),
        trend(area, year, data_dir),
        projection(area, year, data_dir, horizon),
        population_mix.births(area, year, data_dir),
        population_mix.ethnicity(area, data_dir),
    ]
    return Chapter(area.code, area.name, int(year), sections)
