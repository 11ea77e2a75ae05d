"""Cell rules of the local templates: numbers, periods, printable text and ceilings.

Cells that cannot be interpreted (not a number, not a period, not printable text) are
reported once and *flagged*: later checks (Great Expectations, ranges, pairs) skip flagged
cells, so one bad cell gives one message. Non-numbers become NaN for the later checks.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.areas import Area
from needsbook.local.csvread import rows_text
from needsbook.local.rules import ABSOLUTE_MAX, AREA_FACTOR, period_years, text_problem
from needsbook.local.templates import Template

NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
BASES = {"0-19": 19, "0-4": 4}  # population bases of the area ceilings: ages 0 to this


@dataclass
class FileProblems:
    """The problems of one file, in the form ``file: column 'x', rows 3, 7: rule``."""

    file: str
    problems: list[str]
    flagged: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, column: str, lines: Iterable[int], rule: str, flag: bool = False) -> None:
        """Report ``rule`` for the rows (CSV lines) not already flagged in ``column``."""
        lines = [int(n) for n in lines if int(n) not in self.flagged[column]]
        if lines:
            self.problems.append(f"{self.file}: column '{column}', {rows_text(lines)}: {rule}")
        if flag:
            self.flagged[column].update(lines)

    def note(self, text: str) -> None:
        self.problems.append(f"{self.file}: {text}")


def _found(values: Iterable[str], n: int = 5) -> str:
    return ", ".join(repr(v) for v in list(dict.fromkeys(values))[:n])


def _by_rule(
    df: pd.DataFrame, column: str, rule_of: Callable[[str], str | None], fp: FileProblems
) -> None:
    """Report (and flag) the cells for which ``rule_of`` names a broken rule."""
    _report(df, column, df[column].dropna().map(rule_of), fp)


def _report(df: pd.DataFrame, column: str, rules: pd.Series, fp: FileProblems) -> None:
    """Report (and flag) the cells whose entry in ``rules`` names a broken rule, by rule."""
    groups: dict[str, list[int]] = defaultdict(list)
    for line, rule in rules.items():
        if isinstance(rule, str) and rule:  # (pandas maps None to NaN among strings)
            groups[rule].append(line)
    for rule, lines in groups.items():
        found = _found(df.loc[lines, column])
        fp.add(column, lines, f"{rule} (found {found})", flag=True)


def check_cells(t: Template, df: pd.DataFrame, absent: set[str], fp: FileProblems) -> pd.Series:
    """Convert numeric columns in place and check every cell's own rule.

    Returns the years each row's period covers (NaN where there is no valid period).
    """
    years = pd.Series(1.0, index=df.index)
    for c in t.columns:
        if c.name in absent:
            if c.numeric:
                df[c.name] = np.nan
            continue
        if c.numeric:
            df[c.name] = _numbers(df[c.name], c.name, c.kind == "count", fp)
        elif c.period:
            parsed = df[c.name].dropna().map(lambda v, kind=c.period: period_years(kind, v))
            _report(df, c.name, parsed.map(lambda p: p[1]), fp)
            years = parsed.map(lambda p: p[0]).reindex(df.index).astype(float)
        elif c.free_text:
            _by_rule(df, c.name, text_problem, fp)
    return years


def _numbers(text: pd.Series, column: str, whole: bool, fp: FileProblems) -> pd.Series:
    values = pd.Series(np.nan, index=text.index, dtype=float)
    given = text.dropna()
    ok = given.map(lambda v: bool(NUMBER.fullmatch(v))).astype(bool)
    bad = given[~ok]
    if len(bad):
        hint = (
            "; write digits only, without thousands separators, % signs or units"
            if bad.str.contains(r"\d", regex=True).any()
            else ""
        )
        fp.add(column, bad.index, f"must be a number (found {_found(bad)}){hint}", flag=True)
    values[given.index[ok]] = [float(v) for v in given[ok]]
    inf = values.map(lambda v: math.isinf(v))
    if inf.any():
        fp.add(column, values.index[inf], "must be a finite number", flag=True)
    huge = values.abs() > ABSOLUTE_MAX
    if huge.any():
        fp.add(
            column, values.index[huge], f"must be at most {ABSOLUTE_MAX:,.0f} (implausible)", True
        )
    values[inf | huge] = np.nan
    if whole:
        frac = values.notna() & (values % 1 != 0)
        if frac.any():
            fp.add(column, values.index[frac], "must be a whole number")
    if len(values) and values.notna().all() and text.str.fullmatch(r"[+-]?[0-9]+").all():
        return values.astype("int64")  # as pandas reads a column of whole numbers
    return values


def area_population(area: Area, data_dir: Path | str | None = None) -> dict[str, int]:
    """The area's largest resident population by ceiling basis ("0-19", "0-4") in the snapshot;
    empty when the snapshot has none (the area ceilings are then not applied)."""
    from needsbook.data import load_table_or_none

    syoa = load_table_or_none("population_syoa", Path(data_dir) if data_dir else None)
    if syoa is None:
        return {}
    # a unitary is also its own district: count its upper-tier rows only
    rows = syoa[(syoa["area_code"] == area.code) & (syoa["area_type"] != "District")]
    out: dict[str, int] = {}
    for basis, top in BASES.items():
        by_year = rows[rows["age"] <= top].groupby("year")["population"].sum()
        if len(by_year):
            out[basis] = int(by_year.max())
    return out


def check_ceilings(
    t: Template,
    df: pd.DataFrame,
    years: pd.Series,
    area: Area,
    population: dict[str, int],
    fp: FileProblems,
) -> None:
    """Counts above AREA_FACTOR x the area's population x the years their period covers."""
    for c in t.columns:
        pop = population.get(c.per_area or "")
        if not pop or c.name not in df:
            continue
        ceiling = AREA_FACTOR * pop * years
        over = df[c.name].notna() & ceiling.notna() & (df[c.name] > ceiling)
        if c.bounds[1] is not None:  # above the column's own maximum: reported by its range
            over &= df[c.name] <= c.bounds[1]
        for y, lines in df.index[over].groupby(years[over].to_numpy()).items():
            fp.add(
                c.name,
                lines,
                f"must be at most {AREA_FACTOR * pop * y:,.0f}: more than {AREA_FACTOR} x "
                f"{area.name}'s resident {c.per_area} population ({pop:,}) x {y:.3g} year(s) "
                "in the period is implausible",
            )
