"""An area's indicators in the OHID Fingertips data-download layout (one CSV of the export).

Every value and verdict is read from the benchmarking engine
(:func:`needsbook.outcomes.compare.area_benchmarks`); nothing is recalculated here. The
columns and their order are those of a real Fingertips download (indicator 90284 in the raw
data). :func:`fingertips_row` is the one place engine columns become Fingertips columns.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from needsbook.areas import Area
from needsbook.outcomes.compare import VALUE_COLUMNS
from needsbook.stats.compare import HIGH_IS_GOOD  # the rule compare_quintiles reverses by
from needsbook.years import resolve_year

FILE_NAME = "indicators_fingertips_layout.csv"

#: The header of a Fingertips download, copied from the 90284 file (England as parent type,
#: hence "Compared to percentiles" for the comparison with the parent).
COLUMNS: tuple[str, ...] = (
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Compared to percentiles",
    "Time period Sortable",
    "New data",
    "Compared to goal",
    "Time period range",
)
NUMBERS = COLUMNS[12:19]  # Value ... Denominator
ENGLAND = ("E92000001", "England")
AREA_TYPES = {
    "england": "England",
    "region": "Regions (statistical)",
    "area": "Counties & UAs (from Apr 2023)",
}
#: Engine columns holding Value, 95% CI, 99.8% CI, Count, Denominator per row level (None:
#: the engine has no such figure, so the cell is blank). Absent columns also give blanks.
VALUE_SOURCES: dict[str, tuple[str | None, ...]] = {
    "area": tuple(VALUE_COLUMNS),
    "region": ("region_value", "region_lower", "region_upper", None, None, None, None),
    "england": ("england", "england_lower", "england_upper", None, None, None, None),
}
NOT_COMPARED = "Not compared"
CANNOT_BE_CALCULATED = "Cannot be calculated"
#: Fingertips' quintile labels, lowest values first (whatever the polarity).
QUINTILES = (
    "Lowest quintile",
    "2nd lowest quintile",
    "Middle quintile",
    "2nd highest quintile",
    "Highest quintile",
)
#: One engine row (a row of ``area_benchmarks``, or any mapping with its column names).
Row: TypeAlias = "pd.Series[Any] | Mapping[str, Any]"


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def compared_label(row: Row, prefix: str = "") -> str:
    """The Fingertips "Compared to ..." wording for the engine's ``<prefix>comparison``.

    Quintile comparisons (``comparison_method`` mentions quintiles) become "Lowest quintile"
    ... "Highest quintile" by value (the engine's quintile 1 is the best, so it is reversed
    for HIGH_IS_GOOD); CI verdicts (Better, Similar, Worse, Higher, Lower) pass unchanged;
    anything missing is "Not compared".
    """
    method = row.get("comparison_method")
    if not prefix and isinstance(method, str) and "quintile" in method:
        q = row.get("quintile")
        if q is None or _missing(q):
            return NOT_COMPARED
        by_value = 6 - int(q) if row.get("polarity") == HIGH_IS_GOOD else int(q)
        return QUINTILES[by_value - 1]
    label = row.get(f"{prefix}comparison")
    return NOT_COMPARED if _missing(label) or not str(label) else str(label)


def trend_text(row: Row) -> str:
    """Fingertips "Recent Trend" wording: the engine's ``trend_label`` (already in it)."""
    label = row.get("trend_label")
    return CANNOT_BE_CALCULATED if _missing(label) or not str(label) else str(label)


def fingertips_period(label: str) -> str:
    """Fingertips writes ranges with spaces: "2021/22-23/24" -> "2021/22 - 23/24"."""
    m = re.fullmatch(r"(\d{4}(?:/\d{2})?)-(\d{2,4}(?:/\d{2})?)", label)
    return f"{m[1]} - {m[2]}" if m else label


def sortable_period(label: str) -> int | None:
    """Fingertips' "Time period Sortable": start year x 10,000 (+ month when one is named)."""
    year = re.search(r"\d{4}", label)
    if not year:
        return None
    month = next((n for n, m in enumerate(calendar.month_name[1:], 1) if m in label), 0)
    return int(year[0]) * 10_000 + month


def period_range(period_type: object) -> str:
    """Fingertips' "Time period range": "3y" for three pooled years, else "1y"."""
    m = re.match(r"(\d+)\D.*pooled", str(period_type or ""))
    return f"{m[1]}y" if m else "1y"


def fingertips_row(b: Row, level: str = "area") -> dict[str, object]:
    """One Fingertips row from one engine row, for the area, its region or England."""
    period = fingertips_period(str(b.get("period_label") or b.get("period") or ""))
    if level == "area":
        code, name = b.get("area_code"), b.get("area_name")
        parent = (b.get("region_code"), b.get("region_name"))
    elif level == "region":
        code, name, parent = b.get("region_code"), b.get("region_name"), ENGLAND
    else:
        (code, name), parent = ENGLAND, ("", "")
    numbers = [b.get(c, float("nan")) if c else float("nan") for c in VALUE_SOURCES[level]]
    area = level == "area"
    return {
        "Indicator ID": b.get("indicator_id"),
        "Indicator Name": b.get("name"),
        "Parent Code": parent[0],
        "Parent Name": parent[1],
        "Area Code": code,
        "Area Name": name,
        "Area Type": AREA_TYPES[level],
        "Sex": "Persons",
        "Time period": period,
        **dict(zip(NUMBERS, numbers, strict=True)),
        "Recent Trend": trend_text(b) if area else "",
        "Compared to England value or percentiles": compared_label(b) if area else NOT_COMPARED,
        "Compared to percentiles": compared_label(b, "region_") if area else NOT_COMPARED,
        "Time period Sortable": sortable_period(period),
        "Time period range": period_range(b.get("period_type")),
    }


def fingertips_frame(bench: pd.DataFrame, comparators: bool = True) -> pd.DataFrame:
    """Fingertips rows for engine rows with a value (England and region first if asked)."""
    rows: list[dict[str, object]] = []
    for _, b in bench[bench["value"].notna()].iterrows():
        if comparators and pd.notna(b.get("england")):
            rows.append(fingertips_row(b, "england"))
        if comparators and pd.notna(b.get("region_value")):
            rows.append(fingertips_row(b, "region"))
        rows.append(fingertips_row(b))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in NUMBERS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    for col in ("Count", "Denominator", "Time period Sortable"):
        vals = pd.to_numeric(out[col], errors="coerce")
        if (vals.dropna() % 1 == 0).all():
            out[col] = vals.astype("Int64")
    return out


def fingertips_table(
    area: Area, year: int | None = None, data_dir: Path | str | None = None
) -> pd.DataFrame:
    """The area's catalogue indicators for the book ``year`` (default: the latest)."""
    from needsbook.outcomes.compare import area_benchmarks

    book_year = resolve_year(year, area, data_dir)
    return fingertips_frame(area_benchmarks(area.code, book_year, data_dir))


README = (
    "- {name} ({rows:,} rows): {area}'s indicators for the {year} book, laid out like an "
    "OHID Fingertips data download so it can sit beside files downloaded from Fingertips. The "
    "values and verdicts are the book's own, not Fingertips'. There is one row per indicator "
    "with a value, at its latest period up to the book year, after England's and the "
    "region's value for the same period. 'Indicator ID' is needsbook's (ft:90284 is "
    "Fingertips indicator 90284). 'Compared to England value or percentiles' says Better, "
    "Similar or Worse (Higher or Lower where neither direction is better) by whether "
    "England's value lies inside the area's 95% confidence interval. For indicators "
    "published without confidence intervals it names the fifth of all upper-tier areas the "
    "value falls in, counted from the lowest values whichever way is better (Lowest, 2nd "
    "lowest, Middle, 2nd highest, Highest quintile). 'Parent' is the region, and 'Compared "
    "to percentiles' holds the comparison with the region's value. England and region rows "
    "carry values only (no counts, trends or verdicts). Columns the book has no figure for "
    "(Age, Category, Value note, New data, goal) are blank."
)
