"""Which outcome domains and indicators are of concern for an area, and which programmes match.

An outcome is **of concern** when its finding is significantly worse than England, in the worst
fifth of English areas (where there is no significance test), or getting worse.
A programme **matches** when it addresses an outcome-star domain of concern, or names one of the
indicators of concern in its ``indicator_ids``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from needsbook.evidence.catalogue import SEP, Catalogue


def is_concern(f: Any) -> bool:
    """Significantly worse than England, in the worst fifth of areas, or getting worse
    (``Finding.of_concern``; never for a finding with no data)."""
    return bool(f.of_concern)


@dataclass(frozen=True)
class Concerns:
    """The findings of concern, grouped by domain, and the indicator ids among them."""

    findings: tuple[Any, ...] = ()
    domains: dict[str, list[Any]] = field(default_factory=dict)  # domain id -> findings

    @property
    def indicator_ids(self) -> set[str]:
        return {f.indicator_id for f in self.findings}

    def __bool__(self) -> bool:
        return bool(self.findings)


def concerns(items: Sequence[Any]) -> Concerns:
    """The area's outcomes of concern (``items``: outcome findings)."""
    found = tuple(f for f in items if is_concern(f))
    domains: dict[str, list[Any]] = {}
    for f in found:
        if f.indicator.domain:
            domains.setdefault(f.indicator.domain, []).append(f)
    return Concerns(found, domains)


def matching(catalogue: Catalogue, c: Concerns) -> pd.Series:
    """Programme id -> True when it addresses a domain or indicator of concern."""
    progs = catalogue.programmes.set_index("id")

    def hit(row: pd.Series) -> bool:
        doms = set(filter(None, str(row["outcome_domains"]).split(SEP)))
        inds = set(filter(None, str(row["indicator_ids"]).split(SEP)))
        return bool(doms & set(c.domains) or inds & c.indicator_ids)

    return progs.apply(hit, axis=1).astype(bool)
