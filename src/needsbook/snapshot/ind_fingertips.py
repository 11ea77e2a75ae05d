"""OHID Fingertips export, indicator 90284: hospital admissions caused by unintentional and
deliberate injuries in children aged 0-14 (crude rate per 10,000), persons, no breakdowns.

Values, 95% and 99.8% CIs, counts and denominators are Fingertips' own. The export has no
99.8% limits for some years (2010/11-2015/16); those are computed from count and denominator
with the same method Fingertips uses for the 95% limits (exact Poisson below 10, Byar's from 10).
Areas are Fingertips' "Counties & UAs (from Apr 2023)"; no region rows are published.
Isles of Scilly and City of London have no values (combined with Cornwall and Hackney).
England appears twice in the export (once as a child of itself); the duplicate is dropped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.snapshot.ind_common import (
    Meta,
    catalogue_meta,
    period_end_year,
    source_frame,
    to_number,
)

DATA = "dfe_csc/la_hospital_admissions_2324.csv.gz"
SOURCE_FILES = (DATA,)
SOURCE = "OHID Fingertips"
INDICATOR = "90284"


def rows(raw_dir: Path) -> tuple[pd.DataFrame, list[Meta]]:
    d = pd.read_csv(Path(raw_dir) / DATA, dtype=str)
    d = d[(d["Indicator ID"] == INDICATOR) & (d["Sex"] == "Persons") & d["Category Type"].isna()]
    # England is exported twice: as the top area and again as a child of itself.
    d = d[d["Area Code"] != d["Parent Code"]]
    out = source_frame(
        indicator_id=f"ft:{INDICATOR}",
        code=d["Area Code"],
        name=d["Area Name"],
        period=d["Time period"],
        year=d["Time period"].map(period_end_year),
        period_type="financial year",
        value=to_number(d["Value"]),
        lower_ci_95=to_number(d["Lower CI 95.0 limit"]),
        upper_ci_95=to_number(d["Upper CI 95.0 limit"]),
        lower_ci_99_8=to_number(d["Lower CI 99.8 limit"]),
        upper_ci_99_8=to_number(d["Upper CI 99.8 limit"]),
        count=to_number(d["Count"]),
        denominator=to_number(d["Denominator"]),
        source=SOURCE,
    )
    meta = catalogue_meta(f"ft:{INDICATOR}")
    return out, [meta]
