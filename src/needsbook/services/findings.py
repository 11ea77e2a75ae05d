"""Structured service findings: what the recommendation rules read from the services chapter.

Each :class:`ServiceFinding` is one comparison a reader can check in the services chapter:
a value, what it was compared with, which way it falls, its period and source, and a
plain-English sentence saying all of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WORSE, BETTER, SIMILAR, NO_DATA = "worse", "better", "similar", "no data"
HIGHER, LOWER = "higher", "lower"  # for measures with no better/worse judgement (demand)

#: The keys the recommendation rules may name (value, unit, and when it is "worse"):
KEYS = {
    "eha_targeting:most_deprived_40": "EHA share / need share, ratio; worse below 1",
    "eha_targeting:least_deprived_40": "EHA share / need share, ratio; worse above 1",
    "cc_reach:all": "% of 0-4s seen by children's centres; worse below Ofsted 65%",
    "cc_reach:most_deprived_30": "% of the 30% most deprived 0-4s seen; worse below 65%",
    "cc_no_deprived_lsoa": "% of centres with no 30%-most-deprived LSOA in reach",
    "hv_coverage:antenatal": "% of due reviews completed; worse below target",
    "hv_coverage:new_birth": "% new birth visits within 14 days; worse below target",
    "hv_coverage:6_8_weeks": "% of due reviews completed; worse below target",
    "hv_coverage:12_months": "% of due reviews completed; worse below target",
    "hv_coverage:2_2.5_years": "% of due reviews completed; worse below target",
    "specialist_midwifery_coverage": "referrals / births %; worse below the need share",
    "eha_outcome_measure": "1 if distance travelled is recorded, else 0; worse when 0",
    "demand:referrals": "rate per 10,000 vs England; higher/lower (fold-change in text)",
    "demand:re_referrals": "% re-referred within 12 months vs England; worse when higher",
    "demand:cin": "children in need per 10,000 vs England; higher/lower",
    "demand:cpp": "child protection plans per 10,000 vs England; higher/lower",
    "demand:cpp_subsequent": "% of plans that are a second or later; worse when higher",
    "demand:cla": "children looked after per 10,000 vs England; higher/lower",
    "demand:ehc_plans": "EHC plans per 10,000 (or % within 20 weeks); higher/lower",
}


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
    direction: str  # WORSE / BETTER / SIMILAR / HIGHER / LOWER / NO_DATA
    period: str
    source: str  # e.g. "local data: eha_assessments.csv" or a public dataset
    sentence: str  # plain English, with the number, its period and source
    unit: str = ""  # "ratio", "%", "per 10,000", ...
    rising: bool | None = None  # demand: the trend is up (fold-change > 1 and significant)
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
