"""DfE EYFS profile 2021/22: good level of development (GLD) and communication, language and
literacy, for all children and by free-school-meal eligibility (LA, region, England; the
district rows of the file are ignored).

``value`` = number achieving / number of children × 100 (unrounded; DfE publishes it to 1 dp).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.snapshot.ind_common import (
    Meta,
    catalogue_meta,
    source_frame,
    to_number,
    value_from_counts,
)
from needsbook.snapshot.ind_csc import read_ees

DATA = "dfe_send/eyfsp_headline_measures_2022.csv.gz"
SOURCE_FILES = (DATA,)
SOURCE = "DfE EYFSP"

# characteristic type -> indicator suffix (names and definitions are in the catalogue)
_GROUPS = {
    "Total": "all",
    "Known to be eligible for free school meals": "fsm",
    "Not known to be eligible for free school meals": "not_fsm",
}
# measure -> (count column, published % column)
_MEASURES = {
    "gld": ("gld_number", "gld_percentage"),
    "cll": ("comm_lang_lit_number", "comm_lang_lit_percentage"),
}


def rows(raw_dir: Path) -> tuple[pd.DataFrame, list[Meta]]:
    raw_dir = Path(raw_dir)
    d = read_ees(raw_dir / DATA)
    d = d[(d["gender"] == "Total") & d["characteristic_type"].isin(list(_GROUPS))]
    d = d[
        (d["characteristic"] == "Total") | (d["characteristic"] == "Free school meal eligibility")
    ]
    period = d["time_period"].str[:4] + "/" + d["time_period"].str[4:]
    n = to_number(d["children_number"])
    frames, metas = [], []
    for measure, (num_col, pct_col) in _MEASURES.items():
        for group, slug in _GROUPS.items():
            if measure == "cll" and slug == "not_fsm":
                continue
            rows_ = d["characteristic_type"] == group
            x = to_number(d.loc[rows_, num_col])
            value = value_from_counts(
                x,
                n[rows_],
                to_number(d.loc[rows_, pct_col]),
                100.0,
                what=f"eyfs:{measure}_{slug}",
                tolerance=0.05,
                check=d.loc[rows_, "geographic_level"] == "Local authority",
            )
            frames.append(
                source_frame(
                    indicator_id=f"eyfs:{measure}_{slug}",
                    code=d.loc[rows_, "code"],
                    name=d.loc[rows_, "name"],
                    period=period[rows_],
                    year=period[rows_].str[:4].astype(int) + 1,
                    period_type="academic year",
                    value=value,
                    count=x,
                    denominator=n[rows_],
                    source=SOURCE,
                )
            )
            metas.append(catalogue_meta(f"eyfs:{measure}_{slug}"))
    return pd.concat(frames, ignore_index=True), metas
