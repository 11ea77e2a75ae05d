"""The local early help offer page: the council's services by level of need and life stage,
mapped against the outcomes of concern the book finds (after the service catalogue of Halton's
Early Help Strategy and Local Offer).

The offer is the council's local data (the ``local_offer`` template, validated by
:func:`needsbook.local.load_local`); the outcomes of concern are the benchmarking engine's
findings (``Finding.of_concern``, as the conclusions chapter lists them); the mapping is
:func:`needsbook.offer.match.match`. Without the council's offer the page says what to supply.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

from needsbook import paths
from needsbook.areas import Area, resolve_area
from needsbook.chapters.base import Chapter, Section
from needsbook.chapters.text import and_join, lower_first
from needsbook.charts import PALETTE
from needsbook.escape import html_text, md, trusted
from needsbook.local.templates import LEVELS_OF_NEED, TEMPLATES
from needsbook.offer import hcp as model
from needsbook.offer.match import (
    ADDRESSED,
    GAP,
    NO_AGES,
    OFFER_STAGES,
    UNMATCHED,
    Match,
    ages_text,
    counts_by_level_and_stage,
    match,
    offer_frame,
    stage_ages,
)
from needsbook.offer.terms import domain_titles
from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.findings import Finding, findings

NAME = "local_offer"
SOURCE = "the council's list of its early help services"
CONCERNS_SOURCE = "The outcomes chapter of this assessment (sources listed there)"
#: Worked examples shipped with the book (``data/examples/<code>``), by area code.
EXAMPLES = {
    "E06000006": (
        "Halton Children's Trust's Early Help Strategy and Local Offer (April 2013 to March 2015)"
    ),
}
NOT_SUPPLIED, EMPTY = "not supplied", "present but empty"


@dataclass
class LocalOfferChapter(Chapter):
    """The page's sections, whether the offer was supplied, and the mapping behind it."""

    status: str = NOT_SUPPLIED  # "supplied", NOT_SUPPLIED or EMPTY
    example: str = ""  # the worked example's source, when the offer is one
    matches: list[Match] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def key_findings(self) -> list[str]:
        return self.findings


def stage_titles() -> dict[str, str]:
    """Life stage id -> title (the indicator catalogue's), and the column for no ages."""
    titles = load_catalogue().life_stages
    return {**{s: titles.get(s, s) for s in OFFER_STAGES}, NO_AGES: NO_AGES}


def _ages(row: object) -> str:
    a, b = getattr(row, "age_from"), getattr(row, "age_to")  # noqa: B009
    return ages_text(a, b) if pd.notna(a) and pd.notna(b) else "Not stated"


def _example(area: Area, folder: Path) -> str:
    """The worked example's source when ``folder`` is the example shipped for the area."""
    shipped = paths.default_data_dir() / "examples" / area.code
    try:
        same = folder.resolve() == shipped.resolve()
    except OSError:
        same = False
    return EXAMPLES.get(area.code, "") if same else ""


def _source(example: str) -> str:
    return f"{example} (worked example)" if example else SOURCE


def _label(example: str) -> str:
    """The sentence that opens the offer made from the worked example."""
    return (
        f"Worked example: this offer is the one {example} describes, transcribed to show what "
        "the page does with a council's list of services; it does not describe services today. "
        if example
        else ""
    )


def _short(example: str) -> str:
    """What opens the other sections made from the worked example."""
    return "Worked example (the offer above): " if example else ""


# --- levels of need -----------------------------------------------------------------------------


def levels_section(area_name: str, hcp: model.Hcp) -> Section:
    table = model.offer_levels(hcp)
    summary = (
        f"The page sorts {area_name}'s early help offer by four levels of need, lowest first: "
        f"{and_join([lower_first(t) for t in table['Level of need']])}. Early help comes as "
        "soon as a need arises, at any age, to stop it growing; universal services are where "
        "most needs are first seen."
    )
    return Section(
        "levels",
        "Levels of need in the early help offer",
        summary,
        table,
        None,
        source=str(table["Source"].iloc[0]),
        notes=[
            "Early help and targeted services both sit at the Healthy Child Programme's "
            "Universal Plus (targeted) level; specialist services at Universal Partnership Plus."
        ],
    )


# --- the offer ----------------------------------------------------------------------------------


def offer_table(offer: pd.DataFrame) -> pd.DataFrame:
    titles, stages, domains = (
        {lv: lv.capitalize() for lv in LEVELS_OF_NEED},
        stage_titles(),
        domain_titles(),
    )
    table = pd.DataFrame(
        {
            "Level of need": offer["level_of_need"].map(titles),
            "Service": offer["service"],
            "Ages": [_ages(r) for r in offer.itertuples()],
            "Life stages": [
                "; ".join(stages[s] for s in ss) if ok else NO_AGES
                for ss, ok in zip(offer["stages"], offer["has_ages"], strict=True)
            ],
            "Provider": offer["provider"].fillna("Not stated"),
            "Outcomes sought": ["; ".join(domains[d] for d in ds) for ds in offer["domains"]],
            "Delivery": offer["delivery"].fillna(""),
            "Contact": offer["contact"].fillna(""),
        }
    )
    blank = [c for c in ("Delivery", "Contact") if (table[c] == "").all()]
    return table.drop(columns=blank)  # optional columns the council left empty


def offer_section(area_name: str, offer: pd.DataFrame, example: str) -> Section:
    table = offer_table(offer)
    services = offer["service"].nunique()
    by_level = [f"{(offer['level_of_need'] == lv).sum()} {lv}" for lv in LEVELS_OF_NEED]
    undated = offer.loc[~offer["has_ages"], "service"].nunique()
    summary = (
        f"{_label(example)}{area_name}'s early help offer lists {services} services in "
        f"{len(offer)} rows (a service offered at two levels of need has two rows): "
        f"{and_join(by_level)}."
    )
    if undated:
        summary += (
            f" {undated} {'service does' if undated == 1 else 'services do'} not state the "
            "ages served, so the page cannot place them in a life stage."
        )
    return Section(
        "offer",
        "The early help offer by level of need",
        summary,
        table,
        None,
        source=_source(example),
    )


def grid_section(area_name: str, offer: pd.DataFrame | None, status: str, example: str) -> Section:
    """Services per level of need and life stage (a chart that always has its 16 cells)."""
    stages = stage_titles()
    levels = [lv.capitalize() for lv in LEVELS_OF_NEED]
    if offer is not None:
        counts = counts_by_level_and_stage(offer)
        frame = pd.DataFrame(
            {
                "Level of need": counts["level"].str.capitalize(),
                "Life stage": counts["stage"].map(stages),
                "Services": counts["n"],
                "Service names": ["; ".join(n) for n in counts["services"]],
            }
        )
        frame["Label"] = [
            f"{n} service{'s' if n != 1 else ''}" if n else "None" for n in frame["Services"]
        ]
        empty = frame[(frame["Services"] == 0) & (frame["Life stage"] != NO_AGES)]
        summary = (
            f"{_short(example)}The grid counts {area_name}'s services at each level of need "
            "and life stage; a service serving several life stages counts in each. "
        )
        summary += (
            "Every level of need has a service in every life stage."
            if empty.empty
            else f"{len(empty)} of the {len(levels) * len(OFFER_STAGES)} cells have no service: "
            + "; ".join(
                f"{r['Level of need'].lower()} in {lower_first(r['Life stage'])}"
                for _, r in empty.iterrows()
            )
            + "."
        )
        table = frame.drop(columns=["Label"])
    else:
        frame = pd.DataFrame(
            [
                {"Level of need": lv, "Life stage": stages[s], "Services": None, "Label": status}
                for lv in levels
                for s in OFFER_STAGES
            ]
        )
        summary = (
            f"{area_name}'s early help offer was {status}, so the grid of services by level of "
            "need and life stage is empty: every cell reads "
            f"'{status}'."
        )
        table = frame.drop(columns=["Label", "Services"]).assign(Status=status.capitalize())
    columns = list(dict.fromkeys(frame["Life stage"]))
    x = alt.X(
        "Life stage:N",
        sort=columns,
        title=None,
        axis=alt.Axis(orient="top", labelAngle=0, labelLimit=150),
    )
    y = alt.Y("Level of need:N", sort=levels, title="Level of need")
    filled = frame.assign(
        Fill=[("some" if (n or 0) > 0 else "none") for n in frame["Services"].fillna(0)]
    )
    cells = (
        alt.Chart(filled)
        .mark_rect(stroke="#0b0c0c", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "Fill:N",
                scale=alt.Scale(domain=["some", "none"], range=[PALETTE[1], "#f3f2f1"]),
                legend=None,
            ),
            tooltip=["Level of need:N", "Life stage:N", "Label:N"],
        )
    )
    text = alt.Chart(filled).mark_text(fontSize=12).encode(x=x, y=y, text="Label:N")
    chart = (cells + text).properties(
        width=max(120 * len(columns), 480),
        height=4 * 48,
        title=f"The early help offer in {area_name}: services by level of need and life stage",
        description=summary,
    )
    return Section(
        "grid",
        "Services by level of need and life stage",
        summary,
        table,
        chart,
        source=_source(example) if offer is not None else SOURCE,
        notes=[
            "Life stages by age: pregnancy and birth from birth (age 0); early years 0-4; "
            "school age 5-11; adolescence 12-19 (a service to 25 counts in adolescence)."
        ],
    )


# --- the offer against the needs found ----------------------------------------------------------


def _why(f: Finding) -> str:
    return and_join(list(f.concern_reasons))


def needs_table(matches: list[Match], supplied: bool) -> pd.DataFrame:
    domains, stages = domain_titles(), load_catalogue().life_stages
    rows = []
    for m in matches:
        f = m.finding
        lo, hi = stage_ages(f.life_stage)
        if not supplied:
            status, services = "Offer not supplied", ""
        elif m.status == UNMATCHED:
            status, services = "Cannot be matched: not in an outcome domain", ""
        elif m.status == GAP:
            status, services = "Gap: no service in the offer addresses this", ""
        else:
            status = (
                f"Addressed by {len(m.services)} service row{'s' if len(m.services) != 1 else ''}"
            )
            services = "; ".join(
                f"{s['service']} ({s['level']}, ages {s['ages']})" for s in m.services
            )
        rows.append(
            {
                "Outcome": f.name,
                "Period": f.period,
                "Value": f.indicator.format(f.value),
                "Why it is of concern": _why(f),
                "Life stage": f"{stages.get(f.life_stage, f.life_stage)}, ages {lo}-{hi}",
                "Outcome domain": domains.get(m.domain, "None") if m.domain else "None",
                "Services in the offer": services,
                "Seeking it but ages not stated": "; ".join(m.undated),
                "Status": status,
                "Source": f.indicator.source,
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "Outcome",
            "Period",
            "Value",
            "Why it is of concern",
            "Life stage",
            "Outcome domain",
            "Services in the offer",
            "Seeking it but ages not stated",
            "Status",
            "Source",
        ],
    )
    if not supplied:  # nothing to say in the offer's columns
        return table.drop(columns=["Services in the offer", "Seeking it but ages not stated"])
    return table


def needs_section(
    area_name: str, matches: list[Match], supplied: bool, example: str
) -> tuple[Section, list[str]]:
    """The offer against each outcome of concern; the sentences for the key findings."""
    table = needs_table(matches, supplied)
    n = len(matches)
    said: list[str] = []
    if not n:
        summary = (
            f"No outcome in this book is of concern for {area_name} (significantly worse than "
            "England, in the worst fifth of English areas, or getting worse), so there is no "
            "need to map the offer against."
        )
        said.append(summary)
    elif not supplied:
        summary = (
            f"{n} outcome{'s are' if n != 1 else ' is'} of concern for {area_name}. Without the "
            "council's list of its early help services the page cannot say which services "
            f"address {'them' if n != 1 else 'it'}; the table lists "
            f"{'them' if n != 1 else 'it'} for that check."
        )
        said.append(summary)
    else:
        addressed = [m for m in matches if m.status == ADDRESSED]
        gaps = [m for m in matches if m.status == GAP]
        unmatched = [m for m in matches if m.status == UNMATCHED]
        summary = (
            f"{_short(example)}Of the {n} outcomes of concern for {area_name}, "
            f"{len(addressed)} {'is' if len(addressed) == 1 else 'are'} addressed by at least "
            "one service in the offer whose ages overlap the outcome's life stage and whose "
            "outcomes sought include its domain"
        )
        if gaps:
            gap_names = "; ".join(lower_first(m.finding.name) for m in gaps)
            summary += f"; for {len(gaps)} no service in the offer addresses it: {gap_names}"
            said.append(
                f"No service in {area_name}'s early help offer addresses {len(gaps)} of the "
                f"{n} outcomes of concern: {gap_names}."
            )
        if unmatched:
            summary += (
                f"; {len(unmatched)} cannot be matched, being in no outcome domain: "
                + "; ".join(lower_first(m.finding.name) for m in unmatched)
            )
        summary += "."
        undated = sorted({s for m in matches for s in m.undated})
        if undated:
            summary += (
                f" {len(undated)} service{'s' if len(undated) != 1 else ''} seeking these "
                "outcomes state no ages, so could not be matched by life stage (listed in the "
                "table)."
            )
        said.insert(
            0,
            f"{len(addressed)} of the {n} outcomes of concern for {area_name} are addressed by "
            "at least one service in its early help offer.",
        )
    section = Section(
        "needs",
        "The offer against the outcomes of concern",
        summary,
        table,
        None,
        source=f"{CONCERNS_SOURCE}; {_source(example) if supplied else SOURCE}",
        notes=[
            "An outcome is of concern when it is significantly worse than England, in the worst "
            "fifth of English areas, or getting worse (as in the conclusions chapter). A service "
            "addresses it when its ages overlap the outcome's life stage and its outcomes sought "
            "include the outcome's domain. Outcomes outside the eight outcome-star domains are "
            "matched through the nearest one: birth, feeding and vaccination outcomes through "
            "obesity and physical health; development measures through early child "
            "development; learning and participation through school and employment; social "
            "care measures through abuse and neglect.",
            "A match says only that the offer aims at the outcome, not that the service reaches "
            "enough children or works.",
        ],
    )
    return section, said


# --- not supplied ---------------------------------------------------------------------------------


def template_section(area: Area, status: str) -> Section:
    """What to fill in to add the offer (the template's columns and rules)."""
    t = TEMPLATES[NAME]
    table = pd.DataFrame(
        {
            "Column": [c.name for c in t.columns],
            "What to enter": [c.description for c in t.columns],
            "Rule": [c.rule() for c in t.columns],
        }
    )
    what = "is present but holds no services" if status == EMPTY else "was not supplied"
    summary = trusted(
        md(
            f"The council's list of its early help services {what} for {area.name}. To map the "
            "offer against the needs this book finds, list each service once per level of need "
            "it works at, with the ages it serves (in completed years), its provider and the "
            "outcomes it seeks, as in the table below; then build the book again. This command "
            "writes the empty local data templates, each with notes on how to fill it in, into a "
            "folder for "
            "the area:"
        )
        + f"\n\n```bash\nneedsbook local-template --area {area.code}\n```"
    )
    return Section(
        "template",
        "Adding the council's early help offer",
        summary,
        table,
        None,
        source="the book's local data templates",
        notes=[
            "Every row is checked before use: an unknown level of need or outcome domain, an "
            "age outside 0 to 25, a youngest age above the oldest or a repeated service and "
            "level stops the build with a message naming the file, column and rows."
        ],
    )


def template_link_html() -> str:
    """A link that downloads the empty template (its header row) without a server."""
    t = TEMPLATES[NAME]
    data = "data:text/csv;charset=utf-8," + urllib.parse.quote(",".join(t.column_names) + "\n")
    return (
        "<p class='needsbook-download'>Empty template to fill in: "
        f"<a href='{html_text(data)}' download='{html_text(t.file)}'><code>{html_text(t.file)}"
        "</code></a> (its header row: add one row per service and level of need)</p>"
    )


# --- chapter --------------------------------------------------------------------------------------


def build(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    local_dir: Path | str | None = None,
) -> LocalOfferChapter:
    """The page for one area and data year (the council's offer where it supplied one)."""
    from needsbook.local import load_local
    from needsbook.local.folder import local_folder

    area = resolve_area(area_code, data_dir)
    hcp = model.load_hcp()
    concerns = [f for f in findings(area.code, int(year), data_dir) if f.of_concern]
    concerns.sort(key=lambda f: (f.priority, -abs(f.relative or 0.0)))
    folder = local_folder(area.code, local_dir or None, data_dir)
    table = None if folder is None else load_local(folder, area, data_dir).tables.get(NAME)
    status = NOT_SUPPLIED if table is None else EMPTY if table.empty else "supplied"
    example = _example(area, folder) if folder is not None and status == "supplied" else ""
    offer = offer_frame(table) if status == "supplied" else None
    matches = match(concerns, offer if offer is not None else offer_frame(_empty()))
    sections = [levels_section(area.name, hcp)]
    if offer is not None:
        sections.append(offer_section(area.name, offer, example))
    else:
        sections.append(template_section(area, status))
    sections.append(grid_section(area.name, offer, status, example))
    needs, said = needs_section(area.name, matches, offer is not None, example)
    sections.append(needs)
    if offer is not None:
        first = [sections[1].summary.removeprefix(_label(example)).split(": ")[0] + "."]
    else:
        what = "held no services" if status == EMPTY else "was not supplied"
        first = [f"The council's list of its early help services {what} for {area.name}."]
    if example:
        first.insert(
            0,
            f"This page shows a worked example: the offer {example} describes, not services today.",
        )
    return LocalOfferChapter(
        area.code,
        area.name,
        int(year),
        sections,
        status=status,
        example=example,
        matches=matches,
        findings=[*first, *said],
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=TEMPLATES[NAME].column_names)


def show_open(chapter: LocalOfferChapter, key: str) -> None:
    """A section whose table is its content (the offer, the mapping): summary, notes, then the
    table shown open, its source and its CSV."""
    from needsbook.chapters.display import show_in_place, table_html

    section = chapter.section(key)
    show_in_place(
        chapter, section, table_html(section.table, f"{section.title} for {chapter.area_name}")
    )


def show_template(chapter: LocalOfferChapter) -> None:
    """The guidance for adding the offer, with the empty template to download."""
    from IPython.display import HTML, display

    show_open(chapter, "template")
    display(HTML(template_link_html()))
