"""Evidence strength: one ordered label per catalogue entry, from its best rating.

``strong`` = PPET 4 stars, NICE-recommended, or EIF level 3 or 4; ``moderate`` = PPET 2-3 stars
or EIF level 2; ``weak`` = PPET 1 star or EIF NL2; ``not graded`` = only a statement in the
2015 assessment; ``little or no evidence`` = a statement the catalogue marks as saying there is
little or no evidence of effectiveness (the rating's explicit ``strength``). The strength is of
the evidence, not a recommendation of the programme for an area.
"""

from __future__ import annotations

import re

import pandas as pd

from needsbook.evidence.catalogue import (
    EIF,
    LITTLE_OR_NO_EVIDENCE,
    NICE,
    PPET,
    Catalogue,
    load_catalogue,
)

NOT_GRADED = "not graded"
#: Strongest first; ``little or no evidence`` is the lowest level.
STRENGTHS = ("strong", "moderate", "weak", NOT_GRADED, LITTLE_OR_NO_EVIDENCE)
RANK = {s: n for n, s in enumerate(STRENGTHS)}
#: ``min_strength`` values accepted by the recommendation rules.
MIN_STRENGTHS = ("strong", "moderate", "weak", "any")


def rating_strength(scale: str, rating: str, stated: str = "") -> str:
    """The strength of one rating on its scale (``stated``: the rating's explicit strength)."""
    if stated:
        if stated not in RANK:
            raise ValueError(f"unknown evidence strength {stated!r}; use one of {STRENGTHS}")
        return stated
    text = str(rating).strip()
    if scale == PPET:
        m = re.match(r"(\d)\s*star", text)
        stars = int(m.group(1)) if m else 0
        return "strong" if stars >= 4 else "moderate" if stars >= 2 else "weak"
    if scale == NICE:
        return "strong" if text.lower().startswith("recommended") else NOT_GRADED
    if scale == EIF:
        if text.upper().startswith("NL2"):
            return "weak"
        m = re.match(r"(\d)", text)
        level = int(m.group(1)) if m else 0
        return "strong" if level >= 3 else "moderate" if level == 2 else NOT_GRADED
    return NOT_GRADED


def strengths(catalogue: Catalogue | None = None) -> pd.Series:
    """Programme id -> its best strength (index in catalogue order)."""
    cat = catalogue or load_catalogue()
    ev = cat.evidence
    stated = ev["strength"] if "strength" in ev else pd.Series("", index=ev.index)
    ev = ev.assign(
        rank=[
            RANK[rating_strength(s, r, x)]
            for s, r, x in zip(ev["scale"], ev["rating"], stated, strict=True)
        ]
    )
    best = ev.groupby("programme_id")["rank"].min()
    ids = cat.programmes["id"]
    return pd.Series([STRENGTHS[int(best.get(i, RANK[NOT_GRADED]))] for i in ids], index=ids)


def at_least(strength: str, minimum: str) -> bool:
    """True when ``strength`` meets ``minimum`` (``any`` accepts every strength)."""
    if minimum == "any":
        return True
    return RANK[strength] <= RANK[minimum]


def counts_as_evidence(strength: str) -> bool:
    """False for ``little or no evidence``: such an entry is no evidence for acting."""
    if strength not in RANK:
        raise ValueError(f"unknown evidence strength {strength!r}; use one of {STRENGTHS}")
    return strength != LITTLE_OR_NO_EVIDENCE
