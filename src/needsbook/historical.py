"""How old local data may be and still count as evidence about services now (no imports: the
command line's help reads it)."""

from __future__ import annotations

#: Data ending more than this many years before the book's data year is historical context.
HISTORICAL_AFTER_YEARS = 3

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def years_words(years: int) -> str:
    """``3`` -> ``"three years"``, ``1`` -> ``"one year"`` (figures above ten)."""
    number = _WORDS[years] if 0 <= years < len(_WORDS) else str(years)
    return f"{number} year{'' if years == 1 else 's'}"


#: "more than three years", as a reader sees the rule.
OLDER_THAN = f"more than {years_words(HISTORICAL_AFTER_YEARS)}"
