"""Structured service findings: what the recommendation rules read from the services chapter.

Each :class:`ServiceFinding` is one comparison a reader can check in the services chapter:
a value, what it was compared with, which way it falls, its period and source, and a
plain-English sentence saying all of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WORSE, BETTER, SIMILAR, NO_DATA = "worse", "better", "similar", "no data"


@dataclass(frozen=True)
class ServiceFinding:
    """One service comparison, e.g. early help's share of the most deprived 40% vs need.

    ``key`` is stable and named in the recommendation rules, e.g.
    ``eha_targeting:most_deprived_40``, ``cc_reach:most_deprived_30``,
    ``hv_coverage:new_birth``, ``specialist_midwifery_coverage``, ``demand:referrals``.
    """

    key: str
    name: str  # plain-English label
    value: float | None
    benchmark: float | None  # what it is compared with (1.0 for a ratio, 65 for Ofsted, ...)
    benchmark_label: str  # e.g. "in proportion to need", "Ofsted 65% engagement", "England"
    direction: str  # WORSE / BETTER / SIMILAR / NO_DATA
    period: str
    source: str  # e.g. "local data: eha_assessments.csv" or a public dataset
    sentence: str  # plain English, with the number, its period and source
    unit: str = ""  # "ratio", "%", "per 10,000", ...
    chapter: str = "04_services"
    domains: tuple[str, ...] = ()  # outcome-star domains (data/indicators.yml star_domains)
    life_stages: tuple[str, ...] = ()  # antenatal / 0-5 / 5-11 / 12-19

    @property
    def has_data(self) -> bool:
        return self.value is not None and self.direction != NO_DATA


def service_findings(
    area_code: str,
    year: int,
    data_dir: str | Path | None = None,
    local_dir: str | Path | None = None,
) -> list[ServiceFinding]:
    """Every service finding for the area: public demand, and local analyses where supplied."""
    return []
