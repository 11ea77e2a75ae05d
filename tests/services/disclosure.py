"""Read the local tables back as a reader gets them (page HTML tables, tidy CSVs) and try to
work a hidden count out of them.

Every table becomes a frame of display strings with the page's column names; a cell is
*hidden* when its count is blank and the row's ``Small numbers`` says why, *unknown* when the
source gave no count (the equation cannot be solved either way). :func:`problems` lists every
way a hidden count of 1-4 could be recovered or a figure of a hidden row is still shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pandas as pd

FIXED = ("area_code", "section", "measure", "value", "unit", "period", "source")
RATINGS = ("Green", "Amber", "Red", "Not tested")


class Tables(HTMLParser):
    """Every ``<table>`` of an HTML fragment with its caption (entities decoded)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, pd.DataFrame] = {}
        self._rows: list[list[str]] = []
        self._caption: list[str] | None = None
        self._title = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self._rows, self._title = [], ""
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self._title = "".join(self._caption).strip().removeprefix("Data: ")
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table" and self._rows:
            self.tables[self._title] = pd.DataFrame(self._rows[1:], columns=self._rows[0])

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)


def html_tables(fragments: list[str]) -> dict[str, pd.DataFrame]:
    parser = Tables()
    for f in fragments:
        parser.feed(f)
    return parser.tables


def wide(tidy: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """A tidy CSV (strings) back to one row per table row and one column per measure.

    ``period`` names the table's period column when the download folds it into ``period``:
    it is rebuilt from each row's period ("2014-15; need mid-2020" counts as "2014-15"), and a
    measure of one fixed period for every row (e.g. the need model's "mid-2020") is given to
    every row with the same other columns."""
    dims = [c for c in tidy.columns if c not in FIXED]
    if not period or period in tidy.columns:
        out = tidy.set_index([*dims, "measure"])["value"].unstack("measure")
        return out.reset_index()
    tidy = tidy.assign(**{period: tidy["period"].str.split(";").str[0].str.strip()})
    rows = set(tidy.loc[tidy["measure"] == tidy["measure"].iloc[0], period])
    by_row = tidy[tidy[period].isin(rows)]
    out = by_row.set_index([*dims, period, "measure"])["value"].unstack("measure").reset_index()
    fixed = tidy[~tidy[period].isin(rows)]
    if len(fixed):
        extra = fixed.set_index([*dims, "measure"])["value"].unstack("measure").reset_index()
        out = out.merge(extra, on=dims, how="left") if dims else out.join(extra, how="cross")
    return out


def num(cell: object) -> float | None:
    text = "" if cell is None else str(cell).replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def is_hidden(row: pd.Series, count: str) -> bool:
    return num(row.get(count)) is None and bool(str(row.get("Small numbers", "")).strip())


@dataclass(frozen=True)
class Group:
    """Rows sharing ``keys`` (and passing ``where``) add up to a total: the row whose
    ``member`` is ``total``, or ``external(tables)`` when the total is shown elsewhere."""

    member: str
    total: str | None = None
    keys: tuple[str, ...] = ()
    where: Callable[[pd.DataFrame], pd.Series] | None = None
    external: Callable[[dict[str, pd.DataFrame]], float | None] | None = None


@dataclass(frozen=True)
class Spec:
    """How one local table is read: its count columns, the figures derived from a row's
    counts, the groups that add up, and a rating column (RAG) if it has one."""

    counts: tuple[str, ...]
    derived: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()
    rating: str | None = None
    running_total: tuple[str, str, str] | None = None  # (count, cumulative, group key)
    extra: tuple[Callable[[dict[str, pd.DataFrame]], list[str]], ...] = field(default=())


def _group_problems(name: str, df: pd.DataFrame, count: str, g: Group, tables) -> list[str]:
    out = []
    sel = df if g.where is None else df[g.where(df)]
    groups = sel.groupby(list(g.keys), sort=False) if g.keys else [((), sel)]
    for key, rows in groups:
        parts = rows if g.total is None else rows[rows[g.member] != g.total]
        if g.total is not None:
            totals = rows[rows[g.member] == g.total]
            total = num(totals[count].iloc[0]) if len(totals) == 1 else None
        else:
            total = g.external(tables) if g.external else None
        if total is None or parts.empty:
            continue  # no total shown: nothing to subtract from
        hidden = [is_hidden(r, count) for _, r in parts.iterrows()]
        values = [num(v) for v in parts[count]]
        if any(v is None and not h for v, h in zip(values, hidden, strict=True)):
            continue  # a count the source did not give: two unknowns
        left = total - sum(v for v in values if v is not None)
        if sum(hidden) == 1:
            out.append(f"{name} {key}: one hidden {count} and the total {total:g} shown")
        if any(hidden) and 1 <= left <= 4:
            out.append(f"{name} {key}: total - shown {count} = {left:g}")
    return out


def problems(name: str, df: pd.DataFrame, spec: Spec, tables: dict[str, pd.DataFrame]) -> list:
    """Every recovery by subtraction and every figure shown for a hidden row, in one table."""
    out: list[str] = []
    for count in spec.counts:
        if count not in df:
            continue
        for g in spec.groups:
            out += _group_problems(name, df, count, g, tables)
        for i, row in df.iterrows():
            if not is_hidden(row, count):
                continue
            shown = [c for c in spec.derived if c in df and num(row[c]) is not None]
            if shown:
                out.append(f"{name} row {i}: {shown} shown for a hidden {count}")
            if spec.rating and str(row[spec.rating]).startswith(RATINGS):
                out.append(f"{name} row {i}: rating {row[spec.rating]!r} for a hidden {count}")
    if spec.running_total:
        count, cumulative, key = spec.running_total
        for _, rows in df.groupby(key, sort=False):
            before: float | None = 0.0
            for _, r in rows.iterrows():
                now = num(r[cumulative])
                if is_hidden(r, count) and now is not None and before is not None:
                    out.append(f"{name}: running total reveals the round {r.to_dict()}")
                before = now
    for check in spec.extra:
        out += check(tables)
    return out
