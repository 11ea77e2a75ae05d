"""``needsbook snapshot --from-cache``: rebuild the snapshot from ``needsbook fetch`` downloads.

1. Every item in the fetch record is read back from the download cache (never the network)
   and converted again, with the same checks as at fetch time.
2. DfE (EES) data sets stand in for their raw files: a mirror of the raw data folder is made
   (symlinks) with the downloads written at the same paths, and the tables that read those
   files are derived from it by the normal snapshot code. This needs the raw data folder for
   the files not fetched (LAIT, COVER, ...).
3. Tables no download touches are taken from the current snapshot as they are (their sha256 is
   checked against its MANIFEST), or derived from the raw folder if the snapshot lacks them.
4. Fingertips indicators replace all rows of the same ``ft:<id>`` in ``indicators`` (and their
   ``indicator_meta`` row); ONS estimates replace the same years of ``population_syoa``; ONS
   projections replace ``population_projections``.
5. ``needsbook.snapshot.build_snapshot`` then validates every table and, only if all pass,
   prints what changed (:mod:`needsbook.fetch.diff`) and replaces the snapshot in one move.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from needsbook import paths
from needsbook.errors import DataError, ValidationFailedError
from needsbook.fetch.areas import area_context
from needsbook.fetch.diff import SnapshotDiff, diff_snapshots
from needsbook.fetch.ees import EesResult, drop_periods
from needsbook.fetch.errors import FetchError
from needsbook.fetch.fingertips import FingertipsResult
from needsbook.fetch.http import Fetcher
from needsbook.fetch.ons import OnsResult
from needsbook.fetch.sources import Outcome, recorded_items, recorded_pins, run_fetch
from needsbook.snapshot.build import build_snapshot, registered_tables
from needsbook.snapshot.indicators import meta_frame
from needsbook.snapshot.manifest import ManifestEntry, read_manifest

Builder = Callable[[Path], pd.DataFrame]
# Tables derived together: rebuilding the first means rebuilding the second too.
LINKED = {"indicators": ("indicator_meta",)}


@dataclass
class RebuildResult:
    entries: list[ManifestEntry]
    diff: SnapshotDiff
    outcomes: list[Outcome]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def current_tables(snapshot_dir: Path) -> dict[str, Path]:
    """Tables of the current snapshot whose files match their MANIFEST sha256."""
    if not (snapshot_dir / "MANIFEST").is_file():
        return {}
    out = {}
    for e in read_manifest(snapshot_dir):
        path = snapshot_dir / e.file
        if path.is_file() and _sha256(path) == e.sha256:
            out[e.table] = path
    return out


def _read_raw(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def make_overlay(raw_dir: Path, work_dir: Path, downloads: list[EesResult]) -> Path:
    """A mirror of ``raw_dir`` (symlinks) with ``downloads`` at their target paths and their
    periods removed from the older sibling files."""
    overlay = work_dir / f"{raw_dir.name}+fetched"
    replaced: dict[str, bytes] = {}
    for d in downloads:
        replaced[d.target] = d.body
        for sib in d.siblings:
            source = raw_dir / sib
            if source.is_file():
                replaced[sib] = drop_periods(_read_raw(source), d.periods)
    for path in raw_dir.rglob("*"):
        if path.is_dir():
            continue
        rel = path.relative_to(raw_dir).as_posix()
        if rel in replaced:
            continue
        link = overlay / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.symlink(path.resolve(), link)
        except OSError:
            shutil.copy2(path, link)
    for rel, body in replaced.items():
        out = overlay / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(gzip.compress(body, mtime=0) if rel.endswith(".gz") else body)
    return overlay


def _merge_indicators(base: pd.DataFrame, fetched: list[FingertipsResult]) -> pd.DataFrame:
    ids = {r.indicator_id for r in fetched}
    parts = [base[~base["indicator_id"].isin(ids)], *(r.rows for r in fetched)]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(
        ["indicator_id", "area_code", "year", "period"], kind="mergesort", ignore_index=True
    )


def _merge_meta(base: pd.DataFrame, fetched: list[FingertipsResult]) -> pd.DataFrame:
    ids = {r.indicator_id for r in fetched}
    new = meta_frame([r.meta for r in fetched])
    out = pd.concat([base[~base["indicator_id"].isin(ids)], new], ignore_index=True)
    return out.sort_values("indicator_id", kind="mergesort", ignore_index=True)


def _merge_years(base: pd.DataFrame, fetched: OnsResult) -> pd.DataFrame:
    out = pd.concat([base[~base["year"].isin(fetched.years)], fetched.rows], ignore_index=True)
    order = {"England": 0, "Region": 1, "UTLA": 2, "Former UTLA": 3, "District": 4}
    out["_o"] = out["area_type"].map(order)
    out = out.sort_values(["_o", "area_code", "year", "age"], kind="mergesort")
    return out.drop(columns="_o").reset_index(drop=True)


def tables_reading(files: set[str]) -> set[str]:
    """Registered tables derived from any of ``files`` (raw-folder paths), plus linked ones."""
    names = {s.name for s in registered_tables() if files & set(s.source_files)}
    return names | {linked for n in names for linked in LINKED.get(n, ())}


def _compose(base: Builder, amend: Callable[[pd.DataFrame], pd.DataFrame] | None) -> Builder:
    if amend is None:
        return base
    return lambda raw: amend(base(raw))


def _reader(path: Path) -> Builder:
    return lambda _raw: pd.read_parquet(path)


def rebuild_from_cache(
    cache_dir: Path,
    data_dir: Path | None = None,
    raw_dir: Path | None = None,
    log: Callable[[str], None] = print,
    on_diff: Callable[[SnapshotDiff], None] | None = None,
) -> RebuildResult:
    """Rebuild ``<data_dir>/snapshot`` from the downloads in ``cache_dir`` (see the module
    docstring); ``on_diff`` sees what changed before the snapshot is replaced. Raises
    :class:`ValidationFailedError` (snapshot untouched) if a table fails its expectations."""
    cache_dir = Path(cache_dir)
    snap = paths.snapshot_dir(data_dir)
    items = recorded_items(cache_dir)
    if not items:
        raise DataError(f"nothing has been fetched into {cache_dir}: run `needsbook fetch` first")
    raw = Path(raw_dir) if raw_dir is not None and Path(raw_dir).is_dir() else None
    snap.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".from-cache-", dir=snap.parent) as tmp:
        work = Path(tmp)
        ctx = area_context(raw, snap, work)
        log(f"reading {len(items)} fetched items from {cache_dir} ...")
        with Fetcher(cache_dir, offline=True) as fetcher:
            outcomes = run_fetch(items, fetcher, ctx, pins=recorded_pins(cache_dir), record=False)
        failed = [o for o in outcomes if not o.ok]
        if failed:
            first = failed[0].error
            assert first is not None
            raise FetchError(
                first.source,
                "a cached download cannot be used (snapshot untouched): "
                + first.reason
                + "".join(f"\n  also: {o.summary}" for o in failed[1:]),
                url=first.url,
                indicator=first.indicator,
            )
        ft = [o.result for o in outcomes if isinstance(o.result, FingertipsResult)]
        dfe = [o.result for o in outcomes if isinstance(o.result, EesResult)]
        pop = {o.result.table: o.result for o in outcomes if isinstance(o.result, OnsResult)}
        if dfe and raw is None:
            raise DataError(
                "DfE data sets are derived together with the raw files they do not replace "
                "(LAIT, COVER ...), but the raw data folder was not found: pass --raw-dir or "
                "set NEEDSBOOK_RAW_DIR, or fetch without --sources ees"
            )
        if raw is not None:
            source_dir = make_overlay(raw, work, dfe)
        else:  # every table comes from the current snapshot (checked below)
            source_dir = work / "snapshot+fetched"
            source_dir.mkdir()
        rederived = tables_reading({d.target for d in dfe} | {s for d in dfe for s in d.siblings})
        amend: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {}
        if ft:
            amend["indicators"] = lambda df: _merge_indicators(df, ft)
            amend["indicator_meta"] = lambda df: _merge_meta(df, ft)
        if "population_syoa" in pop:
            amend["population_syoa"] = lambda df: _merge_years(df, pop["population_syoa"])
        current = current_tables(snap)
        overrides: dict[str, Builder] = {}
        fed: dict[str, list[str]] = {}
        for spec in registered_tables():
            if spec.name == "population_projections" and spec.name in pop:
                rows = pop[spec.name].rows
                overrides[spec.name] = lambda _raw, rows=rows: rows.copy()
            elif spec.name in rederived:
                overrides[spec.name] = _compose(spec.build, amend.get(spec.name))
            elif spec.name in current:
                overrides[spec.name] = _compose(_reader(current[spec.name]), amend.get(spec.name))
            elif raw is not None:
                overrides[spec.name] = _compose(spec.build, amend.get(spec.name))
            else:
                raise DataError(
                    f"table '{spec.name}' is not in the current snapshot ({snap}) and the raw "
                    "data folder was not found to derive it"
                )
        for o in outcomes:
            r = o.result
            if isinstance(r, FingertipsResult):
                tables = ["indicators", "indicator_meta"]
            elif isinstance(r, EesResult):
                tables = sorted(tables_reading({r.target, *r.siblings}))
            else:
                tables = [r.table]
            for t in tables:
                fed.setdefault(t, []).append(o.item.key)
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        provenance = {
            t: f"; refreshed {today} by needsbook fetch ({', '.join(keys)})"
            for t, keys in fed.items()
        }
        found: dict[str, SnapshotDiff] = {}

        def report(staging: Path) -> None:
            found["diff"] = diff_snapshots(snap, staging, registered_tables())
            if on_diff is not None:
                on_diff(found["diff"])

        try:
            entries = build_snapshot(
                source_dir,
                snap,
                log=log,
                overrides=overrides,
                provenance=provenance,
                before_replace=report,
            )
        except ValidationFailedError as exc:
            raise ValidationFailedError(_explain(exc.report, fed)) from None
    return RebuildResult(entries, found["diff"], outcomes)


def _explain(report: str, fed: dict[str, list[str]]) -> str:
    m = re.search(r"Snapshot table '([^']+)'", report)
    table = m.group(1) if m else None
    if table is None or table not in fed:
        return report
    return (
        report + f"\n'{table}' was rebuilt with fetched data ({', '.join(fed[table])}). Its "
        f"expectation suite (expectations/{table}.json) may pin the embedded snapshot's "
        "periods or row counts: if the new data are right, the suite needs updating; "
        "otherwise fetch again or leave those items out (needsbook fetch --indicators ...)."
    )
