"""Where an area's local service data lives (``--local-dir`` or ``data/local/<area code>/``),
and which files in it are templates."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from needsbook import paths
from needsbook.areas import Area, resolve_area
from needsbook.errors import InputError
from needsbook.local.templates import TEMPLATES

SPREADSHEETS = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".numbers"}
DATA_FILES = SPREADSHEETS | {".csv", ".tsv", ".txt", ".tab", ".dat"}
AREA_CODE = re.compile(r"E(?:06|07|08|09|10)\d{6}")


def local_folder(
    area_code: str, local_dir: str | Path | None = None, data_dir: str | Path | None = None
) -> Path | None:
    """The folder holding the area's local CSVs (absolute), or None when the area has none.

    ``local_dir`` (when given) is either the folder of CSVs itself or a folder holding one
    sub-folder per area code; it must exist. Without it, ``<data dir>/local/<area code>/`` is
    used when present (the worked example in ``data/examples/`` only when passed).
    """
    if local_dir:
        folder = Path(local_dir)
        if not folder.is_dir():
            raise InputError(f"--local-dir {folder}: folder does not exist")
        per_area = folder / area_code
        return (per_area if per_area.is_dir() else folder).absolute()
    base = Path(data_dir) / "local" if data_dir else paths.local_data_root()
    default = base / area_code
    return default.absolute() if default.is_dir() else None


def area_and_folder(
    local_dir: str | Path, area: str | None, data_dir: str | Path | None = None
) -> tuple[Area, Path]:
    """The area (``--area``, else the folder's name when it is an area code) and its folder."""
    folder = Path(local_dir)
    if not folder.is_dir():
        raise InputError(f"--local-dir {folder}: folder does not exist")
    if area:
        found = resolve_area(area, data_dir)
        return found, local_folder(found.code, folder) or folder
    name = folder.resolve().name
    if not AREA_CODE.fullmatch(name):
        raise InputError(
            f"--local-dir {folder}: say which area the data are for with --area NAME_OR_CODE "
            f"(the folder's name, {name!r}, is not an area code such as E10000034)"
        )
    return resolve_area(name, data_dir), folder


def ignored(name: str) -> bool:
    """Hidden files, office lock files (``~$...``), READMEs and Markdown notes."""
    return name.startswith((".", "~$")) or name.upper().startswith("README") or name.endswith(".md")


def survey(folder: Path) -> tuple[dict[str, Path], list[str], list[str]]:
    """The templates present (by name), problems with other files, and files ignored.

    A file that looks like a template but is not exactly ``<name>.csv`` (other capitals, a
    spreadsheet or another extension, a close misspelling) is a problem saying what to do;
    an unknown ``.csv`` is a problem; other unknown data files are reported as ignored.
    """
    names = {t.name: t.file for t in TEMPLATES.values()}
    files = {t.file for t in TEMPLATES.values()}
    found: dict[str, Path] = {}
    problems: list[str] = []
    notes: list[str] = []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or ignored(p.name):
            continue
        if p.name in files:
            found[p.name.removesuffix(".csv")] = p
            continue
        base, ext = p.name.lower().split(".")[0], p.suffix.lower()
        near = difflib.get_close_matches(base, list(names), n=1, cutoff=0.8)
        if base in names and p.name.lower() == names[base]:
            problems.append(
                f"{p.name}: file names are lower case (not read): rename it to {names[base]}"
            )
        elif ext == ".csv" and near:
            problems.append(
                f"{p.name}: not a template name (not read): did you mean {names[near[0]]}? "
                "Rename it, or move it out of this folder"
            )
        elif base in names or near:
            target = names[base] if base in names else names[near[0]]
            what = "a spreadsheet" if ext in SPREADSHEETS else "not a CSV template"
            problems.append(
                f"{p.name}: {what} (not read): save it as CSV (UTF-8, comma-separated) named "
                f"{target}, or move it out of this folder"
            )
        elif ext == ".csv":
            problems.append(
                f"{p.name}: not a local data template (expected one of {', '.join(sorted(files))})"
            )
        elif ext in DATA_FILES:
            notes.append(f"{p.name}: ignored (not named after a template)")
    return found, problems, notes
