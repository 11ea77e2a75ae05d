"""What ``needsbook COMMAND --help`` says: each command's description, examples and exit codes.

The exit codes come from one table, :data:`EXIT_CODES`, built from the error classes that set
them; each command lists the codes it can return.
"""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import dataclass

from needsbook.build.interrupts import EXIT_CODE as EXIT_INTERRUPTED  # Ctrl-C or SIGTERM
from needsbook.errors import BuildError, InputError, NeedsbookError, ValidationFailedError
from needsbook.years import years_help

EXIT_CODES: dict[int, str] = {
    0: "success",
    NeedsbookError.exit_code: "failure: a data or build error, a failed download or batch "
    "area, a damaged snapshot table, a full disk, or an unexpected error",
    InputError.exit_code: "bad input: an unknown area or year, a bad, missing or conflicting "
    "option, a folder that may not be used, invalid local data or needsbook.toml",
    ValidationFailedError.exit_code: "data validation failed (the report lists each failure)",
    BuildError.exit_code: "a pipeline step failed (the message names the notebook and cell)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C or SIGTERM); nothing half-written is left",
}
#: The codes every command can return.
COMMON = (0, NeedsbookError.exit_code, InputError.exit_code, EXIT_INTERRUPTED)


@dataclass(frozen=True)
class CommandHelp:
    """One subcommand's help: a short line for the command list, a description, examples
    (``command  # comment``), the extra exit codes it can return and whether it takes --year."""

    summary: str
    description: str
    examples: tuple[str, ...]
    exit_codes: tuple[int, ...] = ()
    years: bool = False

    def epilog(self) -> str:
        parts = ["examples:", *(f"  {e}" for e in self.examples)]
        if self.years:
            parts += ["", *_wrap(years_help())]
        return "\n".join([*parts, "", exit_codes_text(sorted({*COMMON, *self.exit_codes}))])

    def parser_kwargs(self) -> dict[str, object]:
        return {
            "help": self.summary,
            "description": "\n".join(_wrap(self.description)),
            "epilog": self.epilog(),
            "formatter_class": argparse.RawDescriptionHelpFormatter,
        }


def exit_codes_text(codes: list[int]) -> str:
    """The ``exit codes:`` block for ``codes`` (each described once, in :data:`EXIT_CODES`)."""
    lines = ["exit codes:"]
    for code in codes:
        first, *rest = _wrap(EXIT_CODES[code], width=72)
        lines += [f"  {code:<5}{first}", *(f"       {r}" for r in rest)]
    return "\n".join(lines)


def _wrap(text: str, width: int = 78) -> list[str]:
    return textwrap.wrap(text, width=width, break_on_hyphens=False)


MAIN_DESCRIPTION = "\n".join(
    _wrap(
        "Build children and young people's (0-19) early-help needs assessment books for "
        "English upper-tier local authorities from open national statistics (and a council's "
        "own service data). Run `needsbook COMMAND --help` for a command's options, examples "
        "and exit codes."
    )
)

COMMANDS: dict[str, CommandHelp] = {
    "areas": CommandHelp(
        summary="list the 153 current upper-tier local authorities",
        description="List the current English upper-tier local authorities a book can be "
        "built for, one per line: ONS code, DfE number, name, kind and region, separated by "
        "tabs. Any of the code, the number or the name works as --area.",
        examples=(
            "needsbook areas",
            "needsbook areas | grep -i york          # find an area's code",
            "needsbook areas --data-dir /srv/needsbook/data",
        ),
    ),
    "build": CommandHelp(
        summary="build the book for an area (or several)",
        description="Build the needs assessment book for one area, or several, as HTML: "
        "check the data, run every chapter, assemble the book and check it. A book goes to "
        "_build/html/<area code>/<year>/index.html unless --out says otherwise (each year's "
        "book is kept; _build/html/<area code>/index.html lists an area's years and "
        "_build/html/index.html every area), and is rebuilt only when its inputs changed. "
        "--pdf, --docx and --summary-pdf add the whole book as PDF and Word and a four-page "
        "summary to the book's downloads/ (PDFs are printed with a local Chromium). "
        "--years builds each area for several data years; a batch ends with a summary: each "
        "book's outcome, books per minute and each worker's peak memory. --scheduler builds "
        "the books on the workers of a Dask cluster and publishes them here. "
        "Inside a folder made by `needsbook init`, the area, year, local data and "
        "comparators default to those in its needsbook.toml; options given here override them.",
        examples=(
            "needsbook build --area Worcestershire",
            "needsbook build --area Rutland --year 2024 --compare-year 2022 --pdf --docx",
            "needsbook build --area E06000017 --year 2022 --out /tmp/rutland",
            "needsbook build --areas Rutland,Worcestershire --jobs 2",
            "needsbook build --all --years 2023,2024 --jobs 2 --out /srv/books",
            "needsbook build --all --years 2021-2024 --scheduler tcp://host-a:8786",
            "needsbook build            # inside a project folder made by `needsbook init`",
        ),
        exit_codes=(ValidationFailedError.exit_code, BuildError.exit_code),
        years=True,
    ),
    "validate": CommandHelp(
        summary="run every data expectation over the snapshot (or, with --local-dir, check a "
        "council's local data)",
        description="Run every data expectation over the snapshot and print the report "
        "(exit 3 if any fails). With --local-dir, check a folder of the council's own service "
        "data instead, and only that: the same checks and messages as a build, exit 2 listing "
        "every problem. Inside a project made by `needsbook init`, --area defaults to the "
        "project's area; without --local-dir the snapshot is validated, as elsewhere.",
        examples=(
            "needsbook validate",
            "needsbook validate --record            # and write the validation record",
            "needsbook validate --local-dir data/local/E06000017",
            "needsbook validate --local-dir local   # inside a project: its area",
        ),
        exit_codes=(ValidationFailedError.exit_code,),
    ),
    "snapshot": CommandHelp(
        summary="derive data/snapshot from ../shared/data-raw",
        description="Derive the snapshot (data/snapshot) from the official open data, or "
        "with --from-cache from what `needsbook fetch` downloaded. Every table is validated; "
        "the current snapshot is replaced in one move, and only if all pass.",
        examples=(
            "needsbook snapshot",
            "needsbook snapshot --raw-dir /srv/data-raw",
            "needsbook fetch && needsbook snapshot --from-cache",
        ),
        exit_codes=(ValidationFailedError.exit_code,),
    ),
    "local-template": CommandHelp(
        summary="write empty local service data templates, with a README for each",
        description="Write the empty local service data templates for an area (one CSV per "
        "template, by-district ones pre-filled with the area's districts) with a README "
        "describing every column, ready to fill in and check with `needsbook validate "
        "--local-dir`. Existing files are never overwritten without --force.",
        examples=(
            "needsbook local-template --area Rutland   # a clone: into data/local/E06000017",
            "needsbook local-template --area E10000034 --out /tmp/worcs-local",
        ),
    ),
    "fetch": CommandHelp(
        summary="download fresh data from the official APIs (then: snapshot --from-cache)",
        description="Download fresh data from the official APIs (OHID Fingertips, DfE "
        "Explore Education Statistics, ONS) into a cache; `needsbook snapshot --from-cache` "
        "then rebuilds the snapshot from it. An item that fails is listed (exit 1) and the "
        "others are kept.",
        examples=(
            "needsbook fetch --list                 # what can be fetched",
            "needsbook fetch --sources fingertips",
            "needsbook fetch --indicators 93085 ees:cla --refresh",
        ),
    ),
    "export": CommandHelp(
        summary="export an area's data as a zip of tidy CSV files",
        description="Write an area's data as a zip of tidy CSV files (one row per "
        "observation, a source on every row, a README describing every column), with its "
        "benchmarked indicators for the book year in the OHID Fingertips download layout.",
        examples=(
            "needsbook export --area Rutland --out rutland.zip",
            "needsbook export --area E10000034 --year 2023 --out worcs-2023.zip",
        ),
        years=True,
    ),
    "init": CommandHelp(
        summary="create a project folder for a council (settings, local data templates, "
        "chapter notebooks, README)",
        description="Create a project folder for a council's needs assessment: needsbook.toml "
        "(the build settings), local/ (the local service data templates), notebooks/ (the "
        "chapters set to the area, to explore in JupyterLab), a README for the analyst and a "
        ".gitignore. Keep it in the council's own private git repository; "
        "`needsbook build` run anywhere inside it builds the book it describes. The folder "
        "must be new or empty (a .git folder aside); with --force files are added to a "
        "folder that holds others, but no file is ever overwritten.",
        examples=(
            "needsbook init worcs-jsna --area Worcestershire",
            "cd worcs-jsna && needsbook validate --local-dir local && needsbook build",
            "needsbook init . --area E06000017 --force   # a folder holding other files",
        ),
    ),
}
