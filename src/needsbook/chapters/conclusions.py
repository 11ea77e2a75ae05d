"""The conclusions chapter: what is going well, what is of concern, and where the evidence is
thin, drawn from the findings of every chapter.

Nothing is computed here. Outcome findings come from the benchmarking engine
(:func:`needsbook.outcomes.findings.findings`), service findings from
:func:`needsbook.services.findings.service_findings`, the recommendations that cite them from
:func:`needsbook.recommend.recommend`, and evidence strength from the evidence catalogue; this
module sorts them into the three questions a reader asks and phrases the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

from needsbook.areas import resolve_area
from needsbook.chapters.base import Chapter, Section
from needsbook.chapters.text import and_join, lower_first
from needsbook.charts import RAG
from needsbook.evidence.catalogue import Catalogue, load_catalogue, programmes_for
from needsbook.evidence.strength import at_least, strengths
from needsbook.outcomes.catalogue import load_catalogue as load_indicators
from needsbook.outcomes.compare import BETTER, WORSE
from needsbook.outcomes.findings import Finding, findings
from needsbook.polarity import NO_JUDGEMENT
from needsbook.recommend import RuleResults, recommend
from needsbook.recommend.predicates import DEMAND_INDICATOR
from needsbook.recommend.rules import Rule, load_rules
from needsbook.recommend.wording import service_value
from needsbook.services.demand import outcome_measure_keys
from needsbook.services.findings import ServiceFinding, service_findings

#: How many findings each list names in its summary (the table holds them all).
NAMED = 6
#: Evidence at least this strong counts as a good evidence base for a domain of concern.
GOOD_EVIDENCE = "moderate"
OUTCOMES_SOURCE = "The outcomes chapter of this assessment (sources listed there)"
SERVICES_SOURCE = "The service provision chapter of this assessment (sources listed there)"


@dataclass
class ConclusionsChapter(Chapter):
    """The conclusions, with the findings behind each list."""

    going_well: list[Finding] = field(default_factory=list)
    concerns: list[Finding] = field(default_factory=list)
    service_concerns: list[ServiceFinding] = field(default_factory=list)


# --- sorting findings ------------------------------------------------------------------------


def _judged(f: Finding) -> bool:
    return f.has_data and f.polarity != NO_JUDGEMENT


def is_going_well(f: Finding) -> bool:
    """Significantly better than England, in the best fifth of areas, or getting better, and
    neither worse than England nor getting worse."""
    if not _judged(f) or f.direction == WORSE or f.getting_worse:
        return False
    better = f.significant and f.direction == BETTER
    best_fifth = f.method == "quintiles" and f.quintile == 1
    return better or best_fifth or f.getting_better


def why_concern(f: Finding) -> str:
    """The reasons a finding is of concern, in words (the finding's own)."""
    return and_join(list(f.concern_reasons))


def why_going_well(f: Finding) -> str:
    reasons = []
    if f.significant and f.direction == BETTER:
        reasons.append("significantly better than England")
    if f.method == "quintiles" and f.quintile == 1:
        reasons.append("among the best fifth of English areas")
    if f.getting_better:
        reasons.append("getting better")
    return and_join(reasons)


def is_service_concern(f: ServiceFinding) -> bool:
    """A service measure worse than its benchmark, or demand higher than England and rising."""
    if not f.has_data or getattr(f, "historical", False):
        return False
    return f.direction == WORSE or (f.direction == "higher" and bool(f.rising))


def cited_by(results: RuleResults) -> dict[str, list[str]]:
    """Finding key -> titles of the recommendations citing it (a social care demand measure
    is the same fact as its outcome indicator, so it is keyed by both)."""
    out: dict[str, list[str]] = {}
    for rec in results.fired:
        for t in rec.triggers:
            for key in dict.fromkeys((t.key, DEMAND_INDICATOR.get(t.key, t.key))):
                out.setdefault(key, []).append(rec.title)
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


def _named(names: list[str]) -> str:
    """The first :data:`NAMED` names, then how many more; separated by semicolons, because
    indicator names contain commas ("school readiness, children eligible for free school
    meals")."""
    shown = "; ".join(names[:NAMED])
    if len(names) <= NAMED:
        return shown
    return f"{shown}; and {len(names) - NAMED} more"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def shown_in_outcomes(services: list[ServiceFinding]) -> list[ServiceFinding]:
    """Service findings that are not the same measure as an outcome indicator (social care
    demand measures appear in both chapters; the outcome finding speaks for them here)."""
    both = outcome_measure_keys()
    return [f for f in services if f.key not in both]


def _order(items: list[Finding]) -> list[Finding]:
    return sorted(items, key=lambda f: (f.priority, -abs(f.relative or 0.0)))


# --- sections --------------------------------------------------------------------------------


def _finding_rows(items: list[Finding], why: str, reason: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Indicator": [f.name for f in items],
            "Period": [f.period for f in items],
            "Value": [f.indicator.format(f.value) for f in items],
            "Compared with": [
                f"England {f.indicator.format(f.england)}"
                if f.england is not None
                else "no England figure"
                for f in items
            ],
            why: [reason(f) for f in items],  # type: ignore[operator]
        }
    )


#: The chart's two groups: (label, colour); the bars are also labelled, so colour is not the
#: only cue.
GROUPS = {"Going well": RAG["Better"], "Of concern": RAG["Worse"]}


def balance_chart(area_name: str, well: list[Finding], worry: list[Finding]) -> alt.LayerChart:
    """Outcome indicators going well and of concern, by life stage (bars labelled)."""
    stages = load_indicators().life_stages
    rows = [
        {"Life stage": stages.get(f.life_stage, "Other"), "Group": group}
        for group, items in (("Going well", well), ("Of concern", worry))
        for f in items
    ]
    frame = pd.DataFrame(rows, columns=["Life stage", "Group"])
    counts = frame.value_counts().rename("Indicators").reset_index()
    counts["Label"] = counts["Indicators"].astype(str) + " " + counts["Group"].str.lower()
    bars = (
        alt.Chart(counts)
        .mark_bar(stroke="#0b0c0c")
        .encode(
            y=alt.Y(
                "Life stage:N",
                title=None,
                sort=list(stages.values()),
                axis=alt.Axis(labelLimit=0),
            ),
            yOffset=alt.YOffset("Group:N", sort=list(GROUPS)),
            x=alt.X(
                "Indicators:Q",
                title="Number of outcome indicators",
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            color=alt.Color(
                "Group:N",
                scale=alt.Scale(domain=list(GROUPS), range=list(GROUPS.values())),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["Life stage:N", "Group:N", "Indicators:Q"],
        )
    )
    labels = bars.mark_text(align="left", dx=4, color="#0b0c0c").encode(
        text="Label:N", color=alt.value("#0b0c0c")
    )
    return (bars + labels).properties(
        title=f"Outcomes going well and of concern in {area_name}, by life stage",
        width=360,
        height=alt.Step(18),
    )


def going_well_section(area_name: str, items: list[Finding], worry: list[Finding]) -> Section:
    """Outcomes better than England or improving (the chart sets them beside the concerns)."""
    if items:
        named = _named([lower_first(f.name) for f in items])
        summary = (
            f"{_plural(len(items), 'outcome indicator')} for {area_name} "
            f"{'is' if len(items) == 1 else 'are'} better than England or "
            f"improving: {named}. The table gives each value, its period and why it "
            "counts as going well."
        )
    else:
        summary = (
            f"None of {area_name}'s outcome indicators is significantly better than England, "
            "in the best fifth of English areas, or significantly improving."
        )
    return Section(
        key="going_well",
        title="What is going well",
        summary=summary,
        table=_finding_rows(items, "Why it is going well", why_going_well),
        chart=balance_chart(area_name, items, worry).properties(description=summary),
        source=OUTCOMES_SOURCE,
    )


def concerns_section(
    area_name: str,
    items: list[Finding],
    services: list[ServiceFinding],
    results: RuleResults,
) -> Section:
    """Outcomes and services of concern, each with the recommendation that acts on it."""
    cites = cited_by(results)
    rules = load_rules() if services else []  # read once, for the services no rule acts on
    rows = _finding_rows(items, "Why it is of concern", why_concern)
    reasons = {c.key: c.reason for c in results.concerns}
    rows["Recommendation acting on it"] = [
        "; ".join(cites.get(f.indicator_id, []))
        or "None: " + lower_first(reasons.get(f.indicator_id, "no recommendation rule covers it."))
        for f in items
    ]
    service_rows = pd.DataFrame(
        {
            "Indicator": [f.name[:1].upper() + f.name[1:] for f in services],
            "Period": [f.period for f in services],
            "Value": [service_value(f, f.value) for f in services],
            "Compared with": [_benchmark(f) for f in services],
            "Why it is of concern": [_service_reason(f) for f in services],
            "Recommendation acting on it": [
                "; ".join(cites.get(f.key, [])) or "None: " + _no_rule(f.key, results, rules)
                for f in services
            ],
        }
    )
    table = pd.concat([rows, service_rows], ignore_index=True)
    n = len(table)
    if n:
        acted = int((~table["Recommendation acting on it"].str.startswith("None")).sum())
        named = _named([lower_first(f.name) for f in items])
        text = (
            f"{_plural(n, 'finding')} for {area_name} {'is' if n == 1 else 'are'} of concern"
            + (f"; the outcomes include {named}" if items else "")
            + f". {_acted(acted, n)}"
        )
    else:
        text = (
            f"No outcome or service finding for {area_name} is significantly worse than "
            "England, in the worst fifth of English areas, or getting worse."
        )
    return Section(
        key="concerns",
        title="What is of concern",
        summary=text,
        table=table,
        source=f"{OUTCOMES_SOURCE}; {SERVICES_SOURCE}" if len(service_rows) else OUTCOMES_SOURCE,
    )


def _acted(acted: int, n: int) -> str:
    """How many concerns a recommendation acts on, and where the others' reasons are."""
    rest = (
        "the table gives the reason no recommendation rule applied (outcomes are also listed "
        "under other outcomes of concern in the recommendations chapter)."
    )
    if acted == n:
        return ("It is" if n == 1 else "All of them are") + " behind a recommendation."
    if acted == 0:
        lead = "It is not behind a recommendation" if n == 1 else "None is behind a recommendation"
        return f"{lead}; {rest}"
    verb = "is" if acted == 1 else "are"
    return f"{acted} of them {verb} behind a recommendation; for the rest {rest}"


def _no_rule(key: str, results: RuleResults, rules: list[Rule]) -> str:
    """Why no recommendation acts on a service finding: a rule that looks at it did not apply
    (with its reason), or no rule looks at it."""
    looking = [
        r
        for r in rules
        if any(
            c.subject == "service"
            and (c.target == key or (c.target.endswith("*") and key.startswith(c.target[:-1])))
            for c in r.conditions
        )
    ]
    checks = {c.rule_id: c for c in results.not_fired}
    said = [
        f"the rule “{r.title}” did not apply: {lower_first(checks[r.id].outcome)}"
        for r in looking
        if r.id in checks
    ]
    return "; ".join(said) if said else "no recommendation rule covers it."


def _benchmark(f: ServiceFinding) -> str:
    if f.benchmark is None or f.unit == "ratio":
        return f.benchmark_label
    return f"{f.benchmark_label} {service_value(f, f.benchmark)}"


def _service_reason(f: ServiceFinding) -> str:
    if f.direction == WORSE:
        return f"worse than its benchmark ({f.benchmark_label})"
    return "higher than England and rising"


def thin_evidence(
    concerns: list[Finding], catalogue: Catalogue, domain_titles: dict[str, str]
) -> pd.DataFrame:
    """Domains of the outcomes of concern whose programmes have no moderate or strong rating."""
    strength = strengths(catalogue)
    rows = []
    by_domain: dict[str, list[Finding]] = {}
    for f in concerns:
        if f.indicator.domain:
            by_domain.setdefault(f.indicator.domain, []).append(f)
    for domain, found in by_domain.items():
        progs = programmes_for([domain], catalogue=catalogue)
        good = [i for i in progs["id"] if at_least(str(strength[i]), GOOD_EVIDENCE)]
        if good:
            continue
        rows.append(
            {
                "Topic": domain_titles.get(domain, domain),
                "Outcomes of concern": "; ".join(f.name for f in found),
                "What is thin": (
                    f"none of the {len(progs)} programmes in the evidence review for this "
                    "domain has a moderate or strong rating"
                    if len(progs)
                    else "the evidence review has no programme for this domain"
                ),
            }
        )
    return pd.DataFrame(rows, columns=["Topic", "Outcomes of concern", "What is thin"])


def gaps_section(
    area_name: str,
    concerns: list[Finding],
    outcomes: list[Finding],
    services: list[ServiceFinding],
    catalogue: Catalogue,
) -> Section:
    """Where the evidence is thin: weak programme evidence, and data the book does not have."""
    table = thin_evidence(concerns, catalogue, load_indicators().star_domains)
    missing = [f for f in outcomes if not f.has_data]
    local = [
        f
        for f in services
        if not f.key.startswith("demand:") and f.has_data and not getattr(f, "historical", False)
    ]
    extra = []
    if missing:
        extra.append(
            {
                "Topic": "Outcome data",
                "Outcomes of concern": "",
                "What is thin": "no published value for "
                f"{area_name}: {'; '.join(lower_first(f.name) for f in missing)}",
            }
        )
    if not local:
        extra.append(
            {
                "Topic": "The council's own service data",
                "Outcomes of concern": "",
                "What is thin": "no recent local data on early help assessments, children's "
                "centres, health visiting reviews or specialist midwifery were supplied, so "
                "the book cannot say whether these services reach the families who need them",
            }
        )
    table = pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
    parts = []
    n_thin = len(table) - len(extra)
    if n_thin:
        parts.append(
            f"For {n_thin} topic{'s' if n_thin != 1 else ''} with outcomes of concern, the "
            "evidence review has no programme with a moderate or strong rating, so local "
            "evaluation matters more there"
        )
    if missing:
        parts.append(
            f"{_plural(len(missing), 'outcome indicator')} "
            f"{'has' if len(missing) == 1 else 'have'} no published value for {area_name}"
        )
    if not local:
        parts.append("the council's own recent service data were not supplied")
    summary = (
        ("; ".join(parts) + ".")[:1].upper() + ("; ".join(parts) + ".")[1:]
        if parts
        else "Every outcome of concern has programmes with at least a moderate rating in the "
        "evidence review, and the book has the data it looks for."
    )
    return Section(
        key="thin",
        title="Where the evidence is thin",
        summary=summary,
        table=table,
        source="The evidence review and the data sources of this assessment",
    )


def build(
    area_code: str,
    year: int,
    data_dir: Path | str | None = None,
    local_dir: Path | str | None = None,
) -> ConclusionsChapter:
    """The conclusions for one area and data year."""
    area = resolve_area(area_code, data_dir)
    outcomes = findings(area.code, int(year), data_dir)
    services = service_findings(area.code, int(year), data_dir, local_dir)
    results = recommend(area.code, int(year), data_dir, local_dir)
    well = _order([f for f in outcomes if is_going_well(f)])
    worry = _order([f for f in outcomes if f.of_concern])
    service_worry = [f for f in shown_in_outcomes(services) if is_service_concern(f)]
    sections = [
        going_well_section(area.name, well, worry),
        concerns_section(area.name, worry, service_worry, results),
        gaps_section(area.name, worry, outcomes, services, load_catalogue()),
    ]
    return ConclusionsChapter(
        area.code,
        area.name,
        int(year),
        sections,
        going_well=well,
        concerns=worry,
        service_concerns=service_worry,
    )
