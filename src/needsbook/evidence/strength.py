"""Evidence strength: one ordered label per catalogue entry, from its best rating.

``strong`` = PPET 4 stars, NICE-recommended, or EIF level 3 or 4; ``moderate`` = PPET 2-3 stars
or EIF level 2; ``weak`` = PPET 1 star or EIF NL2; ``not graded`` = only a statement from the
seed. The strength is of the evidence, not a recommendation of the programme for an area.
"""

from __future__ import annotations

import re

import pandas as pd

from needsbook.evidence.catalogue import Catalogue, load_catalogue

STRENGTHS = ("strong", "moderate", "weak", "not graded")  # strongest first
RANK = {s: n for n, s in enumerate(STRENGTHS)}
#: ``min_strength`` values accepted by the recommendation rules.
MIN_STRENGTHS = ("strong", "moderate", "weak", "any")


def rating_strength(scale: str, rating: str) -> str:
    """The strength of one rating on its scale."""
    text = str(rating).strip()
    if scale == "PPET stars (seed)":
        m = re.match(r"(\d)\s*star", text)
        stars = int(m.group(1)) if m else 0
        return "strong" if stars >= 4 else "moderate" if stars >= 2 else "weak"
    if scale == "NICE guideline":
        return "strong" if text.lower().startswith("recommended") else "not graded"
    if scale == "EIF Guidebook":
        if text.upper().startswith("NL2"):
            return "weak"
        m = re.match(r"(\d)", text)
        level = int(m.group(1)) if m else 0
        return "strong" if level >= 3 else "moderate" if level == 2 else "not graded"
    return "not graded"


def strengths(catalogue: Catalogue | None = None) -> pd.Series:
    """Programme id -> its best strength (index in catalogue order)."""
    cat = catalogue or load_catalogue()
    ev = cat.evidence.assign(
        rank=[
            RANK[rating_strength(s, r)]
            for s, r in zip(cat.evidence["scale"], cat.evidence["rating"], strict=True)
        ]
    )
    best = ev.groupby("programme_id")["rank"].min()
    ids = cat.programmes["id"]
    return pd.Series([STRENGTHS[int(best.get(i, RANK["not graded"]))] for i in ids], index=ids)


def at_least(strength: str, minimum: str) -> bool:
    """True when ``strength`` meets ``minimum`` (``any`` accepts every strength)."""
    if minimum == "any":
        return True
    return RANK[strength] <= RANK[minimum]
