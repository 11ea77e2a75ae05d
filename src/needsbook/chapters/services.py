"""Chapter 4, service provision: demand on children's services from national data, and, where
the council supplies its own data, where early help, children's centres, health visiting and
specialist midwifery go compared with need (as in the Worcestershire 2015 needs assessment).

All numbers come from :mod:`needsbook.services`; this module arranges them into sections.
Local data ending more than :data:`~needsbook.historical.HISTORICAL_AFTER_YEARS` years before
the book's data year is shown under a
"Historical context" heading and feeds no finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from IPython.display import Markdown, display

from needsbook.areas import resolve_area
from needsbook.chapters.base import Chapter, Section
from needsbook.escape import md
from needsbook.historical import OLDER_THAN
from needsbook.local.folder import local_folder
from needsbook.services.demand import demand_summary
from needsbook.services.demand_sections import demand_sections
from needsbook.services.findings import (
    BETTER,
    WORSE,
    ServiceFinding,
    findings_from,
)
from needsbook.services.local_sections import (
    HISTORICAL,
    SUPPLIED,
    historical_headings,
    load_context,
    local_sections,
    template_status,
    templates_section,
)

PARTS = ("local_data", "eha", "centres", "maternity", "family")
KEY_FINDINGS = 8
LOCAL_KEY_FINDINGS = 5  # leaves room for the national demand findings


@dataclass
class ServicesChapter(Chapter):
    """The services chapter: sections, which part each belongs to, and its findings."""

    parts: dict[str, list[str]] = field(default_factory=dict)
    findings: list[ServiceFinding] = field(default_factory=list)
    has_local: bool = False
    is_example: bool = False
    #: The "Historical context: <data>, <period>" heading of each section made from data
    #: ending more than HISTORICAL_AFTER_YEARS years before the book's data year (by key).
    historical: dict[str, str] = field(default_factory=dict)

    def part(self, name: str) -> list[Section]:
        return [self.section(k) for k in self.parts.get(name, [])]

    @property
    def key_findings(self) -> list[str]:
        items = [f for f in self.findings if f.has_data]
        local = [f for f in items if not f.key.startswith("demand:")]
        demand = [f for f in items if f.key.startswith("demand:")]
        notable = [f for f in demand if f.rising or f.direction in (WORSE, BETTER)]
        lines = []
        if self.is_example:
            lines.append(
                "The local figures in this chapter are a worked example: Worcestershire's "
                "2013-2015 figures transcribed from the Worcestershire 2015 needs assessment."
            )
        if self.historical:
            spans = sorted({h.removeprefix(f"{HISTORICAL}: ") for h in self.historical.values()})
            lines.append(
                f"Some local data ends {OLDER_THAN} before {self.year} and is shown "
                f"only as historical context ({'; '.join(spans)}): it does not feed the key "
                "findings, headlines or recommendations."
            )
        elif not self.has_local:
            lines.append(
                f"No local service data was supplied for {self.area_name}: this chapter shows "
                "national data only."
            )
        lines += [f.sentence for f in local[:LOCAL_KEY_FINDINGS]]
        lines += [f.sentence for f in notable]
        return lines[:KEY_FINDINGS]


def build(
    area_code: str,
    year: int,
    data_dir: str | Path | None = None,
    local_dir: str | Path | None = None,
) -> ServicesChapter:
    """Every section of the chapter (local sections only where local data is supplied)."""
    area = resolve_area(area_code, data_dir)
    summary = demand_summary(area.code, year, data_dir)
    sections = demand_sections(area, year, summary, data_dir)
    parts: dict[str, list[str]] = {}
    folder = local_folder(area.code, local_dir or None, data_dir)
    ctx = load_context(area, year, folder, data_dir) if folder is not None else None
    status = template_status(ctx)
    historical: dict[str, str] = {}
    if ctx is not None and SUPPLIED in status.values():
        local = local_sections(ctx)
        historical = historical_headings(ctx, local)
        for name, items in local.items():
            sections += items
            parts[name] = [s.key for s in items]
    else:  # no folder, or only empty templates
        sections.append(templates_section(area, status))
        parts["templates"] = ["local_templates"]
        ctx = None
    return ServicesChapter(
        area_code=area.code,
        area_name=area.name,
        year=year,
        sections=sections,
        parts=parts,
        findings=findings_from(area.name, summary, ctx),
        has_local=ctx is not None,
        is_example=bool(ctx and ctx.is_example),
        historical=historical,
    )


def show_part(chapter: ServicesChapter, name: str) -> None:
    """Show each section of a part under a bold title, or say there is no data for it."""
    from needsbook.chapters.display import show

    items = chapter.part(name)
    if not items:
        what = "the local data templates below" if name != "templates" else "above"
        display(
            Markdown(
                f"*No local data for this part of the chapter for {md(chapter.area_name)}: "
                f"see {what}.*"
            )
        )
        return
    heading = ""
    for s in items:
        if chapter.historical.get(s.key, "") != heading:
            heading = chapter.historical.get(s.key, "")
            if heading:
                display(Markdown(f"### {md(heading)}"))
                display(Markdown(f"*{md(historical_note(chapter.year))}*"))
        if len(items) > 1 or name == "local_data":
            display(Markdown(f"**{md(s.title)}**"))
        show(s)


def historical_note(year: int) -> str:
    """What a historical section is for (shown under its heading)."""
    return (
        f"These figures end {OLDER_THAN} before this book's data year ({year}). "
        "They are shown as historical context only: they do not describe services today and "
        "do not feed the key findings, headlines or recommendations."
    )
