"""The snapshot's validation record: ``data/snapshot/VALIDATED`` holds the content key of the
last full passing validation (tables, suites and check code), so a fresh clone's first build can
skip re-validating an unchanged snapshot. ``needsbook validate`` always runs in full."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

RECORD_NAME = "VALIDATED"
RECORD_COMMAND = "needsbook validate --record"


def write_record(snapshot_dir: Path, key: str) -> Path:
    """Write the record for ``key`` (call only after every table passed)."""
    path = Path(snapshot_dir) / RECORD_NAME
    path.write_text(
        "# needsbook validation record: every table in MANIFEST passed its expectation suite\n"
        "# and cross-row checks. The key is a sha256 over the table hashes, the suites and the\n"
        "# check code; builds skip validation only while it matches exactly.\n"
        f"# Rewrite with `{RECORD_COMMAND}` after changing a table, a suite or the checks.\n"
        f"validated: {datetime.now(UTC).strftime('%Y-%m-%d')}\n"
        f"key: {key}\n"
    )
    return path


def read_record(snapshot_dir: Path) -> str | None:
    """The recorded key, or None when there is no (readable) record."""
    path = Path(snapshot_dir) / RECORD_NAME
    if not path.is_file():
        return None
    for line in path.read_text().splitlines():
        if line.startswith("key:"):
            return line.removeprefix("key:").strip() or None
    return None
