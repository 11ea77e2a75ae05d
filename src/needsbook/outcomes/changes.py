"""What changed between two assessments of one area: the benchmarking engine's rows for an
earlier and a later data year, set side by side.

Every function here is pure. Give it the rows :func:`needsbook.outcomes.compare.area_benchmarks`
returns for the two years (and, for concerns and recommendations, what each year's book found)
and it says which comparisons with England changed, which recent trends changed, which outcomes
became or stopped being of concern, which recommendations were added or dropped, and which
indicators have no newer data. Nothing is recomputed: each value, period, comparison and trend
is the engine's, for its year.

An indicator whose latest period is the same in both years (say a survey not repeated) has, by
construction, the same value, comparison and trend in both: it is listed as having no newer
data, never as a change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from needsbook.errors import InputError
from needsbook.outcomes.compare import BETTER, NO_DATA, NOT_COMPARED, SIMILAR, WORSE
from needsbook.polarity import JUDGED
from needsbook.stats.trend import GETTING_BETTER, GETTING_WORSE

#: The engine's columns kept for each year (suffixed ``_before`` and ``_after``).
YEAR_COLUMNS = (
    "year",
    "period",
    "period_label",
    "value",
    "comparison_label",
    "direction",
    "quintile",
    "trend_label",
    "trend_from_label",
    "trend_to_label",
)
#: The indicator's own columns (the same in both years; the later year's are kept).
INDICATOR_COLUMNS = ("indicator_id", "name", "unit", "decimals", "polarity", "has_ci", "outcome")
#: Which way a change went (the ``movement`` column).
IMPROVED, WORSENED, NEITHER = "improved", "worsened", "neither"
#: For trends: what the later year's trend says that the earlier one did not.
NOW_WORSE = "now getting worse"
NO_LONGER_WORSE = "no longer getting worse"
NOW_BETTER = "now getting better"
NO_LONGER_BETTER = "no longer getting better"
_CI_STANDING = {BETTER: 1, SIMILAR: 2, WORSE: 3}


def comparison_year(year: int, offered: Sequence[int], compare_year: int = 0) -> int | None:
    """The year to compare a book for ``year`` with: ``compare_year``, or for 0 the latest
    year before ``year`` among those ``offered`` for the area (None when there is none: the
    book is for the earliest year the data allow).

    A ``compare_year`` that is not earlier than ``year``, or not offered, is an
    :class:`~needsbook.errors.InputError` naming the years that are."""
    earlier = sorted(int(y) for y in offered if int(y) < int(year))
    if not compare_year:
        return earlier[-1] if earlier else None
    if int(compare_year) >= int(year):
        raise InputError(
            f"--compare-year {compare_year} must be earlier than the book's data year ({year})"
        )
    if int(compare_year) not in earlier:
        span = f"{earlier[0]}-{earlier[-1]}" if earlier else "none"
        raise InputError(
            f"--compare-year {compare_year} is not available: the data years before {year} "
            f"are {span}"
        )
    return int(compare_year)


def paired(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator in both years, in the later year's order: the indicator's columns,
    each year's :data:`YEAR_COLUMNS` suffixed ``_before`` and ``_after``, and ``moved_on``
    (whether the latest period differs between the years)."""
    own = [c for c in INDICATOR_COLUMNS if c in after.columns]
    left = before[["indicator_id", *YEAR_COLUMNS]].rename(
        columns={c: f"{c}_before" for c in YEAR_COLUMNS}
    )
    right = after[[*own, *YEAR_COLUMNS]].rename(columns={c: f"{c}_after" for c in YEAR_COLUMNS})
    pairs = right.merge(left, on="indicator_id", how="inner", sort=False)
    same = (pairs["year_before"] == pairs["year_after"]) & (
        pairs["period_before"].astype(str) == pairs["period_after"].astype(str)
    )
    pairs["moved_on"] = ~same.fillna(False).astype(bool)
    return pairs.reset_index(drop=True)


def standing(direction: object, quintile: object, has_ci: bool, polarity: str) -> int | None:
    """Where a verdict stands, 1 (best) upwards, to tell a better verdict from a worse one:
    better/similar/worse for a tested indicator, the fifth (1 = best) for one placed in fifths;
    None where there is no judgement or no verdict."""
    if polarity not in JUDGED or direction in (NO_DATA, NOT_COMPARED):
        return None
    if has_ci:
        return _CI_STANDING.get(str(direction))
    return None if pd.isna(quintile) else int(quintile)  # type: ignore[call-overload]


def _movement(r: pd.Series) -> str:
    has_ci = bool(r["has_ci"])
    old = standing(r["direction_before"], r["quintile_before"], has_ci, r["polarity"])
    new = standing(r["direction_after"], r["quintile_after"], has_ci, r["polarity"])
    if old is None or new is None or old == new:
        return NEITHER
    return IMPROVED if new < old else WORSENED


def comparison_changes(pairs: pd.DataFrame) -> pd.DataFrame:
    """Indicators whose comparison with England (as the book's tables write it) changed
    between the years, with ``movement``: improved, worsened or neither (no judgement, or data
    in one year only)."""
    out = pairs[
        pairs["moved_on"] & (pairs["comparison_label_before"] != pairs["comparison_label_after"])
    ].copy()
    out["movement"] = [_movement(r) for _, r in out.iterrows()] if len(out) else []
    return out.reset_index(drop=True)


def _worse(label: object) -> bool:
    return str(label).endswith(GETTING_WORSE)


def _better(label: object) -> bool:
    return str(label).endswith(GETTING_BETTER)


def trend_movement(before: object, after: object) -> str:
    """What a changed trend now says, in words (``""`` when it says neither way, or the same
    way as before)."""
    if _worse(before) == _worse(after) and _better(before) == _better(after):
        return ""
    if _worse(after) and not _worse(before):
        return NOW_WORSE
    if _better(after) and not _better(before):
        return NOW_BETTER
    if _worse(before):
        return NO_LONGER_WORSE
    if _better(before):
        return NO_LONGER_BETTER
    return ""


def trend_changes(pairs: pd.DataFrame) -> pd.DataFrame:
    """Indicators whose recent trend changed between the years, with ``movement``
    (:func:`trend_movement`)."""
    out = pairs[
        pairs["moved_on"] & (pairs["trend_label_before"] != pairs["trend_label_after"])
    ].copy()
    out["movement"] = [
        trend_movement(b, a)
        for b, a in zip(out["trend_label_before"], out["trend_label_after"], strict=True)
    ]
    return out.reset_index(drop=True)


def no_newer_data(pairs: pd.DataFrame) -> pd.DataFrame:
    """Indicators whose latest period is the same in both years (with a period at all)."""
    return pairs[~pairs["moved_on"] & pairs["period_after"].notna()].reset_index(drop=True)


def concern_changes(
    pairs: pd.DataFrame, before: Mapping[str, str], after: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outcomes newly of concern and no longer of concern. ``before`` and ``after`` map each
    year's outcomes of concern (indicator id) to why they are (the book's words); the rows get
    ``why_before`` and ``why_after``."""
    moved = pairs[pairs["moved_on"]].copy()
    moved["why_before"] = [before.get(i, "") for i in moved["indicator_id"]]
    moved["why_after"] = [after.get(i, "") for i in moved["indicator_id"]]
    new = moved[moved["indicator_id"].isin(list(after)) & ~moved["indicator_id"].isin(list(before))]
    gone = moved[
        moved["indicator_id"].isin(list(before)) & ~moved["indicator_id"].isin(list(after))
    ]
    return new.reset_index(drop=True), gone.reset_index(drop=True)


def recommendation_changes(
    before: Sequence[str], after: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Recommendation titles added (in the later year only, in its order) and dropped (in the
    earlier year only, in its order)."""
    added = tuple(t for t in dict.fromkeys(after) if t not in set(before))
    dropped = tuple(t for t in dict.fromkeys(before) if t not in set(after))
    return added, dropped


@dataclass(frozen=True)
class Changes:
    """Everything that changed between the assessments for ``before_year`` and ``after_year``
    (each frame as :func:`paired` makes it, filtered)."""

    before_year: int
    after_year: int
    compared: int  # indicators in both years
    comparisons: pd.DataFrame
    trends: pd.DataFrame
    new_concerns: pd.DataFrame
    resolved_concerns: pd.DataFrame
    no_newer_data: pd.DataFrame
    added: tuple[str, ...] = field(default_factory=tuple)
    dropped: tuple[str, ...] = field(default_factory=tuple)


def changes(
    before: pd.DataFrame,
    after: pd.DataFrame,
    years: tuple[int, int],
    concerns: tuple[Mapping[str, str], Mapping[str, str]] = ({}, {}),
    recommendations: tuple[Sequence[str], Sequence[str]] = ((), ()),
) -> Changes:
    """What changed from the rows ``before`` (year ``years[0]``) to ``after`` (``years[1]``),
    both from :func:`~needsbook.outcomes.compare.area_benchmarks` for one area, with each
    year's outcomes of concern (id -> why) and recommendation titles."""
    pairs = paired(before, after)
    new, gone = concern_changes(pairs, *concerns)
    added, dropped = recommendation_changes(*recommendations)
    return Changes(
        before_year=int(years[0]),
        after_year=int(years[1]),
        compared=len(pairs),
        comparisons=comparison_changes(pairs),
        trends=trend_changes(pairs),
        new_concerns=new,
        resolved_concerns=gone,
        no_newer_data=no_newer_data(pairs),
        added=added,
        dropped=dropped,
    )
