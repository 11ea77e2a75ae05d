"""A council's project folder (``needsbook init``) and its settings file, ``needsbook.toml``.

A project folder holds ``needsbook.toml``, the local data templates in ``local/``, the chapter
notebooks set to the area in ``notebooks/`` (to explore in JupyterLab), a README for the analyst
and a ``.gitignore``. ``needsbook build`` run anywhere inside it reads the settings
(:func:`current`); options on the command line override them. The file has one table::

    [build]
    area = "E10000034"          # name, ONS code or DfE number
    year = 2024                 # default: the latest in the data
    local_dir = "local"         # relative to the file's folder
    comparators = ["Shropshire", "Warwickshire"]

Unknown tables or keys and values of the wrong kind are errors naming the file and key.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from needsbook import __version__, paths
from needsbook.errors import InputError
from needsbook.messages import clip, clip_path

if TYPE_CHECKING:
    from needsbook.areas import Area

LOCAL_DIR = "local"
NOTEBOOKS_DIR = "notebooks"
GITIGNORE = "# built books, logs and caches: rebuild them with `needsbook build`\n_build/\n"
#: A folder holding only these counts as empty (``git init`` first, then ``needsbook init``).
IGNORED_IN_EMPTY = frozenset({".git"})


@dataclass(frozen=True)
class ProjectConfig:
    """The ``[build]`` settings of one ``needsbook.toml`` (paths made absolute)."""

    file: Path
    area: str | None = None
    year: int | None = None
    local_dir: Path | None = None
    comparators: tuple[str, ...] = ()


KEYS = ("area", "year", "local_dir", "comparators")


def current() -> ProjectConfig | None:
    """The settings of the project the current folder is in, or None outside a project."""
    folder = paths.find_project()
    return None if folder is None else load_config(folder / paths.PROJECT_FILE)


def load_config(file: Path) -> ProjectConfig:
    """Read and check ``file``; InputError names the file and the key that is wrong."""
    where = clip_path(file)
    try:
        with file.open("rb") as f:
            data = tomllib.load(f)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: not a valid TOML file: {clip(exc, 200)}") from None
    if bad := _unknown(data, ("build",)):
        raise InputError(f"{where}: unknown table {bad}")
    build = data.get("build", {})
    if not isinstance(build, Mapping):
        raise InputError(f"{where}: 'build' must be a table: [build]")
    if bad := _unknown(build, KEYS):
        raise InputError(f"{where}: [build] has an unknown key {bad}")
    year = build.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise InputError(f"{where}: build.year must be a whole number such as 2024, not {year!r}")
    local = build.get("local_dir")
    comparators = build.get("comparators", [])
    if not isinstance(comparators, list) or not all(_text(c) for c in comparators):
        raise InputError(
            f"{where}: build.comparators must be a list of area names or codes, "
            'e.g. ["Shropshire", "E10000031"], not ' + clip(repr(comparators), 100)
        )
    for key in ("area", "local_dir"):
        if key in build and not _text(build[key]):
            raise InputError(f"{where}: build.{key} must be a non-empty text in quotes")
    return ProjectConfig(
        file=file.absolute(),
        area=build.get("area", "").strip() or None,
        year=year,
        local_dir=(file.parent / local).absolute() if local else None,
        comparators=tuple(c.strip() for c in comparators),
    )


def config_area(
    config: ProjectConfig, data_dir: Path | None = None, what: str = "which area to build"
) -> Area:
    """The project's area; none set, or an unknown one, is refused naming the file."""
    from needsbook.areas import resolve_area

    where = clip_path(config.file)
    if config.area is None:
        raise InputError(f"say {what}: --area NAME_OR_CODE, or set area in {where}")
    try:
        return resolve_area(config.area, data_dir)
    except InputError as exc:
        raise InputError(f"{where}: build.area: {exc}") from None


def is_project_area(query: str, config: ProjectConfig, data_dir: Path | None = None) -> bool:
    """Whether ``--area`` names the project's area (any area, when the project names none)."""
    from needsbook.areas import resolve_area

    if config.area is None:
        return True
    return resolve_area(query, data_dir).code == config_area(config, data_dir).code


def check_year(config: ProjectConfig, area: str, data_dir: Path | None = None) -> None:
    """The settings' year for ``area``; one the data do not offer is refused naming the file."""
    from needsbook.areas import resolve_area
    from needsbook.years import available_years

    found = resolve_area(area, data_dir)
    years = available_years(found, data_dir)
    if years and config.year not in years:
        raise InputError(
            f"{clip_path(config.file)}: build.year: {config.year} is not available for "
            f"{found.name}: the data cover {years[0]}-{years[-1]} (set a year in that range, "
            "or remove the line for the latest)"
        )


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _unknown(table: Mapping[str, object], known: tuple[str, ...]) -> str | None:
    """The first name in ``table`` not in ``known``, with the nearest known one, for a
    message; None if all are known."""
    for name in table:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {near[0]}? " if near else ""
            return f"'{clip(name)}' ({hint}known: {', '.join(known)})"
    return None


# --------------------------------------------------------------------------------------
# needsbook init
# --------------------------------------------------------------------------------------
def init_project(
    folder: Path, area: str | None = None, data_dir: Path | None = None, force: bool = False
) -> list[Path]:
    """Create the project ``folder``: settings, local data templates, README, .gitignore.

    The folder must be new or empty (a ``.git`` folder aside); ``force`` allows other files
    but never overwrites one: any file init would write that exists is refused first.
    """
    from needsbook.areas import resolve_area
    from needsbook.local.write import template_targets, write_templates

    found = resolve_area(area, data_dir) if area is not None else None
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{clip_path(folder)} is a file: give a new or empty folder")
    texts = {
        paths.PROJECT_FILE: config_text(found),
        "README.md": readme_text(found),
        ".gitignore": GITIGNORE,
        **chapter_notebooks(found),
    }
    local = folder / LOCAL_DIR
    targets = [folder / name for name in texts] + template_targets(local)
    if folder.is_dir():
        _check_folder(folder, targets, force)
    folder.mkdir(parents=True, exist_ok=True)
    written = write_templates(found, local)
    for name, text in texts.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
        written.append(folder / name)
    return written


def _check_folder(folder: Path, targets: list[Path], force: bool) -> None:
    others = sorted(p.name for p in folder.iterdir() if p.name not in IGNORED_IN_EMPTY)
    if others and not force:
        raise InputError(
            f"{clip_path(folder)} is not empty (it holds {clip(', '.join(others), 120)}): "
            "give a new or empty folder, or use --force to add the project's files beside "
            "them (no file is overwritten)"
        )
    existing = [str(p.relative_to(folder)) for p in targets if p.exists()]
    if existing:
        raise InputError(
            f"{clip_path(folder)} already holds {clip(', '.join(existing), 120)}: needsbook "
            "init never overwrites a file; move them away or choose another folder"
        )


def chapter_notebooks(area: Area | None) -> dict[str, str]:
    """Each chapter template (relative path -> notebook JSON), its parameters set to ``area``
    and the project's ``local/`` data, so it runs as it is in JupyterLab."""
    from needsbook.build.chapters import CHAPTERS

    settings = {}
    if area is not None:
        settings = {
            "area_code": f'"{area.code}"  # {area.name}',
            "local_dir": f'"../{LOCAL_DIR}"  # this project\'s own service data',
        }
    notebooks = {}
    for chapter in CHAPTERS:
        nb = json.loads((paths.repo_root() / chapter.notebook).read_text())
        for cell in nb["cells"]:
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                cell["source"] = _set_parameters("".join(cell["source"]), settings)
        notebooks[f"{NOTEBOOKS_DIR}/{chapter.slug}.ipynb"] = json.dumps(nb, indent=1) + "\n"
    return notebooks


def _set_parameters(source: str, settings: Mapping[str, str]) -> str:
    for name, value in settings.items():
        source = re.sub(rf"(?m)^{name} = .*$", f"{name} = {value}", source)
    if settings:
        source = re.sub(r"(?m)\A# Parameters.*$", "# Parameters (set for this project)", source)
    return source


def config_text(area: Area | None) -> str:
    """The commented ``needsbook.toml`` that init writes."""
    if area is not None:
        area_line = f'area = "{area.code}"  # {area.name}'
    else:
        area_line = '# area = "E10000034"  # Worcestershire: set your area, then remove the #'
    return f"""\
# needsbook project settings (written by needsbook {__version__}).
# `needsbook build` run anywhere in this folder reads them; an option on the command line
# (e.g. --year 2023) overrides the setting here for that build.

[build]
# The area: a name, ONS code or DfE number (`needsbook areas` lists them).
{area_line}

# The data year: a book for year Y shows each indicator's latest period ending in Y or
# earlier. Leave it out for the latest year in the data.
# year = 2024

# The folder of your own service data (the templates in it), relative to this file. Only
# used for this project's area: a build for another area never reads it.
local_dir = "{LOCAL_DIR}"

# Your own comparator group, shown beside England, the region and the statistical
# neighbours: area names or codes. Only used for this project's area.
# comparators = ["Shropshire", "Warwickshire", "Herefordshire"]
"""


def readme_text(area: Area | None) -> str:
    """The analyst's README.md: what the folder is and how to use and keep it."""
    name = f"{area.name} ({area.code})" if area is not None else "your area"
    code = area.code if area is not None else "<area code>"
    code_or_x = area.code if area is not None else "YOUR_AREA"
    setup = (
        ""
        if area is not None
        else "\nFirst set your area in `needsbook.toml` (remove the `#` before `area = ...`): "
        "`needsbook areas` lists every name and code.\n"
    )
    return f"""\
# Early-help needs assessment for {name}

This folder holds what is needed to rebuild the children and young people's (0-19)
early-help needs assessment for {name} with needsbook: the settings (`needsbook.toml`) and
your own service data (`local/`). The national data come with needsbook itself.
{setup}
## Build the book

```sh
needsbook validate --local-dir local   # check your local data (lists every problem)
needsbook build                        # build the book (run it anywhere in this folder)
```

The book appears in `_build/html/{code}/<year>/index.html`, and `_build/html/{code}/index.html`
lists every year built: open it in a browser (it works offline).
A book whose inputs have not changed is not rebuilt; `needsbook build --force` rebuilds it.
Options on the command line override `needsbook.toml` for that build, e.g.
`needsbook build --year 2023` or `needsbook build --out /path/to/folder`.

## Explore a chapter in JupyterLab

`notebooks/` holds the book's chapters, set to this area and your `local/` data. With
needsbook's Jupyter extra installed (`pip install "needsbook[jupyter]"`), run
`jupyter lab notebooks/01_population.ipynb` and "Run All Cells": the charts draw offline. To
save a chapter as one HTML file that works offline:

```sh
jupyter nbconvert --to html --execute --HTMLExporter.require_js_url= \\
  --HTMLExporter.mathjax_url= notebooks/01_population.ipynb
```

The book itself always comes from `needsbook build`, not from these copies.

## Settings: needsbook.toml

- `area`: the area, by name, ONS code or DfE number.
- `year`: the data year (leave it out for the latest).
- `local_dir`: the folder of your service data (`local`).
- `comparators`: your own comparator group, e.g. `["Shropshire", "Warwickshire"]`.

`local_dir` and `comparators` apply to this project's area only.

## Your service data: local/

Each CSV in `local/` is an empty template with a README that describes every column, unit and
rule (`local/README.md` lists them). Fill in the ones you have data for and leave the others
with just their header row: the book then leaves that part out. Save as CSV (UTF-8, comma
separated) under the same file name, then run `needsbook validate --local-dir local`: it names
the file, column and row of every problem, and a build refuses local data with any problem.

## What to commit, and what not

Commit `needsbook.toml`, `README.md`, `.gitignore`, `local/` and `notebooks/` (clear their
outputs first: outputs can show your local figures). Do not commit `_build/` (the
`.gitignore` leaves it out): it is rebuilt from the rest.

Your service data holds small numbers about children and families: keep this repository
private to your team. The built book hides counts of 1-4 (shown as "<5") and any figure they
could be worked out from, but the CSVs in `local/` are not suppressed.

## Updating needsbook

Install the new version the way you installed this one (e.g.
`pip install --upgrade needsbook-<version>-py3-none-any.whl`), check `needsbook --version`, then
run `needsbook validate --local-dir local` and `needsbook build`: a new version rebuilds the
book. If validation reports a changed template, `needsbook local-template --area {code_or_x}
--out /tmp/new-templates` writes the new ones to compare with yours.
"""
