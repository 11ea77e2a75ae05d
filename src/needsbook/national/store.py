"""The ``national`` folder beside the snapshot: parquet tables and the ``INDEX`` that keys them.

``INDEX`` (JSON) records the key the tables were made under:

* ``inputs``: the sha256 of the snapshot's MANIFEST (which holds every table's hash) and of the
  indicator catalogue, and the versions of numpy, pandas, scipy and pyarrow;
* ``code``: the sha256 of every needsbook module the derivation imported (it runs in a fresh
  process, so the list is exactly the code that made the numbers);
* ``tables``: each table's file, sha256 and, per part, its columns in order and their types.

A table is read only while every one of those still matches (:func:`current_index`); a reader
that gets None works the table out itself. Parquet does not keep every pandas detail, so each
part's object columns are restored (missing values as None) and :func:`write_store` refuses a
table that would not read back identical.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from needsbook import paths
from needsbook.errors import DataError
from needsbook.files import replace_folder

FOLDER = "national"
INDEX = "INDEX"
FORMAT = 1
PART = "_part"  # the column that tells a table's parts apart in its file
LIBRARIES = ("numpy", "pandas", "scipy", "pyarrow")
PACKAGE = "needsbook"
#: Non-empty while the tables are being worked out: readers then ignore the stored ones.
BYPASS: list[bool] = []


def national_dir(data_dir: Path | str | None = None) -> Path:
    """``<data dir>/national``, beside ``snapshot/``."""
    return paths.snapshot_dir(Path(data_dir) if data_dir else None).parent / FOLDER


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _catalogue_path(data_dir: Path | str | None) -> Path:
    own = Path(data_dir) / "indicators.yml" if data_dir else None
    if own is not None and own.is_file():
        return own
    from needsbook.outcomes.catalogue import default_path

    return Path(default_path())


def inputs(data_dir: Path | str | None = None) -> dict[str, str]:
    """What the tables were worked out from, other than code (module docstring)."""
    manifest = paths.snapshot_dir(Path(data_dir) if data_dir else None) / "MANIFEST"
    catalogue = _catalogue_path(data_dir)
    out = {
        "MANIFEST": _sha256(manifest) if manifest.is_file() else "missing",
        "catalogue": _sha256(catalogue) if catalogue.is_file() else "missing",
    }
    for lib in LIBRARIES:
        out[lib] = metadata.version(lib)
    return out


def module_files(names: Iterable[str]) -> list[str]:
    """The source files (relative to the package) of the needsbook modules ``names``."""
    files = []
    for name in names:
        if name != PACKAGE and not name.startswith(PACKAGE + "."):
            continue
        rel = Path(*name.split(".")[1:])
        path = paths.PACKAGE_DIR / rel
        files.append((rel / "__init__.py" if path.is_dir() else rel.with_suffix(".py")).as_posix())
    return sorted(files)


def code_hashes(files: Iterable[str]) -> dict[str, str]:
    """sha256 of each package source file (``"missing"`` for one that is gone)."""
    out = {}
    for rel in files:
        path = paths.PACKAGE_DIR / rel
        out[rel] = _sha256(path) if path.is_file() else "missing"
    return out


def read_index(folder: Path) -> dict[str, Any] | None:
    path = folder / INDEX
    if not path.is_file():
        return None
    try:
        index = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) and index.get("format") == FORMAT else None


def stale_reasons(index: dict[str, Any], data_dir: Path | str | None) -> list[str]:
    """Why ``index`` no longer holds for this data and code (empty: it holds)."""
    reasons = []
    now = inputs(data_dir)
    for name, value in index.get("inputs", {}).items():
        if now.get(name) != value:
            reasons.append(f"{name} changed")
    if set(now) != set(index.get("inputs", {})):
        reasons.append("inputs recorded differ")
    code = index.get("code", {})
    changed = [rel for rel, sha in code_hashes(code).items() if code[rel] != sha]
    if changed:
        reasons.append("code changed: " + ", ".join(changed))
    return reasons


@lru_cache(maxsize=8)
def _current(folder: str, stamp: tuple[int, int], data_dir: str) -> dict[str, Any] | None:
    index = read_index(Path(folder))
    if index is None or stale_reasons(index, data_dir or None):
        return None
    return index


def current_index(data_dir: Path | str | None = None) -> dict[str, Any] | None:
    """The folder's INDEX if its key holds for this data and code, else None (checked once per
    process and INDEX version)."""
    folder = national_dir(data_dir)
    path = folder / INDEX
    if BYPASS or not path.is_file():
        return None
    stat = path.stat()
    return _current(str(folder), (stat.st_mtime_ns, stat.st_size), str(data_dir or ""))


def _restore(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Object columns back to object, with None for missing values (as parquet cannot say)."""
    for col, dtype in dtypes.items():
        if dtype == "object" and str(frame[col].dtype) != "object":
            values = frame[col].astype(object)
            frame[col] = values.where(values.notna(), None)
    return frame


@lru_cache(maxsize=32)
def _read(path: str, sha: str, parts: str) -> dict[str, pd.DataFrame]:
    file = Path(path)
    if _sha256(file) != sha:
        raise DataError(f"{file} differs from its INDEX hash: run `needsbook snapshot`")
    frame = pd.read_parquet(file)
    out = {}
    for part, meta in json.loads(parts).items():
        sel = frame[frame[PART] == part].drop(columns=[PART]).reset_index(drop=True)
        sel = _restore(sel[meta["columns"]], meta["dtypes"])
        sel.attrs = dict(meta.get("attrs", {}))
        out[part] = sel
    return out


def read_frames(name: str, data_dir: Path | str | None = None) -> dict[str, pd.DataFrame] | None:
    """Table ``name``'s parts (copies), or None when it is not stored under a current key."""
    index = current_index(data_dir)
    entry = (index or {}).get("tables", {}).get(name)
    if entry is None:
        return None
    path = national_dir(data_dir) / entry["file"]
    if not path.is_file():
        return None
    parts = _read(str(path), entry["sha256"], json.dumps(entry["parts"], sort_keys=True))
    return {k: v.copy() for k, v in parts.items()}


def read_frame(name: str, data_dir: Path | str | None = None) -> pd.DataFrame | None:
    """A one-part table (:func:`read_frames`), or None."""
    parts = read_frames(name, data_dir)
    return None if parts is None else parts[""]


def latest_data_year(data_dir: Path | str | None = None) -> int | None:
    """The latest data year recorded with the tables (None when not stored under a current
    key)."""
    index = current_index(data_dir)
    year = (index or {}).get("latest_data_year")
    return int(year) if year is not None else None


def validated(table: str, key: str, data_dir: Path | str | None = None) -> bool:
    """Whether the derivation recorded a pass of ``table``'s suite under ``key``
    (:func:`needsbook.validate.runner.frame_key`: content, suite and check code)."""
    index = read_index(national_dir(data_dir)) if not BYPASS else None
    return bool(index) and index.get("validated", {}).get(table) == key


def _identical(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same columns, types, values (NaN equal to NaN) and, in object columns, value types."""
    if list(a.columns) != list(b.columns) or not a.index.equals(b.index):
        return False
    for col in a.columns:
        x, y = a[col], b[col]
        if str(x.dtype) != str(y.dtype) or not x.equals(y):
            return False
        if x.dtype == object and [type(v) for v in x] != [type(v) for v in y]:
            return False
    return True


def _write_table(folder: Path, name: str, parts: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """Write one table's parts to ``folder/<name>.parquet``; its INDEX entry."""
    from needsbook.snapshot.build import write_parquet

    meta = {}
    frames = []
    for part, frame in parts.items():
        if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
            frame = frame.reset_index(drop=True)
        if PART in frame.columns:
            raise DataError(f"national table {name}: a column may not be called {PART}")
        meta[part] = {
            "columns": [str(c) for c in frame.columns],
            "dtypes": {str(c): str(t) for c, t in frame.dtypes.items()},
        }
        if frame.attrs:
            meta[part]["attrs"] = json.loads(json.dumps(frame.attrs))
        frames.append(frame.assign(**{PART: part}))
    file = f"{name}.parquet"
    sha = write_parquet(pd.concat(frames, ignore_index=True), folder / file)
    back = _read(str(folder / file), sha, json.dumps(meta, sort_keys=True))
    for part, frame in parts.items():
        if not _identical(frame.reset_index(drop=True), back[part]):
            raise DataError(f"national table {name} ({part or 'whole'}) does not read back as made")
    return {"file": file, "sha256": sha, "parts": meta}


def write_store(
    data_dir: Path | str | None,
    tables: Mapping[str, Mapping[str, pd.DataFrame]],
    modules: Iterable[str],
    latest_year: int,
    passed: Mapping[str, str] | None = None,
) -> Path:
    """Write ``tables`` (name -> part -> frame) and their INDEX into ``<data dir>/national``,
    replacing the folder in one move; ``modules`` are the needsbook modules that made them,
    ``passed`` the validation passes to record (table -> :func:`validated`'s key)."""
    folder = national_dir(data_dir)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{FOLDER}-", dir=folder.parent))
    try:
        staging.chmod(0o755)
        entries = {name: _write_table(staging, name, parts) for name, parts in tables.items()}
        index = {
            "format": FORMAT,
            "about": "National tables worked out once per snapshot by `needsbook snapshot`; "
            "read only while inputs and code match.",
            "inputs": inputs(data_dir),
            "code": code_hashes(module_files(modules)),
            "latest_data_year": int(latest_year),
            "tables": entries,
            "validated": dict(passed or {}),
        }
        (staging / INDEX).write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
        replace_folder(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _current.cache_clear()
    return folder


def check_store(data_dir: Path | str | None = None) -> list[str]:
    """Problems with the national tables: missing, out of date, or a file changed since."""
    folder = national_dir(data_dir)
    index = read_index(folder)
    if index is None:
        return [f"no national tables at {folder}: run `needsbook snapshot`"]
    problems = [
        f"the national tables at {folder} are out of date ({reason}): run `needsbook "
        "snapshot` (or `python -m needsbook.national`) to work them out again"
        for reason in stale_reasons(index, data_dir)
    ]
    for name, entry in index.get("tables", {}).items():
        path = folder / entry["file"]
        if not path.is_file():
            problems.append(f"national table {name}: {path} is missing")
        elif _sha256(path) != entry["sha256"]:
            problems.append(f"national table {name}: {path} differs from its INDEX hash")
    return problems
