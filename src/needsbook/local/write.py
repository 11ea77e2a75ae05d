"""Write the empty local data templates (``needsbook local-template``) and their READMEs."""

from __future__ import annotations

import csv
from pathlib import Path

from needsbook import paths
from needsbook.areas import Area, resolve_area
from needsbook.errors import InputError
from needsbook.local.templates import TEMPLATES


def readme_name(template: str) -> str:
    return f"{template}.README.md"


def index_readme(area: Area, preamble: str = "") -> str:
    """The folder's README.md: what each template holds and how it is checked."""
    lines = [f"# Local service data for {area.name} ({area.code})", ""]
    if preamble:
        lines += [preamble, ""]
    lines += [
        "One CSV per template; any template may be left out (the chapter then omits it). "
        "Each has a README describing every column, unit and rule, and a Great Expectations "
        "suite in `expectations/local/`. Validate with `needsbook.local.load_local(folder, "
        "area)`: any problem stops the build with a message naming file, column and rows.",
        "",
        "| file | contents |",
        "|---|---|",
    ]
    lines += [
        f"| `{t.file}` | {t.title} ([README]({readme_name(t.name)})) |" for t in TEMPLATES.values()
    ]
    return "\n".join(lines) + "\n"


def template_rows(area: Area, name: str) -> list[list[str]]:
    """Pre-filled rows: one per district where the template is by district."""
    t = TEMPLATES[name]
    if not t.by_district:
        return []
    return [
        ["" if c != "district" else dname for c in t.column_names] for _, dname in area.districts
    ]


def write_templates(
    area: str | Area, out: Path | str | None = None, force: bool = False
) -> list[Path]:
    """Write empty templates and READMEs for ``area`` into ``out`` (default data/local/<code>).

    Refuses (InputError, nothing written) if any file exists, unless ``force``.
    """
    area = area if isinstance(area, Area) else resolve_area(area)
    folder = Path(out) if out is not None else paths.default_data_dir() / "local" / area.code
    targets = [folder / "README.md"]
    for t in TEMPLATES.values():
        targets += [folder / t.file, folder / readme_name(t.name)]
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
        (folder / readme_name(t.name)).write_text(t.readme())
    return targets
