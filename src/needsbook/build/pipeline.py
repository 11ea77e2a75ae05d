"""Build one area's book: a straight line of named steps, published only if all succeed."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from needsbook import paths
from needsbook.areas import Area, resolve_area
from needsbook.build import downloads, interrupts, outdir, scrub
from needsbook.build.book import check_html, run_jupyter_book, stage_book, warm_up
from needsbook.build.chapters import CHAPTERS
from needsbook.build.execute import execute_notebook
from needsbook.build.fingerprint import fingerprint, is_unchanged, write_stamp
from needsbook.errors import InputError, ValidationFailedError
from needsbook.local import load_local
from needsbook.local.folder import local_folder
from needsbook.report import editions
from needsbook.years import resolve_year


def comparator_codes(names: tuple[str, ...], area: Area, data_dir: Path) -> tuple[str, ...]:
    """The analyst's comparator group as area codes (each name, code or DfE number resolved;
    InputError for an unknown one or for fewer than two other areas)."""
    if not names:
        return ()
    codes = tuple(dict.fromkeys(resolve_area(n, data_dir).code for n in names))
    if len([c for c in codes if c != area.code]) < 2:
        raise InputError("--comparators needs at least two areas other than the one being built")
    return codes


def compared_year(compare_year: int | None, year: int, area: Area, data_dir: Path) -> int | None:
    """The earlier data year the changes chapter compares with: ``compare_year`` if given
    (InputError unless offered for the area and earlier than ``year``), else the latest
    offered year before ``year`` (None if there is none)."""
    from needsbook.outcomes.changes import comparison_year
    from needsbook.years import available_years

    return comparison_year(year, available_years(area, data_dir), compare_year or 0)


@dataclass
class BuildOptions:
    area: str
    year: int | None = None
    out: Path | None = None
    data_dir: Path | None = None
    local_dir: Path | None = None
    comparators: tuple[str, ...] = ()  # an analyst's comparator group (area codes or names)
    compare_year: int | None = (
        None  # the changes chapter compares with it (None: the latest year before)
    )
    editions: tuple[str, ...] = ()  # options of needsbook.report.editions.ALL, e.g. "--pdf"
    quiet: bool = False
    validate: bool = True
    force: bool = False
    # Run jupyter-book in this process, and every chapter notebook in one kernel kept for the
    # process (its namespace reset before each notebook): chapters share loaded data and
    # start-up costs. False for each gives the slower, fully isolated build.
    in_process_book: bool = True
    warm_kernel: bool = True


@dataclass(frozen=True)
class ResolvedBook:
    """What a book is built from, as the options resolve: the area, data year, comparator
    codes, the year the changes chapter compares with, the editions and the local folder."""

    area: Area
    year: int
    comparators: tuple[str, ...]
    compare_year: int | None
    editions: tuple[editions.EditionKind, ...]
    local: Path | None

    def key(self, data_dir: Path) -> str:
        """The book's fingerprint (:mod:`needsbook.build.fingerprint`)."""
        options = (f"compare={self.compare_year}", *(e.option for e in self.editions))
        return fingerprint(
            self.area.code, self.year, data_dir, self.local, self.comparators, options
        )


def resolve_book(opts: BuildOptions, data_dir: Path) -> ResolvedBook:
    """Resolve ``opts`` against the snapshot in ``data_dir``; NeedsbookError for an option the
    build refuses (unknown area or comparators, a year or comparison year not offered)."""
    area = resolve_area(opts.area, data_dir)
    year = resolve_year(opts.year, area, data_dir)
    return ResolvedBook(
        area=area,
        year=year,
        comparators=comparator_codes(opts.comparators, area, data_dir),
        compare_year=compared_year(opts.compare_year, year, area, data_dir),
        editions=editions.chosen(opts.editions),
        local=local_folder(area.code, opts.local_dir, data_dir),
    )


def book_key(opts: BuildOptions) -> str:
    """The fingerprint :func:`build_area` gives the book ``opts`` describes."""
    data_dir = Path(opts.data_dir) if opts.data_dir else paths.default_data_dir()
    return resolve_book(opts, data_dir).key(data_dir)


@dataclass
class BuildResult:
    area: Area
    year: int
    out: Path
    timings: dict[str, float] = field(default_factory=dict)
    skipped: bool = False


Reporter = Callable[[str], None]


def default_root() -> Path:
    """Where books go without ``--out``: ``_build/html``, one area folder per area code."""
    return paths.build_dir() / "html"


def default_out(area: Area, year: int) -> Path:
    """A single build's book without ``--out``: ``_build/html/<code>/<year>``."""
    return default_root() / area.code / str(year)


def _refresh_pages(area: Area, data_dir: Path | None, report: Reporter) -> Path | None:
    """After a build into the default layout: rewrite the area's page and the landing page of
    ``_build/html``; returns the landing page (None if it could not be written)."""
    from needsbook.site.pages import refresh_pages

    pages = refresh_pages(default_root(), [area.code], data_dir)
    for warning in pages.warnings:
        report(f"warning: {warning}")
    return pages.landing


def _in_background(work: Callable[..., object], *args: object) -> threading.Thread:
    """Start ``work(*args)`` in a daemon thread; an exception in it is dropped (the work is
    only ahead of its time: the step that needs it does it again and reports any failure)."""

    def run() -> None:
        try:
            work(*args)
        except Exception:
            return

    thread = threading.Thread(target=run, name="needsbook-warm-up", daemon=True)
    thread.start()
    return thread


@contextmanager
def _step(name: str, timings: dict[str, float], report: Reporter) -> Iterator[None]:
    """Time and report one step; an interrupt that the step swallowed (a notebook client or
    Sphinx turning it into a failure, or ignoring it) stops the build here."""
    report(f"[{len(timings) + 1}] {name} ...")
    start = time.perf_counter()
    try:
        yield
    except BaseException as exc:
        if interrupts.requested() and not isinstance(exc, KeyboardInterrupt):
            raise interrupts.Interrupted(interrupts.requested()) from exc
        raise
    interrupts.check()
    timings[name] = time.perf_counter() - start
    report(f"    {name} done in {timings[name]:.1f} s")


def build_area(opts: BuildOptions, report: Reporter = print) -> BuildResult:
    """Validate, execute each chapter, build the book and move it to ``out`` on success.

    ``out`` is checked first (:func:`needsbook.build.outdir.book_target`: InputError if it
    may not receive a book); the build runs in ``_build/.staging-<code>-<pid>-*`` and the
    published files hold no path of this machine (:mod:`needsbook.build.scrub`).
    """
    if opts.quiet:
        report = _silent
    root = paths.repo_root()
    data_dir = Path(opts.data_dir) if opts.data_dir else paths.default_data_dir()
    snapshot = paths.snapshot_dir(data_dir)
    timings: dict[str, float] = {}

    with _step("resolve area and year", timings, report):
        book = resolve_book(opts, data_dir)
        area, year, local, wanted = book.area, book.year, book.local, book.editions
        # an explicit --out is the book folder; else the area/year layout (outdir docstring)
        check = outdir.book_target if opts.out else outdir.area_book_target
        target = check(
            opts.out or default_out(area, year),
            force=opts.force,
            data_dir=data_dir,
            local_dir=opts.local_dir,
        )
        out = target.path
        report(f"    {area.name} ({area.code}), data year {year} -> {out}")
        key = book.key(data_dir)
    if not opts.force and is_unchanged(out, key):
        report(
            f"Unchanged since the last build (same data, templates and code): {out} "
            "(use --force to rebuild)"
        )
        if opts.out is None:
            _refresh_pages(area, opts.data_dir, report)
        return BuildResult(area=area, year=year, out=out, timings=timings, skipped=True)
    if local is not None:
        with _step("validate local data", timings, report):
            # InputError listing every problem (file, column, rows) if invalid
            checked = load_local(local, area, data_dir=data_dir)
            report("    " + checked.report().replace("\n", "\n    "))
    if opts.validate:
        with _step("validate data", timings, report):
            from needsbook.validate import validate_snapshot

            result = validate_snapshot(data_dir, cache_dir=paths.build_dir() / ".cache")
            report(f"    {result.text()}")
            if not result.success:
                raise ValidationFailedError(result.text())
    build_root = paths.build_dir()
    build_root.mkdir(parents=True, exist_ok=True)
    outdir.sweep_staging(build_root)  # left by builds that were killed
    staging = Path(tempfile.mkdtemp(prefix=outdir.staging_prefix(area.code), dir=build_root))
    backup = None
    try:
        machine = scrub.machine_paths(root, data_dir, local, staging)
        params = {
            "area_code": area.code,
            "year": year,
            "data_dir": str(data_dir) if opts.data_dir else "",  # "": the notebook's default
            "local_dir": str(local or ""),
            "comparators": ",".join(book.comparators),
            "compare_year": book.compare_year or 0,  # 0: none earlier (the chapter says so)
        }
        run = execute_notebook
        if opts.warm_kernel:
            from needsbook.build.batch import warm_execute as run
        ahead = _in_background(warm_up, build_root / ".cache", opts.in_process_book)
        with downloads.collecting(staging / downloads.DIRNAME) as csv_dir:
            for chapter in CHAPTERS:
                with _step(f"execute {chapter.slug}", timings, report):
                    run(
                        root / chapter.notebook,
                        staging / chapter.notebook,
                        {**params, "downloads_dir": str(csv_dir)},
                        keep_failed=build_root / "logs" / area.code,
                    )
        ahead.join()
        notebooks = [staging / c.notebook for c in CHAPTERS]
        # once, at the source of the pages, the CSVs and the zip
        scrub.scrub_files([*notebooks, *sorted(csv_dir.glob("*.csv"))], machine)
        with _step("assemble book", timings, report):
            stage_book(root, staging, area, year, snapshot, build_root / ".cache", editions=wanted)
        with _step("jupyter-book build", timings, report):
            html = run_jupyter_book(staging, in_process=opts.in_process_book)
        with _step("downloads", timings, report):
            downloads.publish(csv_dir, html, notebooks, area.code, area.name, year)
            scrub.scrub_tree(html, machine)  # pages Sphinx made from the staging folder
        if wanted:
            with _step("print and Word editions", timings, report):
                editions.write_editions(html, area, year, wanted, report)
        with _step("check pages", timings, report):
            check_html(html, area)
        with _step("publish", timings, report):
            write_stamp(html, key, area.code, year)
            backup = outdir.publish(html, target, force=opts.force)
    finally:
        with interrupts.deferred():
            shutil.rmtree(staging, ignore_errors=True)
    if backup is not None:
        report(f"The previous contents of {out} were moved to {backup}")
    landing = _refresh_pages(area, opts.data_dir, report) if opts.out is None else None
    where = f"; landing page: {landing}" if landing else ""
    report(f"Built {area.name} ({year}): {out / 'index.html'}{where}")
    return BuildResult(area=area, year=year, out=out, timings=timings)


def _silent(_: str) -> None:
    return None
