"""DfE children's social care with counts and 0-17 populations (EES underlying data).

* CLA at 31 March / starting / ceasing: count, 0-17 population and rate as in the CLA file.
* CIN at 31 March, referrals, CPPs at 31 March and starting: counts from the CIN files; the
  denominator is DfE's own 0-17 mid-year estimate for the previous mid-year (reporting year
  2025 uses mid-2024, as DfE does: this reproduces the published CIN rates).
* %s (re-referrals, second or subsequent CPPs, CPPs lasting 2 years+) with their bases.

``value`` is ``count / denominator × 10,000`` (or × 100), unrounded, where both are present:
for LAs it agrees with DfE's rounded published figure (whole numbers for CLA rates, 1 dp for %;
checked, disagreements logged) and it always lies inside its own CIs. DfE rounds regional and
national counts to the nearest 10, so for those rows it can differ from the published % by ~0.1.
Where the count is suppressed but a published figure exists that figure is kept. Suppression
markers (``c``, ``x``, ``z``, ``u``, ``low``, ``:``) -> NA; rows with no value are dropped. The
0-17 population is ``x`` for Bournemouth, Poole and old Dorset, so their CIN/CPP/referral
rates (2013-2019) are absent here (LAIT has them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.snapshot.codes import ENGLAND
from needsbook.snapshot.ind_common import (
    Meta,
    catalogue_meta,
    empty_rows,
    source_frame,
    to_number,
    value_from_counts,
)

CLA = "dfe_csc/cla_number_and_rate_per_10k_children.csv"
CIN = "dfe_csc/b1_children_in_need_2013_to_2025.csv"
REFERRALS = "dfe_csc/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
CPP_STARTS = "dfe_csc/d3_cpps_subsequent_plan_2013_to_2025.csv"
CPP_AT31 = "dfe_csc/d5_cpps_at31march_by_duration_2013_to_2025.csv"
POPULATION = "dfe_csc/ons_mid-year_population_estimates_2012_to_2024.csv"
SOURCE_FILES = (CLA, CIN, REFERRALS, CPP_STARTS, CPP_AT31, POPULATION)


@dataclass(frozen=True)
class _Measure:
    slug: str
    file: str
    count: str
    denominator: str | None  # column in the file; None = DfE 0-17 population (previous mid-year)
    published: str | None
    multiplier: float
    period_type: str
    row_filter: tuple[str, str] | None = None


_MEASURES = (
    _Measure(
        slug="cla_rate",
        file=CLA,
        count="children_count",
        denominator="population_estimate",
        published="rate_per_10000",
        multiplier=10_000,
        period_type="at 31 March",
        row_filter=("population_type", "Children looked after on 31 March each year"),
    ),
    _Measure(
        slug="cla_started_rate",
        file=CLA,
        count="children_count",
        denominator="population_estimate",
        published="rate_per_10000",
        multiplier=10_000,
        period_type="financial year",
        row_filter=("population_type", "Children starting to be looked after each year"),
    ),
    _Measure(
        slug="cla_ceased_rate",
        file=CLA,
        count="children_count",
        denominator="population_estimate",
        published="rate_per_10000",
        multiplier=10_000,
        period_type="financial year",
        row_filter=("population_type", "Children ceasing to be looked after each year"),
    ),
    _Measure(
        slug="cin_rate",
        file=CIN,
        count="At31_episodes",
        denominator=None,
        published=None,
        multiplier=10_000,
        period_type="at 31 March",
    ),
    _Measure(
        slug="referral_rate",
        file=REFERRALS,
        count="referral_count",
        denominator=None,
        published=None,
        multiplier=10_000,
        period_type="financial year",
    ),
    _Measure(
        slug="rereferral_pct",
        file=REFERRALS,
        count="rereferral_count",
        denominator="referral_count",
        published="rereferral_percent",
        multiplier=100,
        period_type="financial year",
    ),
    _Measure(
        slug="cpp_rate",
        file=CPP_AT31,
        count="CPP_At31",
        denominator=None,
        published=None,
        multiplier=10_000,
        period_type="at 31 March",
    ),
    _Measure(
        slug="cpp_2yrs_pct",
        file=CPP_AT31,
        count="2_years_or_more",
        denominator="CPP_At31",
        published="2_years_or_more_percent",
        multiplier=100,
        period_type="at 31 March",
    ),
    _Measure(
        slug="cpp_started_rate",
        file=CPP_STARTS,
        count="CPP_start",
        denominator=None,
        published=None,
        multiplier=10_000,
        period_type="financial year",
    ),
    _Measure(
        slug="cpp_subsequent_pct",
        file=CPP_STARTS,
        count="CPP_subsequent",
        denominator="CPP_start",
        published="CPP_subsequent_percent",
        multiplier=100,
        period_type="financial year",
    ),
)


def read_ees(path: Path) -> pd.DataFrame:
    """An EES underlying-data CSV as text, with ``code``/``name``/``key`` for its area.

    ``key`` joins across files: the DfE LA number for LAs, the region code for regions,
    E92000001 for England. Other geographic levels are dropped.
    """
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    level = df["geographic_level"]
    df = df[level.isin(["National", "Regional", "Local authority"])].copy()
    nat = df["geographic_level"] == "National"
    reg = df["geographic_level"] == "Regional"
    df["code"] = df["new_la_code"].where(~reg, df["region_code"]).where(~nat, ENGLAND)
    df["name"] = df["la_name"].where(~reg, df["region_name"]).where(~nat, "England")
    df["key"] = df["old_la_code"].where(~reg, df["region_code"]).where(~nat, ENGLAND)
    return df


def _population(raw_dir: Path) -> pd.Series:
    pop = read_ees(raw_dir / POPULATION)
    pop["reporting_year"] = (pop["time_period"].astype(int) + 1).astype(str)
    pop["population"] = to_number(pop["population_estimate"])
    return pop.set_index(["key", "reporting_year"])["population"]


def rows(raw_dir: Path) -> tuple[pd.DataFrame, list[Meta]]:
    raw_dir = Path(raw_dir)
    pop = _population(raw_dir)
    frames, metas, cache = [], [], {}
    for m in _MEASURES:
        if m.file not in cache:
            cache[m.file] = read_ees(raw_dir / m.file)
        df = cache[m.file]
        if m.row_filter:
            df = df[df[m.row_filter[0]] == m.row_filter[1]]
        count = to_number(df[m.count])
        if m.denominator is None:
            den = pd.Series(
                pop.reindex(pd.MultiIndex.from_arrays([df["key"], df["time_period"]])).to_numpy(),
                index=df.index,
                dtype="float64",
            )
        else:
            den = to_number(df[m.denominator])
        published = to_number(df[m.published]) if m.published else pd.Series(np.nan, df.index)
        value = value_from_counts(
            count,
            den,
            published,
            m.multiplier,
            what=f"csc:{m.slug}",
            tolerance=0.5 if m.multiplier == 10_000 else 0.05,
            check=df["geographic_level"] == "Local authority",
        )
        frames.append(
            source_frame(
                indicator_id=f"csc:{m.slug}",
                code=df["code"],
                name=df["name"],
                period=df["time_period"],
                year=df["time_period"].astype(int),
                period_type=m.period_type,
                value=value,
                count=count,
                denominator=den,
                source="DfE CLA" if m.file == CLA else "DfE CIN",
            )
        )
        metas.append(catalogue_meta(f"csc:{m.slug}"))
    out = pd.concat(frames, ignore_index=True) if frames else empty_rows()
    return out, metas
