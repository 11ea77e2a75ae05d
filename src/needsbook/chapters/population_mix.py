"""Population chapter, births and ethnic group: the one year of births by area and the 2021
Census ethnic groups (all ages) held in the snapshot."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from needsbook.areas import Area
from needsbook.chapters.base import Section
from needsbook.chapters.text import number, pct
from needsbook.charts import PALETTE
from needsbook.data import load_table, load_table_or_none

ENGLAND = "E92000001"
BIRTHS_SOURCE = "ONS mid-year population estimates, components of change, mid-2022 to mid-2023"
CENSUS_SOURCE = "ONS Census 2021, ethnic group (20 categories), usual residents of all ages"
BROAD_ORDER = ["White", "Asian", "Black", "Mixed", "Other"]
WHITE_BRITISH = "White: English, Welsh, Scottish, Northern Irish or British"


def _area_rows(name: str, area: Area, data_dir: Path | str | None) -> pd.DataFrame | None:
    """The snapshot table ``name`` when it has rows for ``area`` (else None)."""
    table = load_table_or_none(name, data_dir)
    own = None if table is None else table[table["area_code"].eq(area.code)]
    return None if own is None or own.empty else table


def _no_data(key: str, title: str, what: str, area: Area, source: str) -> Section:
    """A section saying ``what`` is not in the data for the area."""
    text = f"{what} are not in the data for {area.name}."
    return Section(key, title, text, pd.DataFrame({"Note": [text]}), source=source)


# --- births -------------------------------------------------------------------------------


def births(area: Area, year: int, data_dir: Path | str | None) -> Section:
    """Live births in the one year the snapshot holds, with births per 1,000 residents against
    the region and England (mid-2023 population)."""
    title = "Births"
    table = _area_rows("births", area, data_dir)
    if table is None:
        return _no_data("births", title, "Births by area", area, BIRTHS_SOURCE)
    own = table[table["area_code"].eq(area.code)]
    period = str(own["period"].iloc[0])
    births_year = int(own["year"].iloc[0])
    syoa = load_table("population_syoa", data_dir)
    pop = (
        syoa[syoa["area_type"].ne("District") & syoa["year"].eq(births_year)]
        .groupby("area_code")["population"]
        .sum()
    )
    codes = {area.code: area.name, area.region_code: area.region_name, ENGLAND: "England"}
    rows = []
    for code, name in codes.items():
        hit = table[table["area_code"].eq(code)]
        if hit.empty:
            continue
        n = float(hit["births"].iloc[0])
        residents = float(pop.get(code, float("nan")))
        rows.append(
            {
                "Area": name,
                "Code": code,
                "Period": period,
                "Live births": n,
                f"Residents, mid-{births_year}": residents,
                "Births per 1,000 residents": n / residents * 1000 if residents else float("nan"),
            }
        )
    out = pd.DataFrame(rows)
    me = out.iloc[0]
    rate_col = "Births per 1,000 residents"
    summary = (
        f"{number(me['Live births'])} babies were born to mothers living in {area.name} "
        f"between mid-2022 and mid-2023, {me[rate_col]:.1f} births per 1,000 residents"
    )
    eng = out[out["Code"].eq(ENGLAND)]
    if not eng.empty:
        summary += f" (England {eng[rate_col].iloc[0]:.1f})"
    summary += "."
    notes = [
        "Births by area are available for one year only (mid-2022 to mid-2023). Mid-year "
        "estimates count births to usual residents over the twelve months to 30 June."
    ]
    bars = (
        alt.Chart(out)
        .mark_bar(color=PALETTE[0])
        .encode(
            y=alt.Y("Area:N", sort=list(codes.values()), title=None),
            x=alt.X(f"{rate_col}:Q", title=rate_col),
            tooltip=["Area", alt.Tooltip("Live births:Q", format=","), f"{rate_col}:Q"],
        )
    )
    labels = bars.mark_text(align="left", dx=4).encode(text=alt.Text(f"{rate_col}:Q", format=".1f"))
    chart = (bars + labels).properties(
        title=f"Births per 1,000 residents, {period}", width=420, description=summary
    )
    return Section("births", title, summary, out, chart, source=f"{BIRTHS_SOURCE}", notes=notes)


# --- ethnic group -------------------------------------------------------------------------


def ethnicity(area: Area, data_dir: Path | str | None) -> Section:
    """Broad ethnic groups of residents (all ages) at the 2021 Census, against England."""
    title = "Ethnic group"
    table = _area_rows("ethnicity", area, data_dir)
    if table is None:
        return _no_data("ethnicity", title, "Census 2021 ethnic groups", area, CENSUS_SOURCE)
    codes = {area.code: area.name, ENGLAND: "England"}
    sel = table[table["area_code"].isin(codes)].copy()
    sel["Area"] = sel["area_code"].map(codes)
    broad = sel.groupby(["Area", "broad_group"], observed=True)["population"].sum().reset_index()
    broad["% of residents"] = (
        broad["population"] / broad.groupby("Area")["population"].transform("sum") * 100
    )
    broad = broad.rename(columns={"broad_group": "Ethnic group", "population": "Residents"})
    detail = sel.pivot_table(index="group", columns="Area", values="percent", aggfunc="sum")
    detail = detail.reindex(columns=[n for n in codes.values() if n in detail.columns])
    detail = detail.rename(columns=lambda c: f"{c} (% of residents)").reset_index()
    detail = detail.rename(columns={"group": "Ethnic group (20 categories)"})
    detail.columns.name = None

    def share(name: str, group: str) -> float:
        hit = sel[sel["Area"].eq(name) & sel["group"].eq(group)]
        return float(hit["percent"].sum()) if not hit.empty else float("nan")

    me_wb, eng_wb = share(area.name, WHITE_BRITISH), share("England", WHITE_BRITISH)
    summary = (
        f"At the 2021 Census, {pct(100 - me_wb)} of {area.name}'s residents of all ages "
        f"described their ethnic group as other than White British (England "
        f"{pct(100 - eng_wb)})."
    )
    mine = broad[broad["Area"].eq(area.name) & broad["Ethnic group"].ne("White")]
    if not mine.empty:
        top = mine.sort_values("% of residents", ascending=False).iloc[0]
        summary += (
            f" After White groups, the largest broad group is {top['Ethnic group']} "
            f"({pct(top['% of residents'])})."
        )
    notes = [
        "The Census 2021 figures are for residents of all ages: the data the book uses does "
        "not break children down by ethnic group for each area."
    ]
    chart = (
        alt.Chart(broad)
        .mark_bar()
        .encode(
            y=alt.Y("Area:N", sort=list(codes.values()), title=None),
            x=alt.X("% of residents:Q", title="% of residents (all ages)"),
            color=alt.Color(
                "Area:N",
                sort=list(codes.values()),
                scale=alt.Scale(range=[PALETTE[0], PALETTE[2]]),
                legend=None,
            ),
            row=alt.Row(
                "Ethnic group:N",
                sort=BROAD_ORDER,
                title="Broad ethnic group",
                header=alt.Header(labelAngle=0, labelAlign="left"),
            ),
            tooltip=["Area", "Ethnic group", alt.Tooltip("% of residents:Q", format=".1f")],
        )
        .properties(
            title="Broad ethnic group of residents, Census 2021",
            width=360,
            height=alt.Step(14),
            description=summary,
        )
    )
    detail["Broad group"] = detail["Ethnic group (20 categories)"].map(
        sel.drop_duplicates("group").set_index("group")["broad_group"]
    )
    detail["_o"] = detail["Broad group"].map({g: i for i, g in enumerate(BROAD_ORDER)})
    detail = detail.sort_values(["_o", "Ethnic group (20 categories)"]).drop(columns="_o")
    detail = detail[["Broad group", *[c for c in detail.columns if c != "Broad group"]]]
    return Section(
        "ethnicity",
        title,
        summary,
        detail.reset_index(drop=True),
        chart,
        source=CENSUS_SOURCE,
        notes=notes,
    )
