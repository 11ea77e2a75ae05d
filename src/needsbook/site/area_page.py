"""An area's page, ``<root>/<code>/index.html``: every year built for the area, latest first,
each with its book and whichever of its downloads are present (the needs assessment as PDF and
Word, the at-a-glance summary as PDF, and the zip of the book's data).

The page is written by needsbook (its generator marker, as on the landing page), so later
builds rewrite it; an ``index.html`` there that needsbook did not write is never replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from needsbook.build import downloads
from needsbook.build.fingerprint import read_stamp
from needsbook.build.outdir import is_landing, year_books
from needsbook.errors import InputError
from needsbook.escape import html_text
from needsbook.files import atomic_write
from needsbook.messages import clip_path
from needsbook.site.page import TITLE, document

CSS = """
.years th[scope="row"] { font-size: 1.2rem; }
.years ul { margin: 0; padding-left: 1.2rem; }
"""


@dataclass(frozen=True)
class Download:
    name: str  # file name inside the book's downloads folder
    what: str  # what a reader gets, e.g. "The whole assessment (PDF)"


def download_files(code: str, year: int) -> tuple[Download, ...]:
    """The downloads an area page links when a year's book holds them (fixed names)."""
    from needsbook.report.editions import ALL

    return (
        *(Download(e.filename(code, year), e.label) for e in ALL),
        Download(downloads.zip_name(code), "All the data (zip of CSV files)"),
    )


def _size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{max(1, round(n / 1000))} KB"


@dataclass(frozen=True)
class YearBook:
    year: int
    needsbook: str  # the version that built it
    downloads: tuple[tuple[Download, str], ...]  # present downloads and their sizes


def area_years(folder: Path) -> list[YearBook]:
    """The year books of the area folder ``folder``, latest first (a year folder counts when
    its stamp names this area and this year and it has a front page)."""
    code = folder.name
    found = []
    for book in year_books(folder):
        stamp = read_stamp(book) or {}
        year = int(book.name)
        if str(stamp.get("area_code")) != code or stamp.get("year") not in (year, str(year)):
            continue
        if not (book / "index.html").is_file():
            continue
        present = tuple(
            (d, _size(book / downloads.DIRNAME / d.name))
            for d in download_files(code, year)
            if (book / downloads.DIRNAME / d.name).is_file()
        )
        found.append(YearBook(year, str(stamp.get("needsbook") or ""), present))
    return found


def render_area_page(
    code: str, name: str, kind: str, region: str, books: list[YearBook], landing: bool
) -> str:
    """The area page's HTML (every text escaped; ``landing``: link the site's landing page)."""
    esc = html_text
    rows = []
    for b in books:
        items = "".join(
            f'<li><a href="{b.year}/{downloads.DIRNAME}/{esc(d.name)}">{esc(d.what)}</a>, '
            f"{size}</li>"
            for d, size in b.downloads
        )
        rows.append(
            f'<tr><th scope="row">{b.year}</th>'
            f'<td><a href="{b.year}/index.html">{esc(name)} {b.year}</a></td>'
            f"<td>{f'<ul>{items}</ul>' if items else 'None'}</td>"
            f"<td>needsbook {esc(b.needsbook or 'unknown')}</td></tr>"
        )
    about = ", ".join(p for p in (kind, region) if p)
    back = '<p><a href="../index.html">All areas</a></p>\n' if landing else ""
    years = (
        f"{len(books)} data year{'s' if len(books) != 1 else ''} built, latest first."
        if books
        else "No book has been built for this area yet."
    )
    body = f"""<header>
{back}<p class="meta">{esc(TITLE)}</p>
<h1>{esc(name)}</h1>
<p>{esc(about + ". " if about else "")}ONS code {esc(code)}. {years}</p>
</header>
<main id="main">
<table class="years">
<caption>Needs assessment books for {esc(name)}, by data year</caption>
<thead><tr><th scope="col">Data year</th><th scope="col">Book</th>
<th scope="col">Downloads</th><th scope="col">Built with</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p class="meta">A book for a data year shows each indicator's latest figures published up to
that year.</p>
</main>"""
    return document(f"{name}: {TITLE}", body, skip_to="main", css=CSS)


def write_area_page(folder: Path | str, data_dir: Path | None = None) -> Path:
    """Write ``<folder>/index.html`` for the area folder ``folder`` (named by its area code);
    returns its path. InputError if an ``index.html`` there was not written by needsbook."""
    from needsbook.areas import all_areas

    folder = Path(folder)
    out = folder / "index.html"
    if out.exists() and not is_landing(out):
        raise InputError(
            f"{clip_path(out)} was not written by needsbook: the area's page was not written "
            "(move that file away and build again)"
        )
    code = folder.name
    try:
        area = next((a for a in all_areas(data_dir) if a.code == code), None)
    except Exception:  # no snapshot: still list the books, by code
        area = None
    root_page = folder.parent / "index.html"
    page = render_area_page(
        code,
        area.name if area else code,
        area.kind if area else "",
        area.region_name if area else "",
        area_years(folder),
        landing=not root_page.exists() or is_landing(root_page),
    )
    atomic_write(out, page.encode("utf-8"))
    return out
