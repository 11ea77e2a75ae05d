"""Chapter 5, evidence review: what works for the outcomes that are worse than England or getting
worse in the area, and the Healthy Child Programme service model with the cells the area's local
data describes (after the Worcestershire 2015 needs assessment's evidence review and Appendix 1).

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
from needsbook.evidence.catalogue import (
    EIF,
    PPET,
    SEP,
    STATEMENT,
    Catalogue,
    load_catalogue,
    load_service_model,
)
from needsbook.evidence.concerns import Concerns, concerns, matching
from needsbook.evidence.coverage import (
    DESCRIBED,
    NO_LOCAL_DATA,
    NOT_DESCRIBED,
    TO_CHECK,
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
    "Evidence review and Appendix 1 (Review of Parenting Interventions) of the Worcestershire "
    "2015 needs assessment (Worcestershire Health and Well-being Board, Early Help Needs "
    "Assessment, age 0-19, September 2015), with each rating's own source and date"
)
MODEL_SOURCE = (
    "Healthy Child Programme service model as set out in the Worcestershire 2015 needs "
    "assessment and national guidance (OHID Healthy Child Programme schedule of interventions "
    "guide; health visiting service model 2009-2015); each row names its publications"
)
#: How each scale is named after a rating in the table.
SCALE_LABELS = {
    PPET: "PPET",
    STATEMENT: "statement in the 2015 assessment",
    "NICE guideline": "NICE guideline",
    EIF: "EIF Guidebook",
}
#: Shares of the page width (per cent) of the searchable table's columns.
PAGE_WIDTHS = {
    "Programme": 15,
    "Life stages and level": 10,
    "Outcome domains": 15,
    "Evidence rating and source": 24,
    "Strength of evidence": 10,
    "Caveats and checks": 17,
    "Of concern": 9,
}
#: The page names the model report in full once (the chapter's introduction), then shortly.
SHORT_NAMES = {
    "Worcestershire 2015 needs assessment": "2015 assessment",
    " (Review of Parenting Interventions)": "",
}
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
    "little or no evidence": "#801650",
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
    little = int((strength == "little or no evidence").sum())
    summary += (
        f"The catalogue holds {len(cat.programmes)} programmes, approaches, services and "
        "assessment tools from the evidence review of the Worcestershire 2015 needs assessment; "
        f"{strong} have strong evidence (4 stars on the Parenting Programme Evaluation Tool "
        "(PPET) scale used in that assessment, a NICE recommendation, or Early Intervention "
        f"Foundation level 3 or 4) and {little} "
        f"{'has' if little == 1 else 'have'} little or no evidence of effectiveness."
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
    y = alt.Y("domain_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=0))
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
            "fifth of English areas (for indicators published without confidence "
            "intervals), or getting worse over the last five years of data. Each domain's "
            "indicators are listed with the outcome star in the Outcomes chapter.",
            CAVEAT,
        ],
    )


# --- the searchable programme table -----------------------------------------------------------


def _rating_text(r: Any) -> str:
    """One rating as the table shows it: the rating, then its scale (and 'not checked')."""
    label = SCALE_LABELS.get(r.scale, r.scale)
    return f"{r.rating} ({label}{', not checked' if r.needs_check else ''})"


def _source_text(source: str, date: str) -> str:
    """A rating's source and date, the date left off when the source already names it."""
    return source if date in source else f"{source}, {date}"


def _page_rating(r: Any) -> str:
    """One rating as the page shows it: the rating, then its source (short) and date."""
    text = (
        f"{r.rating} ({_source_text(r.source, r.date)}{'; not checked' if r.needs_check else ''})"
    )
    for long, short in SHORT_NAMES.items():
        text = text.replace(long, short)
    return text


def _to_check(row: pd.Series, notes: list[str]) -> str:
    """What to check before relying on an entry (its own note and its ratings' notes)."""
    checks = [n for n in dict.fromkeys([row["check_note"], *notes]) if n]
    return "Check before use: " + " ".join(checks) if checks else ""


def _checks(row: pd.Series, to_check: str) -> str:
    """The download's checks: out-of-date note, then what to check ("No" when neither)."""
    out = f"Out of date: {row['outdated_note']}" if row["outdated"] else ""
    return " ".join(x for x in (out, to_check) if x) or "No"


def _page_checks(row: pd.Series, to_check: str) -> str:
    """The page's caveats cell: the caveat (which sums up any out-of-date note, given in full
    in the download) or else the out-of-date note, then what to check."""
    if row["caveat"]:
        first = f"Caveat: {row['caveat']}"
    else:
        first = f"Out of date: {row['outdated_note']}" if row["outdated"] else ""
    return "\n".join(x for x in (first, to_check) if x) or "None"


def programmes(
    area_name: str,
    cat: Catalogue,
    strength: pd.Series,
    c: Concerns,
    titles: dict[str, str],
) -> tuple[Section, str]:
    """The catalogue as a table (every detail, for the CSV) and its searchable HTML (the
    columns that fit the page)."""
    p = cat.programmes.copy()
    match = matching(cat, c)
    p["match"] = p["id"].map(match).astype(bool)
    p["strength"] = p["id"].map(strength)
    p = p.assign(rank=p["strength"].map(RANK)).sort_values(
        ["match", "rank", "name"], ascending=[False, True, True]
    )
    ev = cat.evidence
    groups = {pid: list(g.itertuples()) for pid, g in ev.groupby("programme_id", sort=False)}
    ratings = {pid: "; ".join(_rating_text(r) for r in rs) for pid, rs in groups.items()}
    page_ratings = {pid: "\n".join(_page_rating(r) for r in rs) for pid, rs in groups.items()}
    sources = {
        pid: "; ".join(dict.fromkeys(_source_text(r.source, r.date) for r in rs))
        for pid, rs in groups.items()
    }
    notes = {pid: [r.note for r in rs if r.needs_check and r.note] for pid, rs in groups.items()}
    to_check = [_to_check(row, notes.get(row["id"], [])) for _, row in p.iterrows()]
    levels = [f"{lv} ({hv})" for lv, hv in zip(p["hcp_level"], p["hv_level"], strict=True)]
    domains = [
        "; ".join(titles.get(d, d) for d in str(v).split(SEP) if d) for v in p["outcome_domains"]
    ]
    table = pd.DataFrame(
        {
            "Programme": p["name"],
            "Type": p["kind"],
            "Description": p["description"],
            "Life stages": p["life_stages"],
            "Target ages (years)": [
                f"{lo:g} to {hi:g}"
                for lo, hi in zip(p["target_age_min"], p["target_age_max"], strict=True)
            ],
            "Level": levels,
            "Level in the 2015 review": p["level_in_2015_review"],
            "Outcome domains": domains,
            "Evidence rating": [ratings.get(i, "") for i in p["id"]],
            "Strength of evidence": p["strength"],
            "Caveat": p["caveat"],
            "Rating source and date": [sources.get(i, "") for i in p["id"]],
            "Check before use": [
                _checks(row, x) for (_, row), x in zip(p.iterrows(), to_check, strict=True)
            ],
            "Cost": p["cost_notes"],
            "Delivery requirements": p["delivery_requirements"],
            "Criticisms and local issues": p["criticisms"],
            "References": p["references"],
            "Matches an outcome of concern": ["Yes" if m else "No" for m in p["match"]],
        }
    ).reset_index(drop=True)
    page = pd.DataFrame(
        {
            "Programme": table["Programme"],
            "Life stages and level": [
                f"{s}\n{lv}" for s, lv in zip(table["Life stages"], p["hcp_level"], strict=True)
            ],
            "Outcome domains": table["Outcome domains"],
            "Evidence rating and source": [page_ratings.get(i, "") for i in p["id"]],
            "Strength of evidence": table["Strength of evidence"],
            "Caveats and checks": [
                _page_checks(row, x) for (_, row), x in zip(p.iterrows(), to_check, strict=True)
            ],
            "Of concern": table["Matches an outcome of concern"],
        }
    )
    n_match = int(p["match"].sum())
    n_check = int(p["needs_check"].sum())
    n_caveat = int((p["caveat"] != "").sum())
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
        f"{n_caveat} entries carry a caveat: the evidence is weaker than their rating suggests. "
        f"{n_check} entries hold a rating or fact from outside the Worcestershire 2015 needs "
        "assessment that has not been checked against its current source: check these before "
        "relying on them (see 'Caveats and checks'). " + CAVEAT
    )
    caption = (
        f"Evidence catalogue for {area_name}: programmes and approaches, with life stage, level, "
        "outcome domains, each evidence rating with its source and date, strength, caveats, and "
        "whether the entry addresses an outcome of concern"
    )
    html = searchable_table(
        page,
        list(p["id"]),
        list(p["match"]),
        caption,
        bool(c and n_match),
        widths=[PAGE_WIDTHS[col] for col in page.columns],
    )
    section = Section(
        "programmes",
        "Evidence catalogue: programmes and approaches",
        summary,
        table.assign(id=list(p["id"])),
        None,
        source=CATALOGUE_SOURCE,
        notes=[
            "Levels follow the Healthy Child Programme model (community, universal, targeted, "
            "specialist); the download also gives the 2009-2015 health visiting level "
            "(targeted = universal plus, specialist = universal partnership plus). Strength of "
            "evidence: strong = 4 stars on the Parenting Programme Evaluation Tool (PPET) "
            "scale, a NICE recommendation, or Early Intervention Foundation (EIF) level 3 or 4; "
            "moderate = 2-3 stars or EIF level 2; weak = 1 star or EIF 'not level 2'; not "
            "graded = only the words of the 2015 assessment; little or no evidence = the 2015 "
            "assessment says there is little or no evidence of effectiveness. An entry's "
            "strength is that of its best rating.",
            "Ratings are those reported in the Worcestershire 2015 needs assessment unless "
            "marked otherwise; newer trials may have changed them (see 'Caveats and checks'). "
            "The download adds each entry's description, target ages, cost, delivery "
            "requirements and criticisms (as given in the 2015 assessment), its references and "
            "any out-of-date note in full.",
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
        axis=alt.Axis(labelLimit=0),
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
                "Each cell says whether the area's local data describes a service there;",
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
            "Also described in": frame["also"],
        }
    )
    notes = [
        "The targeted and specialist levels correspond to the 2009-2015 health visiting model's "
        "'universal plus' and 'universal partnership plus' (an alignment the published sources "
        "imply but do not state). Local data and the cells it describes: health visiting "
        "reviews (universal, "
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
    notes = (
        [
            "The areas with a note are not named in the source used here: check their names "
            "against the current guidance before relying on them."
        ]
        if (t["Note"] == TO_CHECK).any()
        else []
    )
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
        notes=notes,
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
    from needsbook.chapters.display import show_in_place

    show_in_place(chapter, chapter.section("programmes"), chapter.programmes_html)
