"""Which editions a build makes besides the HTML book, and where each is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from needsbook.areas import Area
from needsbook.errors import InputError


@dataclass(frozen=True)
class EditionKind:
    """One kind of edition besides the HTML book: its build option, file name and link text."""

    option: str  # the build option that asks for it
    suffix: str  # file name after "<code>-<year>-"
    label: str  # how a reader's link names it

    def filename(self, code: str, year: int) -> str:
        return f"{code}-{year}-{self.suffix}"


PDF = EditionKind("--pdf", "needs-assessment.pdf", "The whole assessment (PDF)")
DOCX = EditionKind("--docx", "needs-assessment.docx", "The whole assessment, editable (Word)")
GLANCE = EditionKind("--summary-pdf", "at-a-glance.pdf", "At a glance: four pages (PDF)")
ALL = (PDF, DOCX, GLANCE)


def chosen(options: tuple[str, ...]) -> tuple[EditionKind, ...]:
    """The editions named by their options (e.g. ``("--pdf",)``), in :data:`ALL`'s order."""
    unknown = set(options) - {e.option for e in ALL}
    if unknown:
        raise InputError(
            f"unknown edition {sorted(unknown)[0]}: choose from --pdf, --docx, --summary-pdf"
        )
    return tuple(e for e in ALL if e.option in options)


def _writer(edition: EditionKind) -> Callable[..., Path]:
    if edition is PDF:
        from needsbook.report.pdf import write_pdf

        return write_pdf
    if edition is DOCX:
        from needsbook.report.docx import write_docx

        return write_docx
    from needsbook.report.glance import write_glance

    return write_glance


def write_editions(
    book: Path,
    area: Area,
    year: int,
    wanted: tuple[EditionKind, ...],
    report: Callable[[str], None] = print,
) -> list[Path]:
    """Write each wanted edition of the finished HTML ``book`` into its ``downloads/``."""
    written = []
    built = dt.date.today()
    for edition in wanted:
        out = book / "downloads" / edition.filename(area.code, year)
        _writer(edition)(
            book, out, area_name=area.name, area_code=area.code, year=year, built=built
        )
        report(f"    {edition.label}: downloads/{out.name}")
        written.append(out)
    return written
