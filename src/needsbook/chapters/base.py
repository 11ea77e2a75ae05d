"""What a chapter is made of: sections with a text summary, a chart and the chart's data."""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import pandas as pd


@dataclass
class Section:
    """One finding: plain-language summary, an optional chart, and the data behind it."""

    key: str
    title: str
    summary: str
    table: pd.DataFrame
    chart: alt.TopLevelMixin | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Chapter:
    area_code: str
    area_name: str
    year: int
    sections: list[Section]

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def key_findings(self) -> list[str]:
        """The first sentence of each section's summary."""
        return [first_sentence(s.summary) for s in self.sections]


def first_sentence(text: str) -> str:
    head, sep, _ = text.partition(". ")
    return head + "." if sep else text
