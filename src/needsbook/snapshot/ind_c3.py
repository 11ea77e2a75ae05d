"""DfE children in need: factors identified at the end of assessment (table C3), 2018-2025.

Two indicators per factor (the factors, their names, definitions and polarity are the
catalogue's: :func:`factors`):

* ``c3:<Factor>``: episodes with the factor recorded at the end of an assessment completed in
  the year to 31 March, per 10,000 children aged 0-17. The denominator is the DfE 0-17
  population ``ind_csc`` uses for its rates (the previous mid-year: reporting year 2025 uses
  mid-2024), so the rate sits beside ``csc:referral_rate`` and ``csc:cin_rate``.
* ``c3:<Factor>_pct``: the same count as a % of episodes with at least one assessment factor
  recorded (``Episodes_with_assessment_factor``).

``value`` is ``count / denominator × multiplier`` unrounded (DfE publishes no rate). Period
labels are DfE's reporting years ("2025"), as ``csc:referral_rate`` has them. Suppression
markers (``c``, ``x``, ``z``, ``u`` ...) -> NA and those rows are dropped: ``u`` (low
reliability) covers all of Herefordshire's and Hampshire's 2024 factors; child criminal
exploitation is ``x`` everywhere before 2022. DfE rounds regional and national counts to the
nearest 10. Areas are mapped by ``indicators.assemble`` like every other source (former
UTLAs kept under their own codes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.errors import DataError
from needsbook.outcomes.catalogue import Catalogue, load_catalogue
from needsbook.snapshot.ind_common import (
    Meta,
    catalogue_meta,
    source_frame,
    to_number,
    value_from_counts,
)
from needsbook.snapshot.ind_csc import POPULATION, _population, read_ees

DATA = "dfe_csc/c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
SOURCE_FILES = (DATA, POPULATION)
SOURCE = "DfE CIN"
BASE = "Episodes_with_assessment_factor"
#: Indicator ids: ``c3:<Factor>`` (the rate) and ``c3:<Factor>_pct`` (the share).
PREFIX, SHARE = "c3:", "_pct"


def factors(catalogue: Catalogue | None = None) -> tuple[str, ...]:
    """The assessment factors the snapshot carries, in catalogue order: one per ``c3:<Factor>``
    rate entry of the indicator catalogue (``<Factor>`` is the C3 file's column name)."""
    cat = catalogue or load_catalogue()
    return tuple(
        i.id.removeprefix(PREFIX)
        for i in (*cat.indicators, *cat.snapshot_only)
        if i.id.startswith(PREFIX) and not i.id.endswith(SHARE)
    )


def indicator_ids() -> list[str]:
    """Every indicator id this module derives, rate then share for each factor."""
    return [i for f in factors() for i in (f"{PREFIX}{f}", f"{PREFIX}{f}{SHARE}")]


def rows(raw_dir: Path) -> tuple[pd.DataFrame, list[Meta]]:
    raw_dir = Path(raw_dir)
    d = read_ees(raw_dir / DATA)
    pop = _population(raw_dir)
    population = pd.Series(
        pop.reindex(pd.MultiIndex.from_arrays([d["key"], d["time_period"]])).to_numpy(),
        index=d.index,
        dtype="float64",
    )
    base = to_number(d[BASE])
    nothing = pd.Series(np.nan, index=d.index)
    missing = [f for f in factors() if f not in d.columns]
    if missing:
        raise DataError(f"{DATA} has no column for the catalogued factor(s) {', '.join(missing)}")
    frames, metas = [], []
    for factor in factors():
        count = to_number(d[factor])
        for suffix, den, multiplier in (("", population, 10_000.0), (SHARE, base, 100.0)):
            ind_id = f"{PREFIX}{factor}{suffix}"
            value = value_from_counts(count, den, nothing, multiplier, what=ind_id, tolerance=0.0)
            frames.append(
                source_frame(
                    indicator_id=ind_id,
                    code=d["code"],
                    name=d["name"],
                    period=d["time_period"],
                    year=d["time_period"].astype(int),
                    period_type="financial year",
                    value=value,
                    count=count,
                    denominator=den,
                    source=SOURCE,
                )
            )
            metas.append(catalogue_meta(ind_id))
    return pd.concat(frames, ignore_index=True), metas
