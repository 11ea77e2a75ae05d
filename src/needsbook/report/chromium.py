"""Print an HTML file to PDF with a local Chromium (headless, offline, no header or footer)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from needsbook.errors import NeedsbookError

#: Tried in this order after ``$NEEDSBOOK_CHROMIUM``.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 300  # seconds for one document


class ChromiumMissingError(NeedsbookError):
    """No Chromium to print with (PDF editions need one)."""

    exit_code = 2


def find_chromium() -> str:
    """The Chromium executable: ``$NEEDSBOOK_CHROMIUM``, else the first of
    :data:`CANDIDATES` on the PATH; ChromiumMissingError naming how to install one."""
    given = os.environ.get("NEEDSBOOK_CHROMIUM")
    if given:
        if shutil.which(given):
            return str(shutil.which(given))
        raise ChromiumMissingError(f"NEEDSBOOK_CHROMIUM={given} is not an executable")
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumMissingError(
        "PDF editions are printed with Chromium, and none was found: install it (Debian or "
        "Ubuntu: `sudo apt-get install chromium`) or set NEEDSBOOK_CHROMIUM to its path"
    )


def print_pdf(html: Path, pdf: Path, *, outline: bool = True) -> Path:
    """Print ``html`` (a self-contained file: nothing is fetched) to ``pdf``, tagged for
    screen readers, with the document outline (bookmarks) from its headings."""
    exe = find_chromium()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="needsbook-chromium-") as profile:
        args = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--metrics-recording-only",
            "--no-default-browser-check",
            "--proxy-server=127.0.0.1:9",  # nothing leaves the machine
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--export-tagged-pdf",
            *(["--generate-pdf-document-outline"] if outline else []),
            "--virtual-time-budget=10000",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise NeedsbookError(f"Chromium took over {TIMEOUT} s to print {html.name}") from None
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise NeedsbookError(
            f"Chromium could not print {html.name} to PDF (exit {done.returncode}): "
            + " | ".join(tail)
        )
    return pdf
