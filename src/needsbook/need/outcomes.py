"""The area outcomes the need model is fitted to: what each measures, for which ages, and the
area counts (events out of children) for a data year.

Each outcome is an *adverse* event (not reaching a standard, being in need of help, entering the
youth justice system), so a higher modelled share always means more need. Where the publisher
gives counts and denominators they are used; where it gives only a percentage or rate, the
denominator is the area's ONS mid-year population at the ages the measure covers and the count
is the published value times that population.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.data import load_table

#: Fit an outcome's year only if at least this many areas have a value for it.
MIN_AREAS = 100


@dataclass(frozen=True)
class Outcome:
    key: str
    indicator_id: str
    label: str  # what a higher share means, in words
    ages: tuple[int, int]  # ages the measure covers (denominator when no count is published)
    weights: tuple[str, ...]  # LSOA population columns weighting its neighbourhoods
    per: float  # the published value is per this many children
    complement: bool = False  # the published value is the good outcome (event = not achieving)
    band: str | None = None  # the age band whose share of early-help need it sets

    def events(self, value: pd.Series) -> pd.Series:
        """The share of children with the adverse event, from published values."""
        share = value.astype("float64") / self.per
        return 1 - share if self.complement else share


OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "not_gld",
        "lait:FSP_NEW_GOODDEV",
        "not reaching a good level of development at age 5",
        (4, 4),
        ("pop_0_4",),
        100,
        True,
        "0-4",
    ),
    Outcome(
        "not_ks2",
        "lait:KS2RWM_Expected_STD",
        "not reaching the expected standard in reading, writing and maths at age 11",
        (10, 10),
        ("pop_5_10",),
        100,
        True,
        "5-10",
    ),
    Outcome(
        "not_ks4",
        "lait:EngMaths9-4",
        "not achieving grade 4 or above in English and maths GCSEs at age 16",
        (15, 15),
        ("pop_11_15",),
        100,
        True,
        "11-15",
    ),
    Outcome(
        "neet",
        "lait:16-17_not known_NEET",
        "not in education, employment or training, or activity not known, at 16-17",
        (16, 17),
        ("pop_16_17",),
        100,
        False,
        "16-19",
    ),
    Outcome(
        "cin",
        "csc:cin_rate",
        "children in need (31 March), aged 0-17",
        (0, 17),
        ("pop_0_17",),
        10_000,
    ),
    Outcome(
        "cpp",
        "csc:cpp_rate",
        "children on child protection plans (31 March), aged 0-17",
        (0, 17),
        ("pop_0_17",),
        10_000,
    ),
    Outcome(
        "cla",
        "csc:cla_rate",
        "children looked after (31 March), aged 0-17",
        (0, 17),
        ("pop_0_17",),
        10_000,
    ),
    Outcome(
        "yj_entrants",
        "lait:FirstYJS",
        "first-time entrants to the youth justice system, 10-17",
        (10, 17),
        ("pop_10_17",),
        100_000,
    ),
    Outcome(
        "injuries",
        "ft:90284",
        "hospital admissions for injuries, aged 0-14",
        (0, 14),
        ("pop_0_4", "pop_5_9", "pop_10_14"),
        10_000,
    ),
)
BY_KEY = {o.key: o for o in OUTCOMES}
#: The outcome that sets each age band's share likely to need early help.
ANCHORS = {o.band: o for o in OUTCOMES if o.band}


def _population(year: int, ages: tuple[int, int], data_dir: Path | str | None) -> pd.Series:
    """UTLA population at ``ages`` in ``year`` (the nearest year the snapshot holds)."""
    pop = load_table("population_syoa", data_dir)
    pop = pop[pop["area_type"] == "UTLA"]
    years = np.array(sorted(pop["year"].unique()))
    use = int(years[np.argmin(np.abs(years - int(year)))])
    sel = pop[(pop["year"] == use) & pop["age"].between(*ages)]
    return sel.groupby("area_code")["population"].sum().astype("float64")


def outcome_year(outcome: Outcome, year: int, data_dir: Path | str | None = None) -> int | None:
    """The latest year at or before ``year`` (else the earliest after it) with enough areas."""
    ind = load_table("indicators", data_dir)
    rows = ind[
        (ind["indicator_id"] == outcome.indicator_id)
        & (ind["area_type"] == "UTLA")
        & ind["value"].notna()
    ]
    counts = rows.groupby("year")["area_code"].nunique()
    years = sorted(int(y) for y in counts[counts >= MIN_AREAS].index)
    if not years:
        return None
    before = [y for y in years if y <= int(year)]
    return before[-1] if before else years[0]


def area_counts(outcome: Outcome, year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per current area with a value: ``area_code, period, year, events, trials,
    observed`` (events / trials) for the outcome's year (see :func:`outcome_year`)."""
    use = outcome_year(outcome, year, data_dir)
    cols = ["area_code", "period", "year", "events", "trials", "observed"]
    if use is None:
        return pd.DataFrame(columns=cols)
    ind = load_table("indicators", data_dir)
    areas = set(load_table("areas", data_dir)["area_code"])
    rows = ind[
        (ind["indicator_id"] == outcome.indicator_id)
        & (ind["area_type"] == "UTLA")
        & (ind["year"] == use)
        & ind["value"].notna()
        & ind["area_code"].isin(areas)
    ].drop_duplicates("area_code")
    rows = rows.set_index("area_code")
    counted = rows["count"].notna() & rows["denominator"].notna() & (rows["denominator"] > 0)
    trials = pd.Series(np.nan, index=rows.index)
    events = pd.Series(np.nan, index=rows.index)
    if counted.any():
        trials[counted] = rows.loc[counted, "denominator"].astype("float64")
        share = rows.loc[counted, "count"].astype("float64") / trials[counted]
        events[counted] = (1 - share if outcome.complement else share) * trials[counted]
    if (~counted).any():
        pop = _population(use, outcome.ages, data_dir)
        trials[~counted] = pop.reindex(rows.index[~counted]).to_numpy()
        events[~counted] = outcome.events(rows.loc[~counted, "value"]) * trials[~counted]
    out = pd.DataFrame(
        {
            "area_code": rows.index,
            "period": rows["period"].astype(str).to_numpy(),
            "year": use,
            "events": events.to_numpy(),
            "trials": trials.to_numpy(),
        }
    ).dropna()
    out = out[(out["trials"] > 0) & out["events"].between(0, out["trials"])]
    out["observed"] = out["events"] / out["trials"]
    return out.sort_values("area_code").reset_index(drop=True)
