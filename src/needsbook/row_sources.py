"""Each row of a CSV download names its own source, not its section's whole list.

A section's source may list several datasets (``"A; B; C"``). A row's own source is, in order:
the table's ``attrs["sources"]`` (a column holding each row's source, or a map from measure to
source); the table's own "Source" column; the indicator catalogue's source for the row's
indicator (an ``indicator_id`` column, or an "Indicator" / "Measure" column holding catalogue
names); the one part of the section's source that the row's measure names (a modelled figure
comes from the need model, a count of children from the population estimates, a decile from the
deprivation indices, an assessment count from the council's records); else, for a figure, the
section's principal (first-listed) source. A text row none of these attribute keeps the
section's whole source: the chapter must then say (``attrs["sources"]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

SOURCE_COLUMNS = ("source", "sources")
INDICATOR_COLUMNS = ("indicator", "measure (table)", "measure")
LABEL_COLUMNS = (*INDICATOR_COLUMNS, "topic")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# (words naming a dataset in a source part, words naming such a figure in a measure), in the
# order they are tried: a "modelled" count of children comes from the need model, not the
# population estimates.
FAMILIES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("council", "local service data", "early help assessment", "worked example"),
        ("eha", "assessment", "referral", "reach", "footfall", "children seen", "claim"),
    ),
    (("need model",), ("modelled", "need", "targeting", "likely", "preventive")),
    (
        ("indices of deprivation", "imd", "iod"),
        ("imd", "iod", "deprived", "deprivation", "decile", "quintile"),
    ),
    (
        ("population estimates", "population projections", "lsoa estimates", "mid-year estimates"),
        ("children", "population", "aged", "people", "persons", "births"),
    ),
    (("boundaries",), ("boundar",)),
)


def split(source: str) -> list[str]:
    """The datasets a source names: ``"A (x; y); B"`` -> ``["A (x; y)", "B"]``. A licence
    notice (``"contains OS data ..."``) stays with the dataset before it."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(source):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ";" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
    parts.append(source[start:])
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and part.lower().startswith("contains "):
            out[-1] = f"{out[-1]}, {part}"
        elif part not in out:
            out.append(part)
    return out


def _words(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(re.search(rf"\b{re.escape(w)}", low) for w in words)


def part_for(label: str, parts: list[str]) -> str | None:
    """The one part of a section's source that a measure (or row label) comes from."""
    if len(parts) == 1:
        return parts[0]
    for dataset_words, label_words in FAMILIES:
        if not _words(label, label_words):
            continue
        hits = [p for p in parts if _words(p, dataset_words)]
        years = set(_YEAR.findall(label))
        dated = [p for p in hits if years & set(_YEAR.findall(p))]
        # "IoD 2025: % of LSOAs ..." -> the 2025 indices, else the first listed; none: a
        # "modelled" figure whose section does not list the need model is not guessed at
        return (dated or hits)[0] if hits else None
    return None


@lru_cache(maxsize=1)
def catalogue_sources() -> dict[str, str]:
    """Indicator id, name and short name -> the catalogue's source ({} without a catalogue)."""
    from needsbook.errors import DataError
    from needsbook.outcomes.catalogue import load_catalogue

    try:
        catalogue = load_catalogue()
    except (OSError, DataError):  # a download without sources by indicator is still useful
        return {}
    out: dict[str, str] = {}
    for ind in (*catalogue.indicators, *catalogue.snapshot_only):
        for key in (ind.id, ind.name, ind.short_name):
            if key:
                out.setdefault(key, ind.source)
    return out


def column(columns: Iterable[object], names: tuple[str, ...]) -> str | None:
    """The one of ``columns`` named (any case) by the first of ``names`` there is."""
    by_name = {str(c).strip().lower(): str(c) for c in columns}
    return next((by_name[n] for n in names if n in by_name), None)


def row_sources(
    long: Mapping[str, list[object]],
    source: str,
    attrs: dict[str, object],
    source_column: str | None,
) -> list[str]:
    """Each tidy row's own source (see the module docstring); ``long`` maps each column of
    the tidy rows to its values."""
    parts = split(source)
    known = catalogue_sources()
    by_id = column(long, ("indicator_id",))
    by_name = column(long, INDICATOR_COLUMNS)
    labels = [c for c in (column(long, (n,)) for n in LABEL_COLUMNS) if c]
    declared = attrs.get("sources")
    declared_col = declared if isinstance(declared, str) and declared in long else None
    by_measure = declared if isinstance(declared, dict) else {}

    def one(row: Mapping[str, object]) -> str:
        measure = str(row.get("measure", "") or "")
        if declared_col and _text(row[declared_col]):
            return _text(row[declared_col])
        if measure in by_measure:
            return str(by_measure[measure])
        label = next((_text(row[c]) for c in labels if _text(row[c])), "")
        if source_column and _text(row[source_column]):
            own = split(_text(row[source_column]))
            return part_for(label, own) or "; ".join(own)
        for col in (by_id, by_name):
            name = _text(row[col]) if col else ""
            for key in (name, name.split(" (")[0]):  # "School readiness (% with a GLD)"
                if key in known:
                    return known[key]
        found = part_for(label, parts)
        if found or not measure or any(_words(label, words) for _, words in FAMILIES):
            return found or source
        return parts[0] if parts else source  # a figure of the section's principal source

    # worked out once per distinct combination of the columns ``one`` reads (a tidy row
    # always has its measure)
    used = [
        c
        for c in dict.fromkeys(("measure", declared_col, *labels, source_column, by_id, by_name))
        if c and c in long
    ]
    found: dict[tuple[object, ...], str] = {}
    out = []
    for values in zip(*(long[c] for c in used), strict=True):
        if values not in found:
            found[values] = one(dict(zip(used, values, strict=True)))
        out.append(found[values])
    return out


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)
