"""The value rules of the local templates: periods, free text and plausibility ceilings.

Shared by the template specs (README wording, Great Expectations regexes) and the validator,
so the documented rule and the checked rule are one definition.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata

FIRST_YEAR = 2000  # periods start no earlier than this ...
TEXT_MAX_CHARS = 100  # free-text cells are at most this long
ABSOLUTE_MAX = 1e7  # no numeric cell may exceed this, whatever its column
AREA_FACTOR = 2  # area ceiling = AREA_FACTOR x the area's population x years in the period

#: Unicode space separators (category Zs): trimmed from both ends of every cell.
SPACES = "".join(chr(c) for c in range(0x3100) if unicodedata.category(chr(c)) == "Zs")

#: Categories allowed in free text: letters, marks, numbers, punctuation, symbols, spaces.
TEXT_CATEGORIES = ("L", "M", "N", "P", "S", "Zs")
TEXT_RULE = (
    f"text of at most {TEXT_MAX_CHARS} characters: letters, digits, spaces, punctuation and "
    "symbols (no tabs, line breaks, control, invisible formatting or private-use characters); "
    "spaces around it are trimmed"
)
#: First characters that make a spreadsheet run a cell as a formula (refused in model names).
FORMULA_START = ("=", "+", "-", "@")


def last_year() -> int:
    """The latest year a period may mention: next year."""
    return datetime.date.today().year + 1


PERIOD_FORMATS: dict[str, str] = {
    "period": (
        "a year (`2014`), a financial or academic year (`2014-15`), a span of years "
        "(`2012-2014`) or a span of months (`2013-08/2015-03`)"
    ),
    "quarter": "a quarter `YYYY-Qn`, e.g. `2014-Q3`",
    "month": "a month `YYYY-MM`, e.g. `2013-07`",
}
#: The formats as error messages show them.
PERIOD_SHAPES: dict[str, str] = {
    "period": "YYYY, YYYY-YY, YYYY-YYYY or YYYY-MM/YYYY-MM (e.g. 2014-15)",
    "quarter": "YYYY-Qn (e.g. 2014-Q3)",
    "month": "YYYY-MM (e.g. 2013-07)",
}
PERIOD_REGEX: dict[str, str] = {
    "period": r"^\d{4}(?:-\d{2}|-\d{4}|-\d{2}/\d{4}-\d{2})?$",
    "quarter": r"^\d{4}-Q[1-4]$",
    "month": r"^\d{4}-\d{2}$",
}


def period_rule(kind: str) -> str:
    """The README wording of a period column's rule."""
    return f"{PERIOD_FORMATS[kind]}; years from {FIRST_YEAR} to next year"


def period_years(kind: str, value: str) -> tuple[float, str | None]:
    """Years a period covers, or (nan, the broken rule) when it is not a valid period."""
    nan = math.nan
    if not re.fullmatch(PERIOD_REGEX[kind], value, re.ASCII):
        return nan, f"must match {PERIOD_SHAPES[kind]}"
    years = [int(y) for y in re.findall(r"\d{4}", value)]
    if any(not FIRST_YEAR <= y <= last_year() for y in years):
        return nan, f"must be a period in the years {FIRST_YEAR} to {last_year()}"
    if kind == "quarter":
        return 0.25, None
    if kind == "month":
        month = int(value[5:7])
        if not 1 <= month <= 12:
            return nan, "must match YYYY-MM with a month from 01 to 12"
        return 1 / 12, None
    if "/" in value:  # YYYY-MM/YYYY-MM
        (y0, m0), (y1, m1) = ((int(p[:4]), int(p[5:7])) for p in value.split("/"))
        if not (1 <= m0 <= 12 and 1 <= m1 <= 12):
            return nan, "must match YYYY-MM/YYYY-MM with months from 01 to 12"
        months = (y1 - y0) * 12 + m1 - m0 + 1
        if months < 1:
            return nan, "must be a span of months that ends after it starts"
        return months / 12, None
    if len(value) == 7:  # YYYY-YY: the second part is the next year
        if int(value[5:]) != (years[0] + 1) % 100:
            return (
                nan,
                "must be a financial year such as 2014-15 (the second part is the next year)",
            )
        return 1.0, None
    if len(years) == 2:  # YYYY-YYYY
        if years[1] <= years[0]:
            return nan, "must be a span of years that ends after it starts, e.g. 2012-2014"
        return float(years[1] - years[0] + 1), None
    return 1.0, None


def text_problem(value: str) -> str | None:
    """Why a free-text cell breaks :data:`TEXT_RULE`, or None."""
    if len(value) > TEXT_MAX_CHARS:
        return f"must be at most {TEXT_MAX_CHARS} characters (spaces included)"
    bad = [ch for ch in value if not unicodedata.category(ch).startswith(TEXT_CATEGORIES)]
    if bad:
        kinds = ", ".join(sorted({_char_kind(ch) for ch in bad}))
        return f"must be printable text (letters, digits, spaces, punctuation, symbols): {kinds}"
    return None


def _char_kind(ch: str) -> str:
    cat = unicodedata.category(ch)
    if ch in "\t\n\r\u2028\u2029\x0b\x0c":
        return "tab or line break"
    if cat == "Cf":
        return f"invisible formatting character U+{ord(ch):04X}"
    if cat == "Co":
        return f"private-use character U+{ord(ch):04X}"
    return f"control or unassigned character U+{ord(ch):04X}"


def count_ceiling_rule(basis: str) -> str:
    """README wording of an area-relative ceiling on a count column."""
    return (
        f"at most {AREA_FACTOR} x the area's resident {basis} population x the years the "
        "period covers"
    )


def formula_problem(value: str) -> str | None:
    """Why a name would be run as a formula by a spreadsheet, or None."""
    if value.startswith(FORMULA_START):
        return (
            f"must not start with {', '.join(FORMULA_START)} (a spreadsheet would run it as a "
            "formula)"
        )
    return None
