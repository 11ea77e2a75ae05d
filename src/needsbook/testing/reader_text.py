"""The reader-text check: no internal vocabulary on a built book's pages or in its downloads.

Readers see the model report as "the Worcestershire 2015 needs assessment", local data
templates by what they hold, and commands they can paste. This module finds what breaks that:
notes to ourselves (``seed``, ``spec``, section signs, ``[ext``, ``verify]``), method and
recommendation codes (``M21``, ``R5``), project file names in prose, and typographic dashes or
quotes inside code. ``python -m needsbook.testing.reader_text BOOK_FOLDER`` prints every problem.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

#: Patterns forbidden anywhere a reader can read them (page prose, code and downloads).
FORBIDDEN: dict[str, re.Pattern[str]] = {
    "a note about the seed": re.compile(r"\bseed", re.IGNORECASE),
    "a reference to the spec": re.compile(r"\bspecs?\b|\bspec/|seed-analysis", re.IGNORECASE),
    "a section sign": re.compile("§"),
    "an [ext] marker": re.compile(r"\[ext\b"),
    "a verify marker": re.compile(r"\bverify\]|\[verify|\[inf\]"),
    "a note to the team": re.compile(r"\b(TODO|FIXME|XXX|TBC)\b"),
    "a method or recommendation code": re.compile(r"\b[MR]\d{1,2}\b"),
}

#: Patterns forbidden in prose (not in code blocks, where commands may name files).
FORBIDDEN_IN_PROSE: dict[str, re.Pattern[str]] = {
    "a project file name": re.compile(r"\b[\w./-]+\.(?:ya?ml|py|ipynb|json)\b"),
    "a project folder": re.compile(r"(?<![\w/])(?:data|src|shared|notebooks|expectations)/\w"),
    "a module name": re.compile(r"\bneedsbook\.\w"),
    "a command outside a code block": re.compile(
        r"\bneedsbook (?:areas|build|validate|snapshot|local-template|fetch|export|init)\b"
        r"|[\u2013\u2014](?:area|year|out|local-dir)\b"
    ),
}

#: Characters that break a command pasted from a code block.
TYPOGRAPHIC = re.compile("[\u2010-\u2015\u2018\u2019\u201c\u201d\u2212]")

#: Code that is a command a reader may paste (formulas in code may use real minus signs).
COMMAND = re.compile(
    r"^\s*(?:\$ )?(?:needsbook|python3?|pip|make|papermill|git|cd|jupyter-book|\.venv/)\b",
    re.MULTILINE,
)

#: Downloads a reader gets whose file names are the book's own (``<code>-<section>.csv``).
DOWNLOAD_NAME = re.compile(r"^[EWSN]\d{8}-[a-z0-9-]+\.(?:csv|zip)$")


@dataclass(frozen=True)
class Problem:
    """One piece of internal vocabulary a reader would see."""

    where: str
    what: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: ...{self.text}..."


def _excerpt(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 50) : end + 30].split())


def _scan(where: str, text: str, patterns: dict[str, re.Pattern[str]]) -> list[Problem]:
    return [
        Problem(where, what, _excerpt(text, m.start(), m.end()))
        for what, pattern in patterns.items()
        for m in pattern.finditer(text)
    ]


def template_names() -> list[str]:
    """The local data templates' file names (never named in prose: say what they hold)."""
    from needsbook.local.templates import TEMPLATES

    return sorted(t.file for t in TEMPLATES.values())


def check_text(where: str, text: str, *, prose: bool = True) -> list[Problem]:
    """Problems in plain text a reader sees (``prose`` adds the file-name checks)."""
    problems = _scan(where, text, FORBIDDEN)
    if prose:
        problems += _scan(where, text, FORBIDDEN_IN_PROSE)
        names = "|".join(re.escape(n) for n in template_names())
        problems += _scan(where, text, {"a template file name": re.compile(rf"\b(?:{names})")})
    return problems


def check_page(where: str, html: str) -> list[Problem]:
    """Problems on one HTML page: its visible text, and the commands in its code."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    problems: list[Problem] = []
    blocks = soup.find_all("pre")
    for block in blocks + [c for c in soup.find_all("code") if not c.find_parent("pre")]:
        text = block.get_text()
        problems += check_text(where, text, prose=False)
        if COMMAND.search(text):
            problems += _scan(
                where, text, {"a typographic dash or quote in a command": TYPOGRAPHIC}
            )
        block.decompose()
    for link in soup.find_all("a"):
        # a download link's text is the file the reader gets, not prose
        if DOWNLOAD_NAME.match(link.get_text(strip=True)):
            link.decompose()
    return problems + check_text(where, soup.get_text(" "))


def check_csv(where: str, text: str) -> list[Problem]:
    """Problems in a CSV download: its header and every cell."""
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return check_text(where, "\n".join(cells), prose=False)


def check_book(folder: Path) -> list[Problem]:
    """Every problem on a built book's pages and in its downloads (CSVs and the zip's files)."""
    folder = Path(folder)
    problems: list[Problem] = []
    for page in sorted(folder.rglob("*.html")):
        rel = page.relative_to(folder)
        if rel.parts[0] in {"_static", "_sources"} or rel.name in {"genindex.html", "search.html"}:
            continue
        problems += check_page(str(rel), page.read_text(encoding="utf-8"))
    for path in sorted(folder.rglob("*.csv")):
        problems += check_csv(str(path.relative_to(folder)), path.read_text(encoding="utf-8"))
    for archive in sorted(folder.rglob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                where = f"{archive.relative_to(folder)}:{name}"
                if name.endswith(".csv"):
                    problems += check_csv(where, zf.read(name).decode("utf-8"))
                elif name.lower().endswith((".md", ".txt")):
                    problems += check_text(where, zf.read(name).decode("utf-8"), prose=False)
    return problems


def main(argv: list[str] | None = None) -> int:
    """Print every problem in the book folders given; exit 1 when there are any."""
    folders = argv if argv is not None else sys.argv[1:]
    problems = [p for f in folders for p in check_book(Path(f))]
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
