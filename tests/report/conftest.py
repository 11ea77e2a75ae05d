"""The print editions need Chromium (to print) and poppler-utils (``pdfinfo``, ``pdftotext``:
to read what was printed). Without them these tests are skipped with the reason (``make
browser-deps`` installs both); with ``NEEDSBOOK_REQUIRE_BROWSER`` set (CI sets it) a missing
tool is an error instead."""

from __future__ import annotations

import os
import shutil

import pytest

from needsbook.errors import NeedsbookError
from needsbook.report.chromium import find_chromium


def _missing() -> str | None:
    try:
        find_chromium()
    except NeedsbookError:
        return "Chromium (make browser-deps)"
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        return "poppler-utils: pdfinfo and pdftotext (make browser-deps)"
    return None


@pytest.fixture(autouse=True, scope="session")
def _print_tools() -> None:
    missing = _missing()
    if missing and os.environ.get("NEEDSBOOK_REQUIRE_BROWSER"):
        pytest.fail(f"the print edition tests need {missing}")
    if missing:
        pytest.skip(f"the print edition tests need {missing}")
