"""The Healthy Child Programme page: its levels by life stage, the five mandated health visitor
reviews with the open data that bears on each (and the council's own coverage figures where it
supplied them), the eight Universal Plus / Universal Partnership Plus pathways with links to
the outcomes they bear on, and the health visitor's roles.

The programme's facts come from :mod:`needsbook.offer.hcp`; every indicator value, England
value and verdict is the benchmarking engine's (:func:`needsbook.outcomes.findings.findings`);
local coverage is the services chapter's (:func:`needsbook.services.local_other.health_visiting`,
small numbers hidden the same way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from needsbook.areas import Area, resolve_area
from needsbook.chapters.base import Chapter, Section
from needsbook.chapters.text import and_join, lower_first
from needsbook.charts import PALETTE
from needsbook.escape import html_text
from needsbook.formatting import percent
from needsbook.local.dates import is_historical, period_points, span_of
from needsbook.local.templates import TEMPLATES
from needsbook.offer import hcp as model
from needsbook.outcomes.findings import Finding, findings

HV = "health_visiting_reviews"
OPEN, LOCAL, NONE = "Open data", "Council's records", "No open data"
#: Headings of the outcomes chapter that hold an indicator's finding (the page's anchors).
OUTCOMES_PAGE = "03_outcomes.html"
OUTCOMES_HEADINGS = {
    "life_stages": "What the indicators show, by life stage",
    "social_care": "Children in need, on child protection plans and looked after",
}
PROGRAMME_SOURCE = (
    "Healthy Child Programme 0-5 best practice pathways; OHID Healthy Child Programme schedule "
    "of interventions guide; Department of Health (2009) Getting it right for children and "
    "families; each row names its publications"
)
COVERAGE = "Reviews completed in time"


@dataclass
class HealthyChildChapter(Chapter):
    """The page's sections, with the sentences its key findings are made of."""

    findings: list[str] = field(default_factory=list)
    #: Per pathway (in table order), the outcome indicators it links to: (name, target).
    pathway_links: list[list[tuple[str, str]]] = field(default_factory=list)

    @property
    def key_findings(self) -> list[str]:
        return self.findings


def short_name(review: str) -> str:
    """A review's name without its bracketed other name: "New baby review"."""
    return re.sub(r"\s*\(.*\)$", "", review)


def slug(heading: str) -> str:
    """The anchor the book gives a heading: lower case, other characters as hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def outcome_link(indicator_id: str) -> str:
    """The outcomes chapter's heading that holds the indicator's finding, as a link target."""
    key = "social_care" if indicator_id.startswith("csc:") else "life_stages"
    return f"{OUTCOMES_PAGE}#{slug(OUTCOMES_HEADINGS[key])}"


# --- levels by life stage ---------------------------------------------------------------------


def levels_section(area_name: str, hcp: model.Hcp) -> Section:
    table = model.levels_grid(hcp)
    stages = [model.stage_heading(s) for s in hcp.data["stages"]]
    summary = (
        f"The Healthy Child Programme offers every family in {area_name} the same four levels "
        "of support, from the community offer to Universal Partnership Plus, across "
        f"{and_join([lower_first(s) for s in stages])}. Each level builds on the one before: "
        "Universal Plus adds expert help for a specific need, and Universal Partnership Plus "
        "adds continuing support from other services for complex needs."
    )
    return Section(
        "levels",
        "Levels of the Healthy Child Programme by life stage",
        summary,
        table,
        None,
        source=PROGRAMME_SOURCE,
        notes=[
            "The current guidance calls the levels community, universal, targeted and "
            "specialist; Universal Plus and Universal Partnership Plus are the health visiting "
            "model's names (their correspondence with targeted and specialist is implied by the "
            "published sources, not stated)."
        ],
    )


# --- mandated reviews ---------------------------------------------------------------------------


def _coverage(area: Area, year: int, folder: Path | None, data_dir: Any) -> pd.DataFrame | None:
    """The council's latest coverage of each mandated review (small numbers hidden as in the
    services chapter), or None when it supplied none."""
    if folder is None:
        return None
    from needsbook.local import load_local
    from needsbook.services.common import LocalContext
    from needsbook.services.local_other import health_visiting

    data = load_local(folder, area, data_dir)
    table = data.tables.get(HV)
    if table is None or table.empty:
        return None
    empty = pd.DataFrame()
    ctx = LocalContext(area, year, data, folder, empty, empty, year, empty)
    hv = health_visiting(ctx)
    if hv is None:
        return None
    out = pd.DataFrame(
        {"review": hv.attrs["review_codes"], "quarter": hv["Quarter"], "percent": hv["Coverage %"]}
    )
    out = out.sort_values("quarter", kind="stable").groupby("review").tail(1)
    old = is_historical(span_of(HV, table), year)
    out["label"] = [period_points("quarter", q)[1][2] for q in out["quarter"]]
    out["historical"] = old
    return out.set_index("review")


def _row(contact: dict[str, Any], **cells: object) -> dict[str, object]:
    base: dict[str, object] = {
        "Review": contact["name"],
        "When": contact["timing"],
        "Kind": "",
        "Measure": "",
        "How it relates to the review": "",
        "Period": "",
        "Value": np.nan,
        "England": np.nan,
        "Compared with England": "",
        "Unit": "",
        "Source": "",
    }
    return {**base, **cells}


def contact_rows(
    hcp: model.Hcp, items: dict[str, Finding], coverage: pd.DataFrame | None
) -> pd.DataFrame:
    """One row per mandated review and measure: the open data indicators that bear on it (the
    engine's values and verdicts) or "No open data", then its coverage from the council's
    records, or the local data that would give it."""
    from needsbook.services.common import SOURCE_NAMES

    template = TEMPLATES[HV].title
    rows = []
    for m in hcp.data["contact_measures"]:
        contact = hcp.contact(m["contact"])
        for ind in m["indicators"]:
            f = items.get(ind["id"])
            if f is None:
                continue
            rows.append(
                _row(
                    contact,
                    Kind=OPEN,
                    Measure=f.name,
                    **{"How it relates to the review": ind["relation"]},
                    Period=f.period,
                    Value=np.nan if f.value is None else f.value,
                    England=np.nan if f.england is None else f.england,
                    **{"Compared with England": f.label},
                    Unit=f.indicator.unit,
                    Source=f.indicator.source,
                )
            )
        if not any(items.get(i["id"]) for i in m["indicators"]):
            rows.append(
                _row(
                    contact,
                    Kind=NONE,
                    Measure="No open data on this review in the book's data",
                    Source=contact["source"][0],
                )
            )
        if coverage is not None and m["review"] in coverage.index:
            c = coverage.loc[m["review"]]
            period = c["label"] + (" (historical context)" if c["historical"] else "")
            rows.append(
                _row(
                    contact,
                    Kind=LOCAL,
                    Measure=COVERAGE,
                    **{"How it relates to the review": "completed in time / children due x 100"},
                    Period=period,
                    Value=c["percent"],
                    **{"Compared with England": "No national figure"},
                    Unit="%",
                    Source=SOURCE_NAMES[HV],
                )
            )
        else:
            rows.append(
                _row(
                    contact,
                    Kind=LOCAL,
                    Measure=f"{COVERAGE}: not supplied",
                    **{"How it relates to the review": f"would come from local data: {template}"},
                    **{"Compared with England": "Not supplied"},
                    Source=SOURCE_NAMES[HV],
                )
            )
    table = pd.DataFrame(rows)
    table.attrs["decimals"] = {"Value": 1, "England": 1}
    return table


def contacts_chart(table: pd.DataFrame, area_name: str, summary: str) -> alt.Chart | None:
    """The area's and England's value of each measure with data (shape and colour mark which)."""
    shown = table[table["Value"].notna() | table["England"].notna()]
    if shown.empty:
        return None
    label = shown["Review"].map(short_name) + ": " + shown["Measure"]
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "Measure": label,
                    "Series": np.where(shown["Kind"] == LOCAL, f"{area_name} (local)", area_name),
                    "Value": shown["Value"],
                }
            ),
            pd.DataFrame({"Measure": label, "Series": "England", "Value": shown["England"]}),
        ]
    ).dropna(subset=["Value"])
    marks = dict(zip([area_name, f"{area_name} (local)", "England"], range(3), strict=True))
    series = [x for x in marks if x in set(long["Series"])]
    colours = [[PALETTE[0], PALETTE[1], PALETTE[3]][marks[x]] for x in series]
    shapes = [["circle", "square", "diamond"][marks[x]] for x in series]
    return (
        alt.Chart(long)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            x=alt.X("Value:Q", title="Per cent", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y(
                "Measure:N",
                title=None,
                sort=list(dict.fromkeys(label)),
                axis=alt.Axis(labelLimit=360),
            ),
            color=alt.Color(
                "Series:N",
                scale=alt.Scale(domain=series, range=colours),
                title=None,
            ),
            shape=alt.Shape(
                "Series:N",
                scale=alt.Scale(domain=series, range=shapes),
                title=None,
            ),
            tooltip=["Measure:N", "Series:N", alt.Tooltip("Value:Q", format=".1f")],
        )
        .properties(
            width=320,
            height=alt.Step(28),
            title=f"Mandated health visitor reviews: what the data show for {area_name}",
            description=summary,
        )
    )


def contacts_section(
    area: Area, hcp: model.Hcp, items: dict[str, Finding], coverage: pd.DataFrame | None
) -> tuple[Section, list[str]]:
    """The mandated reviews section and the sentences it contributes to the key findings."""
    table = contact_rows(hcp, items, coverage)
    names = {
        m["contact"]: short_name(hcp.contact(m["contact"])["name"])
        for m in hcp.data["contact_measures"]
    }
    measured = [
        names[m["contact"]]
        for m in hcp.data["contact_measures"]
        if any(i["id"] in items for i in m["indicators"])
    ]
    unmeasured = [n for n in names.values() if n not in measured]
    opened = table[table["Kind"] == OPEN]
    sentences = [
        items[i].sentence
        for m in hcp.data["contact_measures"]
        for i in [x["id"] for x in m["indicators"]]
        if i in items
    ]
    head = (
        f"Every family with a young child in {area.name} should have five mandated health "
        f"visitor reviews. Open data bears on {len(measured)} of them through {len(opened)} "
        f"indicators (on the {and_join([lower_first(n) for n in measured])}); none counts how "
        "many reviews were done. "
    )
    if unmeasured:
        head += (
            f"The book's data has no open figure on the "
            f"{and_join([lower_first(n) for n in unmeasured])}. "
        )
    local = table[(table["Kind"] == LOCAL) & ~table["Measure"].str.endswith("not supplied")]
    if len(local):
        shown = local.dropna(subset=["Value"])
        periods = list(dict.fromkeys(shown["Period"]))
        parts = [
            f"{lower_first(short_name(r['Review']))} {percent(r['Value'])}"
            + ("" if len(periods) == 1 else f" ({r['Period']})")
            for _, r in shown.iterrows()
        ]
        hidden = len(local) - len(shown)
        when = f" ({periods[0]})" if len(periods) == 1 else ""
        tail = (
            "The council's health visiting records give the share of children who had each "
            f"review in time in the latest quarter{when}: "
            f"{and_join(parts) if parts else 'none can be shown'}"
            + (
                f"; {hidden} {'is' if hidden == 1 else 'are'} not shown (fewer than 5)"
                if hidden
                else ""
            )
            + "."
        )
    else:
        tail = (
            "The council's health visiting records were not supplied: they would add how many "
            f"children had each review in time (local data: {TEMPLATES[HV].title})."
        )
    summary = head + " ".join(sentences) + (" " if sentences else "") + tail
    section = Section(
        "contacts",
        "The mandated health visitor reviews and what the data show",
        summary,
        table,
        contacts_chart(table, area.name, summary),
        source=(
            "Service model of the Worcestershire 2015 needs assessment (the reviews); indicator "
            "sources in the table; the council's health visiting records where supplied"
        ),
        notes=[
            "The five reviews have been a duty on local authorities since 1 October 2015. The "
            "comparison with England is the one the outcomes chapter makes: a significance test "
            "where the data have confidence intervals, else the fifth of English areas.",
            "Counts of 1 to 4, and the percentages worked out from them, are not shown.",
        ],
    )
    first = (
        f"Open data bears on {len(measured)} of the five mandated health visitor reviews in "
        f"{area.name}; none counts how many reviews were done."
    )
    return section, [first, *sentences, tail]


# --- pathways and roles -------------------------------------------------------------------------


def pathways_section(
    area_name: str, hcp: model.Hcp, items: dict[str, Finding]
) -> tuple[Section, list[list[tuple[str, str]]]]:
    """The pathways section, and each pathway's links to the outcomes it bears on."""
    p = model.pathways(hcp)
    catalogue = {f.indicator_id: f for f in items.values()}
    p["Outcome indicators in this book"] = [
        "; ".join(catalogue[i].name for i in ids if i in catalogue) or "None in this book"
        for ids in p["indicator_ids"]
    ]
    table = p.drop(columns=["id", "indicator_ids"])
    linked = sum(bool(set(ids) & set(catalogue)) for ids in p["indicator_ids"])
    summary = (
        f"Beyond the universal pathway, from preconception to 5 years, the programme has "
        f"{len(p)} Universal Plus and Universal Partnership Plus pathways for families in "
        f"{area_name} who need more: {and_join(list(p['Pathway']))}. The antenatal pathway "
        "runs from notification of pregnancy to the new birth; the others from the new birth "
        f"to 5 years. {linked} of them bear on outcomes this book measures: the links go to "
        "where the outcomes chapter reports them."
    )
    links = [
        [(catalogue[i].name, outcome_link(i)) for i in ids if i in catalogue]
        for ids in p["indicator_ids"]
    ]
    section = Section(
        "pathways",
        "The eight Universal Plus and Universal Partnership Plus pathways",
        summary,
        table,
        None,
        source=PROGRAMME_SOURCE,
        notes=[
            "The indicators linked are those in this book that a pathway's theme bears on, to "
            "help find them: they do not measure the pathway itself."
        ],
    )
    return section, links


def roles_section(area_name: str, hcp: model.Hcp) -> Section:
    table = model.roles(hcp)
    summary = (
        f"Health visitors lead the Healthy Child Programme for families with young children in "
        f"{area_name}. Their role has {len(table)} parts: "
        f"{and_join([lower_first(r) for r in table['Role']])}."
    )
    return Section(
        "roles",
        "What health visitors do",
        summary,
        table,
        None,
        source=str(table["Source"].iloc[0]),
    )


def pathways_html(section: Section, links: list[list[tuple[str, str]]]) -> str:
    """The pathways as a table whose outcome indicators link to the outcomes chapter."""
    t = section.table
    heads = ["Pathway", "What it covers", "Levels", "Partners", "Life stage"]
    head = "".join(
        f"<th scope='col'>{html_text(h)}</th>" for h in [*heads, "Outcomes in this book"]
    )
    body = []
    for (_, row), found in zip(t.iterrows(), links, strict=True):
        cells = "".join(f"<td>{html_text(row[h])}</td>" for h in heads)
        outs = (
            "<br>".join(
                f"<a href='{html_text(href)}'>{html_text(name)}</a>" for name, href in found
            )
            if found
            else "None in this book"
        )
        body.append(f"<tr>{cells}<td>{outs}</td></tr>")
    return (
        "<table class='needsbook-data'>\n"
        f"<caption>{html_text(section.title)}</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"
    )


# --- chapter ------------------------------------------------------------------------------------


def build(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    local_dir: Path | str | None = None,
) -> HealthyChildChapter:
    """The page for one area and data year (the council's coverage where it supplied it)."""
    from needsbook.local.folder import local_folder

    area = resolve_area(area_code, data_dir)
    hcp = model.load_hcp()
    items = {f.indicator_id: f for f in findings(area.code, int(year), data_dir)}
    folder = local_folder(area.code, local_dir or None, data_dir)
    coverage = _coverage(area, int(year), folder, data_dir)
    contacts, said = contacts_section(area, hcp, items, coverage)
    pathways, links = pathways_section(area.name, hcp, items)
    sections = [levels_section(area.name, hcp), contacts, pathways, roles_section(area.name, hcp)]
    return HealthyChildChapter(
        area.code, area.name, int(year), sections, findings=said, pathway_links=links
    )


def show_pathways(chapter: HealthyChildChapter) -> None:
    """The pathways with their links, in place of the usual collapsed table (and its CSV)."""
    from needsbook.chapters.display import show_in_place

    section = chapter.section("pathways")
    show_in_place(chapter, section, pathways_html(section, chapter.pathway_links))
