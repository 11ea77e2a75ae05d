"""Read one local CSV strictly: UTF-8, commas, a row's fields matching the header's.

Problems are appended as readable lines (file, rows as CSV line numbers, what to do); the
usable part is returned: rows with the wrong number of fields are dropped, a trailing comma
(an empty last field) is reported and stripped, and the header's names are mapped onto the
template's columns (missing ones reported and left out, extra ones reported and ignored).
"""

from __future__ import annotations

import csv
import difflib
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from needsbook.local.rules import SPACES
from needsbook.local.templates import Template

MAX_ROWS_SHOWN = 10


def rows_text(lines: Iterable[int]) -> str:
    """``row 3`` / ``rows 3, 7 and 2 more`` from CSV line numbers."""
    lines = sorted({int(n) for n in lines})
    shown = ", ".join(str(n) for n in lines[:MAX_ROWS_SHOWN])
    more = f" and {len(lines) - MAX_ROWS_SHOWN} more" if len(lines) > MAX_ROWS_SHOWN else ""
    return f"row{'s' if len(lines) > 1 else ''} {shown}{more}"


@dataclass
class Sheet:
    """A template's cells as text, indexed by CSV line number; ``absent`` columns are NaN."""

    frame: pd.DataFrame
    absent: set[str] = field(default_factory=set)


def _decode(path: Path, problems: list[str]) -> str | None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            f"{path.name}: line {line} is not UTF-8 text: save the file as 'CSV UTF-8 "
            "(comma delimited)'"
        )
        return None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        problems.append(f"{path.name}: line {line} holds a NUL byte: this is not a text CSV file")
        return None
    return text


def _records(text: str, file: str, problems: list[str]) -> list[tuple[int, list[str]]]:
    """(first line number, fields) of every non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for fields in reader:
            if any(f.strip(SPACES) for f in fields):
                out.append((start, [f.strip(SPACES) for f in fields]))
            start = reader.line_num + 1
    except csv.Error as exc:
        why = (
            f"a double quote opened on line {start} is never closed"
            if "end of data" in str(exc)
            else f"line {reader.line_num} cannot be read as CSV ({exc})"
        )
        problems.append(f"{file}: {why}; later lines are not checked")
    return out


def _trailing_empty(names: list[str]) -> int:
    k = 0
    while k < len(names) - 1 and names[-1 - k] == "":
        k += 1
    return k


def read_sheet(path: Path, t: Template, problems: list[str]) -> Sheet | None:
    """The file's usable cells for template ``t`` (None if nothing is usable)."""
    file = path.name
    text = _decode(path, problems)
    if text is None:
        return None
    records = _records(text, file, problems)
    if not records:
        problems.append(
            f"{file}: the file is empty (the first line must be the header: "
            f"{','.join(t.column_names)})"
        )
        return None
    (_, names), body = records[0], records[1:]
    if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
        problems.append(
            f"{file}: the header is not separated by commas: save the file as CSV (comma-separated)"
        )
        return None
    body = _strip_trailing_commas(file, names, body, problems)
    width = len(names)
    by_count: dict[int, list[int]] = defaultdict(list)
    kept: list[tuple[int, list[str]]] = []
    for line, fields in body:
        if len(fields) == width:
            kept.append((line, fields))
        elif len(fields) > width and not any(fields[width:]):
            by_count[-1].append(line)
            kept.append((line, fields[:width]))
        else:
            by_count[len(fields)].append(line)
    for n, lines in sorted(by_count.items()):
        if n == -1:
            rule = "a comma after the last column (an extra empty field): remove it"
        else:
            hint = (
                "put a value that contains a comma in double quotes"
                if n > width
                else "every row needs a field for every column, blank ones included"
            )
            rule = f"{n} fields where the header has {width} ({hint}); not checked further"
        problems.append(f"{file}: {rows_text(lines)}: {rule}")
    return _columns(file, t, names, kept, problems)


def _strip_trailing_commas(
    file: str, names: list[str], body: list[tuple[int, list[str]]], problems: list[str]
) -> list[tuple[int, list[str]]]:
    """Report and drop empty last header fields (and the same empty fields on rows)."""
    k = _trailing_empty(names)
    if not k:
        return body
    width = len(names)
    every = bool(body) and all(len(f) == width and not any(f[width - k :]) for _, f in body)
    problems.append(
        f"{file}: every line ends with a comma (an empty last column): remove the trailing commas"
        if every
        else f"{file}: the header (line 1) ends with a comma (a column with no name): remove it"
    )
    del names[width - k :]
    if every:
        body = [(line, f[: width - k]) for line, f in body]
    return body


def _columns(
    file: str,
    t: Template,
    names: list[str],
    rows: list[tuple[int, list[str]]],
    problems: list[str],
) -> Sheet:
    """Map the header onto the template's columns, reporting every difference."""
    want = t.column_names
    position: dict[str, int] = {}
    for i, name in enumerate(names):
        if name == "":
            problems.append(f"{file}: the header's field {i + 1} is empty (a column with no name)")
        elif name in position:
            problems.append(f"{file}: column '{name}' appears more than once in the header")
        else:
            position[name] = i
    missing = [c for c in want if c not in position]
    extra = [c for c in position if c not in want]
    for c in missing:
        problems.append(f"{file}: column '{c}' is missing (expected columns: {', '.join(want)})")
    for c in extra:
        near = difflib.get_close_matches(c.lower(), missing, n=1, cutoff=0.75)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        problems.append(f"{file}: column '{c}' is not a column of this template{hint}")
    present = [c for c in want if c in position]
    if [n for n in position if n in want] != present:
        problems.append(f"{file}: columns are in the wrong order (expected {', '.join(want)})")
    cells = {c: [fields[position[c]] for _, fields in rows] for c in present}
    frame = pd.DataFrame(cells, index=[line for line, _ in rows], columns=present, dtype=str)
    frame = frame.mask(frame == "")
    for c in missing:
        frame[c] = pd.Series(None, index=frame.index, dtype=str)
    return Sheet(frame=frame[want], absent=set(missing))
