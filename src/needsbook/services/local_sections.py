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
from needsbook.need import estimate_need, need_share_by_quintile
from needsbook.services import local_centres as cen
from needsbook.services import local_other as oth
from needsbook.services.common import SMALL_NOTE, LocalContext, count_text
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
}
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
    """Validate the folder (InputError if invalid) and attach the open need model."""
    data = load_local(folder, area, data_dir)
    need = need_share_by_quintile(area.code, year, data_dir)
    est = estimate_need(area.code, year, data_dir)
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


def templates_section(area: Area, present: list[str] | None = None) -> Section:
    """Which templates would add which analyses, and the command that writes them."""
    present = present or []
    rows = [
        {
            "Template": t.file,
            "Contents": t.title,
            "Adds to this chapter": ADDS.get(name, ""),
            "Supplied": "Yes" if t.file in present else "No",
        }
        for name, t in TEMPLATES.items()
    ]
    table = pd.DataFrame(rows)
    missing = table[table["Supplied"] == "No"]
    if present:
        summary = (
            f"{len(present)} of the {len(table)} local data templates "
            f"{'was' if len(present) == 1 else 'were'} supplied for "
            f"{area.name}."
        )
        if len(missing):
            summary += (
                " The others would add: "
                + "; ".join(f"{r.Template} ({r._3})" for r in missing.itertuples())
                + "."
            )
    else:
        summary = (
            f"No local service data has been supplied for {area.name}, so this chapter shows "
            "only the national data above. The council's own data would add the analyses in "
            "the table: early help assessments against need, children's centre reach, "
            "health-visiting reviews, specialist midwifery and family support outcomes. "
            f"To start, run `needsbook local-template --area {area.code}`: it writes empty "
            f"templates with a README for each into `data/local/{area.code}/`. Fill them in "
            "and build again (or pass `--local-dir`)."
        )
    return Section(
        key="local_templates",
        title="Local service data: templates and what they add",
        summary=summary,
        table=table,
        source="needsbook local data templates (data/local/<area code>/)",
        notes=[
            "Every file is checked before use: a wrong column, a percentage over 100, a "
            "negative count, an unknown district or centre, a duplicated row or text in a "
            "number column stops the build with a message naming the file, column and rows."
        ],
    )


def checks_section(ctx: LocalContext) -> Section:
    rows = [{"Check": "Warning", "Detail": w} for w in ctx.data.warnings]
    rows += [{"Check": "Not supplied", "Detail": f} for f in ctx.data.missing]
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
            "In the seed report's Table 9 the six districts' children seen add to 14,929, "
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
            f"({ctx.source('eha_distance_travelled.csv')}). Distance travelled is recorded, "
            "but not with a validated outcome tool."
        )
        out.append(
            Section(
                "eha_distance",
                "Distance travelled during early help",
                text,
                d,
                source=ctx.source("eha_distance_travelled.csv"),
                notes=[SMALL_NOTE],
            )
        )
    r = oth.reasons(ctx)
    if r is not None:
        top = r.dropna(subset=["% of EHAs citing the reason"]).head(3)
        text = (
            "The most common reasons given for EHAs, "
            f"{r['Period'].iloc[0]} ({ctx.source('eha_reasons.csv')}): "
            + "; ".join(f"{x.Reason} ({_pct(x._4)})" for x in top.itertuples())
            + ". One EHA can give several reasons."
        )
        out.append(
            Section(
                "eha_reasons",
                "Reasons for early help assessments",
                text,
                r,
                source=ctx.source("eha_reasons.csv"),
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
            f"({ctx.source('family_support_outcomes.csv')}). Families are counted once, at "
            "their first results claim; extra payments for the same families are not "
            "counted again."
        )
        out.append(
            Section(
                "family_outcomes",
                "Family support results: families with a results claim",
                text,
                rounds,
                source=ctx.source("family_support_outcomes.csv"),
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
                f"({ctx.source('family_support_outcomes.csv')}).",
                outcomes,
                source=ctx.source("family_support_outcomes.csv"),
                notes=[SMALL_NOTE],
            )
        )
    return out


def centre_sections(ctx: LocalContext) -> list[Section]:
    if ctx.table("children_centres") is None or ctx.table("children_centres").empty:
        return []
    src = ctx.source("children_centres.csv")
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
    ct = cen.centre_table(ctx)
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
                source=src + "; children_centres_register.csv",
                notes=dnotes,
            )
        )
    return out


def maternity_sections(ctx: LocalContext) -> list[Section]:
    out = []
    m = oth.midwifery(ctx)
    if m is not None:
        first = m.iloc[0]
        src = ctx.source("specialist_midwifery.csv")
        text = (
            f"Specialist midwives received {count_text(first['Referrals'])} referrals in "
            f"{first['Period']}: {_pct(first['Referrals as % of births'])} of "
            f"{count_text(first['Births'])} births ({src}). The open need model puts "
            f"{_pct(first['% of births likely to need intensive help'])} of young "
            "children in the group likely to need intensive help."
        )
        if ctx.is_example:
            text += (
                " The seed report compared its 8% with PREview's 12.5% of births in that "
                "group and found a gap; the open model's lower share does not."
            )
        out.append(
            Section(
                "specialist_midwifery",
                "Specialist midwifery coverage against need",
                text,
                m,
                source=src + "; need: needsbook open need model",
                notes=[
                    "Coverage = referrals / births x 100. The open model's share is for "
                    "children aged 0-4, the nearest open figure to births.",
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
            f"({ctx.source('health_visiting_reviews.csv')}). In the latest quarter, "
            f"{len(below)} of {len(latest)} reviews {'is' if len(below) == 1 else 'are'} below "
            f"the {percent(oth.HV_TARGET)} target."
        )
        out.append(
            Section(
                "health_visiting",
                "Health-visiting mandated reviews against target",
                text,
                hv,
                source=ctx.source("health_visiting_reviews.csv"),
                notes=[
                    f"There is no national target; {percent(oth.HV_TARGET)} is used here as a "
                    "common local standard.",
                    SMALL_NOTE,
                ],
            )
        )
    return out


def local_sections(ctx: LocalContext) -> dict[str, list[Section]]:
    """Sections by part of the chapter (only those the data supports)."""
    tables = {name: ctx.table(name) for name in TEMPLATES}
    present = [  # a file with no rows (a blank template) adds nothing
        t.file for name, t in TEMPLATES.items() if tables[name] is not None and len(tables[name])
    ]
    other = outcome_sections(ctx)
    parts = {
        "local_data": [checks_section(ctx)],
        "eha": eha_sections(ctx) + [s for s in other if s.key.startswith("eha_")],
        "centres": centre_sections(ctx),
        "maternity": maternity_sections(ctx),
        "family": [s for s in other if s.key.startswith("family")],
        "templates": [templates_section(ctx.area, present)],
    }
    for sections in parts.values():  # decimals by the book's rule where a table sets none
        for s in sections:
            apply_decimals(s.table)
    return parts
