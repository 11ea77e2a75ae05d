"""The needsbook command line (a contract: tests and users depend on these commands)."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from needsbook import __version__, paths
from needsbook.cli_help import COMMANDS, EXIT_CODES, MAIN_DESCRIPTION, exit_codes_text
from needsbook.errors import InputError, NeedsbookError
from needsbook.historical import OLDER_THAN
from needsbook.messages import clip, clip_path

if TYPE_CHECKING:
    from rich.console import Console

    from needsbook.build import BuildOptions
    from needsbook.build.distributed import Cluster


def _console() -> Console:
    from rich.console import Console  # imported late: keeps `needsbook areas` fast

    return Console(stderr=True, highlight=False)


def cmd_areas(args: argparse.Namespace) -> int:
    from needsbook.areas import all_areas

    for a in all_areas(args.data_dir):
        print(f"{a.code}\t{a.dfe_la_code or '':>3}\t{a.name}\t{a.kind}\t{a.region_name}")
    return 0


def _area_list(args: argparse.Namespace) -> list[str]:
    from needsbook.areas import all_areas

    if args.all:
        return [a.code for a in all_areas(args.data_dir)]
    if args.areas is not None:
        areas = [a.strip() for a in args.areas.split(",") if a.strip()]
        if not areas:
            raise InputError(
                f"--areas '{clip(args.areas)}' names no area: give a comma-separated list, "
                "e.g. --areas Rutland,Worcestershire"
            )
        return areas
    if args.area is not None:
        return [args.area]  # an empty or unknown value is refused when resolved (exit 2)
    raise InputError(
        "say which area to build: --area NAME_OR_CODE, --areas A,B or --all "
        "(run `needsbook areas` to list them), or run it in a folder made by `needsbook init`"
    )


def _is_batch(args: argparse.Namespace) -> bool:
    """Several books (``--areas``, ``--all``, ``--years``) or a cluster (``--scheduler``):
    built as a batch into ``<root>/<code>/<year>``."""
    return bool(args.all or args.areas is not None or args.years is not None or args.scheduler)


def _check_jobs(args: argparse.Namespace) -> None:
    """``--jobs`` is for several books built here and at least 1 (``--out`` is checked by the
    build)."""
    if args.jobs is None:
        return
    if args.scheduler:
        raise InputError(
            "--jobs sets the processes of a build on this machine: with --scheduler the "
            "cluster's workers build (start as many as you want with `dask worker`)"
        )
    if not _is_batch(args):
        raise InputError(
            "--jobs applies to --areas, --all and --years: a single book builds in one process"
        )
    if args.jobs < 1:
        raise InputError(f"--jobs must be 1 or more, not {args.jobs}")


def _cluster(args: argparse.Namespace) -> Cluster | None:
    """The Dask cluster ``--scheduler`` names (``--shared-out``: workers write into --out)."""
    if args.shared_out and not args.scheduler:
        raise InputError("--shared-out applies to --scheduler (a build on a Dask cluster)")
    if args.shared_out and args.out is None:
        raise InputError(
            "--shared-out needs --out: the folder every machine of the cluster sees at the "
            "same path, where the workers write the books"
        )
    if not args.scheduler:
        return None
    from needsbook.build.distributed import Cluster

    return Cluster(args.scheduler, shared_out=args.shared_out)


def _comparators(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise InputError("--comparators is empty: give area names or codes separated by commas")
    return names


def _project_settings(args: argparse.Namespace) -> None:
    """Fill the build options the command line left out from the project's needsbook.toml
    (when run inside one): ``year`` for every build; ``area`` when no area option is given;
    ``local_dir`` and ``comparators`` only for the project's own area."""
    from needsbook import project

    config = project.current()
    if config is None:
        return
    if args.area is None and not (args.all or args.areas is not None):
        args.area = project.config_area(config, args.data_dir).code
        own = True
    else:
        own = args.area is not None and project.is_project_area(args.area, config, args.data_dir)
    if args.year is None and args.years is None and config.year is not None:
        args.year = config.year
        if args.area is not None:
            project.check_year(config, args.area, args.data_dir)
    if own and args.local_dir is None and config.local_dir is not None:
        if not config.local_dir.is_dir():
            raise InputError(
                f"{clip_path(config.file)}: build.local_dir {clip_path(config.local_dir)} "
                "is not a folder: create it (`needsbook local-template --area ... --out "
                "...`) or change the setting"
            )
        args.local_dir = config.local_dir
        if args.comparators is None and config.comparators:
            args.comparators = ",".join(config.comparators)


def _editions(args: argparse.Namespace) -> tuple[str, ...]:
    """The editions asked for (``--pdf``, ``--docx``, ``--summary-pdf``); a PDF needs Chromium,
    checked now so a build never runs only to fail at the end."""
    from needsbook.report import editions

    wanted = tuple(
        e.option for e in editions.ALL if getattr(args, e.option.lstrip("-").replace("-", "_"))
    )
    if any(o in wanted for o in ("--pdf", "--summary-pdf")):
        from needsbook.report.chromium import find_chromium

        find_chromium()
    return wanted


def cmd_build(args: argparse.Namespace) -> int:
    _check_jobs(args)
    cluster = _cluster(args)
    _project_settings(args)
    years = None
    if args.years is not None:
        from needsbook.build.jobs import parse_years

        years = parse_years(args.years)
    areas = _area_list(args)
    from needsbook.build import BuildOptions, build_area

    template = BuildOptions(
        area="",
        year=args.year,
        compare_year=args.compare_year,
        editions=_editions(args),
        data_dir=args.data_dir,
        local_dir=args.local_dir,
        quiet=args.quiet,
        force=args.force,
        comparators=_comparators(args.comparators),
    )
    if not _is_batch(args):
        console = _console()
        report = (lambda m: console.print(m, markup=False)) if not args.quiet else None
        opts = BuildOptions(**{**template.__dict__, "area": areas[0], "out": args.out})
        build_area(opts, **({"report": report} if report else {}))
        return 0
    return _build_batch(areas, template, args.jobs or 1, args.quiet, args.out, years, cluster)


def _build_batch(
    areas: list[str],
    template: BuildOptions,
    jobs: int,
    quiet: bool,
    out_root: Path | None = None,
    years: tuple[int, ...] | None = None,
    cluster: Cluster | None = None,
) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
    from rich.table import Table

    from needsbook.build.batch import build_batch
    from needsbook.site.pages import SitePages

    console = _console()
    written: list[SitePages] = []  # the area pages and landing page the batch rewrote
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    ) as progress:
        where = f"on the Dask cluster at {cluster.scheduler}" if cluster else f"{jobs} jobs"
        task = progress.add_task(f"Building books ({where})", total=len(areas) * len(years or (0,)))
        result = build_batch(
            areas,
            template,
            jobs=jobs,
            on_done=lambda _o: progress.advance(task),
            out_root=out_root,
            on_pages=written.append,
            years=years,
            cluster=cluster,
            on_planned=lambda n: progress.update(task, total=n),
        )
    table = Table(title="needsbook build summary")
    for column in ("Area", "Code", "Year", "Status", "Seconds", "Output or reason"):
        table.add_column(column)
    for o in result.outcomes:
        colour = {"built": "green", "skipped": "blue", "failed": "red"}[o.status]
        table.add_row(
            clip(o.area_name or o.query),
            o.area_code,
            str(o.year or ""),
            f"[{colour}]{o.status}[/{colour}]",
            f"{o.seconds:.1f}",
            o.out if o.status != "failed" else o.reason,
        )
    failed = result.count("failed")
    if not quiet or failed:
        console.print(table)
    counts, *figures = result.summary_lines()
    console.print(f"{counts} Logs: {paths.build_dir() / 'logs'}", markup=False)
    for line in figures if not quiet else ():
        console.print(line, markup=False)
    pages = written[0] if written else SitePages()
    for warning in pages.warnings:  # an index.html needsbook did not write is left alone
        console.print(f"needsbook: warning: {warning}", markup=False)
    if pages.landing is not None:  # it lists every book under the root, each year's
        console.print(f"Landing page: {pages.landing}", markup=False)
    return 1 if failed else 0


def cmd_validate(args: argparse.Namespace) -> int:
    if args.local_dir is not None:  # the council's local data only (exit 2 lists every problem)
        from needsbook.local.validate import check_folder

        if args.record or args.tables:
            option = "--record" if args.record else "--table"
            raise InputError(f"{option} applies to the snapshot's validation: omit --local-dir")
        area = args.area or _project_area_for(args.local_dir, args.data_dir)
        print(check_folder(args.local_dir, area, args.data_dir).report())
        return 0
    if args.area:
        raise InputError("--area applies to --local-dir (local data validation) only")
    from needsbook.validate import validate_snapshot

    tables = _snapshot_tables(args.tables, args.data_dir) if args.tables else None
    if tables and args.record:
        raise InputError("--record records a validation of every table: omit --table")
    report = validate_snapshot(args.data_dir, tables=tables, record=args.record)
    print(report.text())
    if args.record and report.success:
        from needsbook.validate.record import RECORD_NAME

        print(f"validation record written: {paths.snapshot_dir(args.data_dir) / RECORD_NAME}")
    return 0 if report.success else 3


def _snapshot_tables(names: list[str], data_dir: Path | None) -> list[str]:
    """The ``--table`` names, each a table of the snapshot's MANIFEST (InputError if not)."""
    from needsbook.snapshot.manifest import read_manifest

    known = [e.table for e in read_manifest(paths.snapshot_dir(data_dir))]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(
            f"--table {clip(unknown[0], 60)}: no such table in the snapshot; its tables are "
            + ", ".join(known)
        )
    return list(dict.fromkeys(names))


def _project_area_for(local_dir: Path, data_dir: Path | None) -> str | None:
    """Inside a project, its area for a ``--local-dir`` not named by an area code."""
    from needsbook import project
    from needsbook.local.folder import AREA_CODE

    config = project.current()
    if config is None or AREA_CODE.fullmatch(local_dir.resolve().name):
        return None
    return project.config_area(config, data_dir, what="which area the data are for").code


def cmd_snapshot(args: argparse.Namespace) -> int:
    from needsbook.snapshot import build_snapshot

    if args.from_cache:
        from needsbook.fetch.command import snapshot_from_cache

        return snapshot_from_cache(args)
    raw = Path(args.raw_dir) if args.raw_dir else paths.default_raw_dir()
    out = paths.snapshot_dir(args.data_dir)
    entries = build_snapshot(raw, out, log=lambda m: print(m, file=sys.stderr))
    print(
        f"snapshot written to {out}: {len(entries)} tables, "
        f"{sum(e.rows for e in entries):,} rows (see {out / 'MANIFEST'})"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from needsbook.export import export_area

    path = export_area(args.area, args.out, args.data_dir, args.year)
    print(f"wrote {path}")
    return 0


#: ``fetch`` options that ``--list`` would silently ignore.
LIST_IGNORES = ("sources", "indicators", "data_set", "cache_dir", "refresh")


def cmd_fetch(args: argparse.Namespace) -> int:
    from needsbook.fetch.command import fetch_command

    given = [f"--{k.replace('_', '-')}" for k in LIST_IGNORES if getattr(args, k)]
    if args.list and given:
        raise InputError(f"--list lists everything and downloads nothing: omit {given[0]}")
    return fetch_command(args)


def cmd_local_template(args: argparse.Namespace) -> int:
    from needsbook.local.write import write_templates

    written = write_templates(args.area, args.out, force=args.force)
    print(f"wrote {len(written)} files to {written[0].parent}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from needsbook.project import init_project

    written = init_project(args.folder, args.area, args.data_dir, force=args.force)
    where = clip_path(args.folder)
    print(f"created the project {where} ({len(written)} files); next: see {where}/README.md")
    return 0


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``needsbook: error: ...`` and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            InputError.exit_code,
            f"needsbook: error: {clip(message, 300)} (see `{self.prog} --help`)\n",
        )


def parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="needsbook",
        description=MAIN_DESCRIPTION,  # wrapped already: the formatter keeps its lines
        epilog=exit_codes_text(sorted(EXIT_CODES)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"needsbook {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, **COMMANDS[name].parser_kwargs())  # type: ignore[arg-type]

    def data_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="folder holding snapshot/ (default: the data needsbook comes with, read-only "
            "when installed from a wheel)",
        )

    sp = command("areas")
    data_opt(sp)
    sp.set_defaults(func=cmd_areas)

    sp = command("build")
    which = sp.add_mutually_exclusive_group()
    which.add_argument(
        "--area",
        help="name, ONS code or DfE number, e.g. Worcestershire, E10000034 (default in a "
        "project: its needsbook.toml's area)",
    )
    which.add_argument("--areas", help="comma-separated list of areas")
    which.add_argument("--all", action="store_true", help="build every area")
    when = sp.add_mutually_exclusive_group()
    when.add_argument("--year", type=int, default=None, help="data year (default: the latest)")
    when.add_argument(
        "--years",
        metavar="YEARS",
        default=None,
        help="build each area for each of these data years, into <root>/<area code>/<year>: "
        "years and ranges separated by commas, e.g. 2023,2024 or 2021-2024",
    )
    sp.add_argument(
        "--comparators",
        metavar="AREAS",
        help="your own comparator group, shown beside England, the region and the statistical "
        "neighbours: area names or codes separated by commas, e.g. Shropshire,E10000031",
    )
    sp.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for the HTML book (default: _build/html/<area code>/<year>); with "
        "--areas/--all/--years/--scheduler, the root that holds <area code>/<year>/ per book, "
        "the area pages and the landing page",
    )
    sp.add_argument(
        "--compare-year",
        type=int,
        default=None,
        metavar="YEAR",
        help="the earlier data year the chapter 'What changed since the last assessment' "
        "compares with (default: the year before the book's, when the data offer it)",
    )
    editions = sp.add_argument_group(
        "editions", "besides the HTML book, written into its downloads/ folder (PDFs need Chromium)"
    )
    editions.add_argument(
        "--pdf",
        action="store_true",
        help="the whole book as one PDF: cover, contents with page numbers, every chapter",
    )
    editions.add_argument(
        "--docx",
        action="store_true",
        help="the whole book as an editable Word file (headings, tables, charts with alt text)",
    )
    editions.add_argument(
        "--summary-pdf",
        action="store_true",
        help="'At a glance': at most four A4 pages of headline findings, the spine chart and "
        "every recommendation with its action plan",
    )
    data_opt(sp)
    sp.add_argument(
        "--local-dir",
        type=Path,
        default=None,
        help="folder with the council's own service data (CSV templates; default: in a "
        "project made by `needsbook init`, its local_dir; else data/local/<area code> when it "
        "exists). The worked example: "
        "--local-dir data/examples/E10000034 (Worcestershire, 2013-2015). Data ending "
        f"{OLDER_THAN} before the book's data year is shown as historical context only",
    )
    sp.add_argument("--quiet", action="store_true", help="print nothing but errors")
    sp.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="parallel builds with --all/--areas/--years (default: 1)",
    )
    cluster = sp.add_argument_group(
        "Dask cluster", "build the books on the workers of a Dask cluster (needsbook[dask])"
    )
    cluster.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="the Dask scheduler's address, e.g. tcp://host:8786: a worker builds each book "
        "(area and year) and sends it back, to be published here as a local build is",
    )
    cluster.add_argument(
        "--shared-out",
        action="store_true",
        help="with --scheduler: the workers write the books straight into --out, a folder "
        "every machine sees at the same path (default: the books are sent back here)",
    )
    sp.add_argument(
        "--force",
        action="store_true",
        help="rebuild even if unchanged; and publish into an --out folder needsbook did not "
        "write (its contents are moved to a backup beside it, never deleted)",
    )
    sp.set_defaults(func=cmd_build)

    sp = command("validate")
    data_opt(sp)
    sp.add_argument(
        "--record",
        action="store_true",
        help="if every table passes, write data/snapshot/VALIDATED so builds skip re-validation",
    )
    sp.add_argument(
        "--table",
        dest="tables",
        action="append",
        default=None,
        metavar="NAME",
        help="validate only this snapshot table (repeat for more), e.g. after replacing it",
    )
    sp.add_argument(
        "--local-dir",
        type=Path,
        default=None,
        help="validate only this folder of local service data CSVs (not the snapshot)",
    )
    sp.add_argument(
        "--area",
        default=None,
        help="with --local-dir: the area the data are for (default: the folder's name when it "
        "is an area code, e.g. data/local/E06000017 or data/examples/E10000034; else, in a "
        "project, its area)",
    )
    sp.set_defaults(func=cmd_validate)

    sp = command("snapshot")
    data_opt(sp)
    sp.add_argument("--raw-dir", default=None, help="raw data (default: ../shared/data-raw)")
    sp.add_argument(
        "--from-cache",
        action="store_true",
        help="rebuild from `needsbook fetch` downloads instead of data-raw",
    )
    sp.set_defaults(func=cmd_snapshot)

    sp = command("local-template")
    sp.add_argument("--area", required=True, help="name, ONS code or DfE number")
    sp.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder (default: data/local/<area code>, which builds for the area then use)",
    )
    sp.add_argument("--force", action="store_true", help="overwrite existing template files")
    sp.set_defaults(func=cmd_local_template)
    sp = command("fetch")
    sp.add_argument(
        "--sources", nargs="*", metavar="SOURCE", help="fingertips, ees, ons (default: all)"
    )
    sp.add_argument(
        "--indicators",
        nargs="*",
        metavar="ITEM",
        help="only these, e.g. 93085 ft:90284 ees:cla ons:mye (see --list)",
    )
    sp.add_argument(
        "--data-set",
        action="append",
        metavar="KEY=ID",
        help="use this EES data set id for an item, e.g. ees:cla=<id> (repeatable)",
    )
    sp.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="download cache (default: $NEEDSBOOK_FETCH_CACHE or <data dir>/fetch-cache)",
    )
    sp.add_argument(
        "--max-age",
        type=float,
        default=24.0,
        metavar="HOURS",
        help="re-download cached files older than this (default: 24)",
    )
    sp.add_argument("--refresh", action="store_true", help="download again even if cached")
    sp.add_argument("--list", action="store_true", help="list what can be fetched, then exit")
    sp.add_argument("--raw-dir", default=None, help="raw data for area lookups (optional)")
    data_opt(sp)
    sp.set_defaults(func=cmd_fetch)
    sp = command("export")
    sp.add_argument("--area", required=True, help="name, ONS code or DfE number")
    sp.add_argument("--out", type=Path, required=True, help="the .zip file to write")
    sp.add_argument(
        "--year",
        type=int,
        default=None,
        help="book year of the Fingertips-layout indicators file (default: the latest)",
    )
    data_opt(sp)
    sp.set_defaults(func=cmd_export)

    sp = command("init")
    sp.add_argument("folder", type=Path, metavar="DIR", help="the project folder to create")
    sp.add_argument(
        "--area",
        default=None,
        help="the area (name, ONS code or DfE number); without it, set it in needsbook.toml "
        "later (the templates then pre-fill no districts)",
    )
    sp.add_argument(
        "--force",
        action="store_true",
        help="add the project's files to a folder that holds others (never overwrites a file)",
    )
    data_opt(sp)
    sp.set_defaults(func=cmd_init)
    return p


READS_SNAPSHOT = ("areas", "build", "validate", "export", "init")
DEBUG_ENV = "NEEDSBOOK_DEBUG"


def _check_data_dir(args: argparse.Namespace) -> None:
    data_dir = getattr(args, "data_dir", None)
    if data_dir is None or args.command not in READS_SNAPSHOT:
        return
    if not Path(data_dir).is_dir():
        what = "is not a folder" if Path(data_dir).exists() else "does not exist"
        raise InputError(f"--data-dir {clip_path(data_dir)} {what}")
    if not (Path(data_dir) / "snapshot").is_dir():
        raise InputError(
            f"--data-dir {clip_path(data_dir)} holds no snapshot/ folder: pass the folder that "
            "holds snapshot/ (the project's data/), or run `needsbook snapshot --data-dir ...`"
        )


def _writes_data(args: argparse.Namespace) -> bool:
    if args.command == "fetch":
        return not args.list
    return args.command == "snapshot" or (args.command == "validate" and args.record)


def _check_installed_data(args: argparse.Namespace) -> None:
    """An installed needsbook's embedded data is read-only: commands that write a data
    folder need ``--data-dir`` (or ``NEEDSBOOK_DATA_DIR``) there."""
    if not _writes_data(args) or getattr(args, "data_dir", None) is not None:
        return
    if os.environ.get("NEEDSBOOK_DATA_DIR") or not paths.is_installed_copy():
        return
    raise InputError(
        f"`needsbook {args.command}` writes a data folder, and the data installed with "
        "needsbook is read-only: pass --data-dir FOLDER (a folder of your own)"
    )


def _os_error(exc: OSError) -> str:
    where = f": {clip_path(exc.filename)}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def _run(args: argparse.Namespace) -> int:
    """Run the command; every failure becomes one ``needsbook: error: ...`` line (or a short
    block) and the exit code the README documents."""
    from needsbook.build import interrupts

    debug = bool(os.environ.get(DEBUG_ENV))
    try:
        with interrupts.handled():
            _check_data_dir(args)
            _check_installed_data(args)
            return int(args.func(args))
    except KeyboardInterrupt:
        signal_name = interrupts.last_requested() or "SIGINT"
        print(
            f"needsbook: interrupted ({signal_name}): stopped; a book being built was not "
            "published and any earlier book is unchanged",
            file=sys.stderr,
        )
        return interrupts.EXIT_CODE
    except BrokenPipeError:  # e.g. `needsbook areas | head`
        sys.stderr.close()
        return 0
    except Exception as exc:
        if debug:
            traceback.print_exc()
        if isinstance(exc, NeedsbookError):
            message, code = str(exc), exc.exit_code
        elif isinstance(exc, OSError):  # disk full, permissions, a vanished file
            message, code = _os_error(exc), 1
        else:
            message = f"unexpected {type(exc).__name__}: {clip(exc, 300)}" + (
                "" if debug else f"\n  (rerun with {DEBUG_ENV}=1 for the traceback)"
            )
            code = 1
        print(f"needsbook: error: {message}", file=sys.stderr)
        return code


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())
