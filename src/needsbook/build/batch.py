"""Build many areas' books in parallel: validate once, one process per area, a summary at the end.

One failing area never stops the others, and (as for single builds) never leaves a half-written
book. Each area's step log goes to ``_build/logs/<area code>.log``. Books go to
``<root>/<code>/<year>/`` (:mod:`needsbook.build.outdir`); at the end each built area's page
and the root's landing page are rewritten (:func:`needsbook.site.pages.refresh_pages`).

Per-area start-up costs are paid once per worker process, not once per book: chapter notebooks
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
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from needsbook import paths
from needsbook.areas import Area, resolve_area
from needsbook.build import interrupts, outdir
from needsbook.build.pipeline import BuildOptions, build_area
from needsbook.errors import BuildError, InputError, NeedsbookError, ValidationFailedError
from needsbook.years import resolve_year

if TYPE_CHECKING:
    from needsbook.site.pages import SitePages

_WARM: dict[str, Any] = {}  # this process's warm kernel: {"km": manager, "kc": client}


def _prelude(env: dict[str, str]) -> str:
    """Code run before each notebook in the warm kernel: a clean namespace and this build's
    NEEDSBOOK_* environment (the kernel was started with an earlier build's)."""
    return (
        "get_ipython().run_line_magic('reset', '-f')\n"
        "import os as _os\n"
        f"_env = {env!r}\n"
        "for _k in [k for k in _os.environ if k.startswith('NEEDSBOOK_') and k not in _env]:\n"
        "    del _os.environ[_k]\n"
        "_os.environ.update(_env)\n"
        "del _os, _env"
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

    from needsbook.build.execute import BOOK_PARAMETERS, hide_parameter_cells
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
    nbformat.write(nb, output)
    hide_parameter_cells(output)


@dataclass
class AreaOutcome:
    query: str
    status: str  # "built" | "skipped" | "failed"
    seconds: float
    area_code: str = ""
    area_name: str = ""
    out: str = ""
    reason: str = ""


def log_path(query: str) -> Path:
    safe = "".join(c if c.isalnum() else "_" for c in query)
    return paths.build_dir() / "logs" / f"{safe}.log"


def _build_one(opts: BuildOptions) -> AreaOutcome:
    """Worker: build one area, writing its step log; never raises."""
    log = log_path(opts.area)
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("w") as f:

        def report(message: str) -> None:
            f.write(message + "\n")
            f.flush()

        try:
            result = build_area(replace(opts, quiet=False), report=report)
        except NeedsbookError as exc:
            report(f"FAILED: {exc}")
            return AreaOutcome(
                opts.area, "failed", time.perf_counter() - start, reason=str(exc).splitlines()[0]
            )
        except Exception as exc:  # an unexpected bug in one area must not stop the batch
            report(f"FAILED with an unexpected error: {exc!r}")
            return AreaOutcome(
                opts.area,
                "failed",
                time.perf_counter() - start,
                reason=f"unexpected error: {exc!r} (see {log})",
            )
    status = "skipped" if result.skipped else "built"
    return AreaOutcome(
        opts.area,
        status,
        time.perf_counter() - start,
        result.area.code,
        result.area.name,
        str(result.out),
    )


def _pool_build_one(opts: BuildOptions) -> AreaOutcome:
    """Pool worker: :func:`_build_one`; on SIGTERM/SIGINT clean up and end the process."""
    with interrupts.busy():
        try:
            return _build_one(opts)
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


def _check_targets(books: dict[str, int], template: BuildOptions, root: Path) -> None:
    """Refuse (InputError, before anything is built or moved) an area folder or year book
    (``root/<code>/<year>``) that may not be used; then move each legacy book into its year
    folder (:func:`needsbook.build.outdir.migrate_legacy`)."""
    problems = []
    force, data_dir, local_dir = template.force, template.data_dir, template.local_dir
    for code, year in books.items():
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
    for code in books:
        outdir.migrate_legacy(root / code)


def _resolve(query: str, template: BuildOptions) -> tuple[Area, int]:
    """The area a query names and the year its book is built for (InputError if none)."""
    area = resolve_area(query, template.data_dir)
    return area, resolve_year(template.year, area, template.data_dir)


def build_many(
    queries: list[str],
    template: BuildOptions,
    jobs: int = 1,
    on_done: Callable[[AreaOutcome], None] | None = None,
    out_root: Path | None = None,
    on_pages: Callable[[SitePages], None] | None = None,
) -> list[AreaOutcome]:
    """Validate once, then build each area (``jobs`` processes) into ``out_root/<code>/<year>``
    (default ``_build/html/<code>/<year>``), then rewrite the area page of every area built or
    unchanged and the landing page of ``out_root`` (passed to ``on_pages``). Unknown areas, and
    years an area has no data for, are reported as failed, not raised; an output folder that
    may not be used (:mod:`needsbook.build.outdir`) is an InputError before anything is built.
    Ctrl-C or SIGTERM stops the workers (each removes its staging folder) and raises
    KeyboardInterrupt."""
    site = outdir.site_target(
        out_root, force=template.force, data_dir=template.data_dir, local_dir=template.local_dir
    )
    if template.validate:
        from needsbook.validate import validate_snapshot

        result = validate_snapshot(template.data_dir, cache_dir=paths.build_dir() / ".cache")
        if not result.success:
            raise ValidationFailedError(result.text())
    outcomes: dict[str, AreaOutcome] = {}
    codes: dict[str, str] = {}  # query -> resolved code
    years: dict[str, int] = {}  # code -> the year its book is built for
    for q in queries:
        try:
            area, year = _resolve(q, template)
        except NeedsbookError as exc:
            outcomes[q] = AreaOutcome(q, "failed", 0.0, reason=str(exc).splitlines()[0])
            continue
        codes[q] = area.code
        years[area.code] = year
    unique = list(dict.fromkeys(codes.values()))
    _check_targets(years, template, site.path)
    if unique:
        outdir.stamp_site(site.path)
    per_area = [
        replace(
            template,
            area=c,
            year=years[c],
            validate=False,  # validated once above
            out=site.path / c / str(years[c]),
            in_process_book=True,  # Sphinx imported once per worker, not once per book
            warm_kernel=True,  # one kernel per worker, not one per notebook
        )
        for c in unique
    ]
    if jobs <= 1:
        try:
            for opts in per_area:
                outcomes[opts.area] = _build_one(opts)
                if on_done:
                    on_done(outcomes[opts.area])
        finally:
            shutdown_warm_kernel()
    else:
        pool = ProcessPoolExecutor(
            max_workers=min(jobs, len(per_area)) or 1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=interrupts.worker_init,
        )
        try:
            futures = {pool.submit(_pool_build_one, opts): opts.area for opts in per_area}
            for future in as_completed(futures):
                outcome = _outcome(future, futures[future])
                outcomes[futures[future]] = outcome
                if on_done:
                    on_done(outcome)
        except BaseException:
            _stop_workers(pool)
            raise
        pool.shutdown(wait=True)
    published = [c for c in unique if outcomes[c].status != "failed"]
    if published:
        from needsbook.site.pages import refresh_pages

        pages = refresh_pages(site.path, published, template.data_dir)
        if on_pages:
            on_pages(pages)
    return [outcomes[q] for q in queries if q in outcomes and q not in codes] + [
        outcomes[c] for c in unique
    ]


def _outcome(future: Future[AreaOutcome], code: str) -> AreaOutcome:
    """A worker's outcome, or a failure if its process died (killed, out of memory)."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        return AreaOutcome(code, "failed", 0.0, area_code=code, reason=f"worker stopped: {exc}")
