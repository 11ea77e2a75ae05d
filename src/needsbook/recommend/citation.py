"""How a programme is cited wherever the book names one as evidence (the summary, each
recommendation, and the recommendations table and its CSV): its name, its strength of evidence
exactly as the evidence catalogue rates it, and the catalogue's caveat where it has one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from needsbook.escape import html_text
from needsbook.evidence.catalogue import Catalogue


@dataclass(frozen=True)
class Citation:
    id: str
    name: str
    strength: str  # "" for an id the catalogue does not hold (then no strength is shown)
    caveat: str  # "" when the catalogue gives none

    @property
    def text(self) -> str:
        """E.g. "Family Nurse Partnership (strength of evidence: strong). Caveat: ..."."""
        rated = f" (strength of evidence: {self.strength})" if self.strength else ""
        caveat = f" Caveat: {self.caveat}" if self.caveat else ""
        return f"{self.name}{rated}.{caveat}"

    def html(self, href: str | None = None) -> str:
        """The citation as HTML, the name linked to ``href`` when given."""
        e = html_text
        name = f'<a href="{e(href)}">{e(self.name)}</a>' if href else e(self.name)
        rated = f" (strength of evidence: {e(self.strength)})" if self.strength else ""
        caveat = f" <em>Caveat:</em> {e(self.caveat)}" if self.caveat else ""
        return f"{name}{rated}.{caveat}"


def programme_caveats(programmes: pd.DataFrame) -> dict[str, str]:
    """Programme id -> its caveat ("" when it has none)."""
    if "caveat" not in programmes:
        return {}
    return {
        str(i): "" if c is None or c != c else str(c).strip()
        for i, c in zip(programmes["id"], programmes["caveat"], strict=True)
    }


def cite(
    i: str, names: dict[str, str], strength: dict[str, str], caveats: dict[str, str]
) -> Citation:
    """One programme cited from the catalogue's names, strengths and caveats (an unknown id is
    shown as it is)."""
    return Citation(
        id=i,
        name=str(names.get(i, i)),
        strength=str(strength.get(i) or ""),
        caveat=str(caveats.get(i) or "").strip(),
    )


def citations(ids: Sequence[str], catalogue: Catalogue | None = None) -> list[Citation]:
    """The programmes ``ids`` cited from the evidence catalogue (the book's, by default)."""
    if not ids:
        return []
    from needsbook.evidence.strength import strengths

    if catalogue is None:
        from needsbook.evidence.catalogue import load_catalogue

        catalogue = load_catalogue()
    progs = catalogue.programmes
    names = {str(i): str(n) for i, n in zip(progs["id"], progs["name"], strict=True)}
    strength = strengths(catalogue).to_dict()
    caveats = programme_caveats(progs)
    return [cite(i, names, strength, caveats) for i in ids]
