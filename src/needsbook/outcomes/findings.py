"""Structured findings: one per indicator and area, with a plain-English sentence.

A :class:`Finding` says how an area compares with England (and how: a significance test on
the confidence interval, or the fifth of English areas it falls in), which way the indicator
is moving, and by how much it differs from England. The outcomes chapter writes its text from
them, and the recommendations chapter can apply its rules to them::

    from needsbook.outcomes.findings import findings, key_findings
    for f in key_findings(findings("E10000034", 2024)):
        print(f.sentence)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from needsbook.chapters.text import in_period
from needsbook.outcomes.catalogue import Indicator
from needsbook.outcomes.compare import (  # the direction words are the engine's
    BETTER,
    HIGHER,
    LOWER,
    SIMILAR,
    WORSE,
    benchmarks,
    load_data,
)
from needsbook.polarity import NO_JUDGEMENT

_FIFTHS_JUDGED = {
    1: "among the best fifth of English areas",
    2: "in the second-best fifth of English areas",
    3: "in the middle fifth of English areas",
    4: "in the second-worst fifth of English areas",
    5: "among the worst fifth of English areas",
}
_FIFTHS_NEUTRAL = {
    1: "among the lowest fifth of English areas",
    2: "in the second-lowest fifth of English areas",
    3: "in the middle fifth of English areas",
    4: "in the second-highest fifth of English areas",
    5: "among the highest fifth of English areas",
}
#: Short comparison labels for charts and tables.


@dataclass(frozen=True)
class Finding:
    """How one indicator looks for one area in the chosen year."""

    area_code: str
    area_name: str
    indicator_id: str
    name: str
    life_stage: str
    period: str  # as a reader would write it, e.g. "2023/24"
    value: float | None
    england: float | None
    region: float | None
    neighbours: float | None
    comparison: str  # needsbook.stats label: Better/Similar/Worse/Higher/Lower/quintile label
    comparison_label: str  # as tables write it: "Worse", "Worst 20%", "No data" (the engine's)
    method: str  # "confidence interval", "quintiles" or "none"
    direction: str  # better / worse / similar / higher / lower / not compared / no data
    significant: bool  # a significance test found a difference from England
    quintile: int | None  # 1 = best fifth (lowest for NO_JUDGEMENT); quintile method only
    trend: str  # Increasing / Decreasing / No significant change / Cannot be calculated
    trend_label: str  # with polarity, e.g. "Increasing and getting worse"
    trend_reason: str | None
    trend_from: str | None  # first and last periods of the trend test
    trend_to: str | None
    magnitude: float | None  # value minus England
    relative: float | None  # (value - England) / England x 100
    previous_value: float | None  # earliest of the five most recent comparable values
    previous_period: str | None
    rank: int | None  # 1 = best (highest for NO_JUDGEMENT) of n_areas
    n_areas: int
    polarity: str
    indicator: Indicator

    @property
    def has_data(self) -> bool:
        return self.value is not None

    @property
    def getting_worse(self) -> bool:
        return self.trend_label.endswith("getting worse")

    @property
    def getting_better(self) -> bool:
        return self.trend_label.endswith("getting better")

    @property
    def concern_reasons(self) -> tuple[str, ...]:
        """Why the outcome is of concern, in words: significantly worse than England, in the
        worst fifth of English areas, getting worse (empty when it is not)."""
        if not self.has_data or self.polarity == NO_JUDGEMENT:
            return ()
        checks = (
            (self.significant and self.direction == WORSE, "significantly worse than England"),
            (
                self.method == "quintiles" and self.quintile == 5,
                "among the worst fifth of English areas",
            ),
            (self.getting_worse, "getting worse"),
        )
        return tuple(text for holds, text in checks if holds)

    @property
    def of_concern(self) -> bool:
        """Of concern: the one definition the evidence, conclusions and recommendations
        chapters use (see :attr:`concern_reasons`)."""
        return bool(self.concern_reasons)

    @property
    def label(self) -> str:
        """Short comparison label for charts and tables ("Worse", "Worst 20%", "No data"):
        the engine's, as every chapter shows it."""
        return self.comparison_label

    @property
    def priority(self) -> int:
        """Order for key findings: significantly worse and getting worse first."""
        if not self.has_data:
            return 9
        worse = self.significant and self.direction == WORSE
        better = self.significant and self.direction == BETTER
        rules = [
            (worse and self.getting_worse, 0),
            (worse, 1),
            (self.getting_worse, 2),
            (
                self.method == "quintiles" and self.quintile == 5 and self.polarity != NO_JUDGEMENT,
                3,
            ),
            (better or self.getting_better, 4),
            (
                self.method == "quintiles" and self.quintile == 1 and self.polarity != NO_JUDGEMENT,
                5,
            ),
            (self.significant or self.trend in ("Increasing", "Decreasing"), 6),
        ]
        return next((p for ok, p in rules if ok), 7)

    @property
    def sentence(self) -> str:
        """The finding in plain English, e.g. "School readiness (61.2%, 2023/24) is
        significantly worse than England (67.7%) and has not changed significantly over the
        last five years of data (2019/20 to 2023/24)."."""
        ind = self.indicator
        if not self.has_data:
            return f"{self.name}: no data for {self.area_name} for {self.period}."
        head = f"{self.name} ({ind.format(self.value)}, {self.period})"
        # England's figure in the same unit: "67.7%" for percentages, else the number alone.
        eng = ind.format(self.england) if ind.unit == "%" else ind.number(self.england)
        if self.method == "confidence interval":
            if self.direction in (BETTER, WORSE, HIGHER, LOWER):
                text = f"{head} is significantly {self.direction} than England ({eng})"
            elif self.direction == SIMILAR:
                text = f"{head} is similar to England ({eng})"
            else:
                text = f"{head} cannot be compared with England"
        else:
            if self.england is None:
                text = f"{head} has no usable England figure to compare with"
            else:
                side = ind.number(self.value), ind.number(self.england)
                if side[0] == side[1]:
                    word = "the same as"
                elif self.value > self.england:  # type: ignore[operator]
                    word = "higher than"
                else:
                    word = "lower than"
                text = f"{head} is {word} England ({eng})"
            if self.quintile is not None:
                fifths = _FIFTHS_NEUTRAL if self.polarity == NO_JUDGEMENT else _FIFTHS_JUDGED
                if self.england is None:
                    text = f"{head} is {fifths[self.quintile]} (no usable England figure)"
                else:
                    text += f", {fifths[self.quintile]}"
        return text + self._trend_clause() + "."

    def _trend_clause(self) -> str:
        span = f"{self.trend_from} to {self.trend_to}"
        if self.trend == "No significant change":
            return f" and has not changed significantly over the last five years of data ({span})"
        if self.trend in ("Increasing", "Decreasing"):
            verb = "risen" if self.trend == "Increasing" else "fallen"
            how = ""
            if self.getting_worse:
                how = ", getting worse,"
            elif self.getting_better:
                how = ", getting better,"
            return f" and has {verb} significantly{how} over the last five years of data ({span})"
        if self.previous_value is not None and self.previous_period not in (None, self.period):
            was = self.indicator.format(self.previous_value)
            return f"; it was {was} {in_period(str(self.previous_period))}"
        return ""


def _opt(v: object) -> float | None:
    return None if v is None or pd.isna(v) else float(v)  # type: ignore[arg-type]


def _opt_int(v: object) -> int | None:
    return None if v is None or pd.isna(v) else int(v)  # type: ignore[call-overload]


def _opt_str(v: object) -> str | None:
    return None if v is None or pd.isna(v) else str(v)  # type: ignore[arg-type]


def _from_row(r: pd.Series, ind: Indicator) -> Finding:
    value = _opt(r["value"])
    has_ci = bool(r["has_ci"])
    comparison = str(r["comparison"]) if pd.notna(r["comparison"]) else "Not compared"
    direction = str(r["direction"])
    tested = r["trend"] in ("Increasing", "Decreasing", "No significant change")
    return Finding(
        area_code=str(r["area_code"]),
        area_name=str(r["area_name"]),
        indicator_id=str(r["indicator_id"]),
        name=ind.name,
        life_stage=ind.life_stage,
        period=str(r["period_label"]),
        value=value,
        england=_opt(r["england"]),
        region=_opt(r["region_value"]),
        neighbours=_opt(r["neighbours_mean"]),
        comparison=comparison,
        comparison_label=str(r["comparison_label"]),
        method="confidence interval" if has_ci else "quintiles",
        direction=direction,
        significant=has_ci and direction in (BETTER, WORSE, HIGHER, LOWER),
        quintile=_opt_int(r["quintile"]) if value is not None else None,
        trend=str(r["trend"]),
        trend_label=str(r["trend_label"]),
        trend_reason=None if pd.isna(r["trend_reason"]) else str(r["trend_reason"]),
        trend_from=_opt_str(r["trend_from_label"]) if tested else None,
        trend_to=_opt_str(r["trend_to_label"]) if tested else None,
        magnitude=_opt(r["difference"]),
        relative=_opt(r["relative_difference"]),
        previous_value=_opt(r["previous_value"]),
        previous_period=_opt_str(r["previous_label"]),
        rank=_opt_int(r["rank"]),
        n_areas=int(r["n_areas"]),
        polarity=str(r["polarity"]),
        indicator=ind,
    )


def findings(area_code: str, year: int, data_dir: Path | str | None = None) -> list[Finding]:
    """One :class:`Finding` per catalogue indicator for the area, in catalogue order.

    Indicators with no value for the area (or none at all by ``year``) give a finding with
    ``direction == "no data"``; nothing raises for a missing area/indicator combination.
    """
    data = load_data(data_dir)
    b = benchmarks(year, data_dir)
    rows = b[(b["area_code"] == area_code) & b["outcome"]]
    return [_from_row(r, data.catalogue[r["indicator_id"]]) for _, r in rows.iterrows()]


def key_findings(items: list[Finding], limit: int = 8) -> list[Finding]:
    """The most important findings: significantly worse and getting worse first, then
    worst-fifth, then better; ties broken by the size of the gap from England."""
    ranked = [f for f in items if f.priority <= 6]
    ranked.sort(key=lambda f: (f.priority, -abs(f.relative or 0.0)))
    return ranked[:limit]


def findings_table(items: list[Finding]) -> pd.DataFrame:
    """The findings as a table (one row each) for the chapter and for other chapters."""
    return pd.DataFrame(
        {
            "Indicator": [f.name for f in items],
            "Period": [f.period for f in items],
            "Value": [f.value for f in items],
            "England": [f.england for f in items],
            "Compared with England": [f.label for f in items],
            "Method": [f.method for f in items],
            "Direction": [f.direction for f in items],
            "Recent trend": [f.trend_label for f in items],
            "Difference from England": [f.magnitude for f in items],
            "Finding": [f.sentence for f in items],
            "indicator_id": [f.indicator_id for f in items],
        }
    )
