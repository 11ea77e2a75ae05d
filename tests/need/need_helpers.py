"""Helpers shared by the need tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: The data year of the all-areas checks (the latest in the committed snapshot).
LATEST = 2025
RAW = Path(__file__).resolve().parents[2].parent / "shared" / "data-raw"


def table(snap: Path, name: str) -> pd.DataFrame:
    """Read a snapshot table straight from its parquet file (independent of needsbook.data)."""
    return pd.read_parquet(snap / "snapshot" / f"{name}.parquet")
