"""Chapter 4, special educational needs and vulnerable children: education, health and care
plans, requests for assessment and their timeliness; factors identified at children's social
care assessments; looked-after children's health and stability; care leavers; youth justice;
child poverty; and demand on children's social care adjusted for deprivation.

All numbers and verdicts come from the benchmarking engine (:mod:`needsbook.outcomes.compare`)
through :mod:`needsbook.vulnerable`; this module puts the sections in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from needsbook.adjusted.section import section as adjusted_demand
from needsbook.areas import resolve_area
from needsbook.chapters.base import Chapter, Section, first_sentence
from needsbook.vulnerable.children import (
    care_leavers,
    child_poverty,
    factors,
    looked_after,
    youth_justice,
)
from needsbook.vulnerable.measures import Context
from needsbook.vulnerable.send import send_plans, send_requests, send_timeliness

#: The sections in chapter order (``adjusted_demand`` follows them).
SECTIONS: tuple[tuple[str, Callable[[Context], Section]], ...] = (
    ("send_plans", send_plans),
    ("send_requests", send_requests),
    ("send_timeliness", send_timeliness),
    ("factors", factors),
    ("looked_after", looked_after),
    ("care_leavers", care_leavers),
    ("youth_justice", youth_justice),
    ("child_poverty", child_poverty),
)


@dataclass
class VulnerableChildrenChapter(Chapter):
    """The chapter's sections; its key findings are each section's first sentence."""

    def has(self, key: str) -> bool:
        return any(s.key == key for s in self.sections)

    @property
    def key_findings(self) -> list[str]:
        """Each section's headline (its first sentence where it has none)."""
        return [getattr(s, "headline", "") or first_sentence(s.summary) for s in self.sections]


def build(
    area_code: str, year: int, data_dir: str | Path | None = None, charts: bool = True
) -> VulnerableChildrenChapter:
    """Every section of the chapter for one area and data year (``charts=False``: text and
    tables only)."""
    area = resolve_area(area_code, data_dir)
    ctx = Context(area, int(year), data_dir or None, charts)
    sections = [make(ctx) for _, make in SECTIONS]
    sections.append(adjusted_demand(area.code, int(year), data_dir or None))
    return VulnerableChildrenChapter(
        area_code=area.code, area_name=area.name, year=int(year), sections=sections
    )
