"""Chapter 5, evidence review: what works for the outcomes that are worse than England or getting
worse in the area, and the Healthy Child Programme service model with the cells the area's local
data describes (seed report's evidence review and Appendix 1; seed-analysis §4 and §6).

The catalogue is ``data/evidence/programmes.yml`` (:mod:`needsbook.evidence`); this module
arranges it into sections with text, charts and tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from needsbook.areas import resolve_area
from needsbook.chapters.base import Chapter, Section
from needsbook.chapters.text import and_join, lower_first
from needsbook.evidence.catalogue import SEP, Catalogue, load_catalogue, load_service_model
from needsbook.evidence.concerns import Concerns, concerns, matching
from needsbook.evidence.coverage import (
    DESCRIBED,
    NO_LOCAL_DATA,
    NOT_DESCRIBED,
    contacts,
    grid,
    high_impact_areas,
    supplied_templates,
)
from needsbook.evidence.search_table import searchable_table
from needsbook.evidence.strength import RANK, STRENGTHS, strengths
from needsbook.outcomes.catalogue import load_catalogue as load_indicator_catalogue
from needsbook.outcomes.findings import findings

CATALOGUE_SOURCE = (
    "needsbook evidence catalogue (data/evidence/programmes.yml): the model report's evidence "
    "review and Appendix 1 (Worcestershire Early Help Needs Assessment, 2015), with each "
    "rating's own source and date"
)
MODEL_SOURCE = (
    "Healthy Child Programme service model (data/evidence/service_model.yml) from the model "
    "reports (OHID HCP schedule; health visiting service model 2009-2015)"
)
CAVEAT = (
    "A rating shows how strong the evidence is that a programme worked where it was tested. "
    "It is not a recommendation to commission it here: fit with local need, cost, workforce and "
    "delivery as designed (fidelity) matter as much."
)
STRENGTH_COLOURS = {
    "strong": "#12436D",
    "moderate": "#28A197",
    "weak": "#F46A25",
    "not graded": "#b1b4b6",
}
STATUS_COLOURS = {DESCRIBED: "#12436D", NOT_DESCRIBED: "#f3f2f1", NO_LOCAL_DATA: "#ffffff"}
LEVEL_TITLES = {
    "community": "Community",
    "universal": "Universal",
    "targeted": "Targeted",
    "specialist": "Specialist",
}


@dataclass
class EvidenceChapter(Chapter):
    """The evidence chapter, with the searchable catalogue's HTML."""

    programmes_html: str = ""
    concerns: Concerns = field(default_factory=Concerns)


def domain_titles() -> dict[str, str]:
    """Outcome-star domain id -> title, in catalogue order (``data/indicators.yml``)."""
    return dict(load_indicator_catalogue().star_domains)


def _finding_text(f: Any) -> str:
    return f"{lower_first(f.name)} ({f.indicator.format(f.value)}, {f.period})"


# --- outcomes of concern and the catalogue by domain ----------------------------------------


def by_domain(
    area_name: str, cat: Catalogue, strength: pd.Series, c: Concerns, titles: dict[str, str]
) -> Section:
    counts = (
        cat.domains.assign(strength=lambda d: d["programme_id"].map(strength))
        .groupby(["outcome_domain", "strength"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=list(titles), columns=list(STRENGTHS), fill_value=0)
    )
    concern_doms = [d for d in titles if d in c.domains]
    table = pd.DataFrame(
        {
            "Outcome domain": [titles[d] for d in counts.index],
            "Of concern": ["Yes" if d in c.domains else "No" for d in counts.index],
            "Findings of concern": [
                "; ".join(_finding_text(f) for f in c.domains.get(d, [])) for d in counts.index
            ],
            **{f"Entries: {s}": counts[s].astype(int).to_numpy() for s in STRENGTHS},
            "Entries: all": counts.sum(axis=1).astype(int).to_numpy(),
        }
    )
    if c:
        in_domains = [f for f in c.findings if f.indicator.domain]
        summary = (
            f"In {area_name}, {len(c.findings)} outcome indicator"
            f"{' is' if len(c.findings) == 1 else 's are'} worse than England or getting worse"
        )
        if concern_doms:
            summary += (
                f", {len(in_domains)} of them in the outcome "
                f"domain{'s' if len(concern_doms) > 1 else ''} "
                f"{and_join([lower_first(titles[d]) for d in concern_doms])}. "
            )
        else:
            summary += ", none of them in an outcome-star domain. "
        summary += (
            f"They are: {and_join([_finding_text(f) for f in c.findings])}. The programme table "
            "below opens on the entries for these domains and indicators. "
        )
    else:
        summary = (
            f"In {area_name}, no outcome indicator is worse than England or getting worse, so "
            "the programme table below shows the whole catalogue. "
        )
    strong = int((strength == "strong").sum())
    summary += (
        f"The catalogue holds {len(cat.programmes)} programmes, approaches, services and "
        f"assessment tools from the model report's evidence review; {strong} have strong evidence "
        "(4 stars on the model report's PPET scale, a NICE recommendation, or Early Intervention "
        "Foundation level 3 or 4)."
    )
    long = counts.reset_index(names="domain").melt(
        id_vars="domain", var_name="strength", value_name="entries"
    )
    long["domain_label"] = [
        titles[d] + (" (of concern)" if d in c.domains else "") for d in long["domain"]
    ]
    long["strength_order"] = long["strength"].map(RANK)
    totals = pd.DataFrame({"total": table["Entries: all"].to_numpy()}).assign(
        domain_label=[
            titles[d] + (" (of concern)" if d in c.domains else "") for d in counts.index
        ],
        label=[
            f"{int(counts.loc[d].sum())} entries, {int(counts.loc[d, 'strong'])} strong"
            for d in counts.index
        ],
    )
    order = list(totals["domain_label"])
    y = alt.Y("domain_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    bars = (
        alt.Chart(long)
        .mark_bar(stroke="#0b0c0c", strokeWidth=0.5)
        .encode(
            y=y,
            x=alt.X("sum(entries):Q", title="Catalogue entries addressing the domain"),
            color=alt.Color(
                "strength:N",
                title="Strength of evidence",
                scale=alt.Scale(
                    domain=list(STRENGTHS), range=[STRENGTH_COLOURS[s] for s in STRENGTHS]
                ),
                sort=list(STRENGTHS),
            ),
            order=alt.Order("strength_order:Q"),
            tooltip=[
                alt.Tooltip("domain_label:N", title="Domain"),
                alt.Tooltip("strength:N", title="Strength"),
                alt.Tooltip("entries:Q", title="Entries"),
            ],
        )
    )
    labels = (
        alt.Chart(totals)
        .mark_text(align="left", dx=4, fontSize=11)
        .encode(y=y, x=alt.X("total:Q"), text="label:N")
    )
    chart = (bars + labels).properties(
        width=300,
        height=28 * len(order),
        title=alt.Title(
            "Evidence catalogue entries by outcome domain and strength of evidence",
            subtitle=[
                "Each bar is labelled with its total and strong-evidence counts; '(of concern)'",
                "marks the area's domains that are worse than England or getting worse.",
            ],
        ),
        description=summary,
    )
    return Section(
        "domains",
        "Outcomes of concern and the evidence for each outcome domain",
        summary,
        table,
        chart,
        source=f"{CATALOGUE_SOURCE}; outcome findings from the Outcomes chapter",
        notes=[
            "An outcome is of concern when it is significantly worse than England, in the worst "
            "two fifths of English areas (for indicators published without confidence "
            "intervals), or getting worse over the last five years of data. Each domain's "
            "indicators are listed in data/indicators.yml.",
            CAVEAT,
        ],
    )


# --- the searchable programme table -----------------------------------------------------------


def _check(row: pd.Series) -> str:
    parts = []
    if row["outdated"]:
        parts.append(f"Out of date: {row['outdated_note']}")
    if row["verify"]:
        parts.append(
            "Verify before use" + (f": {row['verify_note']}" if row["verify_note"] else "")
        )
    return " ".join(parts) or "No"


def programmes(
    area_name: str,
    cat: Catalogue,
    strength: pd.Series,
    c: Concerns,
    titles: dict[str, str],
) -> tuple[Section, str]:
    """The catalogue as a table (for the CSV) and its searchable HTML."""
    p = cat.programmes.copy()
    match = matching(cat, c)
    p["match"] = p["id"].map(match).astype(bool)
    p["strength"] = p["id"].map(strength)
    p = p.assign(rank=p["strength"].map(RANK)).sort_values(
        ["match", "rank", "name"], ascending=[False, True, True]
    )
    ev = cat.evidence
    ratings = {
        pid: "; ".join(
            f"{r.rating} ({r.scale}{', to verify' if r.verify else ''})" for r in g.itertuples()
        )
        for pid, g in ev.groupby("programme_id", sort=False)
    }
    sources = {
        pid: "; ".join(dict.fromkeys(f"{r.source}, {r.date}" for r in g.itertuples()))
        for pid, g in ev.groupby("programme_id", sort=False)
    }
    table = pd.DataFrame(
        {
            "Programme": p["name"],
            "Type": p["kind"],
            "Life stages": p["life_stages"],
            "Level": [f"{lv} ({hv})" for lv, hv in zip(p["hcp_level"], p["hv_level"], strict=True)],
            "Outcome domains": [
                "; ".join(titles.get(d, d) for d in str(v).split(SEP) if d)
                for v in p["outcome_domains"]
            ],
            "Evidence rating": [ratings.get(i, "") for i in p["id"]],
            "Strength of evidence": p["strength"],
            "Rating source and date": [sources.get(i, "") for i in p["id"]],
            "Cost": p["cost_notes"],
            "Criticisms": p["criticisms"],
            "Check before use": [_check(r) for _, r in p.iterrows()],
            "Matches an outcome of concern": ["Yes" if m else "No" for m in p["match"]],
        }
    ).reset_index(drop=True)
    n_match = int(p["match"].sum())
    n_verify = int(p["verify"].sum())
    if c and n_match:
        summary = (
            f"{n_match} of the {len(p)} catalogue entries address an outcome that is worse than "
            f"England or getting worse in {area_name}. The table lists them first and opens "
            "showing only them; tick 'Show the whole catalogue' to see every entry. "
        )
    else:
        summary = f"The table shows all {len(p)} catalogue entries for {area_name}'s book. "
    summary += (
        "Search by any word: a programme, a life stage (e.g. 0-5), a domain or a rating. "
        f"{n_verify} entries carry a fact from outside the model report that must be verified "
        "before use (see 'Check before use'). " + CAVEAT
    )
    caption = (
        f"Evidence catalogue for {area_name}: programmes and approaches, with life stage, level, "
        "outcome domains, evidence rating and its source and date, cost and criticisms"
    )
    html = searchable_table(table, list(p["id"]), list(p["match"]), caption, bool(c and n_match))
    section = Section(
        "programmes",
        "Evidence catalogue: programmes and approaches",
        summary,
        table.assign(id=list(p["id"])),
        None,
        source=CATALOGUE_SOURCE,
        notes=[
            "Levels follow the Healthy Child Programme model (community, universal, targeted, "
            "specialist); the 2009-2015 health visiting level is in brackets. Strength of "
            "evidence: strong = 4 stars on the model report's PPET scale, a NICE "
            "recommendation, or Early Intervention Foundation (EIF) level 3 or 4; moderate = 2-3 "
            "stars or EIF level 2; weak = 1 star or EIF 'not level 2'; not graded = only the "
            "model report's words. An entry's strength is that of its best rating.",
            "Ratings are carried from the model report (2015) unless marked otherwise; newer "
            "trials may have changed them ('Out of date' in the last column but one).",
        ],
    )
    return section, html


# --- service model ----------------------------------------------------------------------------


def service_model(area_name: str, supplied: list[str] | None, model: dict[str, Any]) -> Section:
    g = grid(supplied, model)
    described = g[g["status"] == DESCRIBED]
    if supplied is None:
        summary = (
            f"No local service data was supplied for {area_name}, so the grid shows the service "
            "model without saying which parts the area provides. "
        )
    else:
        services = sorted({s for v in described["local_services"] for s in v.split("; ") if s})
        through = f" (through {and_join(services)})" if services else ""
        summary = (
            f"{area_name}'s local data describes {len(described)} of the 16 cells of the service "
            f"model{through}. A cell marked 'not described' has no local data supplied for it: "
            "that does not mean the area does not provide the service, only that this book was "
            "not given data about it. "
        )
    summary += (
        "The Healthy Child Programme has four levels of support (community, universal, targeted "
        "and specialist) across four life stages; the universal level holds the five mandated "
        "health visiting reviews."
    )
    frame = g.assign(
        level_title=g["level"].map(LEVEL_TITLES),
        label=[
            ("Described:\n" + s.replace("; ", "\n")) if st == DESCRIBED else st.capitalize()
            for s, st in zip(g["local_services"], g["status"], strict=True)
        ],
        text_colour=["#ffffff" if st == DESCRIBED else "#0b0c0c" for st in g["status"]],
    )
    x = alt.X(
        "stage_title:N",
        sort=list(dict.fromkeys(frame["stage_title"])),
        title="Life stage",
        axis=alt.Axis(orient="top", labelAngle=0, labelLimit=160),
    )
    y = alt.Y(
        "level_title:N",
        sort=[LEVEL_TITLES[lv] for lv in LEVEL_TITLES],
        title="Level of support",
        axis=alt.Axis(labelLimit=260),
    )
    statuses = [DESCRIBED, NOT_DESCRIBED, NO_LOCAL_DATA]
    cells = (
        alt.Chart(frame)
        .mark_rect(stroke="#0b0c0c", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            fill=alt.Fill(
                "status:N",
                title="Local data",
                scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS[s] for s in statuses]),
            ),
            tooltip=[
                alt.Tooltip("level_title:N", title="Level"),
                alt.Tooltip("stage_title:N", title="Life stage"),
                alt.Tooltip("offer:N", title="Offer"),
                alt.Tooltip("mandated_contacts:N", title="Mandated contacts"),
                alt.Tooltip("label:N", title="Local data"),
            ],
        )
    )
    text = (
        alt.Chart(frame)
        .mark_text(fontSize=11, lineBreak="\n", limit=134)
        .encode(x=x, y=y, text="label:N", color=alt.Color("text_colour:N", scale=None))
    )
    chart = (cells + text).properties(
        width=560,
        height=4 * 80,
        title=alt.Title(
            f"Healthy Child Programme service model: what {area_name}'s local data describes",
            subtitle=[
                "Each cell says whether a supplied local data file describes a service there;",
                "'not described' does not mean 'not provided'.",
            ],
        ),
        description=summary,
    )
    table = pd.DataFrame(
        {
            "Level": frame["level_title"],
            "Health visiting model level (2009-2015)": frame["hv_level"],
            "Life stage": frame["stage_title"],
            "What the model offers": frame["offer"],
            "Mandated contacts": frame["mandated_contacts"],
            "Local services described": frame["local_services"],
            "Local data": frame["status"],
            "Source": frame["source"],
        }
    )
    notes = [
        "The targeted and specialist levels correspond to the 2009-2015 health visiting model's "
        "'universal plus' and 'universal partnership plus' (an alignment inferred from the model "
        "reports). Local files and the cells they describe: health visiting reviews (universal, "
        "antenatal and 0-5); children's centres (community antenatal and 0-5, universal 0-5); "
        "specialist midwifery (targeted, antenatal); early help assessments (targeted, 0-19); "
        "family support programme outcomes (specialist, 0-19).",
    ]
    return Section(
        "service_model",
        "The Healthy Child Programme service model and the local services described",
        summary,
        table,
        chart,
        source=MODEL_SOURCE + "; local service data supplied for the area",
        notes=notes,
    )


def contacts_section(area_name: str, model: dict[str, Any]) -> Section:
    t = contacts(model)
    mandated = t[t["Mandated"] == "Yes"]
    summary = (
        f"Every family in {area_name}, as in all of England, should receive the five mandated "
        f"universal reviews: {and_join([lower_first(n) for n in mandated['Contact']])}. The "
        "table lists these with the other universal contacts of the Healthy Child Programme."
    )
    return Section(
        "contacts",
        "Universal and mandated Healthy Child Programme contacts",
        summary,
        t,
        None,
        source=MODEL_SOURCE,
        notes=[
            "The five reviews have been mandated (a duty on local authorities) since 1 "
            "October 2015."
        ],
    )


def high_impact_section(area_name: str, model: dict[str, Any]) -> Section:
    t = high_impact_areas(model)
    summary = (
        "The High Impact Areas are where health visitors and school nurses can make the biggest "
        f"difference; they guide what {area_name}'s Healthy Child Programme should focus on. "
        "The early years set runs from the transition to parenthood to being ready to learn; "
        "the school-aged set from resilience and wellbeing to complex health needs."
    )
    return Section(
        "high_impact",
        "High Impact Areas for health visiting and school nursing",
        summary,
        t,
        None,
        source=MODEL_SOURCE,
        notes=[
            "Entries marked [ext, verify] are not named in the model reports and should be "
            "checked against the current guidance."
        ],
    )


def build(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    local_dir: Path | str | None = None,
) -> EvidenceChapter:
    """All sections of the evidence chapter for one area and data year."""
    area = resolve_area(area_code, data_dir)
    cat = load_catalogue()
    strength = strengths(cat)
    titles = domain_titles()
    model = load_service_model()
    c = concerns(findings(area.code, year, data_dir))
    supplied = supplied_templates(area.code, local_dir, data_dir)
    prog_section, prog_html = programmes(area.name, cat, strength, c, titles)
    sections = [
        by_domain(area.name, cat, strength, c, titles),
        prog_section,
        service_model(area.name, supplied, model),
        contacts_section(area.name, model),
        high_impact_section(area.name, model),
    ]
    return EvidenceChapter(
        area.code, area.name, int(year), sections, programmes_html=prog_html, concerns=c
    )


def show_programmes(chapter: EvidenceChapter) -> None:
    """The searchable catalogue in place of the usual collapsed data table (and its CSV)."""
    from IPython.display import HTML, display

    from needsbook.chapters.display import download_link_html, show_notes, show_text, write_download
    from needsbook.escape import html_text

    section = chapter.section("programmes")
    write_download(section, chapter.area_code, chapter.year)
    show_text(section.summary)
    show_notes(section)
    display(
        HTML(
            chapter.programmes_html
            + f"\n<p><small>Source: {html_text(section.source)}</small></p>\n"
            + download_link_html(section, chapter.area_code)
        )
    )
