"""Run the expectation suites over snapshot tables (or any frame) and collect failures."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from needsbook import paths
from needsbook.errors import DataError
from needsbook.snapshot.manifest import ManifestEntry, read_manifest
from needsbook.validate.checks import run_checks
from needsbook.validate.record import read_record, write_record
from needsbook.validate.report import MAX_EXAMPLES, Failure, SnapshotReport, TableReport


def load_suite_json(name: str, expectations_dir: Path | None = None) -> dict[str, Any]:
    path = (expectations_dir or paths.expectations_dir()) / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no expectation suite for table '{name}': {path}")
    return json.loads(path.read_text())


@cache
def _batch_definition() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = ctx.data_sources.add_pandas("needsbook")
    return source.add_dataframe_asset("table").add_batch_definition_whole_dataframe("whole")


def _column_of(kwargs: dict[str, Any]) -> str:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']} vs {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    return "(table)"


def _describe(kwargs: dict[str, Any]) -> str:
    shown = {
        k: v
        for k, v in kwargs.items()
        if k not in {"column", "column_A", "column_B", "column_list", "result_format"}
    }
    return ", ".join(f"{k}={v!r}" for k, v in shown.items()) or "rule broken"


def _example_rows(df: pd.DataFrame, result: dict[str, Any], kwargs: dict[str, Any]) -> pd.DataFrame:
    idx = result.get("unexpected_index_list") or []
    if idx and isinstance(idx[0], int | float):
        return df.loc[df.index.isin(idx[: MAX_EXAMPLES * 4])].head(MAX_EXAMPLES)
    values = result.get("partial_unexpected_list") or []
    if values and "column" in kwargs:
        return pd.DataFrame({kwargs["column"]: values[:MAX_EXAMPLES]})
    return pd.DataFrame()


def load_suite(table: str, suite_json: dict[str, Any]) -> Any:
    """Build the GX suite, refusing any expectation GX would silently drop (e.g. a misspelling)."""
    import great_expectations as gx

    gx_logger = logging.getLogger("great_expectations")
    level = gx_logger.level
    gx_logger.setLevel(logging.CRITICAL)  # GX logs and discards invalid expectations
    try:
        gx_suite = gx.ExpectationSuite(**suite_json)
    finally:
        gx_logger.setLevel(level)
    wanted = [e.get("type", "?") for e in suite_json.get("expectations", [])]
    kept = [e.expectation_type for e in gx_suite.expectations]
    if len(kept) != len(wanted):
        dropped = list(wanted)
        for name in kept:
            dropped.remove(name)
        raise DataError(
            f"expectation suite for table '{table}' has {len(dropped)} expectation(s) that "
            f"Great Expectations cannot use (misspelt type or bad arguments): "
            f"{', '.join(sorted(set(dropped)))}"
        )
    return gx_suite


def validate_frame(
    table: str,
    df: pd.DataFrame,
    suite: dict[str, Any] | None = None,
    expectations_dir: Path | None = None,
) -> TableReport:
    """Validate one frame against its suite (default ``expectations/<table>.json``)."""

    suite_json = suite or load_suite_json(table, expectations_dir)
    gx_suite = load_suite(table, suite_json)
    frame = df.reset_index(drop=True)
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        gx_suite,
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": [],
            "partial_unexpected_count": MAX_EXAMPLES,
        },
    )
    report = TableReport(table=table, rows=len(frame), evaluated=len(result.results))
    for r in result.results:
        if r.success:
            continue
        conf = r.expectation_config
        kwargs = dict(conf.kwargs)
        info = r.exception_info or {}
        raised = info.get("raised_exception") if isinstance(info, dict) else False
        res = r.result or {}
        message = (
            f"could not be evaluated: {info.get('exception_message')}"
            if raised
            else _describe(kwargs)
        )
        if "observed_value" in res and res.get("observed_value") is not None:
            message += f"; observed {res['observed_value']!r}"
        report.failures.append(
            Failure(
                table=table,
                expectation=conf.type,
                column=_column_of(kwargs),
                message=message,
                unexpected_count=res.get("unexpected_count"),
                examples=_example_rows(frame, res, kwargs),
            )
        )
    checks = run_checks(table, frame)
    report.evaluated += len(checks.evaluated)
    report.failures += checks.failures
    return report


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# The code whose change must invalidate a recorded or cached pass.
CHECK_CODE = ("checks.py", "runner.py")


def _check_code() -> bytes:
    return b"".join((Path(__file__).parent / module).read_bytes() for module in CHECK_CODE)


def _suite_bytes(table: str, expectations_dir: Path | None = None) -> bytes:
    """The table's expectation suite as stored, for the keys below (``missing`` if none)."""
    suite = (expectations_dir or paths.expectations_dir()) / f"{table}.json"
    return suite.read_bytes() if suite.is_file() else b"missing"


def frame_key(table: str, df: pd.DataFrame, expectations_dir: Path | None = None) -> str:
    """A key that changes when the frame's content, its suite or the check code changes: a
    pass recorded under it (:mod:`needsbook.national`) need not be repeated."""
    h = hashlib.sha256(f"{table}\n".encode())
    h.update(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    h.update(df.to_csv(index=False).encode())
    h.update(_suite_bytes(table, expectations_dir))
    h.update(_check_code())
    return h.hexdigest()[:32]


def content_key(entries: list[ManifestEntry], expectations_dir: Path | None = None) -> str:
    """A key that changes when any table, suite or check changes (tables hashed by caller)."""
    h = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.table):
        h.update(f"{entry.table}:{entry.sha256}\n".encode())
        h.update(_suite_bytes(entry.table, expectations_dir))
    h.update(_check_code())
    return h.hexdigest()[:32]


def table_key(table: str, sha256: str, expectations_dir: Path | None = None) -> str:
    """A key that changes when one table's content, its suite or the check code changes."""
    h = hashlib.sha256(f"{table}:{sha256}\n".encode())
    h.update(_suite_bytes(table, expectations_dir))
    h.update(_check_code())
    return h.hexdigest()[:32]


def _cached_table(cache_dir: Path, table: str, key: str) -> TableReport | None:
    """The pass remembered for this table's content (see :func:`_remember_table`), if any."""
    try:
        seen = json.loads((cache_dir / f"table-{table}-{key}.json").read_text())
        return TableReport(table, int(seen["rows"]), int(seen["evaluated"]), reused=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _remember_table(cache_dir: Path, key: str, report: TableReport) -> None:
    if report.success:
        cache_dir.mkdir(parents=True, exist_ok=True)
        stamp = {"rows": report.rows, "evaluated": report.evaluated}
        (cache_dir / f"table-{report.table}-{key}.json").write_text(json.dumps(stamp))


def national_problems(data_dir: Path | None = None) -> list[Failure]:
    """The national tables beside the snapshot (:mod:`needsbook.national`), when there are
    any: each problem (out of date for this data or code, a file missing or changed)."""
    from needsbook.national.store import INDEX, check_store, national_dir

    if not (national_dir(data_dir) / INDEX).is_file():
        return []  # none: readers work the tables out (a data folder made before them)
    return [
        Failure("national", "national_tables_current", "(table)", problem)
        for problem in check_store(data_dir)
    ]


def validate_snapshot(
    data_dir: Path | None = None,
    tables: list[str] | None = None,
    expectations_dir: Path | None = None,
    cache_dir: Path | None = None,
    record: bool = False,
) -> SnapshotReport:
    """Check the snapshot against its MANIFEST (files, hashes) and every table's suite, and
    (when validating every table, not for a build) that the national tables beside it still hold.

    With ``cache_dir`` (builds), a passing result is remembered under a key made of every
    table's (verified) sha256, every suite and the check code, so unchanged data is not
    re-validated; the snapshot's own record (``VALIDATED``, written by ``needsbook snapshot``
    or ``record=True``) is accepted when its key matches exactly. Otherwise each table that
    passed before with the same content, suite and check code (:func:`table_key`) is not
    re-validated, so changing one table re-validates that table only. Without ``cache_dir``
    every table is validated in full; ``record=True`` then writes the record if all pass.
    """
    snap = paths.snapshot_dir(data_dir)
    report = SnapshotReport()
    manifest = read_manifest(snap)
    stamp, actual = None, {}
    if cache_dir is not None and tables is None:
        actual = {e.table: _sha256(snap / e.file) for e in manifest if (snap / e.file).is_file()}
        if all(actual.get(e.table) == e.sha256 for e in manifest):
            key = content_key(manifest, expectations_dir)
            stamp = Path(cache_dir) / f"validated-{key}"
            recorded = read_record(snap) == key
            if stamp.is_file() or recorded:
                report.tables = [TableReport(e.table, e.rows, 0) for e in manifest]
                report.from_cache = True
                report.from_record = not stamp.is_file()
                if report.from_record:
                    stamp.parent.mkdir(parents=True, exist_ok=True)
                    stamp.write_text(report.text() + "\n")
                return report
    for entry in manifest:
        if tables and entry.table not in tables:
            continue
        path = snap / entry.file
        if not path.is_file():
            report.problems.append(
                Failure(
                    entry.table,
                    "file_exists",
                    "(table)",
                    f"{path} is listed in MANIFEST but missing",
                )
            )
            continue
        sha = actual.get(entry.table) or _sha256(path)
        if sha != entry.sha256:
            report.problems.append(
                Failure(
                    entry.table,
                    "sha256_matches_manifest",
                    "(table)",
                    f"{path} differs from the MANIFEST hash: "
                    "re-run `needsbook snapshot` or restore the file",
                )
            )
        key = table_key(entry.table, sha, expectations_dir)
        if cache_dir is not None and (seen := _cached_table(Path(cache_dir), entry.table, key)):
            report.tables.append(seen)
            continue
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow's own error types for a damaged or truncated file
            report.problems.append(
                Failure(
                    entry.table,
                    "file_readable",
                    "(table)",
                    f"{path} cannot be read ({type(exc).__name__}: {str(exc)[:120]}): "
                    "restore the file or re-run `needsbook snapshot`",
                )
            )
            continue
        table = validate_frame(entry.table, frame, expectations_dir=expectations_dir)
        if cache_dir is not None:
            _remember_table(Path(cache_dir), key, table)
        report.tables.append(table)
    if tables is None and cache_dir is None:  # a build reads stale tables never: no failure
        report.problems += national_problems(data_dir)
    if stamp is not None and report.success:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(report.text() + "\n")
    if record and tables is None and report.success:
        write_record(snap, content_key(manifest, expectations_dir))
    return report
