"""Build many books in parallel: validate once, one worker process per book, a summary at the end.

A batch builds each area for each year asked (:mod:`needsbook.build.jobs`) into
``<root>/<code>/<year>/`` (:mod:`needsbook.build.outdir`), in worker processes here or on a
Dask cluster (:mod:`needsbook.build.distributed`). One failing book never stops the others,
and (as for single builds) never leaves a half-written book. Each book's step log goes to
``_build/logs/<area code>-<year>.log``. At the end each built area's page and the root's
landing page are rewritten once (:func:`needsbook.site.pages.refresh_pages`), and the batch
reports its throughput and each worker's peak memory (:mod:`needsbook.build.batch_report`).

Per-book start-up costs are paid once per worker process, not once per book: chapter notebooks
run in one Python kernel kept warm for the worker (:func:`warm_execute`: the namespace is reset
before each notebook, so only imported modules and their caches of snapshot tables carry over),
and ``jupyter-book`` runs inside the worker, so Sphinx and the theme are imported once.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from needsbook import paths
from needsbook.build import heap, interrupts, outdir
from needsbook.build.batch_report import AreaOutcome, BatchResult, peak_memory_mb, worker_label
from needsbook.build.jobs import BookJob, log_path, plan
from needsbook.build.pipeline import BuildOptions, build_area
from needsbook.errors import BuildError, InputError, NeedsbookError, ValidationFailedError

if TYPE_CHECKING:
    from needsbook.build.distributed import Cluster
    from needsbook.site.pages import SitePages

__all__ = ["AreaOutcome", "BatchResult", "build_batch", "build_many", "log_path"]

_WARM: dict[str, Any] = {}  # this process's warm kernel: {"km": manager, "kc": client}


def _prelude(env: dict[str, str]) -> str:
    """Code run before each notebook in the warm kernel: a clean namespace, this build's
    NEEDSBOOK_* environment (the kernel was started with an earlier build's), and the
    kernel's own :func:`needsbook.build.heap.settle` (collect the last notebook's garbage,
    freeze what survives)."""
    return (
        "get_ipython().reset(new_session=False)\n"  # %reset -f, less its two full collections
        "import os as _os\n"
        f"_env = {env!r}\n"
        "[_os.environ.pop(k) for k in list(_os.environ) if k.startswith('NEEDSBOOK_') "
        "and k not in _env]\n"
        "_os.environ.update(_env)\n"
        "del _os, _env\n"
        "__import__('needsbook.build.heap', fromlist=['settle']).settle()"
    )


def shutdown_warm_kernel() -> None:
    km, kc = _WARM.pop("km", None), _WARM.pop("kc", None)
    try:
        if kc is not None:
            kc.stop_channels()
        if km is not None and km.has_kernel:
            from jupyter_core.utils import run_sync

            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # the kernel also exits by itself when its parent process does
        pass


atexit.register(shutdown_warm_kernel)


def warm_execute(
    template: Path, output: Path, parameters: dict[str, Any], keep_failed: Path | None = None
) -> None:
    """Execute a chapter template like :func:`needsbook.build.execute.execute_notebook`
    (papermill's parameter injection, the same error message), in this process's warm kernel."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from needsbook.build.execute import BOOK_PARAMETERS, hide_parameters
    from needsbook.build.kernel import BuildKernelManager

    nb = parameterize_notebook(
        load_notebook_node(str(template)),
        {**parameters, **BOOK_PARAMETERS},
        kernel_name="python3",
        language="python",
    )
    env = {k: v for k, v in os.environ.items() if k.startswith("NEEDSBOOK_")}
    nb.cells.insert(0, nbformat.v4.new_code_cell(_prelude(env)))
    km = _WARM.get("km") or BuildKernelManager(kernel_name="python3")
    client = NotebookClient(
        nb,
        km=km,
        kernel_name="python3",
        timeout=None,
        resources={"metadata": {"path": str(template.parent)}},
    )
    client.kc = _WARM.get("kc")  # reuse the client too (not a constructor argument)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with interrupts.keep_handlers():
            client.execute(cwd=str(template.parent))
    except BaseException as exc:
        _WARM.update(km=client.km, kc=client.kc)
        shutdown_warm_kernel()  # the next notebook gets a fresh kernel (none left if stopped)
        if not isinstance(exc, Exception):  # interrupted
            raise
        interrupts.check()  # a kernel stopped by Ctrl-C is an interrupt, not a failure
        del nb.cells[0]
        nbformat.write(nb, output)
        failed = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if any(o.get("output_type") == "error" for o in c.get("outputs", []))
            ),
            None,
        )
        kept = output
        if keep_failed is not None:
            keep_failed.mkdir(parents=True, exist_ok=True)
            kept = keep_failed / output.name
            shutil.copy2(output, kept)
        if isinstance(exc, CellExecutionError) and failed is not None:
            cell = nb.cells[failed]
            first_line = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            raise BuildError(
                f"notebook {template.name} failed in cell {failed} "
                f"(execution count {cell.get('execution_count')}, starting "
                f"`{first_line.strip()}`): {exc.ename}: {exc.evalue}\n"
                f"  executed copy with the traceback: {kept}"
            ) from exc
        raise BuildError(f"notebook {template.name} failed: {exc!r}") from exc
    _WARM.update(km=client.km, kc=client.kc)
    del nb.cells[0]
    count = 0
    for cell in nb.cells:  # number the cells as a fresh kernel would
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    hide_parameters(nb)
    nbformat.write(nb, output)


def build_one(opts: BuildOptions, log: Path | None = None) -> AreaOutcome:
    """Worker: build one book (``opts.area`` for ``opts.year``), writing its step log to
    ``log`` (default: :func:`~needsbook.build.jobs.log_path`); never raises. The outcome names
    this worker and its peak memory."""
    log = log or log_path(opts.area, opts.year)
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    heap.settle()  # the last book's garbage; the rest frozen, skipped by this book's collections
    with log.open("w") as f:

        def report(message: str) -> None:
            f.write(message + "\n")
            f.flush()

        try:
            result = build_area(replace(opts, quiet=False), report=report)
            outcome = AreaOutcome(
                opts.area,
                "skipped" if result.skipped else "built",
                0.0,
                result.area.code,
                result.area.name,
                str(result.out),
                year=result.year,
            )
        except NeedsbookError as exc:
            report(f"FAILED: {exc}")
            outcome = _failed(opts, str(exc).splitlines()[0])
        except Exception as exc:  # an unexpected bug in one area must not stop the batch
            report(f"FAILED with an unexpected error: {exc!r}")
            outcome = _failed(opts, f"unexpected error: {exc!r} (see {log})")
    outcome.seconds = time.perf_counter() - start
    outcome.worker, outcome.peak_mb = worker_label(), peak_memory_mb()
    return outcome


def _failed(opts: BuildOptions, reason: str) -> AreaOutcome:
    """The outcome of a book that could not be built (``opts.area`` is its area code)."""
    return AreaOutcome(opts.area, "failed", 0.0, area_code=opts.area, reason=reason, year=opts.year)


def _pool_build_one(opts: BuildOptions) -> AreaOutcome:
    """Pool worker: :func:`build_one`; on SIGTERM/SIGINT clean up and end the process."""
    with interrupts.busy():
        try:
            return build_one(opts)
        except KeyboardInterrupt:
            shutdown_warm_kernel()
            os._exit(interrupts.EXIT_CODE)


def _stop_workers(pool: ProcessPoolExecutor, grace: float = 30.0) -> None:
    """Ask every worker to stop (SIGTERM: each removes its staging folder), then kill any
    still running after ``grace`` seconds."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public API
    pool.shutdown(wait=False, cancel_futures=True)
    for w in workers:
        if w.is_alive():
            w.terminate()
    deadline = time.monotonic() + grace
    for w in workers:
        w.join(max(0.0, deadline - time.monotonic()))
        if w.is_alive():
            w.kill()
            w.join(5)


def _check_targets(
    books: Mapping[str, int] | Iterable[tuple[str, int]], template: BuildOptions, root: Path
) -> None:
    """Refuse (InputError, before anything is built or moved) an area folder or year book
    (``root/<code>/<year>``) that may not be used, for each (code, year) of ``books`` (a
    mapping or pairs); then move each legacy book into its year folder
    (:func:`needsbook.build.outdir.migrate_legacy`)."""
    pairs = list(books.items() if isinstance(books, Mapping) else books)
    problems = []
    force, data_dir, local_dir = template.force, template.data_dir, template.local_dir
    for code, year in pairs:
        try:
            outdir.check_area(
                root / code, year, force=force, data_dir=data_dir, local_dir=local_dir
            )
            outdir.book_target(
                root / code / str(year), force=force, data_dir=data_dir, local_dir=local_dir
            )
        except InputError as exc:
            problems.append(f"{code}: {exc}")
    if problems:
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        raise InputError("; ".join(problems[:3]) + more)
    for code in dict.fromkeys(code for code, _ in pairs):
        outdir.migrate_legacy(root / code)


Done = dict[tuple[str, int], AreaOutcome]  # each book's outcome by (area code, year)


def _run_local(
    books: list[BuildOptions], jobs: int, on_done: Callable[[AreaOutcome], None] | None
) -> Done:
    """Build each book in this process (``jobs`` 1) or in ``jobs`` worker processes."""
    done: Done = {}

    def finished(opts: BuildOptions, outcome: AreaOutcome) -> None:
        done[(opts.area, int(opts.year or 0))] = outcome
        if on_done:
            on_done(outcome)

    if jobs <= 1:
        try:
            for opts in books:
                finished(opts, build_one(opts))
        finally:
            shutdown_warm_kernel()
        return done
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(books)) or 1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=interrupts.worker_init,
    )
    try:
        futures = {pool.submit(_pool_build_one, opts): opts for opts in books}
        for future in as_completed(futures):
            finished(futures[future], _outcome(future, futures[future]))
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)
    return done


def _outcome(future: Future[AreaOutcome], opts: BuildOptions) -> AreaOutcome:
    """A worker's outcome, or a failure if its process died (killed, out of memory)."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        return _failed(opts, f"worker stopped: {exc}")


def build_batch(
    queries: list[str],
    template: BuildOptions,
    jobs: int = 1,
    on_done: Callable[[AreaOutcome], None] | None = None,
    out_root: Path | None = None,
    on_pages: Callable[[SitePages], None] | None = None,
    years: tuple[int, ...] | None = None,
    cluster: Cluster | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> BatchResult:
    """Validate once, then build each area for each of ``years`` (default: ``template.year``,
    else the latest) into ``out_root/<code>/<year>`` (default ``_build/html/<code>/<year>``),
    in ``jobs`` processes here or, with ``cluster``, on a Dask cluster
    (:mod:`needsbook.build.distributed`); then rewrite, once, the area page of every area with
    a book built or unchanged and the landing page of ``out_root`` (passed to ``on_pages``).

    Unknown areas, and years an area has no data for, are reported as failed, not raised; an
    output folder that may not be used (:mod:`needsbook.build.outdir`) is an InputError
    before anything is built. ``on_planned`` is told how many books will be built,
    ``on_done`` each book's outcome as it ends. Ctrl-C or SIGTERM stops the workers (each
    removes its staging folder) and raises KeyboardInterrupt."""
    start = time.perf_counter()
    site = outdir.site_target(
        out_root, force=template.force, data_dir=template.data_dir, local_dir=template.local_dir
    )
    if template.validate:
        from needsbook.validate import validate_snapshot

        result = validate_snapshot(template.data_dir, cache_dir=paths.build_dir() / ".cache")
        if not result.success:
            raise ValidationFailedError(result.text())
    found = plan(queries, years, template.year, template.data_dir)
    _check_targets([(j.area_code, j.year) for j in found.jobs], template, site.path)
    if found.jobs:
        outdir.stamp_site(site.path)
    books = [
        replace(
            template,
            area=job.area_code,
            year=job.year,
            validate=False,  # validated once above
            out=site.path / job.area_code / str(job.year),
            in_process_book=True,  # Sphinx imported once per worker, not once per book
            warm_kernel=True,  # one kernel per worker, not one per notebook
        )
        for job in found.jobs
    ]
    if on_planned:
        on_planned(len(books))
    if cluster is None:
        done = _run_local(books, jobs, on_done)
    else:
        from needsbook.build.distributed import run_on_cluster

        done = run_on_cluster(books, cluster, on_done)
    outcomes = list(found.unknown)
    for book in found.books:
        if isinstance(book, BookJob):
            outcome = done[(book.area_code, book.year)]
            outcome.area_code, outcome.year = book.area_code, book.year
            outcome.area_name = outcome.area_name or book.area_name
            book = outcome
        outcomes.append(book)
    published = [o.area_code for o in outcomes if o.status != "failed" and o.area_code]
    if published:
        from needsbook.site.pages import refresh_pages

        pages = refresh_pages(site.path, published, template.data_dir)
        if on_pages:
            on_pages(pages)
    return BatchResult(outcomes, time.perf_counter() - start)


def build_many(
    queries: list[str],
    template: BuildOptions,
    jobs: int = 1,
    on_done: Callable[[AreaOutcome], None] | None = None,
    out_root: Path | None = None,
    on_pages: Callable[[SitePages], None] | None = None,
    years: tuple[int, ...] | None = None,
) -> list[AreaOutcome]:
    """:func:`build_batch` on this machine, returning only the outcomes."""
    return build_batch(queries, template, jobs, on_done, out_root, on_pages, years).outcomes
