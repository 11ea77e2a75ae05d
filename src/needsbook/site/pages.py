"""After books are published in the area/year layout: rewrite the pages that list them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from needsbook.build.outdir import year_books
from needsbook.errors import NeedsbookError


@dataclass
class SitePages:
    """What :func:`refresh_pages` wrote, and why it left a page alone."""

    landing: Path | None = None
    area_pages: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def refresh_pages(
    root: Path | str, codes: Iterable[str] | None = None, data_dir: Path | None = None
) -> SitePages:
    """Rewrite the area page of each area code in ``codes`` (default: every area folder under
    ``root`` holding a year book), then the landing page of ``root``. A page whose
    ``index.html`` needsbook did not write is left alone (a warning, not an error)."""
    from needsbook.site.area_page import write_area_page
    from needsbook.site.landing import write_landing

    root = Path(root)
    found = SitePages()
    if codes is None:
        codes = sorted(p.name for p in root.iterdir() if year_books(p)) if root.is_dir() else []
    for code in dict.fromkeys(codes):
        if not year_books(root / code):
            continue  # a book published directly there (before books were kept by year)
        try:
            found.area_pages[code] = write_area_page(root / code, data_dir)
        except (NeedsbookError, OSError) as exc:  # the books are published: warn, go on
            found.warnings.append(str(exc))
    try:
        found.landing = write_landing(root, data_dir)
    except (NeedsbookError, OSError) as exc:
        found.warnings.append(str(exc))
    return found
