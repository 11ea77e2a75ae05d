"""One formatting rule per unit, used everywhere in the book.

- percentages and rates: one decimal place ("4.9%", "87.2 per 10,000 aged 0-17");
- counts: whole numbers with thousands separators ("12,345");
- ratios (targeting ratios, fold changes, odds and risk ratios): two decimals ("1.45");
- means and scores: one decimal place;
- model coefficients: three significant figures, so a non-zero value never prints as "0"
  ("-0.0431");
- a value that rounds to zero never prints as "-0" or "-0.0";
- a missing value (None, NaN, pd.NA, infinity) prints as a placeholder the caller chooses
  (default "no data");
- ties round as Python's ``format`` does (half to even), so text agrees with the tables.

The decimals for each kind are the module constants below; tables tell the page how many
decimals to show for each column with :func:`table_decimals`.

Modelled counts may still be rounded further on purpose (the need chapter's ``_about``
rounds to the nearest 10 or 100 so that an estimate does not look exact).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import pandas as pd

PERCENT_DP = 1
RATE_DP = 1
MEAN_DP = 1
COUNT_DP = 0
RATIO_DP = 2
COEFFICIENT_SIG = 3
MISSING = "no data"

#: value types (the ``indicators`` table's ``value_type``) formatted as means (1 dp, no unit)
MEAN_TYPES = frozenset({"mean", "score"})
#: value types formatted as whole numbers
COUNT_TYPES = frozenset({"count", "money"})


def as_number(value: object) -> float | None:
    """``value`` as a finite float, or None when it is missing (None, NaN, pd.NA, text...)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def is_missing(value: object) -> bool:
    """True for None, NaN, pd.NA, infinity and anything that is not a number."""
    return as_number(value) is None


def fixed(value: object, dp: int, *, sign: bool = False, missing: str = MISSING) -> str:
    """``value`` to ``dp`` decimals with thousands separators; never "-0" ("-0.0" -> "0.0").

    With ``sign``, a value that does not round to zero gets "+" or "-"."""
    v = as_number(value)
    if v is None:
        return missing
    text = f"{v:,.{max(int(dp), 0)}f}"
    if text.startswith("-") and not re.search(r"[1-9]", text):
        text = text[1:]  # negative zero after rounding
    if sign and re.search(r"[1-9]", text) and not text.startswith("-"):
        text = "+" + text
    return text


def rounds_to_zero(value: object, dp: int) -> bool:
    """True when ``value`` shows as zero at ``dp`` decimals (False when it is missing)."""
    return not is_missing(value) and not re.search(r"[1-9]", fixed(value, dp))


def percent(value: object, *, sign: bool = False, missing: str = MISSING) -> str:
    """A percentage: ``percent(4.86) == "4.9%"``, ``percent(-0.04) == "0.0%"``."""
    text = fixed(value, PERCENT_DP, sign=sign, missing=missing)
    return text if is_missing(value) else text + "%"


def points(value: object, *, sign: bool = False, missing: str = MISSING) -> str:
    """A difference between percentages, in percentage points: "1.2" (no unit)."""
    return fixed(value, PERCENT_DP, sign=sign, missing=missing)


def _rate_unit(unit: str) -> str:
    """'Rate per 10,000' -> 'per 10,000' (the value is the rate)."""
    return re.sub(r"^\s*(crude\s+)?rate\s+(?=per\b)", "", str(unit), flags=re.IGNORECASE).strip()


def rate(value: object, unit: str = "", *, missing: str = MISSING) -> str:
    """A rate with its unit: ``rate(87.23, "per 10,000 aged 0-17")`` ->
    "87.2 per 10,000 aged 0-17"; with no unit, just "87.2"."""
    text = fixed(value, RATE_DP, missing=missing)
    unit = _rate_unit(unit)
    return f"{text} {unit}" if unit and not is_missing(value) else text


def count(value: object, *, missing: str = MISSING) -> str:
    """A count: whole number with thousands separators, ``count(12345.0) == "12,345"``."""
    return fixed(value, COUNT_DP, missing=missing)


def ratio(value: object, *, missing: str = MISSING) -> str:
    """A ratio (targeting ratio, fold change, odds or risk ratio): ``ratio(1.449) == "1.45"``."""
    return fixed(value, RATIO_DP, missing=missing)


def mean(value: object, *, missing: str = MISSING) -> str:
    """A mean or score: one decimal place."""
    return fixed(value, MEAN_DP, missing=missing)


def coefficient_dp(value: object, sig: int = COEFFICIENT_SIG) -> int:
    """Decimals that show ``sig`` significant figures of ``value`` (0 for zero or missing)."""
    v = as_number(value)
    if not v:
        return 0
    return max(0, sig - 1 - math.floor(math.log10(abs(v))))


def coefficient_decimals(values: Iterable[object], sig: int = COEFFICIENT_SIG) -> int:
    """One number of decimals for a column of coefficients: enough to show every non-zero
    value with at least ``sig`` significant figures."""
    return max((coefficient_dp(v, sig) for v in values), default=0)


def coefficient(value: object, *, sig: int = COEFFICIENT_SIG, missing: str = MISSING) -> str:
    """A model coefficient to ``sig`` significant figures: ``coefficient(-0.043123) ==
    "-0.0431"``, ``coefficient(1.1) == "1.10"``, ``coefficient(0.0) == "0"``."""
    return fixed(value, coefficient_dp(value, sig), missing=missing)


def kind(unit: str | None, value_type: str | None = None) -> str:
    """The formatting kind of an indicator: "percent", "count", "mean", "ratio", "rate" or
    "number" (from its unit, then its value type)."""
    u = str(unit or "").strip().lower()
    vt = str(value_type or "").strip().lower()
    if u.startswith("%") or u in ("percent", "percentage"):
        return "percent"
    if vt in COUNT_TYPES or u in ("count", "number", "persons"):
        return "count"
    if vt in MEAN_TYPES:
        return "mean"
    if "ratio" in u or "ratio" in vt or "fold" in u:
        return "ratio"
    if vt == "crude rate" or re.match(r"^(crude\s+)?(rate\s+)?per\b", u):
        return "rate"
    return "number"


#: decimals of each kind ("number": an unlabelled value, shown like a rate)
DECIMALS: Mapping[str, int] = {
    "percent": PERCENT_DP,
    "rate": RATE_DP,
    "count": COUNT_DP,
    "mean": MEAN_DP,
    "ratio": RATIO_DP,
    "number": RATE_DP,
}


def decimals(unit: str | None, value_type: str | None = None) -> int:
    """Decimals the rule gives an indicator with this unit and value type."""
    return DECIMALS[kind(unit, value_type)]


def value(
    value: object, unit: str | None = "", value_type: str | None = None, *, missing: str = MISSING
) -> str:
    """An indicator's value by its unit and value type: "%" -> "4.9%"; "per ..." ->
    "87.2 per 10,000"; count -> "12,345"; mean or score -> "45.3"; ratio -> "1.45"."""
    k = kind(unit, value_type)
    if k == "percent":
        return percent(value, missing=missing)
    if k == "rate":
        return rate(value, str(unit or ""), missing=missing)
    return fixed(value, DECIMALS[k], missing=missing)


def fmt_ci(
    lower: object,
    upper: object,
    unit: str | None = "",
    value_type: str | None = None,
    *,
    missing: str = MISSING,
) -> str:
    """A confidence interval with the value's decimals: "4.1% to 5.2%", "80.1 to 94.3 per
    10,000", "0.5 to 2.2"; ``missing`` when either end is missing."""
    if is_missing(lower) or is_missing(upper):
        return missing
    k = kind(unit, value_type)
    if k == "percent":
        return f"{percent(lower)} to {percent(upper)}"
    text = f"{fixed(lower, DECIMALS[k])} to {fixed(upper, DECIMALS[k])}"
    if k == "rate" and _rate_unit(str(unit or "")):
        text += f" {_rate_unit(str(unit or ''))}"
    return text


def column_decimals(name: str) -> int | None:
    """Decimals for a table column from its heading (None: no rule applies, e.g. a count).

    "ratio"/"fold" -> ratio; "%", "percent", "share", "percentage points" -> percent;
    "per ..." -> rate; "mean", "average", "score" -> mean."""
    n = str(name).lower()
    if re.search(r"\bratio\b|fold", n):
        return RATIO_DP
    if "%" in n or re.search(r"\b(percent|percentage|share)", n):
        return PERCENT_DP
    if re.search(r"\bper\b", n):
        return RATE_DP
    if re.search(r"\b(mean|average|score)\b", n):
        return MEAN_DP
    return None


def table_decimals(
    table: pd.DataFrame, explicit: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Decimals for each float column of a table (the page reads ``table.attrs["decimals"]``):
    the rule read from each column's heading, then the table's own ``attrs["decimals"]``, then
    ``explicit`` (each later one wins)."""
    out = {
        str(c): d
        for c in table.columns
        if pd.api.types.is_float_dtype(table[c]) and (d := column_decimals(str(c))) is not None
    }
    out.update(table.attrs.get("decimals", {}))
    out.update(explicit or {})
    return out


def apply_decimals(table: pd.DataFrame, explicit: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Set ``table.attrs["decimals"]`` to :func:`table_decimals` (in place); returns ``table``."""
    table.attrs["decimals"] = table_decimals(table, explicit)
    return table
