"""The snapshot MANIFEST: one line per table with its provenance and sha256."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from needsbook.errors import DataError

MANIFEST_NAME = "MANIFEST"


@dataclass(frozen=True)
class ManifestEntry:
    table: str
    file: str
    rows: int
    columns: str  # ";"-joined column names
    description: str
    source_dataset: str
    publisher: str
    licence: str
    periods: str
    source_files: str
    sha256: str


def write_manifest(folder: Path, entries: list[ManifestEntry], header: dict[str, str]) -> Path:
    """Write ``MANIFEST`` as commented header lines followed by CSV rows."""
    path = folder / MANIFEST_NAME
    with path.open("w", newline="") as f:
        for key, value in header.items():
            f.write(f"# {key}: {value}\n")
        writer = csv.DictWriter(
            f, fieldnames=[fl.name for fl in fields(ManifestEntry)], lineterminator="\n"
        )
        writer.writeheader()
        for entry in entries:
            writer.writerow(asdict(entry))
    return path


def read_manifest_header(folder: Path) -> dict[str, str]:
    path = folder / MANIFEST_NAME
    out: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            if not line.startswith("# "):
                break
            key, _, value = line[2:].partition(": ")
            out[key] = value
    return out


def read_manifest(folder: Path) -> list[ManifestEntry]:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise DataError(
            f"no snapshot MANIFEST at {path}: run `needsbook snapshot` (or `make "
            "snapshot`) with ../shared/data-raw beside the project"
        )
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("#")]
    rows = list(csv.DictReader(lines))
    try:
        return [ManifestEntry(**{**r, "rows": int(r["rows"])}) for r in rows]
    except (TypeError, KeyError, ValueError) as exc:
        raise DataError(f"malformed snapshot MANIFEST {path}: {exc}") from exc
