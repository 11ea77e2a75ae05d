"""The local early help offer as the book reads it, and the offer mapped against the outcomes of
concern: for each outcome, the services whose ages overlap its life stage and whose outcomes
sought include its domain, or a gap when there are none.

Frames in, frames and small records out; no prose (the chapter phrases them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from needsbook.local.templates import LEVELS_OF_NEED
from needsbook.offer.terms import domains_of, outcome_domain

#: Ages (first, last) of the book's life stages (the indicator catalogue's ``life_stages``):
#: pregnancy and birth outcomes are reached by services from birth; family circumstances and
#: social care cover children up to 17.
LIFE_STAGE_AGES: dict[str, tuple[int, int]] = {
    "pregnancy_birth": (0, 0),
    "early_years": (0, 4),
    "school_age": (5, 11),
    "adolescence": (12, 19),
    "social_care": (0, 17),
}
#: The life stages the offer is listed by (age bands; family circumstances span them).
OFFER_STAGES = ("pregnancy_birth", "early_years", "school_age", "adolescence")
NO_AGES = "Ages not stated"

ADDRESSED, GAP, UNMATCHED = "addressed", "gap", "no outcome domain"


def stage_ages(stage: str) -> tuple[int, int]:
    """A life stage's ages (0-19 for one the book does not know)."""
    return LIFE_STAGE_AGES.get(stage, (0, 19))


def overlaps(age_from: object, age_to: object, stage: str) -> bool:
    """True when a service's ages (both given) overlap the life stage's."""
    if pd.isna(age_from) or pd.isna(age_to):  # type: ignore[arg-type]
        return False
    lo, hi = stage_ages(stage)
    return int(age_from) <= hi and int(age_to) >= lo  # type: ignore[call-overload]


def offer_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The validated ``local_offer`` table, one row per service and level, sorted by level
    (lowest first) then service, with the domain ids it seeks and the life stages it serves."""
    df = table.reset_index(drop=True).copy()
    df["level_order"] = df["level_of_need"].map({lv: i for i, lv in enumerate(LEVELS_OF_NEED)})
    df["domains"] = df["outcomes_sought"].map(domains_of)
    df["stages"] = [
        [s for s in OFFER_STAGES if overlaps(a, b, s)]
        for a, b in zip(df["age_from"], df["age_to"], strict=True)
    ]
    df["has_ages"] = df["age_from"].notna() & df["age_to"].notna()
    order = df.sort_values(["level_order", "service"], kind="stable").index
    return df.loc[order].reset_index(drop=True)


def counts_by_level_and_stage(offer: pd.DataFrame) -> pd.DataFrame:
    """Services per level of need and life stage (a service counts in every stage it serves),
    plus a column for services that do not state their ages when there are any."""
    stages = [*OFFER_STAGES, NO_AGES] if (~offer["has_ages"]).any() else list(OFFER_STAGES)
    rows = []
    for level in LEVELS_OF_NEED:
        mine = offer[offer["level_of_need"] == level]
        for stage in stages:
            if stage == NO_AGES:
                names = list(mine.loc[~mine["has_ages"], "service"])
            else:
                names = [r.service for r in mine.itertuples() if stage in r.stages]
            rows.append({"level": level, "stage": stage, "services": names, "n": len(names)})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Match:
    """One outcome of concern and the services in the offer that address it."""

    finding: Any  # needsbook.outcomes.findings.Finding
    domain: str | None
    services: list[dict[str, Any]] = field(default_factory=list)  # service, level, ages
    undated: list[str] = field(default_factory=list)  # seek the domain, ages not stated

    @property
    def status(self) -> str:
        if self.domain is None:
            return UNMATCHED
        return ADDRESSED if self.services else GAP


def ages_text(age_from: object, age_to: object) -> str:
    """``0-4``, or ``0`` for a single age."""
    a, b = int(age_from), int(age_to)  # type: ignore[call-overload]
    return str(a) if a == b else f"{a}-{b}"


def _ages(row: Any) -> str:
    return ages_text(row.age_from, row.age_to) if row.has_ages else NO_AGES.lower()


def match(concerns: Sequence[Any], offer: pd.DataFrame) -> list[Match]:
    """For each outcome of concern (in the order given), the services of the offer whose ages
    overlap its life stage and whose outcomes sought include its domain."""
    out = []
    for f in concerns:
        domain = outcome_domain(f.indicator_id, f.indicator.domain)
        found: list[dict[str, Any]] = []
        undated: list[str] = []
        if domain is not None:
            for row in offer.itertuples():
                if domain not in row.domains:
                    continue
                if not row.has_ages:
                    undated.append(str(row.service))
                elif overlaps(row.age_from, row.age_to, f.life_stage):
                    found.append(
                        {"service": row.service, "level": row.level_of_need, "ages": _ages(row)}
                    )
        out.append(Match(f, domain, found, list(dict.fromkeys(undated))))
    return out
