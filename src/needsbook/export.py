"""Export an area's data as tidy CSV files in a zip, safe to open in a spreadsheet.

The same rules as the book's downloads: one row per observation, no repeated rows, a ``source``
column naming the one dataset each row comes from, and a README describing every column of
every file (:mod:`needsbook.csv_columns`). Cells that start with ``=``, ``+``, ``-`` or
``@`` (and are not numbers) are prefixed with an apostrophe so a spreadsheet never runs them as
formulas (CSV injection).
"""

from __future__ import annotations

import csv
import errno
import io
import numbers
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook import __version__, csv_columns, paths, row_sources
from needsbook.areas import Area, resolve_area
from needsbook.data import load_table
from needsbook.errors import InputError, NeedsbookError
from needsbook.files import atomic_write
from needsbook.messages import clip_path
from needsbook.snapshot.manifest import read_manifest
from needsbook.years import resolve_year

ENGLAND = "E92000001"
_FORMULA = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def is_na(value: object) -> bool:
    """True for a missing cell as pandas gives one: None, pd.NA or a float NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def safe_cell(value: object) -> object:
    """Neutralise text that a spreadsheet would treat as a formula; numbers pass unchanged."""
    if isinstance(value, str) and _FORMULA.match(value) and not _NUMBER.match(value):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell and header a spreadsheet would run as a formula
    neutralised (:func:`safe_cell`)."""
    out = df.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_numeric_dtype(values):
            continue
        if isinstance(values.dtype, pd.StringDtype) and not _could_run(values):
            continue  # a text column none of whose cells starts like a formula
        out[col] = values.map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def _could_run(text: pd.Series) -> bool:
    """True if some cell of a text column starts with a character a formula starts with."""
    return bool(text.str.match(_FORMULA.pattern, na=False).any())


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as CSV (no index, ``\\n`` line ends, UTF-8) with formula-like text neutralised
    (:func:`safe_frame`): the bytes ``safe_frame(df).to_csv(index=False)`` gives, written
    with the csv module for the small tables of a book (pandas' writer costs more per call
    than such a table takes to write). Columns of other types go through pandas."""
    if not all(_plain_dtype(dtype) for dtype in df.dtypes):
        return safe_frame(df).to_csv(index=False, lineterminator="\n").encode("utf-8")
    columns = [_csv_cells(df.iloc[:, i]) for i in range(df.shape[1])]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(str(c)) for c in df.columns])
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue().encode("utf-8")


def _plain_dtype(dtype: object) -> bool:
    """Text, object, numpy int, float or bool, or pandas' nullable int: types whose cells
    pandas writes to CSV as ``str(cell)`` (missing ones blank)."""
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, np.dtype):
        return dtype.kind in "iufbO"
    return isinstance(dtype, pd.Int64Dtype)


def _csv_cells(values: pd.Series) -> list[object]:
    """One column's cells as pandas writes them to CSV: text neutralised (:func:`safe_cell`),
    floats as numpy prints them, missing values blank."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":
        text = values.to_numpy().astype(str).astype(object)
        text[np.isnan(values.to_numpy())] = ""
        return text.tolist()
    numeric = pd.api.types.is_numeric_dtype(values)
    return ["" if is_na(v) else v if numeric else safe_cell(v) for v in values.tolist()]


def with_sources(df: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """``df`` without repeated rows, with a ``source`` column naming each row's one dataset.

    A table with its own ``source`` column keeps it. A dataset listed in parts by period
    (``"ONS estimates: for LSOAs, mid-2019 and mid-2020; for local authorities, mid-2021 to
    mid-2024"``) gives each row the part that covers its ``year``."""
    out = df.drop_duplicates().reset_index(drop=True)
    if "source" in out.columns:
        return out
    parts = row_sources.split(dataset)
    head = parts[0].split(": ", 1)[0] + ": " if len(parts) > 1 and ": " in parts[0] else ""
    named = [p if p.startswith(head) else head + p for p in parts]
    if len(parts) > 1 and "year" in out.columns:
        out["source"] = out["year"].map(lambda y: _covering(named, y) or dataset)
    else:
        out["source"] = dataset
    return out


def _covering(parts: list[str], year: object) -> str | None:
    """The part of a source naming ``year`` (``"mid-2021 to mid-2024"`` covers 2022)."""
    if not isinstance(year, numbers.Real) or year != year:
        return None
    y = int(year)
    for part in parts:
        years = [int(v) for v in re.findall(r"\b((?:19|20)\d{2})\b", part)]
        ranged = re.search(r"\b((?:19|20)\d{2})\s+to\s+(?:mid-)?((?:19|20)\d{2})\b", part)
        if y in years or (ranged and int(ranged[1]) <= y <= int(ranged[2])):
            return part
    return None


def area_tables(area: Area, data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """The snapshot rows that concern an area (with its region and England for comparison)."""
    codes = {area.code, area.region_code, ENGLAND}
    districts = {d for d, _ in area.districts}
    tables: dict[str, pd.DataFrame] = {}
    snap = paths.snapshot_dir(Path(data_dir) if data_dir else None)
    available = {e.table for e in read_manifest(snap)}
    for name in ("population_0_17", "population_syoa", "population_projections", "indicators"):
        if name in available:
            df = load_table(name, data_dir)
            tables[name] = df[df["area_code"].isin(codes | districts)].reset_index(drop=True)
    if "statistical_neighbours" in available:
        sn = load_table("statistical_neighbours", data_dir)
        tables["statistical_neighbours"] = sn[sn["area_code"] == area.code].reset_index(drop=True)
    for name, key in (("imd2019_lsoa11", "utla_code"), ("imd2025_lsoa21", "utla_code")):
        if name in available:
            df = load_table(name, data_dir)
            tables[name] = df[df[key] == area.code].reset_index(drop=True)
    return tables


def export_area(
    query: str, out: Path, data_dir: Path | str | None = None, year: int | None = None
) -> Path:
    """Write ``out`` (a .zip) holding one CSV per table plus a README with sources.

    With the indicators table, it also holds the area's benchmarked indicators for the book
    ``year`` (default: the latest) in the OHID Fingertips download layout.
    """
    area = resolve_area(query, data_dir)
    out = Path(out).expanduser()
    if out.suffix.lower() != ".zip":
        raise InputError(f"--out must name a .zip file, got '{clip_path(out)}'")
    if out.is_dir():
        raise InputError(f"--out {clip_path(out)} is a folder: name the .zip file to write")
    from needsbook.build.outdir import check_writable  # (needsbook.build imports this module)
    from needsbook.export_fingertips import FILE_NAME as FINGERTIPS_FILE
    from needsbook.export_fingertips import README as FINGERTIPS_README
    from needsbook.export_fingertips import fingertips_table

    check_writable(out)  # before reading any table
    tables = area_tables(area, data_dir)
    snap = paths.snapshot_dir(Path(data_dir) if data_dir else None)
    sources = {e.table: e for e in read_manifest(snap)}
    fingertips = None
    if "indicators" in sources:
        book_year = resolve_year(year, area, data_dir)
        fingertips = fingertips_table(area, book_year, data_dir)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        lines = [
            f"needsbook {__version__} data export for {area.name} ({area.code})",
            "",
            "Licence: Open Government Licence v3.0 unless stated. Files:",
        ]
        for name, df in tables.items():
            e = sources[name]
            df = with_sources(df, e.source_dataset)
            zf.writestr(f"{name}.csv", to_csv_bytes(df))
            lines.append(
                f"- {name}.csv ({len(df):,} rows): {e.description.rstrip('.')}. Published by "
                f"{e.publisher}; {e.licence}; {e.periods or 'no period'}. Columns:"
            )
            lines += csv_columns.lines(df, book=False)
        if fingertips is not None:
            fingertips = fingertips.drop_duplicates().reset_index(drop=True)
            zf.writestr(FINGERTIPS_FILE, to_csv_bytes(fingertips))
            lines.append(
                FINGERTIPS_README.format(
                    name=FINGERTIPS_FILE, rows=len(fingertips), area=area.name, year=book_year
                )
                + " Columns:"
            )
            lines += csv_columns.lines(fingertips, book=False)
        zf.writestr("README.txt", "\n".join(lines) + "\n")
    try:
        atomic_write(out, buffer.getvalue())
    except OSError as exc:
        message = f"cannot write {clip_path(out)}: {exc.strerror or exc}"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):  # not the user's input: exit 1
            raise NeedsbookError(message) from None
        raise InputError(f"{message}; choose a writable path") from None
    return out
