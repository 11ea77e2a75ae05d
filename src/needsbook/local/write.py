"""Write the empty local data templates (``needsbook local-template``) and their READMEs.

``python -m needsbook.local`` (:func:`regenerate`) rewrites everything derived from the specs in
``templates.py``: the Great Expectations suites in ``expectations/local/`` and the worked
example's READMEs in ``data/examples/E10000034/``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from needsbook import paths
from needsbook.areas import Area, resolve_area
from needsbook.errors import InputError
from needsbook.local.rules import ABSOLUTE_MAX, AREA_FACTOR
from needsbook.local.templates import TEMPLATES, Template, suite_for


def readme_name(template: str) -> str:
    return f"{template}.README.md"


def template_readme(t: Template, preamble: str = "") -> str:
    """A template's README.md: purpose, every column with unit and rule, key, checks."""
    lines = [f"# {t.file}: {t.title}", ""]
    if preamble:
        lines += [preamble, ""]
    lines += [t.description, "", "| column | unit | rule | description |", "|---|---|---|---|"]
    lines += [f"| `{c.name}` | {c.unit or '-'} | {c.rule()} | {c.description} |" for c in t.columns]
    lines += ["", f"Each row is unique on: {', '.join(f'`{k}`' for k in t.key)}."]
    lines += [f"`{a}` must not exceed `{b}`." for a, b in t.pairs]
    lines += ["", *t.notes] if t.notes else []
    lines += [
        "",
        f"Save the file as CSV (UTF-8, comma-separated) named exactly `{t.file}`: a "
        "spreadsheet, another extension or other capitals is an error that names the file to "
        "save. Every row has exactly as many fields as the header: put a value that contains "
        "a comma in double quotes, and end no line with a comma.",
        "",
        "Rows are validated before use (`needsbook validate --local-dir FOLDER`, or "
        "`needsbook.local.load_local`): exact columns in this order, numbers where numbers are "
        "due, ranges and ceilings, period formats, printable text, unique keys, known districts "
        f"and centres, plus the Great Expectations suite `expectations/local/{t.name}.json`. "
        "A ceiling relative to the area's population uses the area's largest mid-year "
        f"estimate in the snapshot, times {AREA_FACTOR}, times the years the row's period "
        "covers (a quarter counts 0.25, a month 1/12, `2013-08/2015-03` 20/12); no number may "
        f"exceed {ABSOLUTE_MAX:,.0f}. Every problem in every file is reported in one run; "
        "errors name the file, column and row (row = line number in the CSV, the header being "
        'line 1). Counts of 1-4 are published as "<5" (`needsbook.local.publishable`).',
        "",
    ]
    return "\n".join(lines)


def index_readme(area: Area | None, preamble: str = "") -> str:
    """The folder's README.md: what each template holds and how it is checked."""
    title = "Local service data" + (f" for {area.name} ({area.code})" if area else "")
    lines = [f"# {title}", ""]
    if preamble:
        lines += [preamble, ""]
    lines += [
        "One CSV per template; any template may be left out (the chapter then omits it). "
        "Each has a README describing every column, unit and rule, and a Great Expectations "
        "suite in `expectations/local/`. Check the folder with `needsbook validate "
        "--local-dir FOLDER` (or `needsbook.local.load_local(folder, area)`): every problem in "
        "every file is listed at once, naming file, column and rows, and any problem stops "
        "the build. Files here that are not the templates below but look like them (other "
        "capitals, a spreadsheet, a misspelt name) are errors; README files and hidden files "
        "are ignored.",
        "",
        "| file | contents |",
        "|---|---|",
    ]
    lines += [
        f"| `{t.file}` | {t.title} ([README]({readme_name(t.name)})) |" for t in TEMPLATES.values()
    ]
    return "\n".join(lines) + "\n"


def template_rows(area: Area | None, name: str) -> list[list[str]]:
    """Pre-filled rows: one per district where the template is by district (none without an
    area)."""
    t = TEMPLATES[name]
    if not t.by_district or area is None:
        return []
    return [
        ["" if c != "district" else dname for c in t.column_names] for _, dname in area.districts
    ]


def template_targets(folder: Path) -> list[Path]:
    """The files :func:`write_templates` writes into ``folder``: the index README first."""
    targets = [folder / "README.md"]
    for t in TEMPLATES.values():
        targets += [folder / t.file, folder / readme_name(t.name)]
    return targets


def write_templates(
    area: str | Area | None, out: Path | str | None = None, force: bool = False
) -> list[Path]:
    """Write empty templates and READMEs for ``area`` into ``out``.

    ``out`` defaults to ``paths.local_data_root() / <area code>``. Refuses (InputError,
    nothing written) if any file exists, unless ``force``. Without an area (``needsbook init``
    with no --area) the templates name no area and pre-fill no districts; ``out`` is needed.
    """
    if isinstance(area, str):
        area = resolve_area(area)
    if area is None and out is None:
        raise InputError("say which area the templates are for (--area), or where to write them")
    folder = Path(out) if out is not None else paths.local_data_root() / area.code
    targets = template_targets(folder)
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise InputError(
            f"--out: {folder} already holds {', '.join(p.name for p in existing)}; "
            "use --force to overwrite"
        )
    folder.mkdir(parents=True, exist_ok=True)
    targets[0].write_text(index_readme(area))
    for t in TEMPLATES.values():
        with (folder / t.file).open("w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(t.column_names)
            w.writerows(template_rows(area, t.name))
        (folder / readme_name(t.name)).write_text(template_readme(t))
    return targets


def suite_text(t: Template) -> str:
    """A template's suite as committed in ``expectations/local/<name>.json``."""
    return json.dumps(suite_for(t), indent=1) + "\n"


def regenerate() -> list[Path]:
    """Rewrite the suites and the worked example's READMEs from the specs."""
    from needsbook.local.example import EXAMPLE_AREA, PREAMBLE, example_dir

    suites = paths.expectations_dir() / "local"
    written = []
    for t in TEMPLATES.values():
        written.append(suites / f"{t.name}.json")
        written[-1].write_text(suite_text(t))
        written.append(example_dir() / readme_name(t.name))
        written[-1].write_text(template_readme(t, PREAMBLE))
    written.append(example_dir() / "README.md")
    written[-1].write_text(index_readme(resolve_area(EXAMPLE_AREA), PREAMBLE))
    return written
