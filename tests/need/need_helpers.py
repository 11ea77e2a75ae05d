"""Helpers shared by the need tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.years import latest_data_year

#: The data year of the all-areas checks: the snapshot's latest, as the books use by default.
LATEST = latest_data_year()
RAW = Path(__file__).resolve().parents[2].parent / "shared" / "data-raw"


def table(snap: Path, name: str) -> pd.DataFrame:
    """Read a snapshot table straight from its parquet file (independent of needsbook.data)."""
    return pd.read_parquet(snap / "snapshot" / f"{name}.parquet")
