"""A build's fingerprint: everything that can change a book's content, hashed.

An area whose fingerprint matches the one stored in its output is unchanged and is skipped
unless ``--force``: same snapshot (table hashes), same local data, same templates and pages,
same needsbook code and the same area and year.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from needsbook import __version__, paths
from needsbook.snapshot.manifest import read_manifest

STAMP = "_needsbook_build.json"
TEMPLATE_PATHS = ("notebooks", "book", "_config.yml", "_toc.yml")
#: The catalogues and rules a book is made from (a change to any of them rebuilds it).
DATA_PATHS = (
    "data/indicators.yml",
    "data/evidence",
    "data/recommendations",
    "data/policy",
)


def _hash_tree(h: Any, base: Path, rel: str, suffixes: tuple[str, ...] = ()) -> None:
    path = base / rel
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        if (suffixes and f.suffix not in suffixes) or "__pycache__" in f.parts:
            continue
        h.update(str(f.relative_to(base)).encode())
        h.update(f.read_bytes())


def fingerprint(
    area_code: str,
    year: int,
    data_dir: Path,
    local_dir: Path | None,
    comparators: tuple[str, ...] = (),
    options: tuple[str, ...] = (),
) -> str:
    """What a book depends on: area, year, comparators, the options that change its contents
    (``options``: the editions, the comparison year), data, templates, code and local data."""
    root = paths.repo_root()
    group = ",".join(comparators)
    extra = ",".join(options)
    h = hashlib.sha256(f"{area_code}|{year}|{group}|{extra}|{__version__}".encode())
    for entry in read_manifest(paths.snapshot_dir(data_dir)):
        h.update(f"{entry.table}:{entry.sha256}".encode())
    for rel in (*TEMPLATE_PATHS, *DATA_PATHS):
        _hash_tree(h, root, rel)
    if (Path(data_dir) / "indicators.yml").is_file():  # a data folder's own catalogue
        _hash_tree(h, Path(data_dir), "indicators.yml")
    _hash_tree(h, paths.PACKAGE_DIR.parent, "needsbook", suffixes=(".py", ".js", ".json", ".css"))
    if local_dir and Path(local_dir).is_dir():
        _hash_tree(h, Path(local_dir), ".")
    return h.hexdigest()


def book_files(folder: Path) -> list[str]:
    """Every file (and symlink) under ``folder``, relative, sorted: a book's stamp lists them."""
    found = []
    for base, dirs, files in os.walk(folder):
        rel = Path(base).relative_to(folder)
        found += [(rel / f).as_posix() for f in files]
        found += [(rel / d).as_posix() for d in dirs if (Path(base) / d).is_symlink()]
    return sorted(found)


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object file (a stamp), or None when missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_stamp(folder: Path) -> dict[str, Any] | None:
    """The book stamp in ``folder`` (see :func:`write_stamp`), or None."""
    return read_json(folder / STAMP)


def is_unchanged(out: Path, key: str) -> bool:
    stamp = read_stamp(out)
    return stamp is not None and stamp.get("fingerprint") == key


def write_stamp(html: Path, key: str, area_code: str, year: int) -> None:
    """Mark ``html`` as a finished book: its fingerprint, area, year and every file in it (so
    a later build replaces only what needsbook wrote)."""
    (html / STAMP).write_text(
        json.dumps(
            {
                "fingerprint": key,
                "area_code": area_code,
                "year": year,
                "needsbook": __version__,
                "built": datetime.date.today().isoformat(),
                "files": book_files(html),
            },
            indent=1,
        )
    )
