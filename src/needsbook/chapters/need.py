"""Chapter 2, deprivation and need: where children live on England's deprivation scale, maps,
the modelled need for preventive help and its projection (as in the Worcestershire 2015 needs
assessment, Table 1 and Figs 28-31)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd

from needsbook.areas import Area, resolve_area
from needsbook.chapters.base import Chapter, Section
from needsbook.chapters.text import change, number, pct, points_change
from needsbook.charts import PALETTE
from needsbook.charts.datasets import set_datasets
from needsbook.data import load_table, load_table_or_none, snapshot_key
from needsbook.formatting import (
    PERCENT_DP,
    apply_decimals,
    coefficient,
    count,
    fixed,
    percent,
)
from needsbook.need import deprivation as dep
from needsbook.need.estimate import NeedEstimate, Observation, estimate_need
from needsbook.need.geometry import boundary_lines, bounds, label_point, round_geometry
from needsbook.need.inputs import band_populations, england_lsoas
from needsbook.need.local_model import SharesModel, load_local_model
from needsbook.need.model import AGE_BANDS, GROUP_LABELS, GROUPS, NEED_GROUPS, NeedModel
from needsbook.need.open_model import OutcomeModel
from needsbook.need.predictors import DOMAINS
from needsbook.need.projection import band_growth, project_need, project_populations

ENGLAND = "E92000001"
HORIZON = 5
IMD19 = "English Indices of Deprivation 2019 (MHCLG), LSOA 2011"
IOD25 = "English Indices of Deprivation 2025 (MHCLG), LSOA 2021"
LSOA_MYE = "ONS mid-year population estimates for LSOAs"
SNPP = "ONS 2018-based subnational population projections (principal)"
BOUNDARIES = (
    "ONS boundaries (LSOA 2011 BGC; LAD May 2024 and CTYUA May 2023 BUC), OGL v3; contains OS "
    "data (c) Crown copyright and database right"
)
OPEN_MODEL = "needsbook open need model"
MODELLED = f"Modelled estimate ({OPEN_MODEL}), not a count of children"

# Sequential blues for deciles: 1 (most deprived) darkest; decile numbers are always shown too.
DECILE_COLOURS = [
    "#08306b",
    "#08468f",
    "#135fa7",
    "#2878b8",
    "#4191c6",
    "#61a7d2",
    "#88bedc",
    "#a9d0e6",
    "#c4dcef",
    "#deebf7",
]
# Need groups from least to most intensive (text labels and the data table carry the values too).
GROUP_COLOURS = ["#DEE0E2", "#F9C29E", "#F46A25", "#801650"]
NEED_RAMP = ["#fdf0f5", "#801650"]
LABEL_LSOAS_UP_TO = 80  # small areas: print each LSOA's decile on the map


@dataclass
class _Inputs:
    """Everything the sections share, computed once per chapter."""

    area: Area
    year: int
    england: pd.DataFrame  # all English LSOAs with populations and IMD 2019
    lsoas: pd.DataFrame  # the area's LSOAs
    estimate: NeedEstimate
    districts: dict[str, str]
    _intervals: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def pop_year(self) -> int:
        return self.estimate.population_year

    @property
    def supplied(self) -> SharesModel | None:
        """The council's own need model, when one was supplied."""
        model = self.estimate.model
        return model if isinstance(model, SharesModel) else None

    @property
    def model_source(self) -> str:
        """The need model as a source names it."""
        if self.supplied is not None:
            return f"need model supplied by {self.supplied.supplier}: {self.supplied.name}"
        return OPEN_MODEL

    @property
    def modelled(self) -> str:
        """The note that a figure is modelled, naming the model."""
        if self.supplied is not None:
            return (
                f"Modelled estimate from the need model supplied by {self.supplied.supplier} "
                f"({self.supplied.name}), not a count of children"
            )
        return MODELLED

    @property
    def has_intervals(self) -> bool:
        """Whether the model gives 95% intervals (a supplied model's shares do not)."""
        iv = self.intervals("band")
        return bool(iv[list(INTERVAL_COLUMNS)].notna().any(axis=None))

    def intervals(self, by: str) -> pd.DataFrame:
        """The estimate's 95% intervals by ``by`` (simulated once per chapter)."""
        if by not in self._intervals:
            self._intervals[by] = self.estimate.intervals(by)
        return self._intervals[by]


def _about(value: float) -> str:
    """A modelled count, rounded so it does not look exact (nearest 10, or 100 from 10,000)."""
    step = 100 if abs(value) >= 10_000 else 10
    return number(round(value / step) * step)


def _district_names(area: Area) -> dict[str, str]:
    return dict(area.districts) or {area.code: area.name}


# --- deprivation profile ------------------------------------------------------------------


def deprived_areas(inp: _Inputs, data_dir: Path | str | None) -> Section:
    """Share of children (0-17 and 0-4) living in England's most deprived 10% and 20% of LSOAs."""
    area = inp.area
    pop = load_table("lsoa_population", data_dir)
    imd = inp.england[["lsoa11_code", "utla_code", "imd_decile"]]
    rows = []
    years = sorted(int(y) for y in pop["year"].unique() if int(y) <= inp.pop_year)
    for yr in years:
        sel = imd.merge(pop[pop["year"] == yr], on="lsoa11_code")
        for age, col in (("0-17", "pop_0_17"), ("0-4", "pop_0_4")):
            mine = sel[sel["utla_code"] == area.code]
            row: dict[str, object] = {"Year (mid-year)": yr, "Age": age}
            row["Children"] = int(mine[col].sum())
            for d in (1, 2):
                s = dep.deprived_share(mine, col, d)
                e = dep.deprived_share(sel, col, d)
                row[f"In most deprived {d * 10}%"] = int(s["in_deprived"])
                row[f"% in most deprived {d * 10}%"] = s["percent"]
                row[f"England % in most deprived {d * 10}%"] = e["percent"]
            rows.append(row)
    table = pd.DataFrame(rows)
    latest = table[table["Year (mid-year)"] == inp.pop_year].set_index("Age")
    first = table[table["Year (mid-year)"] == table["Year (mid-year)"].min()].set_index("Age")
    me = latest.loc["0-17"]
    under5 = latest.loc["0-4"]
    if me["In most deprived 20%"] == 0:
        summary = (
            f"None of {area.name}'s neighbourhoods (LSOAs) is among England's 20% most deprived "
            f"on the Index of Multiple Deprivation (IMD 2019), so none of its children live in "
            f"one; across England "
            f"{pct(me['England % in most deprived 20%'])} of children aged 0-17 do."
        )
    else:
        summary = (
            f"In mid-{inp.pop_year}, {pct(me['% in most deprived 20%'])} of {area.name}'s children "
            f"aged 0-17 ({number(me['In most deprived 20%'])} of {number(me['Children'])}) live "
            f"in neighbourhoods among England's 20% most deprived on the Index of Multiple "
            f"Deprivation (IMD 2019), compared with "
            f"{pct(me['England % in most deprived 20%'])} of children in England; "
            f"{pct(me['% in most deprived 10%'])} live in the most deprived 10% "
            f"(England {pct(me['England % in most deprived 10%'])})."
        )
        summary += (
            f" For children under 5 the share in the most deprived 20% is "
            f"{pct(under5['% in most deprived 20%'])}."
        )
        if len(first) and int(table["Year (mid-year)"].min()) < inp.pop_year:
            old = first.loc["0-17", "% in most deprived 20%"]
            summary += (
                f" That is {points_change(old, me['% in most deprived 20%'])} on "
                f"mid-{int(table['Year (mid-year)'].min())}, holding the IMD 2019 ranking fixed."
            )
    plot_rows = []
    for age in ("0-17", "0-4"):
        r = latest.loc[age]
        for d in (10, 20):
            plot_rows.append((area.name, age, f"Most deprived {d}%", r[f"% in most deprived {d}%"]))
            plot_rows.append(
                ("England", age, f"Most deprived {d}%", r[f"England % in most deprived {d}%"])
            )
    plot = pd.DataFrame(plot_rows, columns=["Area", "Age", "Neighbourhoods", "% of children"])
    plot["Label"] = plot["% of children"].map(percent)
    series = [area.name, "England"]
    kinds = ["Most deprived 10%", "Most deprived 20%"]
    base = alt.Chart(plot).encode(
        y=alt.Y("Neighbourhoods:N", sort=kinds, title=None),
        yOffset=alt.YOffset("Area:N", sort=series),
        x=alt.X("% of children:Q", title="% of children living in those neighbourhoods"),
        tooltip=["Area", "Age", "Neighbourhoods", alt.Tooltip("% of children:Q", format=".1f")],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "Area:N",
            sort=series,
            scale=alt.Scale(domain=series, range=[PALETTE[0], PALETTE[4]]),
            legend=alt.Legend(title=None),
        )
    )
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(text="Label:N")
    chart = (
        (bars + text)
        .properties(width=420, height=alt.Step(18))
        .facet(
            row=alt.Row(
                "Age:N",
                sort=["0-17", "0-4"],
                title=None,
                header=alt.Header(
                    labelAngle=0, labelAlign="left", labelExpr="'Aged ' + datum.value"
                ),
            )
        )
        .properties(
            title=alt.TitleParams(
                "Children living in England's most deprived neighbourhoods",
                subtitle=f"{area.name} and England, mid-{inp.pop_year}",
            ),
            description=summary,
        )
    )
    notes = [
        "Most deprived 10% / 20% means the LSOAs ranked in England's bottom one or two deciles "
        "of the Index of Multiple Deprivation 2019. Children are counted with ONS mid-year LSOA "
        "(2011) estimates; the ranking is held fixed, so a change between years comes from "
        "population change, not re-ranking, as in the Worcestershire 2015 needs assessment.",
    ]
    return Section(
        "deprived_areas",
        "Children living in deprived neighbourhoods",
        summary,
        table,
        chart,
        source=f"{IMD19}; {LSOA_MYE}, "
        + (f"mid-{years[0]} to mid-{years[-1]}" if len(years) > 1 else f"mid-{years[0]}"),
        notes=notes,
    )


def _decile_counts(lsoas: pd.DataFrame) -> pd.Series:
    """Neighbourhoods in each national decile, 1 (most deprived) to 10."""
    return lsoas["imd_decile"].value_counts().reindex(range(1, 11), fill_value=0)


def latest_index(inp: _Inputs, data_dir: Path | str | None) -> Section:
    """Neighbourhoods by decile on the latest index (IoD 2025) beside IMD 2019.

    The 2025 index uses the 2021 LSOAs, which have no population estimates in the snapshot,
    so neighbourhoods are counted, not children."""
    area = inp.area
    iod = load_table_or_none("imd2025_lsoa21", data_dir)
    if iod is None:  # a data folder made before the 2025 index was published
        new = pd.DataFrame({"imd_decile": pd.Series(dtype="int64")})
    else:
        new = iod[iod["utla_code"] == area.code]
    now, before = dep.share_of_lsoas(new, 2), dep.share_of_lsoas(inp.lsoas, 2)
    counts_new, counts_old = _decile_counts(new), _decile_counts(inp.lsoas)
    table = pd.DataFrame(
        {
            "National decile (1 = most deprived)": range(1, 11),
            "Neighbourhoods, IoD 2025": counts_new.to_numpy(),
            "% of neighbourhoods, IoD 2025": counts_new.to_numpy() / max(len(new), 1) * 100,
            "Neighbourhoods, IMD 2019": counts_old.to_numpy(),
            "% of neighbourhoods, IMD 2019": counts_old.to_numpy() / max(len(inp.lsoas), 1) * 100,
        }
    )
    caveat = (
        " The 2025 index uses the 2021 neighbourhoods (LSOAs), for which there are no "
        "population estimates yet, so this counts neighbourhoods, not children; the rest of "
        "the chapter uses IMD 2019 with the matching population estimates."
    )
    if now["total"] and now["in_deprived"] == 0 and before["in_deprived"] == 0:
        which = (
            f"{area.name}'s only neighbourhood is not"
            if now["total"] == 1
            else f"none of {area.name}'s {number(now['total'])} neighbourhoods is"
        )
        summary = (
            f"On the English Indices of Deprivation 2025, {which} among England's 20% most "
            f"deprived, nor on IMD 2019." + caveat
        )
    elif now["total"]:
        summary = (
            f"On the English Indices of Deprivation 2025, {number(now['in_deprived'])} of "
            f"{area.name}'s {number(now['total'])} "
            f"neighbourhood{'' if now['total'] == 1 else 's'} ({pct(now['percent'])}) "
            f"{'is' if now['total'] == 1 else 'are'} among England's 20% most deprived, "
            f"against {number(before['in_deprived'])} of "
            f"{number(before['total'])} ({pct(before['percent'])}) on IMD 2019." + caveat
        )
    else:
        summary = (
            f"The English Indices of Deprivation 2025 list no neighbourhoods for {area.name}, "
            "so the chapter uses IMD 2019."
        )
    plot = pd.concat(
        [
            pd.DataFrame(
                {
                    "Decile": range(1, 11),
                    "Index": label,
                    "% of neighbourhoods": table[f"% of neighbourhoods, {label}"],
                }
            )
            for label in ("IoD 2025", "IMD 2019")
        ],
        ignore_index=True,
    )
    indices = ["IoD 2025", "IMD 2019"]
    chart = (
        alt.Chart(plot)
        .mark_bar(stroke="#0b0c0c", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "Decile:O", title="National decile (1 = most deprived)", axis=alt.Axis(labelAngle=0)
            ),
            xOffset=alt.XOffset("Index:N", sort=indices),
            y=alt.Y("% of neighbourhoods:Q", title="% of the area's neighbourhoods"),
            color=alt.Color(
                "Index:N",
                sort=indices,
                scale=alt.Scale(domain=indices, range=[PALETTE[0], PALETTE[4]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["Index:N", "Decile:O", alt.Tooltip("% of neighbourhoods:Q", format=".1f")],
        )
        .properties(
            title=alt.TitleParams(
                "Neighbourhoods by national deprivation decile",
                subtitle=f"{area.name}, IoD 2025 and IMD 2019",
            ),
            width=420,
            height=220,
            description=summary,
        )
    )
    return Section(
        "latest_index",
        "Deprivation on the latest index (IoD 2025)",
        summary,
        table,
        chart,
        source=f"{IOD25}; {IMD19}",
        notes=[
            "A decile is a tenth of England's neighbourhoods ranked by deprivation; IoD 2025 "
            "and IMD 2019 rank different sets of neighbourhoods (2021 and 2011 LSOAs), so the "
            "counts are compared as shares."
        ],
    )


def deciles(inp: _Inputs) -> Section:
    """Children aged 0-17 across England's ten IMD deciles, against England's own spread."""
    area = inp.area
    mine = dep.distribution(inp.lsoas, "pop_0_17")
    eng = dep.distribution(inp.england, "pop_0_17")
    table = pd.DataFrame(
        {
            "IMD 2019 decile (1 = most deprived)": mine["decile"],
            "Children aged 0-17": mine["population"].astype("int64"),
            "% of the area's children": mine["percent"],
            "% of England's children": eng["percent"],
            "% if spread evenly across LSOA deciles": 10.0,
        }
    )
    top = mine.loc[mine["percent"].idxmax()]
    half_me = mine.loc[mine["decile"] <= 5, "percent"].sum()
    half_eng = eng.loc[eng["decile"] <= 5, "percent"].sum()
    summary = (
        f"{pct(half_me)} of {area.name}'s children aged 0-17 live in the more deprived half of "
        f"England's neighbourhoods (England {pct(half_eng)}). The largest share, "
        f"{pct(top['percent'])}, live in national decile {int(top['decile'])}"
        f" ({_decile_words(int(top['decile']))}). If the area's children were spread like "
        "England's neighbourhoods, each decile would hold 10% (the dashed line); the ticks show "
        "England's children, who live more often in deprived neighbourhoods."
    )
    plot = table.rename(
        columns={
            "IMD 2019 decile (1 = most deprived)": "Decile",
            "% of the area's children": "Area %",
            "% of England's children": "England %",
        }
    )
    plot["Label"] = plot["Area %"].map(percent)
    x = alt.X(
        "Decile:O",
        title="IMD 2019 national decile (1 = most deprived 10%)",
        axis=alt.Axis(labelAngle=0),
    )
    tooltip = [
        "Decile:O",
        alt.Tooltip("Children aged 0-17:Q", format=","),
        alt.Tooltip("Area %:Q", format=".1f", title=f"% of {area.name}'s children"),
        alt.Tooltip("England %:Q", format=".1f", title="% of England's children"),
    ]
    bars = (
        alt.Chart(plot)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("Area %:Q", title="% of children aged 0-17"),
            color=alt.Color(
                "Decile:O",
                scale=alt.Scale(domain=list(range(1, 11)), range=DECILE_COLOURS),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    labels = (
        alt.Chart(plot)
        .mark_text(dy=-6, fontSize=11)
        .encode(x=x, y="Area %:Q", text="Label:N", tooltip=tooltip)
    )
    ticks = (
        alt.Chart(plot)
        .mark_tick(color="#0b0c0c", thickness=2, size=26)
        .encode(x=x, y="England %:Q", tooltip=tooltip)
    )
    even = (
        alt.Chart(pd.DataFrame({"y": [10.0]}))
        .mark_rule(strokeDash=[6, 4], color="#505a5f")
        .encode(y="y:Q")
    )
    chart = (bars + labels + ticks + even).properties(
        title=alt.TitleParams(
            "Children aged 0-17 by national deprivation decile",
            subtitle=f"{area.name}, mid-{inp.pop_year}; ticks: England; dashed line: 10%",
        ),
        width=520,
        height=280,
        description=summary,
    )
    return Section(
        "deciles",
        "Children by national deprivation decile",
        summary,
        table,
        chart,
        source=f"{IMD19}; {LSOA_MYE}, mid-{inp.pop_year}",
        notes=[
            "Deciles divide England's LSOAs (not its children) into ten equal groups, so an area "
            "like England would not have exactly 10% of children in each: more children live in "
            "deprived neighbourhoods."
        ],
    )


def _decile_words(decile: int) -> str:
    """Plain words for a national decile."""
    if decile <= 2:
        return "among England's most deprived"
    if decile <= 4:
        return "more deprived than England's middle"
    if decile <= 6:
        return "in the middle of England's range"
    if decile <= 8:
        return "less deprived than England's middle"
    return "among England's least deprived"


def districts(inp: _Inputs, data_dir: Path | str | None) -> Section:
    """Deprivation profile by district (including IoD 2025 LSOA counts)."""
    area = inp.area
    prof = dep.profile_by(inp.lsoas, "lad_code", ["pop_0_17", "pop_0_4"])
    iod = load_table("imd2025_lsoa21", data_dir)
    iod = iod[iod["utla_code"] == area.code]
    iod_share = {
        code: dep.share_of_lsoas(sub, 2)["percent"] for code, sub in iod.groupby("lad_code")
    }
    names = inp.districts
    table = pd.DataFrame(
        {
            "District": prof["lad_code"].map(names).fillna(prof["lad_code"]),
            "Code": prof["lad_code"],
            "LSOAs": prof["lsoas"],
            "Children aged 0-17": prof["pop_0_17_total"].astype("int64"),
            "% aged 0-17 in most deprived 10%": prof["pop_0_17_most_deprived_10pc_percent"],
            "% aged 0-17 in most deprived 20%": prof["pop_0_17_most_deprived_20pc_percent"],
            "% aged 0-4 in most deprived 20%": prof["pop_0_4_most_deprived_20pc_percent"],
            "IoD 2025: % of LSOAs in most deprived 20%": prof["lad_code"].map(iod_share),
        }
    )
    whole = dep.deprived_share(inp.lsoas, "pop_0_17", 2)["percent"]
    table = table.sort_values("% aged 0-17 in most deprived 20%", ascending=False)
    table = table.reset_index(drop=True)
    col = "% aged 0-17 in most deprived 20%"
    if len(table) == 1:
        share = "none" if whole == 0 else pct(whole)
        summary = (
            f"{area.name} has a single district, so its district profile is the area's own: "
            f"{share} of its children aged 0-17 live in England's 20% most deprived "
            "neighbourhoods."
        )
    else:
        top = table.iloc[0]
        zero = table[table[col] == 0]["District"].tolist()
        summary = (
            f"Deprivation is unevenly spread across {area.name}'s {len(table)} districts: "
            f"{pct(top[col])} of children aged 0-17 in {top['District']} live in England's 20% "
            f"most deprived neighbourhoods, against {pct(whole)} across the area."
        )
        if zero:
            listed = _join(zero)
            whose = "its" if len(zero) == 1 else "their"
            summary += (
                f" In {listed} no child does, because none of {whose} neighbourhoods is that "
                "deprived."
            )
        else:
            low = table.iloc[-1]
            summary += f" The share is lowest in {low['District']} ({pct(low[col])})."
    plot = table.copy()
    plot["Label"] = plot[col].map(percent)
    order = plot["District"].tolist()
    tooltip = [
        "District",
        alt.Tooltip("Children aged 0-17:Q", format=","),
        alt.Tooltip(f"{col}:Q", format=".1f"),
        alt.Tooltip("% aged 0-17 in most deprived 10%:Q", format=".1f"),
        alt.Tooltip("% aged 0-4 in most deprived 20%:Q", format=".1f"),
    ]
    bars = (
        alt.Chart(plot)
        .mark_bar(color=PALETTE[0])
        .encode(
            y=alt.Y("District:N", sort=order, title=None),
            x=alt.X(f"{col}:Q", title="% of children aged 0-17 in England's most deprived 20%"),
            tooltip=tooltip,
        )
    )
    labels = bars.mark_text(align="left", dx=3, fontSize=12, color="#0b0c0c").encode(text="Label:N")
    rule = (
        alt.Chart(pd.DataFrame({"x": [whole], "what": [f"{area.name}: {percent(whole)}"]}))
        .mark_rule(strokeDash=[6, 4], color=PALETTE[2], strokeWidth=2)
        .encode(x="x:Q", tooltip=[alt.Tooltip("what:N", title="Whole area")])
    )
    chart = (bars + labels + rule).properties(
        title=alt.TitleParams(
            "Children aged 0-17 in England's most deprived 20% of neighbourhoods",
            subtitle=f"By district; dashed line: {area.name} as a whole",
        ),
        width=480,
        height=alt.Step(24),
        description=summary,
    )
    return Section(
        "districts",
        "Deprivation by district",
        summary,
        table,
        chart,
        source=f"{IMD19}; {IOD25}; {LSOA_MYE}, mid-{inp.pop_year}",
        notes=[
            "The IoD 2025 column counts LSOAs, not children: there are no population estimates "
            "for the 2021 LSOAs in the snapshot."
        ],
    )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def idaci(inp: _Inputs, data_dir: Path | str | None) -> Section:
    """The IMD 2019 upper-tier summary of Income Deprivation Affecting Children (IDACI)."""
    area = inp.area
    summ = load_table("imd_utla_summary", data_dir)
    utla = summ[summ["area_type"] == "UTLA"]
    n = len(summ)
    me = utla[utla["area_code"] == area.code]
    measures = {
        "idaci_average_score": "IDACI average score (share of children in income-deprived "
        "families)",
        "idaci_prop_lsoas_most_deprived_10pc": (
            "Share of LSOAs in England's most IDACI-deprived 10%"
        ),
    }
    ranks = {
        "idaci_average_score": "idaci_rank_of_average_score",
        "idaci_prop_lsoas_most_deprived_10pc": "idaci_rank_of_prop_lsoas_most_deprived_10pc",
    }
    if me.empty:
        summary = (
            f"No IDACI summary is available for {area.name}: the IMD 2019 upper-tier summaries "
            f"were published for the {n} upper-tier areas of 2019, before {area.name} was formed."
        )
        table = pd.DataFrame(
            {"Measure": list(measures.values()), area.name: [math.nan] * len(measures)}
        )
        return Section(
            "idaci",
            "Income deprivation affecting children",
            summary,
            table,
            None,
            source="MHCLG English Indices of Deprivation 2019, File 11 (upper-tier summaries)",
        )
    r = me.iloc[0]
    rows = []
    for col, label in measures.items():
        rows.append(
            {
                "Measure": label,
                area.name: float(r[col]) * 100,
                "Median of upper-tier areas": float(summ[col].median()) * 100,
                f"Rank of {n} (1 = most deprived)": int(r[ranks[col]]),
            }
        )
    table = pd.DataFrame(rows)
    table.attrs["decimals"] = {area.name: PERCENT_DP, "Median of upper-tier areas": PERCENT_DP}
    score = float(r["idaci_average_score"]) * 100
    rank = int(r["idaci_rank_of_average_score"])
    summary = (
        f"On the Income Deprivation Affecting Children Index (IDACI 2019), an average of "
        f"{pct(score)} of children in {area.name}'s neighbourhoods live in income-deprived "
        f"families, ranking {rank} of {n} upper-tier areas (1 = most deprived; the median area "
        f"scored {pct(float(summ['idaci_average_score'].median()) * 100)})."
    )
    plot = summ[["area_code", "area_name", "idaci_average_score", "parent_code"]].copy()
    plot["IDACI %"] = plot["idaci_average_score"] * 100
    plot["Group"] = [
        area.name
        if c == area.code
        else f"Other {area.region_name} areas"
        if p == area.region_code
        else "Other areas"
        for c, p in zip(plot["area_code"], plot["parent_code"], strict=True)
    ]
    groups = [area.name, f"Other {area.region_name} areas", "Other areas"]
    strip = (
        alt.Chart(plot[plot["area_code"] != area.code])
        .mark_tick(thickness=2, size=30)
        .encode(
            x=alt.X("IDACI %:Q", title="IDACI 2019 average score (% of children)"),
            color=alt.Color(
                "Group:N",
                sort=groups,
                scale=alt.Scale(domain=groups, range=[PALETTE[2], PALETTE[1], "#b1b4b6"]),
                legend=alt.Legend(title=None),
            ),
            tooltip=[
                alt.Tooltip("area_name:N", title="Area"),
                alt.Tooltip("IDACI %:Q", format=".1f"),
                "Group",
            ],
        )
    )
    mine = alt.Chart(plot[plot["area_code"] == area.code]).encode(
        x="IDACI %:Q",
        tooltip=[alt.Tooltip("area_name:N", title="Area"), alt.Tooltip("IDACI %:Q", format=".1f")],
    )
    highlight = mine.mark_tick(thickness=4, size=44, color=PALETTE[2])
    label = mine.mark_text(dy=-28, fontSize=12, fontWeight="bold").encode(
        text=alt.value(f"{area.name} {percent(score)}")
    )
    chart = (strip + highlight + label).properties(
        title=f"IDACI 2019 average score of England's {n} upper-tier areas",
        width=540,
        height=70,
        description=summary,
    )
    return Section(
        "idaci",
        "Income deprivation affecting children",
        summary,
        table,
        chart,
        source="MHCLG English Indices of Deprivation 2019, File 11 (upper-tier summaries)",
        notes=[
            "IDACI is only available here as the published upper-tier summary; it is not in the "
            "LSOA files, so the maps and the need model use the overall IMD."
        ],
    )


# --- maps ---------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _england_shapes(
    key: tuple[str, int, int], data_dir: Path | str | None
) -> tuple[tuple[str, str, str, dict[str, object]], ...]:
    """Each upper-tier area's code, name, region code and shape (to 2 decimal places), read
    once per snapshot (``key``: :func:`needsbook.data.snapshot_key`) and shared, unchanged, by
    every locator map built in this process."""
    utla = load_table("utla_boundaries", data_dir)
    shapes = []
    for r in utla.itertuples(index=False):
        geom = round_geometry(json.loads(r.geometry), 2)
        if geom is not None:
            shapes.append((r.area_code, r.area_name, r.region_code, geom))
    return tuple(shapes)


def locator(inp: _Inputs, data_dir: Path | str | None) -> Section:
    """England locator: the area among today's upper-tier authorities."""
    area = inp.area
    utla = load_table("utla_boundaries", data_dir)
    feats = []
    for code, name, region, geom in _england_shapes(snapshot_key(data_dir), data_dir):
        group = (
            area.name
            if code == area.code
            else f"Other {area.region_name} areas"
            if region == area.region_code
            else "Rest of England"
        )
        feats.append(
            {
                "type": "Feature",
                "geometry": geom,
                "properties": {"Area": name, "Code": code, "Group": group},
            }
        )
    groups = [area.name, f"Other {area.region_name} areas", "Rest of England"]
    chart = (
        alt.Chart(alt.NamedData("england"))
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.4)
        .encode(
            color=alt.Color(
                "properties.Group:N",
                sort=groups,
                scale=alt.Scale(domain=groups, range=[PALETTE[2], "#8eb8dc", "#dee0e2"]),
                legend=alt.Legend(title=None, orient="right"),
            ),
            tooltip=[
                alt.Tooltip("properties.Area:N", title="Area"),
                alt.Tooltip("properties.Group:N", title="Group"),
            ],
        )
        .project("mercator")
    )
    me = utla[utla["area_code"] == area.code].iloc[0]
    pin = alt.Chart(
        pd.DataFrame({"lon": [me["label_lon"]], "lat": [me["label_lat"]], "Area": [area.name]})
    )
    chart = chart + pin.mark_point(
        shape="triangle-down", size=140, filled=True, color="#0b0c0c", yOffset=-8
    ).encode(longitude="lon:Q", latitude="lat:Q", tooltip=["Area:N"])
    n_lsoa = len(inp.lsoas)
    summary = (
        f"{area.name} is a {area.kind.lower()} in the {area.region_name} region, with "
        f"{len(inp.districts)} district{'s' if len(inp.districts) != 1 else ''} and {n_lsoa} "
        "neighbourhoods (LSOAs of about 1,500 residents each)."
    )
    chart = chart.properties(
        title=f"Where {area.name} is", width=300, height=340, description=summary
    )
    set_datasets(chart, england=feats)
    table = pd.DataFrame(
        {
            "Area": [area.name],
            "Code": [area.code],
            "Type": [area.kind],
            "Region": [area.region_name],
            "Districts": [len(inp.districts)],
            "LSOAs (2011)": [n_lsoa],
        }
    )
    return Section("locator", f"Where {area.name} is", summary, table, chart, source=BOUNDARIES)


def _lsoa_features(inp: _Inputs, data_dir: Path | str | None) -> list[dict[str, object]]:
    geo = load_table("lsoa11_boundaries", data_dir)
    geo = geo[geo["utla_code"] == inp.area.code].set_index("lsoa11_code")
    lsoas = inp.estimate.lsoas
    feats = []
    for r in lsoas.itertuples(index=False):
        feats.append(
            {
                "type": "Feature",
                "geometry": json.loads(geo.loc[r.lsoa11_code, "geometry"]),
                "properties": {
                    "LSOA": r.lsoa11_code,
                    "Name": r.lsoa11_name,
                    "District": inp.districts.get(r.lad_code, r.lad_code),
                    "Code": r.lad_code,
                    "Decile": int(r.imd_decile),
                    "Children": int(r.pop_0_19),
                    "Need": round(float(r.need_0_19_pct), PERCENT_DP),
                },
            }
        )
    return feats


def _district_layers(
    inp: _Inputs, feats: list[dict[str, object]], data_dir: Path | str | None
) -> tuple[list[alt.Chart], list[dict[str, object]]]:
    """The area's outline, the boundaries between its districts and the districts' names.

    The lines are traced from the LSOA shapes themselves (edges on the outline or between
    districts), so they follow the map exactly; they are the named dataset ``lines`` (returned as
    the second item). Labels sit at the ONS district label points.
    """
    lad_of = {f["properties"]["LSOA"]: f["properties"]["Code"] for f in feats}  # type: ignore[index]
    outline, inner = boundary_lines(
        (lad_of[f["properties"]["LSOA"]], f["geometry"])  # type: ignore[index,misc]
        for f in feats
    )
    lines: list[dict[str, object]] = []
    for kind, geom in (("District boundary", inner), (f"{inp.area.name} boundary", outline)):
        if geom is not None:
            lines.append({"type": "Feature", "geometry": geom, "properties": {"Line": kind}})
    layers = [
        alt.Chart(alt.NamedData("lines"))
        .mark_geoshape(filled=False, stroke="#0b0c0c")
        .encode(
            strokeWidth=alt.condition(
                "datum.properties.Line === 'District boundary'", alt.value(1.2), alt.value(1.8)
            ),
            tooltip=[alt.Tooltip("properties.Line:N", title="Line")],
        )
    ]
    if len(inp.districts) > 1:
        lads = load_table("lad_boundaries", data_dir)
        lads = lads[lads["utla_code"] == inp.area.code]
        labels = pd.DataFrame(
            {"lon": lads["label_lon"], "lat": lads["label_lat"], "District": lads["district_name"]}
        )
        base = alt.Chart(labels).encode(longitude="lon:Q", latitude="lat:Q", text="District:N")
        layers += [
            base.mark_text(fontSize=12, fontWeight="bold", stroke="#ffffff", strokeWidth=3),
            base.mark_text(fontSize=12, fontWeight="bold", color="#0b0c0c"),
        ]
    return layers, lines


def _map_size(feats: list[dict[str, object]], width: int = 470) -> tuple[int, int]:
    """Width and a height that fits the area's shape (Mercator) within sensible bounds."""
    x0, y0, x1, y1 = bounds(f["geometry"] for f in feats)  # type: ignore[misc]
    aspect = (y1 - y0) / max((x1 - x0) * math.cos(math.radians((y0 + y1) / 2)), 1e-9)
    return width, int(min(max(width * aspect, 260), 560))


def maps(inp: _Inputs, data_dir: Path | str | None) -> Section:
    """LSOA maps of IMD decile and modelled need, with districts, and the LSOA table."""
    area = inp.area
    feats = _lsoa_features(inp, data_dir)
    data = alt.NamedData("lsoas")  # one copy of the shapes, shared by both maps
    tooltip = [
        alt.Tooltip("properties.Name:N", title="LSOA"),
        alt.Tooltip("properties.LSOA:N", title="Code"),
        alt.Tooltip("properties.District:N", title="District"),
        alt.Tooltip("properties.Decile:O", title="IMD 2019 decile (1 = most deprived)"),
        alt.Tooltip("properties.Children:Q", title="Children aged 0-19", format=","),
        alt.Tooltip("properties.Need:Q", title="Modelled % needing preventive help", format=".1f"),
    ]
    decile_map = (
        alt.Chart(data)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.3)
        .encode(
            color=alt.Color(
                "properties.Decile:O",
                title=["IMD 2019", "decile"],
                scale=alt.Scale(domain=list(range(1, 11)), range=DECILE_COLOURS),
                legend=alt.Legend(
                    orient="right",
                    symbolType="square",
                    labelExpr=(
                        "datum.value == 1 ? '1 most deprived' : "
                        "datum.value == 10 ? '10 least deprived' : datum.label"
                    ),
                ),
            ),
            tooltip=tooltip,
        )
    )
    need = inp.estimate.lsoas["need_0_19_pct"]
    lo, hi = math.floor(need.min()), math.ceil(need.max())
    if hi - lo < 2:
        lo, hi = lo - 1, hi + 1
    need_map = (
        alt.Chart(data)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.3)
        .encode(
            color=alt.Color(
                "properties.Need:Q",
                title=["Modelled %", "needing help"],
                scale=alt.Scale(domain=[lo, hi], range=NEED_RAMP),
                legend=alt.Legend(orient="right", format=".0f", gradientLength=200),
            ),
            tooltip=tooltip,
        )
    )
    extra, lines = _district_layers(inp, feats, data_dir)
    decile_layers = [decile_map, *extra]
    if len(feats) <= LABEL_LSOAS_UP_TO:
        points = pd.DataFrame(
            [
                (*label_point(f["geometry"]), f["properties"]["Decile"])  # type: ignore[arg-type,index]
                for f in feats
            ],
            columns=["lon", "lat", "Decile"],
        )
        decile_layers.append(
            alt.Chart(points)
            .mark_text(fontSize=10, fontWeight="bold")
            .encode(
                longitude="lon:Q",
                latitude="lat:Q",
                text="Decile:O",
                color=alt.condition(
                    "datum.Decile <= 4", alt.value("#ffffff"), alt.value("#0b0c0c")
                ),
            )
        )
    width, height = _map_size(feats)
    left = (
        alt.layer(*decile_layers)
        .project("mercator")
        .properties(
            title=alt.TitleParams("Neighbourhoods by national IMD 2019 decile", subtitle=area.name),
            width=width,
            height=height,
        )
    )
    right = (
        alt.layer(need_map, *extra)
        .project("mercator")
        .properties(
            title=alt.TitleParams(
                "Modelled % of children likely to need preventive help",
                subtitle=f"{area.name}, children aged 0-19",
            ),
            width=width,
            height=height,
        )
    )
    deprived = inp.lsoas[inp.lsoas["imd_decile"] <= 2]
    by_district = deprived.groupby("lad_code").size().sort_values(ascending=False)
    est = inp.estimate.lsoas
    top = est.loc[est["need_0_19_pct"].idxmax()]
    low = est.loc[est["need_0_19_pct"].idxmin()]
    if len(deprived):
        lead = (
            f"{len(deprived)} of {area.name}'s {len(inp.lsoas)} neighbourhoods are among England's "
            "20% most deprived"
        )
        if len(by_district) > 1:
            where = _join(
                [f"{inp.districts.get(c, c)} ({n})" for c, n in by_district.head(3).items()]
            )
            lead += f", most of them in {where}"
        lead += "."
    else:
        lead = (
            f"None of {area.name}'s {len(inp.lsoas)} neighbourhoods is among England's 20% most "
            "deprived."
        )
    summary = (
        f"{lead} The first map colours each neighbourhood (LSOA) by its national IMD decile, the "
        "second by the modelled share of its children likely to need preventive help: from "
        f"{pct(float(low['need_0_19_pct']))} in a neighbourhood in national decile "
        f"{int(low['imd_decile'])} to {pct(float(top['need_0_19_pct']))} in one in decile "
        f"{int(top['imd_decile'])}. Black lines mark the area's boundary and its districts; "
        "hover over a neighbourhood for its figures, or use the table below."
    )
    chart = alt.vconcat(left, right, spacing=24).resolve_scale(color="independent")
    chart = chart.properties(description=summary).configure_view(stroke=None)
    set_datasets(chart, lsoas=feats, lines=lines)
    table = _lsoa_table(inp)
    return Section(
        "maps",
        "Maps of deprivation and modelled need",
        summary,
        table,
        chart,
        source=f"{IMD19}; {LSOA_MYE}, mid-{inp.pop_year}; {inp.model_source} "
        f"(modelled); {BOUNDARIES}",
        notes=[
            "Need figures are modelled estimates (see 'How need is modelled'), not counts of "
            "children known to services. The data table lists every neighbourhood; select a "
            "column heading to sort it.",
        ],
    )


def _lsoa_table(inp: _Inputs) -> pd.DataFrame:
    lsoas = inp.estimate.lsoas.sort_values(["imd_rank", "lsoa11_code"])
    return pd.DataFrame(
        {
            "LSOA": lsoas["lsoa11_code"].to_numpy(),
            "Name": lsoas["lsoa11_name"].to_numpy(),
            "District": lsoas["lad_code"].map(inp.districts).fillna(lsoas["lad_code"]).to_numpy(),
            "IMD 2019 rank (1 = most deprived of 32,844)": lsoas["imd_rank"].astype("int64"),
            "IMD 2019 decile": lsoas["imd_decile"].astype("int64").to_numpy(),
            "IMD 2019 quintile": lsoas["imd_quintile"].astype("int64").to_numpy(),
            "Children aged 0-19": lsoas["pop_0_19"].astype("int64").to_numpy(),
            "Modelled % needing preventive help": lsoas["need_0_19_pct"].to_numpy(),
            "Modelled children needing preventive help": lsoas["need_0_19"].to_numpy(),
        }
    ).reset_index(drop=True)


# --- need model ---------------------------------------------------------------------------


def parameter_table(params: pd.DataFrame) -> pd.DataFrame:
    """The model's parameters as the page shows them: each value to 3 significant figures
    ("-0.0431", "1.10", "0"), never "-0" or trailing zeros on a zero (text, so each row keeps
    its own number of decimals)."""
    table = params.copy()
    if pd.api.types.is_numeric_dtype(table["Value"]):
        table["Value"] = table["Value"].map(coefficient)
    return table


def _band_words(band: str) -> str:
    return f"{band} year olds"


def _observed_against_model(name: str, band: str, obs: Observation) -> str:
    """One sentence: the area's observed value for a band against the model's own prediction."""
    seen = f"for {_band_words(band)}, {name}'s observed {pct(obs.percent)} {obs.what}"
    if math.isnan(obs.modelled):
        return f"{seen} is the figure the estimate is calibrated to"
    observed, modelled = round(obs.percent, PERCENT_DP), round(obs.modelled, PERCENT_DP)
    gap = round(observed - modelled, PERCENT_DP)
    if gap == 0:
        return f"{seen} matches the {pct(obs.modelled)} the model predicts"
    side = "above" if gap > 0 else "below"
    return (
        f"{seen} is {fixed(abs(gap), PERCENT_DP)} points {side} the {pct(obs.modelled)} the "
        "model predicts"
    )


def _outcome_model_summary(inp: _Inputs, model: OutcomeModel) -> str:
    area = inp.area.name
    observations = inp.estimate.observations
    measures = "; ".join(f"{band}: {model.anchors[band].label}" for band in model.fits)
    domains = "; ".join(d.removesuffix(" deprivation") for d in DOMAINS.values())
    summary = (
        "The need figures in this chapter are modelled, not counted. For each age band the model "
        f"takes an outcome published for every council area in England ({measures}) and fits it "
        f"across England on five deprivation domains of each neighbourhood ({domains}; IMD 2019) "
        "and the type of area (London borough, metropolitan district, unitary authority or "
        "county). Where the area publishes its own value of a band's outcome, the band is "
        "calibrated to it, so the model sets how need is spread across the area's "
        "neighbourhoods and the observed value sets its level. Set against what the model "
        f"fitted across England's areas predicts from {area}'s neighbourhoods and type of area: "
    )
    sentences = []
    for band in model.fits:
        obs = observations.get(band)
        if obs is None:
            sentences.append(
                f"for {_band_words(band)} no observed value is published for {area}, so the "
                "model's prediction is used as it is"
            )
        else:
            sentences.append(_observed_against_model(area, band, obs))
    summary += "; ".join(sentences) + "."
    summary += (
        " A child likely to need help is placed in the additional, extra or intensive group by "
        "cut-offs from the Worcestershire 2015 needs assessment. The parameters are in the "
        "table; the methods page reports the model's accuracy."
    )
    return summary


def _other_model_summary(inp: _Inputs, model: NeedModel) -> str:
    obs = inp.estimate.observation
    if obs is not None:
        calib = (
            f"It is calibrated to {inp.area.name}'s observed outcome, {obs.label}: its level is "
            "adjusted until the modelled share of the area's under-fives needing help equals "
            "that figure."
        )
    else:
        calib = f"No observed outcome is used for {inp.area.name}, so the model is not calibrated."
    return (
        "The need figures in this chapter are modelled, not counted, with a model supplied in "
        f"place of the book's default ({model.name}). {calib} Its parameters are in the table."
    )


def _supplied_model_summary(inp: _Inputs, model: SharesModel) -> str:
    area = inp.area.name
    return (
        "The need figures in this chapter are modelled, not counted. They come from "
        f"{model.name}, a need model supplied by {model.supplier} in place of the book's own "
        f"model: its % of children likely to need additional, extra and intensive preventive "
        f"help in each of {area}'s neighbourhoods and age bands are used as supplied, weighted "
        f"by the number of children of each age in each neighbourhood. They are not calibrated "
        f"to {area}'s observed outcomes, and 95% intervals are not available for a supplied "
        "model. The table describes the model."
    )


def model_parameters(inp: _Inputs) -> Section:
    """The published parameters and assumptions of the need model, and how the area's observed
    outcomes compare with what the model alone predicts."""
    model = inp.estimate.model
    table = parameter_table(model.parameters())
    if isinstance(model, SharesModel):
        return Section(
            "model",
            "How need is modelled",
            _supplied_model_summary(inp, model),
            table,
            None,
            source=f"{inp.model_source}; {LSOA_MYE}, mid-{inp.pop_year}",
            notes=[
                "The book's own open need model, described on the methods page, is not used "
                f"for {inp.area.name}: every chapter uses the supplied model.",
                f"All figures from this model are labelled 'modelled'. {inp.modelled}.",
            ],
        )
    if not isinstance(model, OutcomeModel):
        return Section(
            "model",
            "How need is modelled",
            _other_model_summary(inp, model),
            table,
            None,
            source="a need model supplied in place of the default (see the methods page)",
            notes=[f"All figures from this model are labelled 'modelled'. {MODELLED}."],
        )
    periods = _join(
        [f"{band} {model.periods[band]}" for band in model.fits if model.periods.get(band)]
    )
    notes = [
        "Sources: the outcomes by area and year from the DfE Local Authority Interactive Tool "
        f"(LAIT; latest year used for each age band: {periods}); the English Indices of "
        "Deprivation 2019 domain ranks for each neighbourhood (LSOA); ONS mid-year population "
        f"estimates for LSOAs (mid-{inp.pop_year}), which weight each neighbourhood's children.",
        "Assumptions: (1) each band's outcome measures how many children of those ages are "
        "likely to need preventive help; (2) the link between a neighbourhood's deprivation, the "
        "type of area and the outcome is the same across England, and the area's observed value "
        "moves every neighbourhood's level by the same amount (on the log-odds scale); (3) the "
        "cut-offs between the need groups come from the one published split of children into "
        "need groups (the PREview model: 48% needing help, 12.5% intensive) and apply at every "
        "age.",
        "The methods page reports the model's accuracy: how closely it predicts each outcome "
        "across England's areas, against a simpler model using income deprivation alone. The "
        "95% intervals in this chapter allow for uncertainty in the fitted model, chance in the "
        "area's observed values and districts differing from the model as much as areas do "
        "across England, but not for the assumptions.",
        f"All figures from this model are labelled 'modelled'. {MODELLED}.",
    ]
    return Section(
        "model",
        "How need is modelled",
        _outcome_model_summary(inp, model),
        table,
        None,
        source=f"{OPEN_MODEL} (see the methods page)",
        notes=notes,
    )


NEED_PCT = "Modelled % needing preventive help"
INTENSIVE_PCT = "Modelled % needing intensive help"
NEED_LO, NEED_HI = (
    "Needing preventive help, 95% interval: lower",
    "Needing preventive help, 95% interval: upper",
)
INT_LO, INT_HI = (
    "Intensive help, 95% interval: lower",
    "Intensive help, 95% interval: upper",
)
PLOT_INTERVALS = {NEED_LO: "Interval lower", NEED_HI: "Interval upper"}  # no colons in charts
INTERVAL_COLUMNS = {
    "need_lower": NEED_LO,
    "need_upper": NEED_HI,
    "intensive_lower": INT_LO,
    "intensive_upper": INT_HI,
}


def _interval_text(lower: float, upper: float) -> str:
    """' (95% interval 31.0% to 32.0%)', or '' when the model gives no interval."""
    if pd.isna(lower) or pd.isna(upper):
        return ""
    return f" (95% interval {pct(lower)} to {pct(upper)})"


def _with_intervals(table: pd.DataFrame, iv: pd.DataFrame, key: str, on: str) -> pd.DataFrame:
    """``table`` with the four interval columns matched on its ``key`` column (``on`` in
    ``iv``)."""
    iv = iv.set_index(on)[list(INTERVAL_COLUMNS)].rename(columns=INTERVAL_COLUMNS)
    return table.join(iv, on=key)


def _without_empty_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` without interval columns that hold no value (a model with no intervals)."""
    empty = [c for c in INTERVAL_COLUMNS.values() if c in table and table[c].isna().all()]
    return table.drop(columns=empty)


def _error_bars(
    plot: pd.DataFrame, axis: str, sort: list[object], horizontal: bool, title: str | None = None
) -> alt.Chart:
    """Rules from each row's ``Interval lower`` to ``Interval upper`` (rows without one are
    skipped)."""
    data = plot.dropna(subset=["Interval lower", "Interval upper"])
    lo = alt.X("Interval lower:Q") if horizontal else alt.Y("Interval lower:Q")
    hi = alt.X2("Interval upper:Q") if horizontal else alt.Y2("Interval upper:Q")
    cat = (
        alt.Y(f"{axis}:N", sort=sort, title=title)
        if horizontal
        else alt.X(f"{axis}:O", sort=sort, title=title)
    )
    enc = {"y" if horizontal else "x": cat, "x" if horizontal else "y": lo}
    enc["x2" if horizontal else "y2"] = hi
    return (
        alt.Chart(data)
        .mark_rule(color="#0b0c0c", strokeWidth=1.5)
        .encode(
            **enc,
            tooltip=[
                f"{axis}:N",
                alt.Tooltip("Interval lower:Q", format=".1f", title="95% interval: lower"),
                alt.Tooltip("Interval upper:Q", format=".1f", title="95% interval: upper"),
            ],
        )
    )


def model_deciles(inp: _Inputs) -> Section:
    """Modelled need among the area's children in each national IMD decile, with 95% intervals
    (every decile shown; those where the area has no neighbourhoods are empty)."""
    area = inp.area
    deciles = range(1, 11)
    s = inp.estimate.summary("imd_decile").set_index("imd_decile").reindex(deciles)
    n = inp.estimate.lsoas["imd_decile"].value_counts().reindex(deciles, fill_value=0)
    table = pd.DataFrame(
        {
            "IMD 2019 decile (1 = most deprived)": list(deciles),
            "Neighbourhoods": n.to_numpy(),
            "Children aged 0-19": s["population"].fillna(0.0).to_numpy(),
            "Modelled children needing preventive help": s["need"].fillna(0.0).to_numpy(),
            NEED_PCT: s["need_pct"].to_numpy(),
            INTENSIVE_PCT: s["intensive_pct"].to_numpy(),
        }
    )
    key = "IMD 2019 decile (1 = most deprived)"
    table = _with_intervals(table, inp.intervals("imd_decile"), key, "imd_decile")
    table = table[
        [*table.columns[:5], NEED_LO, NEED_HI, INTENSIVE_PCT, INT_LO, INT_HI]
    ].reset_index(drop=True)
    have = table[table["Neighbourhoods"] > 0]
    top, low = have.iloc[0], have.iloc[-1]
    empty = [str(d) for d in table.loc[table["Neighbourhoods"] == 0, key]]

    def words(row: pd.Series) -> str:
        d = int(row[key])
        if d in (1, 10):
            return f"England's {'most' if d == 1 else 'least'} deprived decile"
        return f"national decile {d}"

    def need(row: pd.Series) -> str:
        return f"{pct(row[NEED_PCT])}{_interval_text(row[NEED_LO], row[NEED_HI])}"

    if len(have) == 1:
        summary = (
            f"All of {area.name}'s neighbourhoods are in {words(top)}, where the model estimates "
            f"that {need(top)} of children aged 0-19 are likely to need preventive help."
        )
    else:
        summary = (
            f"In {area.name}'s neighbourhoods in {words(top)}, the model estimates that "
            f"{need(top)} of children aged 0-19 are likely to need preventive help, against "
            f"{need(low)} in its neighbourhoods in {words(low)}. "
        )
        hi, lo = round(top[INTENSIVE_PCT], PERCENT_DP), round(low[INTENSIVE_PCT], PERCENT_DP)
        change = "falls" if hi > lo else "rises" if hi < lo else "stays at"
        summary += (
            f"Intensive need {change} from {pct(top[INTENSIVE_PCT])} to {pct(low[INTENSIVE_PCT])}."
            if change != "stays at"
            else f"Intensive need is {pct(top[INTENSIVE_PCT])} in both."
        )
    if empty:
        summary += (
            f" {area.name} has no neighbourhoods in decile{'' if len(empty) == 1 else 's'} "
            f"{_join(empty)}."
        )
    plot = table.rename(columns={key: "Decile", **PLOT_INTERVALS})
    plot["Label"] = plot[NEED_PCT].map(lambda v: "" if pd.isna(v) else percent(v))
    base = alt.Chart(plot.dropna(subset=[NEED_PCT])).encode(
        x=alt.X(
            "Decile:O",
            title="IMD 2019 national decile (1 = most deprived)",
            sort=list(deciles),
            scale=alt.Scale(domain=list(deciles)),
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y(f"{NEED_PCT}:Q", title="Modelled % of children aged 0-19 needing help"),
        tooltip=[
            "Decile:O",
            alt.Tooltip("Neighbourhoods:Q", format=",.0f"),
            alt.Tooltip(f"{NEED_PCT}:Q", format=".1f"),
            alt.Tooltip("Interval lower:Q", format=".1f", title="95% interval: lower"),
            alt.Tooltip("Interval upper:Q", format=".1f", title="95% interval: upper"),
            alt.Tooltip(f"{INTENSIVE_PCT}:Q", format=".1f"),
        ],
    )
    bars = base.mark_bar(color=GROUP_COLOURS[2])
    # labels inside the foot of each bar, clear of the interval lines
    text = base.mark_text(baseline="bottom", dy=-4, fontSize=10, color="#0b0c0c").encode(
        y=alt.value(300), text="Label:N"
    )
    chart = (bars + _error_bars(plot, "Decile", list(deciles), horizontal=False) + text).properties(
        title=alt.TitleParams(
            "Modelled % of children needing preventive help, by neighbourhood decile",
            subtitle=f"{area.name}'s neighbourhoods"
            + ("; black lines: 95% intervals" if inp.has_intervals else ""),
        ),
        width=480,
        height=300,
        description=summary,
    )
    return Section(
        "model_deciles",
        "Modelled need by deprivation decile",
        summary,
        _without_empty_intervals(table),
        chart,
        source=f"{inp.model_source} (modelled); {IMD19}; {LSOA_MYE}, mid-{inp.pop_year}",
        notes=[
            "Each row is the area's own neighbourhoods in that national decile; within a "
            "decile, need also differs with the other deprivation domains and the ages of the "
            "children. The intervals allow for uncertainty in the fitted model, chance in the "
            "area's observed values and districts differing from the model as much as areas "
            "do across England."
            if inp.has_intervals
            else "Each row is the area's own neighbourhoods in that national decile; within a "
            "decile, need also differs between neighbourhoods and with the ages of the children.",
            inp.modelled + ".",
        ],
    )


def _stacked(
    long: pd.DataFrame,
    x: alt.X,
    groups: list[str],
    title: str | alt.TitleParams,
    summary: str,
    horizontal: bool = True,
    value: str = "% of children",
) -> alt.Chart:
    """Stacked bars of need groups, coloured from least to most intensive, labelled in place."""
    labels = [GROUP_LABELS[g] for g in groups]
    colours = [GROUP_COLOURS[GROUPS.index(g)] for g in groups]
    order = {lab: i for i, lab in enumerate(labels)}
    long = long.assign(_order=long["Group"].map(order))
    enc = {
        "color": alt.Color(
            "Group:N",
            sort=labels,
            scale=alt.Scale(domain=labels, range=colours),
            legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=0),
        ),
        "order": alt.Order("_order:Q"),
        "tooltip": [
            "Group:N",
            alt.Tooltip(f"{value}:Q", format=".1f"),
            *([alt.Tooltip("Children:Q", format=",.0f")] if "Children" in long.columns else []),
        ],
    }
    scale = alt.Scale(domain=[0, 100]) if value.startswith("%") and horizontal else alt.Undefined
    if horizontal:
        val = alt.X(f"{value}:Q", stack="zero", title=value, scale=scale)
        base = alt.Chart(long).encode(y=x, x=val, **enc)
    else:
        base = alt.Chart(long).encode(x=x, y=alt.Y(f"{value}:Q", stack="zero", title=value), **enc)
    bars = base.mark_bar()
    dark = [GROUP_LABELS["intensive"]]
    text = base.mark_text(
        **({"align": "right", "dx": -3} if horizontal else {"baseline": "top", "dy": 3}),
        fontSize=11,
    ).encode(
        text=alt.condition(f"datum['{value}'] >= 3", alt.Text("Label:N"), alt.value("")),
        color=alt.condition(
            alt.FieldOneOfPredicate(field="Group", oneOf=dark),
            alt.value("#ffffff"),
            alt.value("#0b0c0c"),
        ),
    )
    chart = (bars + text).properties(title=title, description=summary)
    if horizontal:
        return chart.properties(width=480, height=alt.Step(30))
    return chart.properties(width=480, height=300)


def _whole_interval(inp: _Inputs) -> pd.Series:
    """The 95% interval for the area's 0-19 total."""
    return inp.intervals("band").set_index("band").loc["0-19"]


def _band_measures(inp: _Inputs) -> str:
    """What sets each age band's need, for the by-age section ('' for a plugged-in model)."""
    model = inp.estimate.model
    if not isinstance(model, OutcomeModel):
        return ""
    bands = inp.estimate.by_band().set_index("band")
    text = (
        " Need at each age is measured by a different outcome, so the bands are not directly "
        "comparable"
    )
    others = bands.loc[[b for b in bands.index if b not in ("16-19", "0-19")], "need_pct"]
    if "16-19" in model.anchors and "16-19" in bands.index and len(others):
        older = float(bands.loc["16-19", "need_pct"])
        text += f": for 16-19 year olds it is {model.anchors['16-19'].label}, a narrower measure"
        if older < float(others.min()) / 2:
            text += f", so their share ({pct(older)}) is much lower"
    return text + "."


def need_area(inp: _Inputs) -> Section:
    """Modelled children in each group, by age band and for 0-19, with 95% intervals."""
    area = inp.area
    bands = inp.estimate.by_band()
    table = pd.DataFrame({"Age": bands["band"], "Children (mid-year)": bands["population"]})
    for g in GROUPS:
        table[f"{GROUP_LABELS[g]}: children"] = bands[g]
        table[f"{GROUP_LABELS[g]}: %"] = bands[f"{g}_pct"]
    table["Needing any preventive help: children"] = bands["need"]
    table["Needing any preventive help: %"] = bands["need_pct"]
    table = _with_intervals(table, inp.intervals("band"), "Age", "band")
    total = bands.set_index("band").loc["0-19"]
    iv = _whole_interval(inp)
    summary = (
        f"An estimated (modelled) {pct(total['need_pct'])}"
        f"{_interval_text(iv['need_lower'], iv['need_upper'])} of {area.name}'s 0-19 year olds, "
        f"about {_about(total['need'])} children, are likely to need additional, extra or "
        f"intensive preventive help; {pct(total['intensive_pct'])}"
        f"{_interval_text(iv['intensive_lower'], iv['intensive_upper'])}, about "
        f"{_about(total['intensive'])}, are likely to need intensive help, and "
        f"{pct(total['good_pct'])} are likely to have good or very good outcomes without it."
        + _band_measures(inp)
    )
    long = bands.melt(
        id_vars=["band"], value_vars=[f"{g}_pct" for g in GROUPS], var_name="g", value_name="pct"
    )
    long["Group"] = long["g"].str.removesuffix("_pct").map(GROUP_LABELS)
    long["Children"] = [
        bands.set_index("band").loc[b, g.removesuffix("_pct")]
        for b, g in zip(long["band"], long["g"], strict=True)
    ]
    long = long.rename(columns={"band": "Age", "pct": "% of children"})
    long["Label"] = long["% of children"].map(percent)
    chart = _stacked(
        long[["Age", "Group", "% of children", "Children", "Label"]],
        x=alt.Y("Age:N", sort=[*AGE_BANDS, "0-19"], title="Age"),
        groups=list(GROUPS),
        title=alt.TitleParams(
            "Modelled likely outcomes and need for preventive help, by age",
            subtitle=f"{area.name}, mid-{inp.pop_year} populations",
        ),
        summary=summary,
    )
    notes = [inp.modelled + "."]
    model = inp.estimate.model
    if isinstance(model, OutcomeModel):
        notes.insert(
            0,
            "Outcome behind each age band: "
            + "; ".join(f"{band}: {model.anchors[band].label}" for band in model.fits)
            + ". Each band is calibrated to the area's own observed value (see 'How need is "
            "modelled'). The 95% intervals are in the data table.",
        )
    return Section(
        "need_area",
        "Modelled need for preventive help",
        summary,
        _without_empty_intervals(table),
        chart,
        source=f"{inp.model_source} (modelled); {LSOA_MYE}, mid-{inp.pop_year}",
        notes=notes,
    )


def need_districts(inp: _Inputs) -> Section:
    """Modelled need in each district of the area, with 95% intervals."""
    area = inp.area
    s = inp.estimate.summary("lad_code")
    table = pd.DataFrame(
        {
            "lad_code": s["lad_code"],
            "District": s["lad_code"].map(inp.districts).fillna(s["lad_code"]),
            "Children aged 0-19": s["population"],
            "Modelled children needing preventive help": s["need"],
            NEED_PCT: s["need_pct"],
            INTENSIVE_PCT: s["intensive_pct"],
            "% of the area's modelled need": s["share_of_need"],
            "% of the area's children": s["population"] / s["population"].sum() * 100,
        }
    )
    table = _with_intervals(table, inp.intervals("lad_code"), "lad_code", "lad_code")
    order = ["District", "Children aged 0-19", "Modelled children needing preventive help"]
    order += [NEED_PCT, NEED_LO, NEED_HI, INTENSIVE_PCT, INT_LO, INT_HI]
    order += ["% of the area's modelled need", "% of the area's children"]
    table = table[order].sort_values(NEED_PCT, ascending=False, ignore_index=True)
    whole = inp.estimate.summary().iloc[0]
    iv = _whole_interval(inp)
    whole_text = f"{pct(whole['need_pct'])}{_interval_text(iv['need_lower'], iv['need_upper'])}"
    if len(table) == 1:
        summary = (
            f"{area.name} has a single district, so all of its modelled need falls there: "
            f"{whole_text} of children aged 0-19."
        )
    else:
        top, low = table.iloc[0], table.iloc[-1]
        share = "% of the area's modelled need"
        biggest = table.sort_values(share).iloc[-1]
        summary = (
            f"Across {area.name}'s districts, modelled need ranges from {pct(top[NEED_PCT])}"
            f"{_interval_text(top[NEED_LO], top[NEED_HI])} of children in {top['District']} to "
            f"{pct(low[NEED_PCT])}{_interval_text(low[NEED_LO], low[NEED_HI])} in "
            f"{low['District']}; the whole area's is {whole_text}. "
            f"{biggest['District']} holds the largest share of the area's modelled need, "
            f"{pct(biggest[share])}."
        )
    plot = table.rename(
        columns={"% of the area's modelled need": "Share of area need %", **PLOT_INTERVALS}
    )
    plot["Label"] = plot[NEED_PCT].map(percent)
    plot["Label at"] = plot["Interval upper"].fillna(plot[NEED_PCT])  # clear of the intervals
    sort = plot["District"].tolist()
    base = alt.Chart(plot).encode(
        y=alt.Y("District:N", sort=sort, title=None),
        tooltip=[
            "District",
            alt.Tooltip("Children aged 0-19:Q", format=",.0f"),
            alt.Tooltip(f"{NEED_PCT}:Q", format=".1f"),
            alt.Tooltip("Interval lower:Q", format=".1f", title="95% interval: lower"),
            alt.Tooltip("Interval upper:Q", format=".1f", title="95% interval: upper"),
            alt.Tooltip("Modelled children needing preventive help:Q", format=",.0f"),
            alt.Tooltip(
                "Share of area need %:Q", format=".1f", title="% of the area's modelled need"
            ),
        ],
    )
    bars = base.mark_bar(color=PALETTE[2]).encode(
        x=alt.X(f"{NEED_PCT}:Q", title="Modelled % of children aged 0-19 needing preventive help")
    )
    labels = base.mark_text(align="left", dx=4, fontSize=12, color="#0b0c0c").encode(
        x="Label at:Q", text="Label:N"
    )
    rule = (
        alt.Chart(pd.DataFrame({"x": [whole["need_pct"]], "what": [area.name]}))
        .mark_rule(strokeDash=[6, 4], color=PALETTE[0], strokeWidth=2)
        .encode(x="x:Q", tooltip=[alt.Tooltip("what:N", title="Whole area")])
    )
    errors = _error_bars(plot, "District", sort, horizontal=True)
    chart = (bars + errors + labels + rule).properties(
        title=alt.TitleParams(
            "Modelled % of children needing preventive help",
            subtitle="By district"
            + ("; black lines: 95% intervals" if inp.has_intervals else "")
            + f"; dashed: {area.name} as a whole",
        ),
        width=480,
        height=alt.Step(24),
        description=summary,
    )
    return Section(
        "need_districts",
        "Modelled need by district",
        summary,
        _without_empty_intervals(table),
        chart,
        source=f"{inp.model_source} (modelled); {LSOA_MYE}, mid-{inp.pop_year}",
        notes=[inp.modelled + "."],
    )


def need_quintiles(inp: _Inputs) -> Section:
    """Where the modelled need falls by national IMD quintile, against where children live."""
    area = inp.area
    s = inp.estimate.summary("imd_quintile").set_index("imd_quintile").reindex(range(1, 6))
    s[["population", "need"]] = s[["population", "need"]].fillna(0.0)
    table = pd.DataFrame(
        {
            "IMD 2019 quintile (1 = most deprived 20%)": range(1, 6),
            "Children aged 0-19": s["population"].to_numpy(),
            "% of the area's children": (s["population"] / s["population"].sum() * 100).to_numpy(),
            "Modelled children needing preventive help": s["need"].to_numpy(),
            "% of the area's modelled need": (s["need"] / s["need"].sum() * 100).to_numpy(),
            "Modelled % needing preventive help": s["need_pct"].to_numpy(),
        }
    )
    need2 = table["% of the area's modelled need"].iloc[:2].sum()
    kids2 = table["% of the area's children"].iloc[:2].sum()
    need45 = table["% of the area's modelled need"].iloc[3:].sum()
    kids45 = table["% of the area's children"].iloc[3:].sum()
    if kids2 == 0:
        summary = (
            f"None of {area.name}'s children live in England's most deprived 40% of "
            f"neighbourhoods, so none of its modelled need is there; {pct(need45)} of it is in "
            f"the least deprived 40%, where {pct(kids45)} of its children live."
        )
    else:
        summary = (
            f"{pct(need2)} of {area.name}'s modelled need for preventive help is among children "
            f"living in England's most deprived 40% of neighbourhoods, where {pct(kids2)} of its "
            f"children live; {pct(need45)} is in the least deprived 40% ({pct(kids45)} of "
            "children)."
        )
    summary += (
        " Services can use these shares to check whether help reaches children where need is."
    )
    long = table.melt(
        id_vars=["IMD 2019 quintile (1 = most deprived 20%)"],
        value_vars=["% of the area's children", "% of the area's modelled need"],
        var_name="Measure",
        value_name="Percent",
    ).rename(columns={"IMD 2019 quintile (1 = most deprived 20%)": "Quintile"})
    long["Label"] = long["Percent"].map(percent)
    measures = ["% of the area's children", "% of the area's modelled need"]
    base = alt.Chart(long).encode(
        x=alt.X(
            "Quintile:O",
            title="IMD 2019 national quintile (1 = most deprived 20%)",
            axis=alt.Axis(labelAngle=0),
        ),
        xOffset=alt.XOffset("Measure:N", sort=measures),
        y=alt.Y("Percent:Q", title="% of the area's total"),
        tooltip=["Quintile:O", "Measure:N", alt.Tooltip("Percent:Q", format=".1f")],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "Measure:N",
            sort=measures,
            scale=alt.Scale(domain=measures, range=[PALETTE[1], PALETTE[2]]),
            legend=alt.Legend(title=None, labelLimit=0),
        )
    )
    text = base.mark_text(dy=-6, fontSize=10).encode(text="Label:N")
    chart = (bars + text).properties(
        title="Share of children and of modelled need by national deprivation quintile",
        width=520,
        height=280,
        description=summary,
    )
    return Section(
        "need_quintiles",
        "Where modelled need falls by deprivation",
        summary,
        table,
        chart,
        source=f"{inp.model_source} (modelled); {IMD19}; {LSOA_MYE}, mid-{inp.pop_year}",
        notes=[inp.modelled + "."],
    )


# --- projection ---------------------------------------------------------------------------


def projection(inp: _Inputs, data_dir: Path | str | None, horizon: int | None = None) -> Section:
    """0-19 population and modelled need by group, data year to horizon (each neighbourhood's
    need proportions held fixed)."""
    area = inp.area
    proj = load_table("population_projections", data_dir)
    first_year, last_year = int(proj["year"].min()), int(proj["year"].max())
    base = int(min(max(inp.pop_year, first_year), last_year))
    start = int(min(max(inp.year, base), last_year))
    end = int(min(horizon or start + HORIZON, last_year))
    end = max(end, start)
    years = list(range(start, end + 1))
    growth = band_growth(proj, area.code, base, years)
    projected = project_populations(band_populations(inp.lsoas), growth)
    long = project_need(inp.estimate.proportions, projected)
    wide_n = long.pivot(index="year", columns="group", values="children")
    wide_p = long.pivot(index="year", columns="group", values="percent")
    table = pd.DataFrame({"Year": wide_n.index.astype(int)})
    table["Children aged 0-19"] = wide_n[list(GROUPS)].sum(axis=1).to_numpy()
    for g in GROUPS:
        table[f"{GROUP_LABELS[g]}: children"] = wide_n[g].to_numpy()
        table[f"{GROUP_LABELS[g]}: %"] = wide_p[g].to_numpy()
    table["Needing any preventive help: children"] = wide_n["need"].to_numpy()
    table["Needing any preventive help: %"] = wide_p["need"].to_numpy()
    a, b = table.iloc[0], table.iloc[-1]
    pop_col, need_col, share_col = (
        "Children aged 0-19",
        "Needing any preventive help: children",
        "Needing any preventive help: %",
    )
    moved = points_change(a[share_col], b[share_col])
    share_text = "stays the same" if moved == "no change" else f"is {moved}"
    summary = (
        f"By {end}, {area.name}'s 0-19 population is projected to "
        f"{_verb(change(a[pop_col], b[pop_col]))} on {start} (to about {_about(b[pop_col])}), "
        "and the modelled number of children likely to need preventive help to "
        f"{_verb(change(a[need_col], b[need_col]))} (to about {_about(b[need_col])}). The "
        f"modelled share needing help {share_text} ({pct(b[share_col])}): each neighbourhood's "
        "need is held fixed, so only the changing age mix moves it."
    )
    plot = long[long["group"].isin(NEED_GROUPS)].copy()
    plot["Group"] = plot["group"].map(GROUP_LABELS)
    plot["Year"] = plot["year"].astype(str)
    plot = plot.rename(columns={"children": "Children", "percent": "% of children"})
    plot["Label"] = plot["Children"].map(count)
    chart = _stacked(
        plot[["Year", "Group", "Children", "% of children", "Label"]],
        x=alt.Y("Year:O", title="Year (mid-year)"),
        groups=list(NEED_GROUPS),
        title=f"Projected number of children likely to need preventive help, {start}-{end}",
        summary=summary,
        value="Children",
    )
    return Section(
        "projection",
        "Projected population and modelled need",
        summary,
        table,
        chart,
        source=f"{SNPP}, {base}-{end}; {LSOA_MYE}, mid-{inp.pop_year}; {inp.model_source}",
        notes=[
            f"Each neighbourhood's mid-{inp.pop_year} population in each age band is scaled by "
            f"{area.name}'s projected growth in that band since {base}, and its modelled need "
            "proportions are held fixed. Projections exist only for whole areas, so faster growth "
            "in deprived neighbourhoods (which raised need in the 2015 Worcestershire needs "
            "assessment) is not captured. Need at 16-19 is measured by a narrower outcome than "
            "at younger ages, so a growing share of 16-19 year olds lowers the projected share "
            "through how need is measured, not through a real change.",
            "Projections are 2018-based and predate the 2021 Census. " + inp.modelled + ".",
        ],
    )


def _verb(phrase: str) -> str:
    """'rose by 2%' -> 'rise by 2%' (for 'projected to ...')."""
    return (
        phrase.replace("rose", "rise")
        .replace("fell", "fall")
        .replace("was unchanged", "stay about the same")
        .replace("cannot be compared", "change by an unknown amount")
    )


# --- sortable tables ----------------------------------------------------------------------

SORT_SCRIPT = """<script>
(function () {
  function key(text) {
    var t = text.replace(/[,%\\s]/g, "");
    return t !== "" && !isNaN(t) ? parseFloat(t) : text.trim().toLowerCase();
  }
  function enhance(table) {
    if (table.dataset.sortable) return;
    table.dataset.sortable = "1";
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var label = th.textContent;
      th.textContent = "";
      var b = document.createElement("button");
      b.type = "button";
      b.className = "needsbook-sort";
      b.textContent = label;
      b.title = "Sort by " + label;
      th.appendChild(b);
      th.setAttribute("aria-sort", "none");
      b.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var a = key(r1.cells[col].textContent), z = key(r2.cells[col].textContent);
          var c = (typeof a === typeof z) ? (a < z ? -1 : a > z ? 1 : 0)
                                          : (typeof a === "number" ? -1 : 1);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  function run() { document.querySelectorAll("table.needsbook-data").forEach(enhance); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
</script>
<style>
button.needsbook-sort { all: unset; cursor: pointer; font-weight: bold; }
button.needsbook-sort:focus-visible { outline: 3px solid #ffdd00; }
th[aria-sort="ascending"] button.needsbook-sort::after { content: " \\25B2"; }
th[aria-sort="descending"] button.needsbook-sort::after { content: " \\25BC"; }
</style>"""


def show_sortable_tables() -> None:
    """Make every data table on the page sortable by its column headings (keyboard-accessible
    buttons with ``aria-sort``); the tables stay plain HTML without JavaScript."""
    from IPython.display import HTML, display

    display(HTML(SORT_SCRIPT))


# --- chapter ------------------------------------------------------------------------------


def build(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    horizon: int | None = None,
    model: NeedModel | None = None,
    observed: float | Observation | None = None,
    only: tuple[str, ...] | None = None,
    local_dir: Path | str | None = None,
) -> Chapter:
    """All sections of the deprivation and need chapter for one area and data year.

    ``model`` replaces the default need model; ``observed`` (% of children not reaching a good
    level of development) is the calibration target for such a model (the default model is
    calibrated to each age band's own observed outcome). Without ``model``, the council's own
    model is used when its local folder (``local_dir``, else ``data/local/<area code>/``) holds
    a filled ``need_model.csv``: as supplied, never calibrated.
    ``only`` builds just the sections with those keys (e.g. for the summary), in chapter order.
    """
    area = resolve_area(area_code, data_dir)
    england = england_lsoas(year, data_dir)
    lsoas = england[england["utla_code"] == area.code].reset_index(drop=True)
    lsoas.attrs = dict(england.attrs)
    if model is None:
        model = load_local_model(local_dir, area.code, data_dir)
    estimate = estimate_need(
        area.code,
        year,
        data_dir,
        model=model,
        observed=observed,
        calibrate=not isinstance(model, SharesModel),
    )
    inp = _Inputs(area, int(year), england, lsoas, estimate, _district_names(area))
    builders = {
        "deprived_areas": lambda: deprived_areas(inp, data_dir),
        "latest_index": lambda: latest_index(inp, data_dir),
        "deciles": lambda: deciles(inp),
        "districts": lambda: districts(inp, data_dir),
        "idaci": lambda: idaci(inp, data_dir),
        "locator": lambda: locator(inp, data_dir),
        "maps": lambda: maps(inp, data_dir),
        "model": lambda: model_parameters(inp),
        "model_deciles": lambda: model_deciles(inp),
        "need_area": lambda: need_area(inp),
        "need_districts": lambda: need_districts(inp),
        "need_quintiles": lambda: need_quintiles(inp),
        "projection": lambda: projection(inp, data_dir, horizon),
    }
    sections = [make() for key, make in builders.items() if only is None or key in only]
    for s in sections:  # each float column's decimals by the book's rule (needsbook.formatting)
        apply_decimals(s.table)
    return Chapter(area.code, area.name, int(year), sections)


__all__ = ["build", "show_sortable_tables"]
