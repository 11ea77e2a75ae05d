"""Every chart's and table's data as a tidy CSV, and one zip per book with all of them.

The pipeline passes each chapter notebook a ``downloads_dir`` parameter (a ``downloads/``
folder beside the notebooks); :func:`needsbook.chapters.display.show` then writes each
section's data there as ``<area code>-<section title>.csv`` and shows a link to
``../downloads/<file>`` (relative, so it works offline and from any copy of the book; the link
is the same whether or not a folder is given, which keeps nbval's comparison stable). After
``jupyter-book build`` the pipeline copies the folder into the HTML book and adds
``<area code>-data.zip``: every CSV, the executed notebooks and a README.

The CSVs are tidy: one row per value and no repeated rows, with the section, the dimension
columns of the table (area, age band, year, ...), the measure, its unit, the period and the
one source the row's value comes from (:mod:`needsbook.row_sources`). The zip's README
describes every column of every CSV (:mod:`needsbook.csv_columns`). Cells a spreadsheet would
run as a formula are neutralised (:func:`needsbook.export.safe_frame`).

A table may say what its values are in ``DataFrame.attrs`` (else they are read from the column
names and the source): ``units`` maps a measure to its unit; ``period`` is the table's period,
or the name of the column holding each row's; ``periods`` maps a measure whose data is of
another period to that period (text, or a list with one per row); ``sources`` maps a measure to
its source, or names the column holding each row's; ``dimensions`` lists numeric columns that
are keys (a district number, a rank band), not measures.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from needsbook import __version__, csv_columns, row_sources
from needsbook.export import is_na, to_csv_bytes

DIRNAME = "downloads"
README = "README.txt"
FIXED = ("area_code", "section", "measure", "value", "unit", "period", "source")
_YEAR_COLUMNS = ("year", "period", "time period", "financial year", "academic year")
# "..., mid-2020", "..., 2018-2024", "..., mid-2019 and mid-2020" after a comma, before ; ( or end
_SOURCE_PERIOD = re.compile(
    r",\s*((?:mid-)?(?:19|20)\d{2}(?:/\d{2})?"
    r"(?:\s*(?:-|to|and)\s*(?:mid-)?(?:19|20)\d{2}(?:/\d{2})?)?)(?=\s*(?:;|\(|$))"
)
# integer columns that are keys, not measures: "IMD 2019 decile", "Up to IMD quintile"
_KEY_COLUMN = re.compile(r"\b(decile|quintile)\b", re.IGNORECASE)
SOURCES = row_sources.SOURCE_COLUMNS
_TITLE_YEAR = re.compile(r"\b((?:19|20)\d{2}(?:/\d{2})?)\b(?!-based)")


def slug(text: str) -> str:
    """``Children and young people by age`` -> ``children-and-young-people-by-age``."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:80].rstrip("-") or "data"


def section_filename(title: str, area_code: str | None = None) -> str:
    return f"{area_code + '-' if area_code else ''}{slug(title)}.csv"


def zip_name(area_code: str) -> str:
    return f"{area_code}-data.zip"


def unit_of(measure: str) -> str:
    """The unit of a numeric column, read from its name (the book's column naming)."""
    m = re.sub(r"(95|99\.8)% (ci|confidence)", "", measure.lower())  # "95% CI lower"
    if re.search(r"\bratio\b", m):  # "Targeting ratio (EHA share / need share)"
        return "ratio"
    if "%" in m or "percent" in m or "share" in m:
        return "percent"
    rate = re.search(r"per ([\d,]+)", m)
    if rate:
        return f"rate per {rate.group(1)}"
    for word, unit in (
        ("index", "index"),
        ("rank", "rank"),
        ("decile", "decile"),
        ("quintile", "quintile"),
        ("score", "score"),
        ("ratio", "ratio"),
        ("lat", "degrees"),
        ("lon", "degrees"),
    ):
        if re.search(rf"\b{word}", m):
            return unit
    if any(w in m for w in ("population", "children", "people", "number", "count", "(0-")):
        return "persons"
    return "number"


def source_period(source: str) -> str:
    """The period(s) a source string names: ``ONS MYE, mid-2020 (...)`` -> ``mid-2020``."""
    found = _SOURCE_PERIOD.findall(source)
    if not found:
        found = _TITLE_YEAR.findall(source)[:1]
    return "; ".join(dict.fromkeys(found))


def tidy(
    table: pd.DataFrame, title: str, source: str, area_code: str = "", year: int | None = None
) -> pd.DataFrame:
    """One row per value: section, the table's dimension columns, measure, value, unit,
    period and the row's own source (:mod:`needsbook.row_sources`), without repeated rows.

    Numeric columns are measures, except keys (a year, decile or quintile column, or those
    named in ``attrs["dimensions"]``); every other column is a dimension. The table's own
    period, unit and source columns fill ``period``, ``unit`` and ``source`` instead of being
    repeated as dimensions.

    A book's tables are small, so the rows are made with lists rather than pandas
    operations (each of which costs more than such a table takes to reshape); the columns
    hold Python objects (as the CSV writes them)."""
    names = [str(c) for c in table.columns]
    dtypes = dict(zip(names, table.dtypes, strict=True))
    cells = {name: table.iloc[:, i].tolist() for i, name in enumerate(names)}
    n = len(table)
    keys = set(table.attrs.get("dimensions", ()))
    measures = [c for c in names if _is_measure(c, dtypes[c], keys) and not _is_year(c)]
    year_cols = [c for c in names if _is_year(c)]
    others = [c for c in names if c not in measures]
    source_col = row_sources.column(others, SOURCES)
    unit_col = row_sources.column(others, ("unit",))
    period = table.attrs.get("period")
    if isinstance(period, str) and period in names:
        year_cols = [period]
    renamed = {c: f"{c} (table)" for c in others if c.lower() in FIXED}  # "Measure", "Value"
    dims = [renamed.get(c, c) for c in others]
    cells = {renamed.get(c, c): v for c, v in cells.items()}
    year_cols = [renamed.get(c, c) for c in year_cols]
    source_col = renamed.get(source_col, source_col) if source_col else None
    unit_col = renamed.get(unit_col, unit_col) if unit_col else None

    repeat = max(len(measures), 1)
    long: dict[str, list[object]] = {d: cells[d] * repeat for d in dims}
    if measures:
        long["measure"] = [m for m in measures for _ in range(n)]
        long["value"] = [_value_text(v) for m in measures for v in cells[m]]
        units = {m: unit_of(m) for m in measures}
        long["unit"] = [units[m] for m in long["measure"]]
        if unit_col:  # the table's unit column gives the unit of values the name does not
            long["unit"] = [
                _unit_text(own) if unit == "number" else unit
                for unit, own in zip(long["unit"], long[unit_col], strict=True)
            ]
    else:
        long["measure"] = [""] * n
        long["value"] = [pd.NA] * n
        long["unit"] = [_unit_text(v) for v in long[unit_col]] if unit_col else [""] * n
    if year_cols:
        long["period"] = ["" if is_na(v) else str(v) for v in long[year_cols[0]]]
    elif isinstance(period, str) and period:
        long["period"] = [period] * len(long["measure"])
    else:
        fixed = source_period(source) or (f"data year {year}" if year else "")
        long["period"] = [fixed] * len(long["measure"])
    _override(long, "period", table.attrs.get("periods", {}))
    _override(long, "unit", table.attrs.get("units", {}))
    long["source"] = row_sources.row_sources(long, source, dict(table.attrs), source_col)
    folded = {c for c in (source_col, unit_col, *year_cols[:1]) if c}
    declared = table.attrs.get("sources")
    if isinstance(declared, str):
        folded.add(declared)
    dims = [c for c in dims if c not in folded]
    rows = len(long["measure"])
    long["section"] = [title] * rows
    long["area_code"] = [area_code] * rows
    ordered = ["area_code", "section", *dims, "measure", "value", "unit", "period", "source"]
    kept = _first_of_each(list(zip(*(long[c] for c in ordered), strict=True)))
    return pd.DataFrame(kept, columns=ordered, dtype=object)


def _is_measure(column: str, dtype: object, keys: set[str]) -> bool:
    """A numeric column that is not a key: not boolean, not named a dimension in the table's
    ``attrs``, not an integer decile or quintile."""
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and column not in keys
        and not (pd.api.types.is_integer_dtype(dtype) and _KEY_COLUMN.search(column))
    )


def _value_text(value: object) -> str:
    """A measure's value as the CSV gives it: 1523999, not 1523999.0; 12 significant
    digits; blank when missing."""
    return "" if is_na(value) else format(value, ".12g")


def _first_of_each(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """``rows`` without repeats, first occurrences in order (missing values equal)."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for row in rows:
        key = tuple(None if is_na(v) else v for v in row)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def _is_year(column: str) -> bool:
    low = column.strip().lower()
    return low in _YEAR_COLUMNS or re.fullmatch(r"(year|period) \(.+\)", low) is not None


def _unit_text(value: object) -> str:
    """A table's unit cell as a download's unit: ``%`` -> ``percent``."""
    text = "" if value is None or value != value else str(value).strip()
    return "percent" if text == "%" else text


def _override(long: dict[str, list[object]], column: str, by_measure: dict[str, object]) -> None:
    """Set ``column`` for each measure named in ``by_measure`` (a value, or one per row)."""
    for measure, value in by_measure.items():
        rows = [i for i, m in enumerate(long["measure"]) if m == measure]
        if not rows:
            continue
        given = [value] * len(rows) if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        if len(given) != len(rows):
            raise ValueError(
                f"{column} for {measure!r} lists {len(given)} values for {len(rows)} rows"
            )
        for i, v in zip(rows, given, strict=True):
            long[column][i] = v


def write_section(
    table: pd.DataFrame,
    title: str,
    source: str,
    area_code: str = "",
    year: int | None = None,
    folder: Path | None = None,
) -> Path | None:
    """Write one section's tidy CSV into ``folder``, if there is one."""
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / section_filename(title, area_code or None)
    data = to_csv_bytes(tidy(table, title, source, area_code, year))
    if path.is_file() and path.read_bytes() != data:  # the folder is new for every build
        raise ValueError(
            f"two sections of this book are titled {title!r} (or slug to {path.name}) with "
            "different data: give them distinct titles, or their CSV downloads would collide"
        )
    path.write_bytes(data)
    return path


@contextmanager
def collecting(folder: Path) -> Iterator[Path]:
    """The folder the chapters of one build write their CSVs to (pass it to each notebook as
    its ``downloads_dir`` parameter)."""
    folder.mkdir(parents=True, exist_ok=True)
    yield folder


def _read_text(path: Path) -> tuple[list[str], list[list[str]]]:
    """A written CSV's header and rows, every cell as its text (as ``pd.read_csv`` with
    ``dtype=str, keep_default_na=False`` reads it)."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        return header, [row for row in reader if row]


def _readme(
    area_code: str, area_name: str, year: int, csvs: list[Path], notebooks: list[str]
) -> str:
    """The zip's README: what the files are, and every column of every CSV."""
    lines = [
        f"needsbook {__version__}: data behind the early help needs assessment for "
        f"{area_name} ({area_code}), data year {year}",
        "",
        "Each CSV is tidy: one row per value, no repeated rows, each row naming the one source "
        "its value comes from. Every file has these columns:",
        *csv_columns.lines(pd.DataFrame(columns=list(FIXED))),
        "and, between section and measure, the dimensions of the table on the page (listed "
        "under each file below).",
        "Text cells that a spreadsheet would run as a formula start with an apostrophe.",
        "Licence: Open Government Licence v3.0 unless the source says otherwise.",
        "",
        "Files:",
    ]
    for path in csvs:
        header, rows = _read_text(path)
        numeric = pd.read_csv(path, nrows=200)  # which columns read as numbers
        cell = {name: i for i, name in enumerate(header)}
        section = rows[0][cell["section"]] if rows and "section" in cell else path.stem
        sources = sorted({r[cell["source"]] for r in rows}) if "source" in cell else []
        lines.append(f"- data/{path.name}: {section} ({len(rows):,} rows)")
        lines.append(f"  Sources: {' | '.join(sources)}" if sources else "  Sources: none")
        lines.append("  Columns:")
        lines += csv_columns.lines(numeric, indent="    ")
    for nb in notebooks:
        lines.append(f"- {nb}: executed chapter notebook (re-run it with papermill)")
    return "\n".join(lines) + "\n"


def publish(
    staged: Path,
    html: Path,
    notebooks: Iterable[Path],
    area_code: str,
    area_name: str,
    year: int,
) -> Path:
    """Copy the staged CSVs to ``html/downloads/`` and write the book's zip; returns the zip.

    The zip holds every CSV, the executed notebooks (under ``notebooks/``) and a README. Its
    entries carry a fixed date so the same content gives the same bytes. The pipeline has
    already replaced the build machine's paths in the CSVs and notebooks
    (:mod:`needsbook.build.scrub`).
    """

    target = html / DIRNAME
    target.mkdir(parents=True, exist_ok=True)
    csvs = sorted(staged.glob("*.csv")) if staged.is_dir() else []
    for path in csvs:
        shutil.copy2(path, target / path.name)
    notebooks = sorted(Path(p) for p in notebooks)
    names = [f"notebooks/{p.name}" for p in notebooks]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)

        add(README, _readme(area_code, area_name, year, csvs, names).encode())
        for path in csvs:
            add(f"data/{path.name}", path.read_bytes())
        for path, name in zip(notebooks, names, strict=True):
            add(name, path.read_bytes())
    out = target / zip_name(area_code)
    out.write_bytes(buffer.getvalue())
    return out


def links_in(page: str) -> list[str]:
    """The ``downloads/`` files a built page links to (relative hrefs)."""
    return re.findall(r'href=["\'](?:\.\./)*' + DIRNAME + r'/([^"\'#?]+)["\']', page)
