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

from needsbook.snapshot.ind_common import LOW, Meta, source_frame, to_number
from needsbook.snapshot.ind_csc import read_ees

FILES = (
    "dfe_neet/neet_la_2021.csv",
    "dfe_neet/neet_la_2022.csv",
    "dfe_neet/neet_la_2023.csv",
    "dfe_neet/neet_la_latest.csv",
)
SOURCE_FILES = FILES
SOURCE = "DfE NCCIS"
URL = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "participation-in-education-training-and-neet-age-16-to-17-by-local-authority"
)

_MEASURES = (
    (
        "neet_pct",
        "NEET_percent",
        "16-17 year olds not in education, employment or training (%)",
        "16-17 year olds known to the local authority who are not in education, employment or "
        "training (NEET), as a percentage of the 16-17 cohort (December-February average).",
    ),
    (
        "not_known_pct",
        "Notknown_percent",
        "16-17 year olds whose activity is not known (%)",
        "16-17 year olds whose activity is not known to the local authority, as a percentage of "
        "the 16-17 cohort (December-February average).",
    ),
    (
        "neet_or_not_known_pct",
        "NEET_not_known_percent",
        "16-17 year olds NEET or whose activity is not known (%)",
        "16-17 year olds who are NEET or whose activity is not known, as a percentage of the "
        "16-17 cohort (December-February average); the headline DfE measure since 2016.",
    ),
)


def rows(raw_dir: Path) -> tuple[pd.DataFrame, list[Meta]]:
    raw_dir = Path(raw_dir)
    data = pd.concat([read_ees(raw_dir / f) for f in FILES], ignore_index=True)
    cohort = to_number(data["Cohort_DJFavg"])
    frames = []
    for slug, column, _name, _definition in _MEASURES:
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
    metas = [
        Meta(
            indicator_id=f"neet:{slug}",
            indicator_name=name,
            definition=definition + " Count derived from the published % and the cohort.",
            topic="Education, employment and training (16-17)",
            polarity=LOW,
            unit="%",
            value_type="proportion",
            source=SOURCE,
            publisher="Department for Education",
            source_dataset="Participation in education, training and NEET age 16 to 17 by "
            "local authority (NCCIS LA scorecard data)",
            url=URL,
            ci_method="wilson",
            multiplier=100.0,
        )
        for slug, _col, name, definition in _MEASURES
    ]
    return out, metas
