"""DfE NCCIS: 16-17 year olds NEET, activity not known, and NEET or not known (%).

Values are DfE's published percentages (1 dp) of the 16-17 cohort known to the LA
(December-February average, ``Cohort_DJFavg``), which is the denominator. DfE does not publish
the numerators here: ``count`` is derived as round(% × cohort / 100), so it is approximate (to
about ±0.05% of the cohort) and the CIs computed from it describe sampling variation only.
The 2021 file's dummy "LA demo"/"Region demo" rows have no codes and are dropped as unmapped.
There is no 2024 file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.snapshot.ind_common import Meta, catalogue_meta, source_frame, to_number
from needsbook.snapshot.ind_csc import read_ees

FILES = (
    "dfe_neet/neet_la_2021.csv",
    "dfe_neet/neet_la_2022.csv",
    "dfe_neet/neet_la_2023.csv",
    "dfe_neet/neet_la_latest.csv",
)
SOURCE_FILES = FILES
SOURCE = "DfE NCCIS"

# indicator suffix -> published % column (names and definitions are in the catalogue)
_MEASURES = (
    ("neet_pct", "NEET_percent"),
    ("not_known_pct", "Notknown_percent"),
    ("neet_or_not_known_pct", "NEET_not_known_percent"),
)


def rows(raw_dir: Path) -> tuple[pd.DataFrame, list[Meta]]:
    raw_dir = Path(raw_dir)
    data = pd.concat([read_ees(raw_dir / f) for f in FILES], ignore_index=True)
    cohort = to_number(data["Cohort_DJFavg"])
    frames = []
    for slug, column in _MEASURES:
        pct = to_number(data[column])
        count = pd.Series(np.round(pct.to_numpy() * cohort.to_numpy() / 100), index=data.index)
        frames.append(
            source_frame(
                indicator_id=f"neet:{slug}",
                code=data["code"].fillna(""),
                name=data["name"],
                period=data["time_period"],
                year=data["time_period"].astype(int),
                period_type="annual (December-February average)",
                value=pct,
                count=count,
                denominator=cohort,
                source=SOURCE,
            )
        )
    out = pd.concat(frames, ignore_index=True)
    metas = [catalogue_meta(f"neet:{slug}") for slug, _ in _MEASURES]
    return out, metas
