"""Outcome domains as a council writes them in its local offer, and the domain of each outcome.

A cell of the offer's ``outcomes_sought`` names domains separated by semicolons, each by its id
(``early_development``), its name in the indicator catalogue (``Early child development``) or a
plain word (``school readiness``, :data:`needsbook.local.templates.OUTCOME_WORDS`).

An outcome's domain is its catalogue ``domain``. Indicators outside the eight outcome-star
domains are matched through :data:`MATCH_DOMAINS`, the domain whose services bear on them (the
outcome star itself is unchanged); an indicator in neither has no domain and cannot be matched.
"""

from __future__ import annotations

import re
from functools import cache

from needsbook.local.rules import text_problem
from needsbook.local.templates import OUTCOME_WORDS

SEPARATOR = ";"

#: The domain through which an outcome outside the outcome-star domains is matched with the
#: offer (by indicator id): birth, feeding and vaccination outcomes with physical health,
#: development measures with early development, learning and participation with school and
#: employment, social care measures with abuse and neglect.
MATCH_DOMAINS: dict[str, str] = {
    "lait:InfMort": "obesity_physical",
    "lait:Low_Birth_Weight_Babies": "obesity_physical",
    "lait:6wksBreast": "obesity_physical",
    "cover:DTaPIPVHib3_12m": "obesity_physical",
    "cover:MMR1_24m": "obesity_physical",
    "cover:MMR2_Boo_5y": "obesity_physical",
    "cover:DTaPIPV_Boo_5y": "obesity_physical",
    "lait:HCP_PHOF": "early_development",
    "lait:%_2yr_olds": "early_development",
    "lait:FSP_Gooddev_FSM": "early_development",
    "lait:KS1P_all": "school_employment",
    "lait:KS2RWM_Expected_STD": "school_employment",
    "lait:TotPerAbNew": "school_employment",
    "lait:FSM_AVG_Attain8_Score": "school_employment",
    "neet:neet_pct": "school_employment",
    "neet:not_known_pct": "school_employment",
    "csc:referral_rate": "abuse_neglect",
    "csc:rereferral_pct": "abuse_neglect",
    "csc:cpp_subsequent_pct": "abuse_neglect",
    "csc:cla_rate": "abuse_neglect",
}


def normalise(word: str) -> str:
    """``Early_Development `` -> ``early development`` (case, underscores and spaces)."""
    return " ".join(re.sub(r"[_\s]+", " ", word).lower().split())


@cache
def _lookup() -> dict[str, str]:
    from needsbook.outcomes.catalogue import load_catalogue

    out: dict[str, str] = {}
    for domain, title in load_catalogue().star_domains.items():
        for word in (domain, title, *OUTCOME_WORDS.get(domain, ())):
            out[normalise(word)] = domain
    return out


def domain_titles() -> dict[str, str]:
    """Domain id -> name, in catalogue order."""
    from needsbook.outcomes.catalogue import load_catalogue

    return dict(load_catalogue().star_domains)


def split(cell: object) -> list[str]:
    """The non-blank parts of a semicolon-separated cell."""
    if cell is None or cell != cell:  # None or NaN
        return []
    return [p.strip() for p in str(cell).split(SEPARATOR) if p.strip()]


def domains_of(cell: object) -> list[str]:
    """The domain ids a cell names (known words only; each once, in the cell's order)."""
    lookup = _lookup()
    found = [lookup.get(normalise(p)) for p in split(cell)]
    return list(dict.fromkeys(d for d in found if d))


def cell_problem(cell: str) -> str | None:
    """Why an ``outcomes_sought`` cell breaks its rule, or None."""
    parts = split(cell)
    if not parts:
        return "must name at least one outcome domain"
    for part in parts:
        problem = text_problem(part)
        if problem:
            return problem
    unknown = [p for p in parts if normalise(p) not in _lookup()]
    if unknown:
        names = ", ".join(repr(p) for p in unknown[:5])
        return (
            f"unknown outcome domain {names}: use a domain's id, name or one of its words "
            "listed in the template's README (e.g. early_development, mental health), "
            "separated by semicolons"
        )
    return None


def outcome_domain(indicator_id: str, domain: str | None) -> str | None:
    """The domain an outcome is matched through: its own, else :data:`MATCH_DOMAINS`'."""
    return domain or MATCH_DOMAINS.get(indicator_id)
