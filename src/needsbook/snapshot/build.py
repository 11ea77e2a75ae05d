"""Build every registered snapshot table, validate it, then replace the snapshot in one move."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from needsbook import __version__
from needsbook.errors import InputError, ValidationFailedError
from needsbook.files import replace_folder
from needsbook.snapshot.manifest import ManifestEntry, write_manifest
from needsbook.snapshot.spec import TableSpec

# Modules that export ``TABLES: list[TableSpec]``, in build order.
TABLE_MODULES = (
    "needsbook.snapshot.geography",
    "needsbook.snapshot.population",
    "needsbook.snapshot.deprivation",
    "needsbook.snapshot.neighbours",
    "needsbook.snapshot.indicators",
    "needsbook.snapshot.boundaries",
    "needsbook.snapshot.districts",
    "needsbook.snapshot.births_ethnicity",
)


def registered_tables() -> list[TableSpec]:
    specs: list[TableSpec] = []
    for name in TABLE_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        specs.extend(module.TABLES)
    return specs


def _periods(df: pd.DataFrame, column: str | None) -> str:
    if not column or column not in df or df[column].dropna().empty:
        return ""
    values = sorted(df[column].dropna().astype(str).unique())
    return values[0] if len(values) == 1 else f"{values[0]} to {values[-1]} ({len(values)})"


def write_parquet(df: pd.DataFrame, path: Path) -> str:
    """Write deterministically (no pandas metadata timestamps) and return the sha256."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=9,
        write_statistics=False,
        store_schema=True,
    )
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_snapshot(
    raw_dir: Path,
    out_dir: Path,
    *,
    validate: bool = True,
    log: Callable[[str], None] = print,
    overrides: Mapping[str, Callable[[Path], pd.DataFrame]] | None = None,
    provenance: Mapping[str, str] | None = None,
    before_replace: Callable[[Path], None] | None = None,
    national: bool = True,
) -> list[ManifestEntry]:
    """Derive all tables from ``raw_dir`` into ``out_dir`` (replaced only if all pass), then
    (``national``) work out the national tables beside it (:func:`write_national`).

    Hooks for ``needsbook snapshot --from-cache`` (all optional): ``overrides[name](raw_dir)``
    builds table ``name`` instead of its ``TableSpec.build``; ``provenance[name]`` is appended
    to that table's ``source_dataset`` in the MANIFEST; ``before_replace(staging)`` is called
    once every table passed, before ``out_dir`` is replaced (raising there leaves it untouched).
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(
            f"raw data folder not found: {raw_dir} (expected ../shared/data-raw beside the "
            "project: pass --raw-dir or set NEEDSBOOK_RAW_DIR)"
        )
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=out_dir.parent))
    staging.chmod(0o755)
    try:
        entries = []
        for spec in registered_tables():
            log(f"building {spec.name} ...")
            df = (overrides or {}).get(spec.name, spec.build)(raw_dir)
            if validate:
                from needsbook.validate import validate_frame

                report = validate_frame(spec.name, df)
                if not report.success:
                    raise ValidationFailedError(
                        "\n".join(
                            [
                                f"Snapshot table '{spec.name}' failed its expectations; "
                                "the current snapshot was left untouched."
                            ]
                            + [f.text() for f in report.failures]
                        )
                    )
            file = f"{spec.name}.parquet"
            sha = write_parquet(df, staging / file)
            entries.append(
                ManifestEntry(
                    table=spec.name,
                    file=file,
                    rows=len(df),
                    columns=";".join(map(str, df.columns)),
                    description=spec.description,
                    source_dataset=spec.source_dataset + (provenance or {}).get(spec.name, ""),
                    publisher=spec.publisher,
                    licence=spec.licence,
                    periods=_periods(df, spec.period_column),
                    source_files=";".join(spec.source_files),
                    sha256=sha,
                )
            )
            log(f"  {spec.name}: {len(df):,} rows")
        write_manifest(
            staging,
            entries,
            {
                "needsbook snapshot": f"derived by needsbook {__version__} from {raw_dir.name}",
                "built": datetime.now(UTC).strftime("%Y-%m-%d"),
                "licence": "Open Government Licence v3.0 unless stated per table",
            },
        )
        if validate:  # every table passed: record it, so builds need not validate again
            from needsbook.validate.record import write_record
            from needsbook.validate.runner import content_key

            write_record(staging, content_key(entries))
        if before_replace is not None:
            before_replace(staging)
        replace_folder(staging, out_dir)  # untracked files (.gitattributes) stay out
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if national:
        write_national(out_dir.parent, log)
    return entries


def write_national(data_dir: Path, log: Callable[[str], None] = print) -> None:
    """The national tables for the snapshot in ``data_dir`` (:mod:`needsbook.national`),
    worked out in a fresh process. If that fails (a snapshot without the tables they need),
    any older ones are removed, as they no longer match: books then work them out."""
    from needsbook.errors import DataError
    from needsbook.national.derive import write_in_fresh_process
    from needsbook.national.store import national_dir

    log("working out the national tables ...")
    try:
        write_in_fresh_process(data_dir, log)
    except DataError as exc:
        shutil.rmtree(national_dir(data_dir), ignore_errors=True)
        log(f"warning: {exc}; books will work the national tables out as they build")
