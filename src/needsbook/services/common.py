"""What the local service sections share: the validated data, the need model and the
small-number rule as the chapter applies it."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from needsbook.areas import Area
from needsbook.local import LocalData, publishable
from needsbook.local.dates import Span, historical
from needsbook.local.example import EXAMPLE_AREA, example_dir
from needsbook.local.templates import ALL
from needsbook.stats.suppression import PRIMARY, SECONDARY, suppress_with_totals

SMALL = "fewer than 5 (not shown)"
HIDDEN = "not shown, so that a count of fewer than 5 cannot be worked out"
SMALL_NOTE = (
    "Counts of 1 to 4 and any percentage, rate or rating worked out from them are not shown "
    '("fewer than 5"), so that no child or family can be identified. Where a total is shown, '
    "one more figure is hidden as well, so that a hidden count cannot be worked out by "
    "subtraction."
)
#: The source of a figure from the book's need model, as a section's sources list it.
NEED_SOURCE = "need: the book's open need model"


def population_source(year: int) -> str:
    """The source of a count of children aged 0-19, as a section's sources list it."""
    return f"population aged 0-19: ONS LSOA estimates, mid-{year}"


def declare_sources(
    table: pd.DataFrame, default: str, others: dict[str, str] | None = None
) -> pd.DataFrame:
    """Name the one source of each of ``table``'s measures for its CSV download
    (``attrs["sources"]``, read by :mod:`needsbook.row_sources`): ``others`` for the measures
    it names, ``default`` for the rest. A figure worked out from a local count and the need
    model (a ratio or gap against need) is the need model's, as a targeting ratio is."""
    others = others or {}
    table.attrs["sources"] = {str(c): others.get(str(c), default) for c in table.columns}
    return table


#: What each template holds, as a source a reader can recognise.
SOURCE_NAMES = {
    "eha_assessments": "the council's early help assessment records",
    "eha_reasons": "the council's records of the reasons for early help assessments",
    "eha_distance_travelled": "the council's early help distance-travelled scores",
    "children_centres_register": "the council's register of children's centres",
    "children_centres": "the council's children's centre attendance records",
    "health_visiting_reviews": "the health-visiting service's mandated review records",
    "specialist_midwifery": "the maternity service's specialist midwifery referral records",
    "family_support_outcomes": "the council's family support results claims",
    "local_offer": "the council's list of its early help services",
}
#: What each template holds, for headings ("Historical context: early help assessments, ...").
TOPICS = {
    "eha_assessments": "early help assessments",
    "eha_reasons": "reasons for early help assessments",
    "eha_distance_travelled": "distance travelled during early help",
    "children_centres_register": "the register of children's centres",
    "children_centres": "children's centre reach",
    "health_visiting_reviews": "health-visiting mandated reviews",
    "specialist_midwifery": "specialist midwifery referrals",
    "family_support_outcomes": "family support results",
    "local_offer": "the local early help offer",
}
LOCAL_SOURCE = "the council's local service data"
EXAMPLE_SOURCE = "the Worcestershire 2015 needs assessment (worked example)"


@dataclass
class LocalContext:
    """Everything the local sections read: validated tables and the open need model, and a
    cache of each local table after small-number suppression (worked out once, read by every
    table, chart, sentence and finding made from it)."""

    area: Area
    year: int
    data: LocalData
    folder: Path
    need: pd.DataFrame  # needsbook.need.need_share_by_quintile
    need_by_band: pd.DataFrame  # NeedEstimate.by_band()
    population_year: int
    lsoas: pd.DataFrame  # NeedEstimate.lsoas (per LSOA, with lad_code and population_0_19)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()`` the first time ``key`` is asked for, the same object afterwards."""
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    @property
    def own_model(self) -> str | None:
        """The name of the council's own need model, when the local data supplies one."""
        from needsbook.need.local_model import SharesModel

        model = self.need.attrs.get("model")
        return model.name if isinstance(model, SharesModel) else None

    @property
    def model_words(self) -> str:
        """The need model in a sentence: 'the open need model' or the council's, by name."""
        own = self.own_model
        return "the open need model" if own is None else f"the council's need model ({own})"

    @property
    def model_words_start(self) -> str:
        """:attr:`model_words` starting a sentence."""
        return self.model_words[0].upper() + self.model_words[1:]

    @property
    def need_source(self) -> str:
        """The need model as a table's source."""
        own = self.own_model
        return NEED_SOURCE if own is None else f"need: the council's need model ({own})"

    @property
    def model_source(self) -> str:
        """The need model as a finding's source."""
        own = self.own_model
        return "the book's open need model" if own is None else f"the council's need model ({own})"

    @property
    def is_example(self) -> bool:
        """True for the worked example (Worcestershire's 2013-2015 figures, 2015 assessment)."""
        try:
            same = self.folder.resolve() == example_dir().resolve()
        except OSError:
            same = False
        return self.area.code == EXAMPLE_AREA and same

    def table(self, name: str) -> pd.DataFrame | None:
        return self.data.tables.get(name)

    def source(self, name: str) -> str:
        """Where a template's figures come from, in words (``name`` with or without
        ``.csv``; "all files" for the local data as a whole)."""
        name = name.removesuffix(".csv")
        if self.is_example:
            what = TOPICS.get(name)
            return f"{EXAMPLE_SOURCE}: {what}" if what else EXAMPLE_SOURCE
        return SOURCE_NAMES.get(name, LOCAL_SOURCE)

    @property
    def historical(self) -> dict[str, Span]:
        """Templates whose data ends more than :data:`~needsbook.historical.HISTORICAL_AFTER_YEARS`
        years before the book's data year."""
        return self.cached("historical", lambda: historical(self.data.tables, self.year))

    def current(self, name: str) -> bool:
        """True when the template has rows and is not historical (it may feed findings)."""
        t = self.table(name)
        return t is not None and not t.empty and name not in self.historical

    @property
    def population_0_19(self) -> float:
        return float(self.need["children_0_19"].sum())


def latest_period(table: pd.DataFrame) -> str:
    """The latest period in a local table (periods sort as written: 2013-14 < 2014-15)."""
    return str(sorted(table["period"].unique())[-1])


def period_label(period: str) -> str:
    """'2013-08/2015-03' -> 'August 2013 to March 2015'; other periods unchanged."""
    m = re.fullmatch(r"(\d{4})-(\d{2})/(\d{4})-(\d{2})", str(period))
    if not m or not (1 <= int(m[2]) <= 12 and 1 <= int(m[4]) <= 12):
        return str(period)
    return f"{calendar.month_name[int(m[2])]} {m[1]} to {calendar.month_name[int(m[4])]} {m[3]}"


def during(label: str) -> str:
    """'from August 2013 to March 2015' for a range, 'in 2014-15' otherwise."""
    return f"from {label}" if " to " in label else f"in {label}"


def is_small(count: object) -> bool:
    """A count of 1 to 4 (the book never shows these, nor rates built on them)."""
    try:
        v = float(count)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return 1 <= v <= 4


def suppress(
    df: pd.DataFrame,
    count: str,
    derived: Sequence[str] = (),
    *,
    dims: Sequence[str] = (),
    by: Sequence[str] = (),
    total: object = ALL,
    denominators: Sequence[str] = (),
    **kwargs: object,
) -> pd.DataFrame:
    """Counts of 1-4 (and the ``derived`` columns of those rows) become missing, and a
    ``Small numbers`` column says so; other rows are unchanged. With ``dims``, rows whose
    value in a dimension is ``total`` are totals of the others (secondary suppression,
    :func:`needsbook.stats.suppression.suppress_with_totals`); ``secondary_by`` (in
    ``kwargs``) names groups whose total is shown elsewhere. A row whose ``denominators``
    (births, reviews due) hold a count of 1-4 is hidden too, those columns included."""
    if df.empty:
        out = df.copy()
        out["Small numbers"] = pd.Series(dtype="object")
        return out
    counts = pd.to_numeric(df[count], errors="coerce")
    work = df.assign(**{count: counts})
    if dims:
        out = suppress_with_totals(
            work, count, dims=list(dims), by=list(by), total=total, derived=list(derived)
        )
    else:
        out = publishable(work, count, derived=list(derived), **kwargs)
    status = out["suppression"].fillna("")
    for c in denominators:
        small = pd.to_numeric(out[c], errors="coerce").map(is_small).astype(bool)
        status = status.mask(small & (status == ""), PRIMARY)
    return hide(out, count, [*derived, *denominators], status)


def hide(df: pd.DataFrame, count: str, derived: Sequence[str], status: pd.Series) -> pd.DataFrame:
    """``count`` and ``derived`` blanked where ``status`` is "primary" (a count of 1-4) or
    "secondary" (hidden so that one cannot be worked out), and a ``Small numbers`` column
    saying which; the suppression helper columns are dropped."""
    out = df.copy()
    status = pd.Series(status, index=out.index).fillna("")
    hit = status.isin([PRIMARY, SECONDARY]).to_numpy()
    out[count] = pd.to_numeric(out[count], errors="coerce").astype("float64")
    out.loc[hit, count] = np.nan
    for c in derived:
        out[c] = out[c].astype("float64")
        out.loc[hit, c] = np.nan
    out["Small numbers"] = small_label(status)
    return out.drop(
        columns=[c for c in ("suppressed", "suppression", f"{count}_display") if c in out]
    )


def small_label(status: pd.Series) -> np.ndarray:
    """The ``Small numbers`` text for each suppression status (primary, secondary or none)."""
    status = pd.Series(status).fillna("").to_numpy()
    return np.where(status == PRIMARY, SMALL, np.where(status == SECONDARY, HIDDEN, ""))


def fmt(value: object, decimals: int = 1, suffix: str = "") -> str:
    """'12.3%' style text; 'not shown' for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "not shown"
    return f"{float(value):,.{decimals}f}{suffix}"  # type: ignore[arg-type]


def count_text(value: object) -> str:
    """A count for a sentence: 'fewer than 5' for 1-4, '1,234' otherwise."""
    if is_small(value):
        return "fewer than 5"
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "not shown"
    return f"{float(value):,.0f}"  # type: ignore[arg-type]
