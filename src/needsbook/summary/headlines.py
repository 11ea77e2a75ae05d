"""Choose 5-8 headline findings across the book's chapters, each with its period and source.

Population (size and trend), deprivation, modelled need, outcomes (the most important
:func:`needsbook.outcomes.findings.key_findings`, one per life stage) and, when the
services chapter supplies them, service findings (worse first). Every headline carries the
period its number refers to and its source, and names the chapter that holds the detail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from needsbook.areas import Area
from needsbook.chapters.base import Section, first_sentence
from needsbook.outcomes.findings import Finding, key_findings
from needsbook.services.demand import outcome_measure_keys
from needsbook.services.findings import NOT_APPLICABLE, WORSE, ServiceFinding

MAX_HEADLINES = 8
MAX_OUTCOMES = 3
MAX_SERVICES = 2
_MID_YEAR = re.compile(r"mid-\d{4}")


@dataclass(frozen=True)
class Headline:
    """One headline finding: a plain-English sentence with its period, source and chapter."""

    topic: str  # Population / Deprivation / Need / Outcomes / Services
    sentence: str  # contains ``period``
    period: str
    source: str
    chapter: str  # notebook slug, e.g. "01_population"


def names_period(sentence: str, period: str) -> bool:
    """True when the sentence names the period: all of it, or every year in it."""
    years = re.findall(r"\d{4}", period)
    return period in sentence or (bool(years) and all(y in sentence for y in years))


def _with_period(sentence: str, period: str) -> str:
    """The sentence, with the period added in brackets unless it already names it."""
    if names_period(sentence, period):
        return sentence
    return f"{sentence.rstrip('.')} ({period})."


def _section_headline(
    topic: str, section: Section, chapter: str, period: str, sentence: str | None = None
) -> Headline:
    text = sentence or first_sentence(section.summary)
    return Headline(topic, _with_period(text, period), period, section.source, chapter)


def population_headlines(size: Section, trend: Section) -> list[Headline]:
    """How many children live in the area, and how their number has changed."""
    out = []
    found = _MID_YEAR.search(size.summary)
    if found:
        out.append(_section_headline("Population", size, "01_population", found.group(0)))
    span = re.search(r"between (\d{4}) and (\d{4})", trend.summary)
    if span:
        period = f"{span.group(1)} to {span.group(2)}"
        out.append(_section_headline("Population", trend, "01_population", period))
    return out


def deprivation_headline(section: Section, latest: Section | None = None) -> Headline:
    """Deprivation on the latest index (IoD 2025: neighbourhoods) when the area has any on it,
    else the share of children living in England's most deprived neighbourhoods (IMD 2019)."""
    if latest is not None and latest.table["Neighbourhoods, IoD 2025"].sum() > 0:
        return _section_headline("Deprivation", latest, "02_need", "IoD 2025")
    found = _MID_YEAR.search(section.summary)
    period = f"{found.group(0)}, IMD 2019" if found else "IMD 2019"
    sentence = first_sentence(section.summary)
    if found and found.group(0) in sentence and "IMD 2019" in sentence:
        period = found.group(0)
    return _section_headline("Deprivation", section, "02_need", period, sentence)


def need_headline(section: Section, year: int | None = None) -> Headline:
    """The modelled share of children likely to need preventive help in the book's data year
    (a model estimate: the share, not a count tied to an old population year)."""
    head = first_sentence(section.summary).split(";")[0].rstrip(".")
    share, _, _ = head.partition(", about ")
    sentence = f"{share} are likely to need additional, extra or intensive preventive help."
    if ", about " not in head:
        sentence = f"{head}."
    from needsbook.chapters.need import OPEN_MODEL

    # the model's own name: the population it was weighted with is in the need chapter
    source = section.source.split(";")[0]
    when = "" if year is None else f" for {year}"
    if source.startswith(OPEN_MODEL):
        period = f"modelled{when} from outcomes at each age and neighbourhood deprivation"
    else:
        period = f"modelled{when} by the council's own need model"
    return Headline("Need", f"{sentence[:-1]} ({period}).", period, source, "02_need")


def outcome_headlines(items: list[Finding], limit: int = MAX_OUTCOMES) -> list[Headline]:
    """The most important outcome findings (worse first), at most one per life stage."""
    chosen: list[Finding] = []
    seen: set[str] = set()
    for f in key_findings(items, len(items)):
        if f.life_stage in seen:
            continue
        seen.add(f.life_stage)
        chosen.append(f)
        if len(chosen) == limit:
            break
    return [
        Headline("Outcomes", f.sentence, f.period, f.indicator.source, "03_outcomes")
        for f in chosen
    ]


def service_headlines(items: list[ServiceFinding], limit: int = MAX_SERVICES) -> list[Headline]:
    """Service findings with data, those worse than their benchmark first (a demand measure
    that is also an outcome indicator is left to its outcome headline: one fact, one
    headline)."""
    same_as_outcome = outcome_measure_keys()
    ranked = sorted(
        (s for s in items if s.has_data and s.key not in same_as_outcome),
        key=lambda s: (s.direction != WORSE, s.rising is not True),
    )
    return [
        Headline(
            "Services", _with_period(s.current_sentence, s.period), s.period, s.source, s.chapter
        )
        for s in ranked[:limit]
    ]


def not_applicable(items: list[ServiceFinding]) -> list[str]:
    """Sentences of the service findings that cannot exist for the area, with the reason
    (e.g. a targeting ratio where no neighbourhood is in the most deprived 40%)."""
    return [s.sentence for s in items if s.direction == NOT_APPLICABLE]


def choose_headlines(
    area: Area,
    population: dict[str, Section],
    need: dict[str, Section],
    outcomes: list[Finding],
    services: list[ServiceFinding],
    year: int | None = None,
) -> list[Headline]:
    """5-8 headlines in book order: population, deprivation, need, outcomes, services
    (``year``: the book's data year, which the need headline names).

    ``population`` and ``need`` map section keys to the chapters' sections (``age_structure``,
    ``trend``; ``deprived_areas``, ``need_area``)."""
    fixed = population_headlines(population["age_structure"], population["trend"])
    fixed += [
        deprivation_headline(need["deprived_areas"], need.get("latest_index")),
        need_headline(need["need_area"], year),
    ]
    svc = service_headlines(services)
    room = max(1, min(MAX_OUTCOMES, MAX_HEADLINES - len(fixed) - len(svc)))
    return [*fixed, *outcome_headlines(outcomes, room), *svc][:MAX_HEADLINES]


def load_headlines(
    area: Area, year: int, data_dir: Path | str | None = None, local_dir: Path | str | None = None
) -> list[Headline]:
    """Build the chapters' findings for the area and year, and choose the headlines."""
    from needsbook.chapters import need, population
    from needsbook.outcomes.findings import findings
    from needsbook.services.findings import service_findings

    pop = [population.age_structure(area, year, data_dir), population.trend(area, year, data_dir)]
    nd = need.build(
        area.code,
        year,
        data_dir,
        only=("deprived_areas", "latest_index", "need_area"),
        local_dir=local_dir,
    )
    return choose_headlines(
        area,
        {s.key: s for s in pop},
        {s.key: s for s in nd.sections},
        findings(area.code, year, data_dir),
        service_findings(area.code, year, data_dir, local_dir),
        year,
    )
