"""One area's indicators as the benchmarking engine gives them, ready to be phrased.

A :class:`Measure` is one catalogue indicator for one area in the book's year: the engine's
value, England, region and statistical neighbours' figures, its verdict (``comparison_label``
and ``direction``), rank among the neighbours and recent trend. Its sentence only phrases
those fields. :func:`series` gives the values over time (area, England, region, neighbours'
average) for charts and for describing year-to-year change.

Small numbers: a value whose count is 1 to 4 is never shown (nor anything derived from it,
such as its verdict); numbers of 1 to 4 (plans, requests) are shown as "fewer than 5".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from needsbook import formatting
from needsbook.areas import Area
from needsbook.chapters.text import in_period, lower_first, ordinal
from needsbook.outcomes.catalogue import Indicator
from needsbook.outcomes.compare import (
    ENGLAND,
    NO_CI_REASON,
    NO_DATA,
    POOLED_REASON,
    area_benchmarks,
    display_period,
    load_data,
    neighbour_series,
)
from needsbook.outcomes.compare import series as engine_series
from needsbook.polarity import JUDGED

#: Counts from 1 to this are never published (nor values derived from them).
SMALL_MAX = 4
SMALL_TEXT = "fewer than 5"
NEIGHBOURS = "Statistical neighbours' average"
#: Units whose values are numbers of things (plans, requests): no England or region figure
#: is comparable with one area's number.
NUMBER_UNITS = ("number",)
_SHORT_REASONS = {
    NO_CI_REASON: "no published counts",
    "fewer than 5 valid points": "too few years",
    POOLED_REASON: "pooled years overlap",
}
_CI_WORDS = {
    "Better": "significantly better than England",
    "Worse": "significantly worse than England",
    "Higher": "significantly higher than England",
    "Lower": "significantly lower than England",
    "Similar": "similar to England",
}


def _opt(v: object) -> float | None:
    return formatting.as_number(v)


def _opt_int(v: object) -> int | None:
    n = formatting.as_number(v)
    return None if n is None else int(n)


def _opt_str(v: object) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)  # type: ignore[arg-type]


def is_small(count: float | None) -> bool:
    """True for a count from 1 to :data:`SMALL_MAX` (zero is never suppressed)."""
    return count is not None and 1 <= count <= SMALL_MAX


@dataclass(frozen=True)
class Measure:
    """One indicator for one area in the book's year, as the engine benchmarked it."""

    indicator: Indicator
    area_name: str
    value: float | None
    period: str  # as a reader writes it ("2024/25", "January 2025")
    year: int | None
    count: float | None
    england: float | None
    region: float | None
    neighbours: float | None
    comparison_label: str  # the engine's, as tables write it ("Worse", "Worst 20%")
    direction: str  # the engine's verdict in a word (better, worse, similar, higher ...)
    method: str  # "95% confidence interval" or "quintiles of all areas"
    neighbours_comparison: str
    neighbours_rank: int | None
    neighbours_ranked: int | None
    trend: str
    trend_label: str
    trend_reason: str | None
    trend_from: str | None
    trend_to: str | None
    previous_value: float | None
    previous_period: str | None
    #: Hidden because a published number and this share together reveal a count of 1 to 4
    #: (see :data:`SHARE_OF`): the latest value, and the earlier value.
    hidden: bool = False
    previous_hidden: bool = False

    # --- what may be shown ---------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.indicator.id

    @property
    def is_number(self) -> bool:
        """A number of things (plans, requests), not a rate or share."""
        return self.indicator.unit in NUMBER_UNITS

    @property
    def suppressed(self) -> bool:
        """The value rests on (or is) a count from 1 to 4, so it is not shown."""
        own = self.value if self.is_number else self.count
        return self.hidden or is_small(own)

    @property
    def has_data(self) -> bool:
        return self.value is not None

    @property
    def shown(self) -> bool:
        """There is a value and it may be published."""
        return self.has_data and not self.suppressed

    # --- formatting ----------------------------------------------------------------------
    def number(self, value: float | None, missing: str = "") -> str:
        """A value without its unit, by the book's rule for the unit ("5.7", "6,970")."""
        if self.is_number and is_small(value):
            return SMALL_TEXT
        return formatting.fixed(value, self.indicator.decimals, missing=missing)

    def text(self, value: float | None) -> str:
        """A value with its unit for sentences ("5.7%", "95.0 per 100,000 aged 10-17",
        "6,970"; a score without a unit: "15.2")."""
        ind = self.indicator
        if value is None:
            return "no data"
        if self.is_number:
            return self.number(value)
        return formatting.value(value, ind.unit, ind.value_type)

    @property
    def value_text(self) -> str:
        """The area's value for the start of a sentence ("an average score of 15.2")."""
        if not self.has_data:
            return "no data"
        if self.suppressed and not self.is_number:
            return SMALL_TEXT
        if self.indicator.value_type == "mean":
            return f"an average score of {self.text(self.value)}"
        return self.text(self.value)

    @property
    def label(self) -> str:
        """The engine's comparison with England for a table ("Not shown" when suppressed)."""
        if self.has_data and self.suppressed:
            return "Not shown (small number)"
        return self.comparison_label

    @property
    def trend_text(self) -> str:
        """The engine's recent trend label, as every chapter writes it ("Cannot be calculated"
        when there is none: :attr:`no_trend_reason` says why)."""
        return self.trend_label or "Cannot be calculated"

    @property
    def no_trend_reason(self) -> str:
        """Why there is no trend test ("too few years"), or "" when there is one."""
        if self.trend_from:
            return ""
        if not self.has_data:
            return "no data"
        return _SHORT_REASONS.get(self.trend_reason or "", self.trend_reason or "not possible")

    @property
    def verdict(self) -> str:
        """The engine's verdict against England in words: "in the 2nd worst 20% of English
        areas" (fifths, no test possible) or "significantly higher than England"."""
        label = self.comparison_label
        if not self.has_data:
            return "no data"
        if self.method.startswith("quintiles"):
            if label.endswith("20%"):
                return f"in the {label[0].lower()}{label[1:]} of English areas"
            return "not placed among English areas"
        return _CI_WORDS.get(label, "not compared with England")

    @property
    def rank_text(self) -> str:
        """'3rd of 11 (1 = best)' among the area and its neighbours (the engine's rank)."""
        if self.neighbours_rank is None or self.neighbours_ranked is None or self.suppressed:
            return ""
        best = "best" if self.indicator.polarity in JUDGED else "highest"
        return f"{ordinal(self.neighbours_rank)} of {self.neighbours_ranked} (1 = {best})"

    @property
    def earlier_value(self) -> float | None:
        """The engine's earlier value when it is another period and may be shown."""
        if self.previous_period in (None, self.period) or self.previous_hidden or not self.shown:
            return None
        return self.previous_value

    def ref(self, value: float | None) -> str:
        """A comparator's figure in a sentence: with its unit for percentages ("5.3%"), the
        number alone otherwise ("67.1"), as the area's own figure gives the unit."""
        return self.text(value) if self.indicator.unit == "%" else self.number(value)

    @property
    def change_text(self) -> str:
        """'up from 3.6% in 2020/21' (the earliest of the engine's five most recent comparable
        values), or the engine's significant trend; '' when there is nothing earlier."""
        if not self.shown:
            return ""
        if self.trend in ("Increasing", "Decreasing") and self.trend_from:
            verb = "risen" if self.trend == "Increasing" else "fallen"
            how = self.trend_label.split(" and ", 1)[1] if " and " in self.trend_label else ""
            how = f", {how}," if how else ""
            return (
                f"it has {verb} significantly{how} over the last five years of data "
                f"({self.trend_from} to {self.trend_to})"
            )
        prev = self.earlier_value
        if prev is None:
            return ""
        if self.is_number and is_small(prev):
            return ""
        old, new = self.number(prev), self.number(self.value)
        word = "unchanged from" if old == new else "up from" if self.value > prev else "down from"  # type: ignore[operator]
        return f"{word} {self.ref(prev)} {in_period(str(self.previous_period))}"

    def sentence(self, name: str | None = None, change: bool = True) -> str:
        """'Pupils with an EHC plan: 5.7% in 2024/25 (England 5.3%; statistical neighbours'
        average 5.3%), in the middle 20% of English areas; up from 3.6% in 2020/21.' (without
        the change since an earlier year when ``change`` is False)."""
        head = name or self.indicator.name
        if not self.has_data:
            return f"{head}: no data for {self.area_name} {in_period(self.period)}."
        if self.suppressed:
            return (
                f"{head}: not shown for {self.area_name} {in_period(self.period)} because it "
                "rests on fewer than 5 children."
            )
        text = f"{head}: {self.value_text} {in_period(self.period)}"
        refs = []
        if self.england is not None and not self.is_number:
            refs.append(f"England {self.ref(self.england)}")
        if self.neighbours is not None:
            refs.append(f"statistical neighbours' average {self.ref(self.neighbours)}")
        if refs:
            text += f" ({'; '.join(refs)})"
        if not self.is_number:
            text += f", {self.verdict}"
        change = self.change_text if change else ""
        return text + (f"; {change}" if change else "") + "."

    @property
    def short_name(self) -> str:
        return lower_first(self.indicator.label)


def _measure(r: pd.Series, ind: Indicator) -> Measure:
    value = _opt(r["value"])
    tested = r["trend"] in ("Increasing", "Decreasing", "No significant change")
    return Measure(
        indicator=ind,
        area_name=str(r["area_name"]),
        value=value,
        period=str(r["period_label"]),
        year=_opt_int(r["year"]),
        count=_opt(r["count"]),
        england=_opt(r["england"]),
        region=_opt(r["region_value"]),
        neighbours=_opt(r["neighbours_mean"]),
        comparison_label=str(r["comparison_label"]),
        direction=str(r["direction"]) if value is not None else NO_DATA,
        method=str(r["comparison_method"]),
        neighbours_comparison=_opt_str(r["neighbours_comparison"]) or "Not compared",
        neighbours_rank=_opt_int(r["neighbours_rank"]),
        neighbours_ranked=_opt_int(r["neighbours_ranked"]),
        trend=str(r["trend"]),
        trend_label=str(r["trend_label"]),
        trend_reason=_opt_str(r["trend_reason"]),
        trend_from=_opt_str(r["trend_from_label"]) if tested else None,
        trend_to=_opt_str(r["trend_to_label"]) if tested else None,
        previous_value=_opt(r["previous_value"]),
        previous_period=_opt_str(r["previous_label"]),
    )


def measures(
    area_code: str,
    year: int,
    ids: Sequence[str],
    data_dir: Path | str | None = None,
    bench: pd.DataFrame | None = None,
) -> dict[str, Measure]:
    """The engine's rows for ``ids`` (those in the catalogue) for one area, in ``ids`` order,
    with shares hidden where they would reveal a small count (:func:`hidden_years`).
    ``bench``: the area's benchmark rows indexed by indicator, if already looked up."""
    data = load_data(data_dir)
    if bench is None:
        bench = area_benchmarks(area_code, year, data_dir).set_index("indicator_id")
    out = {}
    for ind_id in ids:
        if ind_id in bench.index:
            m = _measure(bench.loc[ind_id], data.catalogue[ind_id])
            base = SHARE_OF.get(ind_id)
            if base:
                hide = hidden_years(area_code, ind_id, base, data_dir)
                m = replace(
                    m,
                    hidden=m.year in hide,
                    previous_hidden=_year_of(bench.loc[ind_id, "previous_year"]) in hide,
                )
            out[ind_id] = m
    return out


def _year_of(v: object) -> int | None:
    return _opt_int(v)


#: Shares whose base is a published number of the same area and year: refused requests are a
#: share of requests, assessments leading to a plan a share of assessments.
SHARE_OF = {
    "lait:EHCP_Initial_req_refused": "lait:SEN_INIT_REQ",
    "lait:SEN_PLAN_ISSUED": "lait:SEN_ASSESSMENT",
}


def hidden_years(
    area_code: str, share_id: str, base_id: str, data_dir: Path | str | None = None
) -> set[int]:
    """Years in which the share must not be shown: its base number is 1 to 4, or the share
    of the base (share x base / 100, rounded) is a count of 1 to 4."""
    data = load_data(data_dir)
    parts = []
    for ind_id in (share_id, base_id):
        rows = data.by_indicator.get(ind_id)
        if rows is None:
            return set()
        own = rows[rows["area_code"] == area_code][["year", "value"]]
        parts.append(own.set_index("year")["value"].rename(ind_id))
    both = pd.concat(parts, axis=1).dropna()
    derived = (both[share_id] * both[base_id] / 100).round()
    small = both[base_id].between(1, SMALL_MAX) | derived.between(1, SMALL_MAX)
    return {int(y) for y in both.index[small]}


def catalogued(ids: Sequence[str], data_dir: Path | str | None = None) -> list[str]:
    """The ids the catalogue benchmarks (the others are not in the data)."""
    known = set(load_data(data_dir).catalogue.ids)
    return [i for i in ids if i in known]


def in_data(ind_id: str, year: int, data_dir: Path | str | None = None) -> bool:
    """True when the engine has a value for any area for ``ind_id`` up to ``year``."""
    data = load_data(data_dir)
    rows = data.by_indicator.get(ind_id)
    if rows is None:
        return False
    return bool(((rows["year"] <= year) & rows["value"].notna()).any())


SERIES_COLUMNS = ["indicator_id", "year", "period", "series", "value", "lower", "upper", "count"]


def series(
    area: Area,
    ind_ids: Sequence[str],
    upto: dict[str, int],
    data_dir: Path | str | None = None,
) -> pd.DataFrame:
    """Values over time per indicator: ``indicator_id, year, period, series, value, lower,
    upper, count``; series are the area's name, "England", the region's name and
    :data:`NEIGHBOURS` (the engine's rows; England and the region are left out for numbers
    of things, which they are totals of). Only years up to ``upto[indicator_id]``; values
    resting on a count of 1 to 4 are left out."""
    data = load_data(data_dir)
    ids = [i for i in ind_ids if i in upto and i in data.by_indicator]
    if not ids:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    names = {area.code: area.name, ENGLAND: "England", area.region_code: area.region_name}
    numbers = [i for i in ids if data.catalogue[i].unit in NUMBER_UNITS]
    others = [i for i in ids if i not in numbers]
    last = max(upto[i] for i in ids)
    own = pd.concat(
        [
            engine_series(data, others, list(names), last),
            engine_series(data, numbers, [area.code], last),
        ],
        ignore_index=True,
    )
    own["series"] = own["area_code"].map(names)
    nb = neighbour_series(data, ids, area.code, last)
    nb = nb.assign(series=NEIGHBOURS, lower_ci_95=float("nan"), upper_ci_95=float("nan"))
    nb["count"] = float("nan")
    cols = ["indicator_id", "year", "period", "series", "value", "lower_ci_95", "upper_ci_95"]
    out = pd.concat([own[[*cols, "count"]], nb[[*cols, "count"]]], ignore_index=True)
    out = out.rename(columns={"lower_ci_95": "lower", "upper_ci_95": "upper"})
    out = out.dropna(subset=["value"])
    out = out[out["year"] <= out["indicator_id"].map(upto)].copy()
    kinds = {i: str(data.by_indicator[i]["period_type"].iloc[0]) for i in ids}
    out["period"] = [
        display_period(p, kinds[i]) for p, i in zip(out["period"], out["indicator_id"], strict=True)
    ]
    out["count"] = pd.to_numeric(out["count"], errors="coerce")
    mine = out["series"] == area.name
    small = out["count"].between(1, SMALL_MAX)
    small |= mine & out["indicator_id"].isin(numbers) & out["value"].between(1, SMALL_MAX)
    for share, base in SHARE_OF.items():
        if share in ids:
            hide = hidden_years(area.code, share, base, data_dir)
            small |= mine & (out["indicator_id"] == share) & out["year"].isin(hide)
    out = out[~small].copy()
    out["year"] = out["year"].astype(int)
    return out[SERIES_COLUMNS].sort_values(["indicator_id", "series", "year"], ignore_index=True)


def area_years(frame: pd.DataFrame, area_name: str, ind_id: str) -> pd.DataFrame:
    """The area's own values of one indicator by year (``year, period, value``)."""
    sel = frame[(frame["indicator_id"] == ind_id) & (frame["series"] == area_name)]
    return sel[["year", "period", "value"]].sort_values("year").reset_index(drop=True)


def upto_years(items: dict[str, Measure], year: int) -> dict[str, int]:
    """Each indicator's latest period's year (the engine's), else the book's year."""
    return {k: (m.year if m.year is not None else year) for k, m in items.items()}


@dataclass
class Context:
    """What every section needs: the area, the book's year, the snapshot folder and whether
    to draw charts (False: the analysis and text only, e.g. to check every area quickly)."""

    area: Area
    year: int
    data_dir: Path | str | None = None
    charts: bool = True
    _bench: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def bench(self) -> pd.DataFrame:
        """The area's benchmark rows from the engine, indexed by indicator (looked up once)."""
        if self._bench is None:
            b = area_benchmarks(self.area.code, self.year, self.data_dir)
            self._bench = b.set_index("indicator_id")
        return self._bench

    def items(self, ids: Sequence[str]) -> dict[str, Measure]:
        """The engine's rows for those of ``ids`` the catalogue has, in ``ids`` order."""
        known = catalogued(ids, self.data_dir)
        return measures(self.area.code, self.year, known, self.data_dir, self.bench)

    def frame(self, items: dict[str, Measure]) -> pd.DataFrame:
        """Every indicator's values over time up to its latest period (:func:`series`)."""
        return series(self.area, list(items), upto_years(items, self.year), self.data_dir)


def sources(items: Sequence[Measure]) -> str:
    """The indicators' sources, each once, in order."""
    return "; ".join(dict.fromkeys(m.indicator.source for m in items))
