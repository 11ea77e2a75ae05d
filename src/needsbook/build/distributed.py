"""Build a batch's books on a Dask distributed cluster (``needsbook build --scheduler``).

This process, the client, does everything a local batch does but run the builds: it
validates the snapshot, resolves the (area, year) books, checks the output folders, skips the
books that are unchanged (their fingerprint, :func:`book_key`, matches the one stored in the
book, unless ``--force``) and submits one Dask task per remaining book. A worker needs only
needsbook (``pip install needsbook[dask]``) and its snapshot: it builds the book as a local
batch worker does (warm kernel, Sphinx in process) in a temporary folder and sends it back as a
compressed tar (:func:`pack_book`) with its step log. A worker whose needsbook version differs
from the client's is refused before anything is sent, and one whose snapshot differs
(:func:`snapshot_id`) builds nothing: its books fail. The client writes the log to
``_build/logs/<code>-<year>.log``, checks that the book is the one asked for (its stamp), and
publishes it into ``<out>/<code>/<year>``
as a local build does (:func:`needsbook.build.outdir.publish`: one rename, an earlier book
replaced only when needsbook wrote it). With ``shared_out`` a worker publishes the book into
the output root itself (a folder every machine sees at the same path) and sends back its log.

A worker that dies mid-build: the scheduler gives its task to another worker, up to
``distributed.scheduler.allowed-failures`` times (default 3), after which that book is reported
failed; the other books build. ``--data-dir`` and ``--local-dir`` must name the same folders
on every worker; without them each worker uses the snapshot installed with it.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from needsbook import __version__, paths
from needsbook.build import interrupts, outdir
from needsbook.build.batch import build_one
from needsbook.build.batch_report import AreaOutcome, worker_label
from needsbook.build.fingerprint import read_stamp
from needsbook.build.jobs import log_path
from needsbook.build.pipeline import BuildOptions, book_key
from needsbook.errors import DataError, InputError, NeedsbookError
from needsbook.snapshot.manifest import read_manifest

if TYPE_CHECKING:
    from distributed import Client, Future

#: The pip extra that brings Dask distributed.
EXTRA = "needsbook[dask]"
#: Seconds to wait for the scheduler to answer and for a first worker to join.
CONNECT_TIMEOUT = 30.0
ARCHIVE_ROOT = "book"  # the one folder a book archive holds


@dataclass(frozen=True)
class Cluster:
    """Where a batch builds: a Dask scheduler's address (``tcp://host:8786``); with
    ``shared_out`` the workers publish the books into the output root themselves."""

    scheduler: str
    shared_out: bool = False


@dataclass
class RemoteBook:
    """What a worker sends back: the outcome, the step log and, unless the worker published
    the book itself, the book as a compressed tar."""

    outcome: AreaOutcome
    log: str
    archive: bytes | None = None


# --- the book as bytes ---------------------------------------------------------------------


def pack_book(folder: Path) -> bytes:
    """The book folder as a gzip-compressed tar holding one folder, ``book/``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        tar.add(folder, arcname=ARCHIVE_ROOT)
    return buffer.getvalue()


def unpack_book(archive: bytes, into: Path) -> Path:
    """Extract an archive made by :func:`pack_book` into the folder ``into``; returns the
    book's folder. DataError for a damaged archive, or one with anything but the book's files
    (paths outside it, links leaving it, devices: tarfile's ``data`` filter)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            names = {Path(m.name).parts[0] for m in tar.getmembers() if m.name}
            if names != {ARCHIVE_ROOT}:
                raise DataError(f"the book archive holds {sorted(names)}, not one book folder")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DataError(f"the book archive could not be unpacked: {exc}") from None
    return into / ARCHIVE_ROOT


# --- on a worker ---------------------------------------------------------------------------

# A worker process keeps one warm kernel and sets NEEDSBOOK_* variables for each book, so it
# builds one book at a time whatever its number of threads.
_ONE_BOOK = threading.Lock()


def snapshot_id(data_dir: Path | None) -> str:
    """The snapshot's identity: a hash of its MANIFEST's tables and their hashes (equal on
    two machines when their tables are the same)."""
    h = hashlib.sha256()
    for entry in read_manifest(paths.snapshot_dir(data_dir)):
        h.update(f"{entry.table}:{entry.sha256}\n".encode())
    return h.hexdigest()


def build_on_worker(opts: BuildOptions, shared_out: bool = False, snapshot: str = "") -> RemoteBook:
    """Dask task: build one book as a local batch worker does
    (:func:`~needsbook.build.batch.build_one`) into a temporary folder, and return it packed
    with its log; with ``shared_out``, into ``opts.out`` (the output root every machine sees),
    returning the log only. Nothing is built if this worker's snapshot is not ``snapshot``
    (the client's, :func:`snapshot_id`)."""
    if snapshot and snapshot_id(opts.data_dir) != snapshot:
        reason = (
            f"the Dask worker {worker_label()} has another snapshot than this machine: give "
            "every worker the same needsbook and data"
        )
        failed = AreaOutcome(opts.area, "failed", 0.0, opts.area, reason=reason, year=opts.year)
        return RemoteBook(failed, f"FAILED: {reason}\n")
    build_root = paths.build_dir()  # a staging folder: removed by a later build if killed
    build_root.mkdir(parents=True, exist_ok=True)
    prefix = outdir.staging_prefix(opts.area)
    with _ONE_BOOK, tempfile.TemporaryDirectory(prefix=prefix, dir=build_root) as tmp:
        log = Path(tmp) / "build.log"
        out = opts.out if shared_out else Path(tmp) / ARCHIVE_ROOT
        outcome = build_one(replace(opts, out=out), log)
        archive = None
        if outcome.status == "built" and not shared_out:
            archive = pack_book(Path(tmp) / ARCHIVE_ROOT)
        return RemoteBook(outcome, log.read_text(), archive)


# --- on the client -------------------------------------------------------------------------


def connect(scheduler: str, timeout: float = CONNECT_TIMEOUT) -> Client:
    """A client of the scheduler at ``scheduler`` with at least one worker, each running this
    needsbook version; InputError (exit 2) otherwise."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            f"--scheduler builds on a Dask cluster, which needs Dask: pip install '{EXTRA}'"
        ) from None
    try:
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"could not reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
        _check_versions(client, scheduler)
    except BaseException as exc:
        client.close()
        if isinstance(exc, TimeoutError):
            raise InputError(
                f"no Dask worker joined the scheduler at {scheduler} within {timeout:.0f} s: "
                f"start one on each machine with `dask worker {scheduler}`"
            ) from None
        raise
    return client


def _check_versions(client: Client, scheduler: str) -> None:
    """Refuse workers without this needsbook version (their books would differ)."""
    found = client.run(metadata.version, "needsbook", on_error="return")
    wrong = {w: v for w, v in found.items() if v != __version__}
    if wrong:
        worker, version = next(iter(wrong.items()))
        have = "no needsbook" if isinstance(version, Exception) else f"needsbook {version}"
        raise InputError(
            f"{len(wrong)} of the {len(found)} Dask workers of {scheduler} cannot build these "
            f"books: {worker} has {have}, this machine needsbook {__version__}. Install the "
            f"same version on every worker (pip install '{EXTRA}')"
        )


def run_on_cluster(
    books: list[BuildOptions],
    cluster: Cluster,
    on_done: Callable[[AreaOutcome], None] | None = None,
) -> dict[tuple[str, int], AreaOutcome]:
    """Build ``books`` (each ``opts.out`` is ``<root>/<code>/<year>``, checked already) on the
    cluster; returns each book's outcome by (area code, year)."""
    done: dict[tuple[str, int], AreaOutcome] = {}

    def finished(opts: BuildOptions, outcome: AreaOutcome) -> None:
        outcome.out = outcome.out if outcome.status == "failed" else str(opts.out)
        done[(opts.area, int(opts.year or 0))] = outcome
        if on_done:
            on_done(outcome)

    wanted: list[BuildOptions] = []
    for opts in books:
        try:
            key = book_key(opts)
        except NeedsbookError as exc:
            finished(opts, _failure(opts, str(exc).splitlines()[0]))
            continue
        if not opts.force and _unchanged(opts, key):
            finished(opts, AreaOutcome(opts.area, "skipped", 0.0, opts.area, year=opts.year))
        else:
            wanted.append(opts)
    if not wanted:
        return done
    from distributed import as_completed

    client = connect(cluster.scheduler)
    futures: dict[Future, BuildOptions] = {}
    try:
        for opts in wanted:
            name = f"needsbook-{opts.area}-{opts.year}-{uuid.uuid4().hex[:8]}"
            snapshot = snapshot_id(opts.data_dir)  # the worker's must be the same
            future = client.submit(
                build_on_worker, opts, cluster.shared_out, snapshot, key=name, pure=False
            )
            futures[future] = opts
        for future in as_completed(futures, loop=client.loop):  # not the default client's
            opts = futures[future]
            finished(opts, _receive(future, opts, cluster.shared_out))
    except BaseException:
        client.cancel(list(futures))  # a task already running ends on its own, unpublished
        raise
    finally:
        client.close()
    return done


def _unchanged(opts: BuildOptions, key: str) -> bool:
    """Whether ``opts.out`` holds the book ``key`` describes (its log says so, as locally)."""
    stamp = read_stamp(_book(opts))
    if stamp is None or stamp.get("fingerprint") != key:
        return False
    _write_log(
        opts,
        f"Unchanged since the last build (same data, templates and code): {opts.out} "
        "(use --force to rebuild)\n",
    )
    return True


def _receive(future: Future, opts: BuildOptions, shared_out: bool) -> AreaOutcome:
    """A finished task's outcome: its log written here, its book published (or checked, when
    the worker published it); a failure if the task or the book went wrong."""
    from distributed import KilledWorker

    try:
        remote: RemoteBook = future.result()
    except KilledWorker as exc:
        tries, last = exc.allowed_failures + 1, getattr(exc.last_worker, "address", "?")
        return _failure(
            opts, f"the {tries} Dask workers that tried to build it died (the last: {last})"
        )
    except Exception as exc:
        return _failure(opts, f"the Dask task failed: {exc!r}")
    outcome = remote.outcome
    log = _write_log(opts, remote.log)
    if outcome.status != "built":
        return outcome
    try:
        if shared_out:
            _check_book(_book(opts), opts)
        else:
            _publish(remote.archive or b"", opts)
        said = f"Published {_book(opts) / 'index.html'} (built by {outcome.worker})"
    except NeedsbookError as exc:
        outcome.status, outcome.reason = "failed", str(exc).splitlines()[0]
        said = f"FAILED: {exc}"
    with log.open("a") as f:
        f.write(said + "\n")
    return outcome


def _publish(archive: bytes, opts: BuildOptions) -> None:
    """Unpack a worker's book beside the others and publish it at ``opts.out`` as a local
    build does (checked again, one rename)."""
    build_root = paths.build_dir()
    build_root.mkdir(parents=True, exist_ok=True)
    outdir.sweep_staging(build_root)
    staging = Path(tempfile.mkdtemp(prefix=outdir.staging_prefix(opts.area), dir=build_root))
    try:
        html = unpack_book(archive, staging)
        _check_book(html, opts)
        target = outdir.book_target(
            _book(opts),
            force=opts.force,
            data_dir=opts.data_dir,
            local_dir=opts.local_dir,
        )
        outdir.publish(html, target, force=opts.force)
    finally:
        with interrupts.deferred():
            shutil.rmtree(staging, ignore_errors=True)


def _check_book(folder: Path, opts: BuildOptions) -> None:
    """DataError unless ``folder`` is a finished book of ``opts``'s area and year."""
    stamp = read_stamp(folder) or {}
    if (stamp.get("area_code"), stamp.get("year")) != (opts.area, opts.year):
        raise DataError(f"the worker sent back no book of {opts.area} for {opts.year}")


def _book(opts: BuildOptions) -> Path:
    """Where a batch publishes the book (``<root>/<code>/<year>``, always set by the batch)."""
    if opts.out is None:
        raise ValueError(f"no output folder for {opts.area} {opts.year}")
    return Path(opts.out)


def _write_log(opts: BuildOptions, text: str) -> Path:
    log = log_path(opts.area, opts.year)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(text)
    return log


def _failure(opts: BuildOptions, reason: str) -> AreaOutcome:
    _write_log(opts, f"FAILED: {reason}\n")
    return AreaOutcome(opts.area, "failed", 0.0, opts.area, reason=reason, year=opts.year)
