"""The chapter's local sections: text, chart and table for each analysis the council's own
data supports, and, without local data, the list of templates that would add them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.areas import Area
from needsbook.chapters.base import Section
from needsbook.escape import md, trusted
from needsbook.formatting import apply_decimals, mean, percent
from needsbook.local import TEMPLATES, load_local
from needsbook.local.templates import NEED_MODEL
from needsbook.need import estimate_need, need_share_by_quintile
from needsbook.need.local_model import shares_model
from needsbook.services import local_centres as cen
from needsbook.services import local_other as oth
from needsbook.services.common import (
    SMALL_NOTE,
    TOPICS,
    LocalContext,
    count_text,
    declare_sources,
)
from needsbook.services.eha_sections import NOT_SHOWN, eha_sections

#: What each template adds to the chapter (for areas without it).
ADDS = {
    "eha_assessments": "EHAs by provider, district and deprivation quintile; rates per 1,000; "
    "targeting ratios and the concentration curve against modelled need",
    "eha_reasons": "the reasons given for EHAs",
    "eha_distance_travelled": "distance travelled (change in scores) by deprivation quintile",
    "children_centres_register": "the list of children's centres (needed by children_centres)",
    "children_centres": "children's centre reach and footfall by district and centre, RAG "
    "against the area value, the Ofsted 65% benchmark, centres with no deprived area in reach",
    "health_visiting_reviews": "health-visiting mandated review coverage against target",
    "specialist_midwifery": "specialist midwifery coverage against the share of births likely "
    "to need intensive help",
    "family_support_outcomes": "family support (Troubled Families) results, cumulative",
    "local_offer": "the early help offer by level of need, on its own page, mapped against the "
    "needs the book finds",
}
#: The service data templates this chapter lists (the council's need model is a model, not
#: service data: the deprivation and need chapter names it, and every chapter uses it).
SERVICE_TEMPLATES = {n: t for n, t in TEMPLATES.items() if n != NEED_MODEL}
EXAMPLE_LABEL = (
    "**Worked example: these local figures are Worcestershire's for 2013 to 2015,** transcribed "
    "from the county's *Early Help Needs Assessment* (2015). They show what the chapter does "
    "with a council's own data; they do not describe services today."
)


def _pct(value: float) -> str:
    """'70.6%' ('not shown' where the small-number rule hides it)."""
    return percent(value, missing=NOT_SHOWN)


def load_context(
    area: Area, year: int, folder: Path, data_dir: Path | str | None = None
) -> LocalContext:
    """Validate the folder (InputError if invalid) and attach the need model: the council's
    own (as supplied, not calibrated) when the folder holds one, else the open need model."""
    data = load_local(folder, area, data_dir)
    supplied = data.tables.get(NEED_MODEL)
    model = shares_model(supplied) if supplied is not None and len(supplied) else None
    need = need_share_by_quintile(area.code, year, data_dir, model=model)
    est = estimate_need(area.code, year, data_dir, model=model, calibrate=model is None)
    return LocalContext(
        area=area,
        year=year,
        data=data,
        folder=Path(folder),
        need=need,
        need_by_band=est.by_band(),
        population_year=est.population_year,
        lsoas=est.lsoas,
    )


SUPPLIED, EMPTY, NOT_SUPPLIED = "Supplied", "Present but empty (no data rows)", "Not supplied"


def template_status(ctx: LocalContext | None) -> dict[str, str]:
    """Each template's status: supplied (with data rows), present but empty (only a header
    row or blank rows), or not supplied."""
    out = {}
    for name in SERVICE_TEMPLATES:
        t = None if ctx is None else ctx.table(name)
        out[name] = NOT_SUPPLIED if t is None else SUPPLIED if len(t) else EMPTY
    return out


def _topics(names: list[str]) -> str:
    return "; ".join(TOPICS[n] for n in names)


def templates_section(area: Area, status: dict[str, str] | None = None) -> Section:
    """Which kinds of local data were supplied, which would add which analyses, and the
    command that writes the empty templates."""
    status = status or dict.fromkeys(SERVICE_TEMPLATES, NOT_SUPPLIED)
    table = pd.DataFrame(
        [
            {
                "Local data": t.title,
                "Adds to this chapter": ADDS.get(name, ""),
                "Status": status[name],
            }
            for name, t in SERVICE_TEMPLATES.items()
        ]
    )
    supplied = [n for n, v in status.items() if v == SUPPLIED]
    empty = [n for n, v in status.items() if v == EMPTY]
    missing = [n for n, v in status.items() if v == NOT_SUPPLIED]
    name = md(area.name)
    if supplied:
        summary = (
            f"{len(supplied)} of the {len(table)} kinds of local service data "
            f"{'was' if len(supplied) == 1 else 'were'} supplied for {name}: "
            f"{md(_topics(supplied))}."
        )
    else:
        summary = (
            f"No local service data has been supplied for {name}, so this chapter shows "
            "only the national data above."
        )
    if empty:
        summary += (
            f" {len(empty)} {'template is' if len(empty) == 1 else 'templates are'} present "
            f"but empty (no data rows), so {'it adds' if len(empty) == 1 else 'they add'} "
            f"nothing: {md(_topics(empty))}."
        )
    if missing:
        summary += (
            " The council's own data would add the analyses listed in the table for each kind "
            "of data not yet supplied. To start, this command writes empty templates, with a "
            "README for each, into a folder for the area; fill them in and build the book "
            f"again:\n\n```bash\nneedsbook local-template --area {area.code}\n```"
        )
    elif empty:
        summary += (
            " The council's own data would add the analyses listed in the table for each kind "
            "of data not yet supplied. The templates are present but hold no data rows: add the "
            "rows and build the book again."
        )
    return Section(
        key="local_templates",
        title="Local service data: what was supplied and what it adds",
        summary=trusted(summary),
        table=table,
        source="the book's local data templates",
        notes=[
            "Every file is checked before use: a wrong column, a percentage over 100, a "
            "negative count, an unknown district or centre, a duplicated row or text in a "
            "number column stops the build with a message naming the file, column and rows."
        ],
    )


def reader_warning(text: str) -> str:
    """A validator warning with template file names replaced by what they hold."""
    for name, t in SERVICE_TEMPLATES.items():
        topic = TOPICS[name]
        text = text.replace(f"{t.file}: ", f"{topic[0].upper()}{topic[1:]}: ")
        text = text.replace(t.file, topic)
    return text


def checks_section(ctx: LocalContext) -> Section:
    """The validator's warnings, and which templates were empty or not supplied."""
    status = template_status(ctx)
    rows = [{"Check": "Warning", "Detail": reader_warning(w)} for w in ctx.data.warnings]
    rows += [{"Check": v, "Detail": TEMPLATES[n].title} for n, v in status.items() if v != SUPPLIED]
    table = pd.DataFrame(rows, columns=["Check", "Detail"])
    n = len(ctx.data.warnings)
    summary = (
        f"The local data for {ctx.area.name} passed every check. "
        if not n
        else f"The local data passed every check, with {n} warning{'s' if n != 1 else ''}: "
        "figures in the source that do not add up. The chapter uses them as given; the "
        "table lists each one. "
    )
    if ctx.is_example:
        summary += (
            "In the 2015 assessment's Table 9 the six districts' children seen add to 14,929, "
            "14,522 and 13,574 but the county totals are 14,800, 14,521 and 13,582 (the county "
            "figure may count a child seen in two districts once); and its percentages of EHAs "
            "by quintile add to 100.28%, so the counts rebuilt from them add to 5,493, not "
            "5,478."
        )
    return Section(
        key="local_checks",
        title="Local data: checks and warnings",
        summary=trusted(EXAMPLE_LABEL + " " + md(summary)) if ctx.is_example else summary,
        table=table,
        source=ctx.source("all files"),
    )


def outcome_sections(ctx: LocalContext) -> list[Section]:
    out = []
    d = oth.distance(ctx)
    if d is not None:
        allq = d[d["IMD quintile"] == "All quintiles"]
        val = allq["Mean change (score points)"].iloc[0] if len(allq) else np.nan
        text = (
            f"On a 1-5 scale, families' scores improved by {mean(val, missing=NOT_SHOWN)} "
            "points on average "
            f"between the start and end of an EHA, {d['Period'].iloc[0]} "
            f"({ctx.source('eha_distance_travelled')}). Distance travelled is recorded, "
            "but not with a validated outcome tool."
        )
        out.append(
            Section(
                "eha_distance",
                "Distance travelled during early help",
                text,
                d,
                source=ctx.source("eha_distance_travelled"),
                notes=[SMALL_NOTE],
            )
        )
    r = oth.reasons(ctx)
    if r is not None:
        top = r.dropna(subset=["% of EHAs citing the reason"]).head(3)
        text = (
            "The most common reasons given for EHAs, "
            f"{r['Period'].iloc[0]} ({ctx.source('eha_reasons')}): "
            + "; ".join(f"{x.Reason} ({_pct(x._4)})" for x in top.itertuples())
            + ". One EHA can give several reasons."
        )
        out.append(
            Section(
                "eha_reasons",
                "Reasons for early help assessments",
                text,
                r,
                source=ctx.source("eha_reasons"),
                notes=[SMALL_NOTE],
            )
        )
    fam = oth.family(ctx)
    if fam is not None:
        rounds, outcomes = fam
        shown = rounds.dropna(subset=["Cumulative families"])
        last = (shown if len(shown) else rounds).iloc[-1]  # the latest running total shown
        text = (
            f"By the claim round of {last['Claim round']}, {last['Programme']} had claimed "
            f"results payments for {count_text(last['Cumulative families'])} families "
            f"({ctx.source('family_support_outcomes')}). Families are counted once, at "
            "their first results claim; extra payments for the same families are not "
            "counted again."
        )
        out.append(
            Section(
                "family_outcomes",
                "Family support results: families with a results claim",
                text,
                rounds,
                source=ctx.source("family_support_outcomes"),
                notes=[
                    SMALL_NOTE,
                    "Claims by outcome are shown only as totals over all rounds (below): per "
                    "round, several are fewer than 5.",
                ],
            )
        )
        out.append(
            Section(
                "family_outcome_types",
                "Family support results by outcome, all rounds",
                "Results claims by outcome over all claim rounds "
                f"({ctx.source('family_support_outcomes')}).",
                outcomes,
                source=ctx.source("family_support_outcomes"),
                notes=[SMALL_NOTE],
            )
        )
    return out


def centre_sections(ctx: LocalContext) -> list[Section]:
    if ctx.table("children_centres") is None or ctx.table("children_centres").empty:
        return []
    src = ctx.source("children_centres")
    o = cen.ofsted(ctx)
    all_ = cen.latest_area_reach(ctx, "all")
    dep = cen.latest_area_reach(ctx, "most_deprived_30")
    parts = []
    for label, r in (("all 0-4s", all_), ("0-4s in the 30% most deprived areas", dep)):
        if r:
            parts.append(f"{percent(r[2])} of {label} in {r[0]} ({cen.NURSERY[r[1]]})")
    text = (
        "Children's centres saw "
        + " and ".join(parts)
        + f" ({src}). Ofsted looks for centres to engage at least 65% of families with "
        "children under 5 in their reach area."
    )
    below = o[o["Meets the 65% benchmark"] == "No"]
    if len(below):
        text += f" {len(below)} of the {len(o)} area figures in the table are below 65%."
    out = [
        Section(
            "cc_ofsted",
            "Children's centre reach against the Ofsted 65% benchmark",
            text,
            o,
            chart=cen.ofsted_chart(o, text),
            source=src,
            notes=[
                "Reach % = children aged 0-4 seen at least once / children aged 0-4 living in "
                "the reach area x 100. Nursery education contacts are shown both ways."
            ],
        )
    ]
    dt = cen.district_table(ctx)
    testable = dt["Reach % 95% CI lower"].notna().any()
    dtext = (
        "Reach and footfall (attendances per child seen) by district and year, compared with "
        f"the area value ({src})."
    )
    dnotes = [SMALL_NOTE]
    if testable:
        dtext += (
            " Green and red mark districts whose 95% confidence interval lies wholly above or "
            "below the area value; amber, no significant difference."
        )
    else:
        dnotes.append(
            "This data gives only published percentages, not the 0-4 population of each "
            "reach area, so no confidence interval can be worked out and no difference can be "
            "tested: districts are marked only as above or below the area value. With counts "
            "(children seen and population), the chapter tests each one."
        )
    out.append(
        Section(
            "cc_districts",
            "Children's centre reach and footfall by district",
            dtext,
            dt,
            source=src,
            notes=dnotes,
        )
    )
    none, n_centres = cen.no_deprived(ctx)
    ct = declare_sources(cen.centre_table(ctx), src)  # the register names centres only
    if len(ct):
        ctext = (
            f"{ctx.area.name} has {n_centres} children's centres"
            + (
                f"; {len(none)} have no neighbourhood from the 30% most deprived in their "
                f"reach area ({', '.join(none)})"
                if none
                else ""
            )
            + f" ({src}). The table gives each centre's reach and footfall."
        )
        out.append(
            Section(
                "cc_centres",
                "Children's centres: reach and footfall by centre",
                ctext,
                ct,
                source=src + "; " + ctx.source("children_centres_register"),
                notes=dnotes,
            )
        )
    return out


def maternity_sections(ctx: LocalContext) -> list[Section]:
    out = []
    model_words = ctx.model_words_start
    need_source = ctx.need_source
    m = oth.midwifery(ctx)
    if m is not None:
        m = declare_sources(
            m,
            ctx.source("specialist_midwifery"),
            dict.fromkeys(
                [
                    "% of births likely to need intensive help",
                    "Gap (percentage points)",
                    "Gap (births a year)",
                ],
                need_source,
            ),
        )
        first = m.iloc[0]
        src = ctx.source("specialist_midwifery")
        text = (
            f"Specialist midwives received {count_text(first['Referrals'])} referrals in "
            f"{first['Period']}: {_pct(first['Referrals as % of births'])} of "
            f"{count_text(first['Births'])} births ({src}). {model_words} puts "
            f"{_pct(first['% of births likely to need intensive help'])} of young "
            "children in the group likely to need intensive help."
        )
        if ctx.is_example:
            text += (
                " The Worcestershire 2015 needs assessment's own need model, built from "
                "records that are not public, put 12.5% of births in that group; this book "
                f"uses only {ctx.model_words}."
            )
        out.append(
            Section(
                "specialist_midwifery",
                "Specialist midwifery coverage against need",
                text,
                m,
                source=f"{src}; {need_source}",
                notes=[
                    "Coverage = referrals / births x 100. The need model's share is for "
                    "children aged 0-4, the nearest figure to births.",
                    SMALL_NOTE,
                ],
            )
        )
    hv = oth.health_visiting(ctx)
    if hv is not None:
        latest = oth.hv_latest(ctx)
        below = latest[latest["percent"] < oth.HV_TARGET]
        text = (
            "Coverage of the five mandated health-visiting reviews, by quarter "
            f"({ctx.source('health_visiting_reviews')}). In the latest quarter, "
            f"{len(below)} of {len(latest)} reviews {'is' if len(below) == 1 else 'are'} below "
            f"the {percent(oth.HV_TARGET)} target."
        )
        out.append(
            Section(
                "health_visiting",
                "Health-visiting mandated reviews against target",
                text,
                hv,
                source=ctx.source("health_visiting_reviews"),
                notes=[
                    f"There is no national target; {percent(oth.HV_TARGET)} is used here as a "
                    "common local standard.",
                    SMALL_NOTE,
                ],
            )
        )
    return out


#: The template each local section's figures come from (others: ``eha_*`` early help
#: assessments, ``cc_*`` children's centres).
SECTION_TEMPLATES = {
    "eha_distance": "eha_distance_travelled",
    "eha_reasons": "eha_reasons",
    "family_outcomes": "family_support_outcomes",
    "family_outcome_types": "family_support_outcomes",
    "specialist_midwifery": "specialist_midwifery",
    "health_visiting": "health_visiting_reviews",
}
HISTORICAL = "Historical context"


def section_template(key: str) -> str | None:
    """The template a local section is made from (None for the checks and templates)."""
    if key in SECTION_TEMPLATES:
        return SECTION_TEMPLATES[key]
    return {"eha": "eha_assessments", "cc": "children_centres"}.get(key.split("_")[0])


def historical_headings(ctx: LocalContext, parts: dict[str, list[Section]]) -> dict[str, str]:
    """The heading of each section made from historical data (by section key), e.g.
    "Historical context: early help assessments, August 2013 to March 2015"."""
    out = {}
    for sections in parts.values():
        for s in sections:
            name = section_template(s.key)
            span = ctx.historical.get(name) if name else None
            if span is not None:
                out[s.key] = f"{HISTORICAL}: {TOPICS[name]}, {span.label}"
    return out


def local_sections(ctx: LocalContext) -> dict[str, list[Section]]:
    """Sections by part of the chapter (only those the data supports); a section made from
    historical data has a title starting "Historical context"."""
    other = outcome_sections(ctx)
    parts = {
        "local_data": [checks_section(ctx)],
        "eha": eha_sections(ctx) + [s for s in other if s.key.startswith("eha_")],
        "centres": centre_sections(ctx),
        "maternity": maternity_sections(ctx),
        "family": [s for s in other if s.key.startswith("family")],
        "templates": [templates_section(ctx.area, template_status(ctx))],
    }
    historical = historical_headings(ctx, parts)
    for sections in parts.values():
        for s in sections:
            apply_decimals(s.table)  # decimals by the book's rule where a table sets none
            if s.key in historical:
                s.title = f"{HISTORICAL}: {s.title}"
    return parts
