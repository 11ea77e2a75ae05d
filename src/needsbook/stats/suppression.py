"""Small-number suppression (statistical disclosure control) for published tables.

Rule (documented in the book's methods page): counts in a configurable range (default 1
to 4 for locally held early-help data, shown as "<5") are never published, nor anything
derived from them (rates, proportions and their CIs). Where a published total would let a
reader work a suppressed cell back out (exactly one suppressed cell in a group whose total
is shown), the next smallest non-zero cell in that group is suppressed too (secondary
suppression), repeated until no group has a lone suppressed cell. Zero is never
suppressed. Follow the publisher's rule when republishing national data (e.g. DfE
suppresses 1-5; NHS England HES 1-7).

:func:`suppress_with_totals` is for tables that hold their own totals (a row marked ``All``
in a dimension is the sum of that dimension's other rows): every such total-and-parts
equation keeps at least two hidden cells whose sum is not itself a small count, so no hidden
count can be worked out by subtraction, across every dimension at once.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from needsbook.errors import InputError
from needsbook.stats._core import column, numeric_column

__all__ = ["suppress_small_numbers", "suppress_with_totals"]

PRIMARY = "primary"
SECONDARY = "secondary"
_DERIVED = re.compile(r"^(value|(lower|upper)_ci_\d+(_\d+)?)$")


def _groupings(secondary_by: str | Sequence[str | Sequence[str]] | None) -> list[list[str]]:
    if secondary_by is None:
        return []
    if isinstance(secondary_by, str):
        return [[secondary_by]]
    return [[g] if isinstance(g, str) else list(g) for g in secondary_by]


def _checked(
    df: pd.DataFrame, count: str, derived: Sequence[str] | None, lower: float, upper: float
) -> tuple[np.ndarray, list[str]]:
    """The numeric count column and the derived columns (default: value and CI columns)."""
    if not lower >= 1:
        raise InputError(f"lower: must be 1 or more; zero is never suppressed (got {lower!r})")
    if not upper >= lower:
        raise InputError(f"upper: must be at least lower ({lower!r}) (got {upper!r})")
    counts = numeric_column(df, count, "count")
    if derived is None:
        derived = [c for c in df.columns if isinstance(c, str) and _DERIVED.match(c)]
    return counts, list(derived)


def suppress_small_numbers(
    df: pd.DataFrame,
    count: str = "count",
    *,
    derived: Sequence[str] | None = None,
    lower: float = 1,
    upper: float = 4,
    secondary_by: str | Sequence[str | Sequence[str]] | None = None,
    display: str | None = None,
    secondary_display: str = "*",
) -> pd.DataFrame:
    """Suppress small counts and everything derived from them.

    A row is suppressed when ``lower <= count <= upper`` (default 1-4); its ``count`` and
    the ``derived`` columns (default: ``value`` and every ``lower_ci_*``/``upper_ci_*``
    column present) become NaN. ``secondary_by`` names the groupings whose totals are
    published: each item is a column or a list of columns (``["area", "year"]`` means
    row totals by area *and* column totals by year; ``[["area", "year"]]`` means one
    grouping by both). In any group with exactly one suppressed row, the row with the
    next smallest non-zero count is suppressed as well, until no such group remains.
    A group whose other cells are all zero or missing cannot be protected this way: a
    warning asks for its total to be suppressed.

    Returns a copy with ``suppressed`` (bool), ``suppression`` ("primary", "secondary"
    or missing) and ``<count>_display`` (the count as text, ``display`` for primary
    suppression, default "<{upper + 1}", and ``secondary_display`` for secondary).
    Raises InputError for ``lower`` below 1 (zero is never suppressed) or ``upper`` below
    ``lower``.
    """
    counts, derived = _checked(df, count, derived, lower, upper)
    for c in derived:
        column(df, c, "derived")
    groupings = _groupings(secondary_by)
    for grouping in groupings:
        for g in grouping:
            column(df, g, "secondary_by")

    primary = (counts >= lower) & (counts <= upper)
    secondary = np.zeros(len(df), dtype=bool)
    unprotectable: set[str] = set()
    changed = bool(groupings) and primary.any()
    while changed:
        changed = False
        for grouping in groupings:
            newly, stuck = _secondary_pass(df, counts, primary | secondary, grouping)
            unprotectable |= stuck
            if newly.any():
                secondary |= newly
                changed = True
    if unprotectable:
        warnings.warn(
            "suppress_small_numbers: a suppressed cell is the only non-zero cell in group(s) "
            f"{', '.join(sorted(unprotectable)[:5])}; suppress those totals too",
            UserWarning,
            stacklevel=2,
        )

    return _finish(
        df, count, counts, derived, primary, secondary, upper, display, secondary_display
    )


def _finish(
    df: pd.DataFrame,
    count: str,
    counts: np.ndarray,
    derived: Sequence[str],
    primary: np.ndarray,
    secondary: np.ndarray,
    upper: float,
    display: str | None,
    secondary_display: str,
) -> pd.DataFrame:
    """The output frame: hidden counts and derived columns, and the suppression columns."""
    suppressed = primary | secondary
    out = df.copy()
    out[count] = np.where(suppressed, np.nan, counts)
    for c in derived:
        out[c] = out[c].mask(suppressed)
    out["suppressed"] = suppressed
    out["suppression"] = pd.Series(
        np.where(primary, PRIMARY, np.where(secondary, SECONDARY, None)),
        index=df.index,
        dtype=object,
    )
    shown = display if display is not None else f"<{upper + 1:g}"
    text = pd.Series(counts, index=df.index).map(
        lambda v: None if np.isnan(v) else (str(int(v)) if float(v).is_integer() else f"{v:g}")
    )
    text = text.where(~primary, shown).where(~secondary, secondary_display)
    out[f"{count}_display"] = text.astype(object)
    return out


def _secondary_pass(
    df: pd.DataFrame, counts: np.ndarray, suppressed: np.ndarray, grouping: list[str]
) -> tuple[np.ndarray, set[str]]:
    """Rows to suppress so that no group in ``grouping`` has exactly one suppressed row."""
    keys = [df[g].to_numpy() for g in grouping]
    frame = pd.DataFrame({f"_k{i}": k for i, k in enumerate(keys)})
    frame["_supp"] = suppressed
    frame["_count"] = counts
    frame["_pos"] = np.arange(len(df))
    key_cols = [f"_k{i}" for i in range(len(keys))]
    n_supp = (
        frame.groupby(key_cols, dropna=False, observed=True)["_supp"].transform("sum").to_numpy()
    )
    lone = n_supp == 1
    candidates = frame[lone & ~suppressed & (counts > 0)]
    chosen = (
        candidates.sort_values(["_count", "_pos"], kind="stable")
        .groupby(key_cols, dropna=False, observed=True)["_pos"]
        .first()
    )
    newly = np.zeros(len(df), dtype=bool)
    newly[chosen.to_numpy()] = True
    lone_groups = (
        frame[lone & suppressed].groupby(key_cols, dropna=False, observed=True).size().index
    )
    stuck = {str(g) for g in lone_groups.difference(chosen.index)}
    return newly, stuck


def suppress_with_totals(
    df: pd.DataFrame,
    count: str = "count",
    *,
    dims: Sequence[str],
    by: Sequence[str] = (),
    total: object = "All",
    derived: Sequence[str] | None = None,
    lower: float = 1,
    upper: float = 4,
    display: str | None = None,
    secondary_display: str = "*",
) -> pd.DataFrame:
    """Suppress small counts in a table that holds its own totals, and whatever would reveal
    them by subtraction.

    In each column of ``dims``, a row whose value is ``total`` is the sum of the rows that
    share its values of ``by`` and of the other ``dims`` (e.g. dims ``provider``/``district``
    with ``All`` rows: each provider total over districts, each district total over providers
    and the grand total, all at once). Primary suppression is as in
    :func:`suppress_small_numbers`. Then, until stable, any such total-and-parts equation in
    which exactly one cell is hidden, or whose hidden parts add up to a count in
    ``lower..upper`` while the total is shown, has its smallest shown non-zero part hidden
    too (the total if no part is left). An equation with a missing count is already safe:
    it has two unknowns. Returns the same columns as :func:`suppress_small_numbers`.
    """
    counts, derived = _checked(df, count, derived, lower, upper)
    for c in [*derived, *dims, *by]:
        column(df, c, "column")
    primary = (counts >= lower) & (counts <= upper)
    hidden = primary.copy()
    stuck: set[str] = set()
    equations = [
        (t, parts)
        for t, parts in _equations(df, list(dims), list(by), total)
        if not np.isnan(counts[t]) and not np.isnan(counts[parts]).any()
    ]
    changed = bool(primary.any())
    while changed:
        changed = False
        for t, parts in equations:
            n_hidden = int(hidden[parts].sum() + hidden[t])
            part_sum = counts[parts][hidden[parts]].sum()
            lone = n_hidden == 1
            small_sum = not hidden[t] and n_hidden >= 2 and lower <= part_sum <= upper
            if not (lone or small_sum):
                continue
            shown = parts[~hidden[parts] & (counts[parts] > 0)]
            if len(shown):
                pick = shown[np.argsort(counts[shown], kind="stable")[0]]
            elif not hidden[t]:
                pick = t
            else:
                stuck.add(str(df.index[t]))
                continue
            hidden[pick] = True
            changed = True
    if stuck:
        warnings.warn(
            "suppress_with_totals: cannot protect the hidden cells of the totals at row(s) "
            f"{', '.join(sorted(stuck)[:5])}",
            UserWarning,
            stacklevel=2,
        )
    return _finish(
        df, count, counts, derived, primary, hidden & ~primary, upper, display, secondary_display
    )


def _equations(
    df: pd.DataFrame, dims: list[str], by: list[str], total: object
) -> list[tuple[int, np.ndarray]]:
    """(position of a total row, positions of its parts) for every total in ``dims``."""
    out = []
    pos = pd.Series(np.arange(len(df)))
    for d in dims:
        keys = [*by, *(x for x in dims if x != d)]
        is_total = (df[d] == total).to_numpy()
        frame = pd.DataFrame({f"_k{i}": df[k].to_numpy() for i, k in enumerate(keys)})
        groups = (
            frame.groupby([f"_k{i}" for i in range(len(keys))], dropna=False, sort=False).indices
            if keys
            else {(): pos.to_numpy()}
        )
        for members in groups.values():
            members = np.asarray(members)
            totals = members[is_total[members]]
            parts = members[~is_total[members]]
            if len(totals) == 1 and len(parts):
                out.append((int(totals[0]), parts))
    return out
