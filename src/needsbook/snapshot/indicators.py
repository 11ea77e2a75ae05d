"""The long, Fingertips-compatible indicator table and its metadata.

``indicators`` is the union of seven sources (one ``ind_*`` module each):

============  ==========================  ================================================
prefix        source                      notes
============  ==========================  ================================================
``lait:``     DfE LAIT (all measures)     values only, no CIs/counts (``ind_lait``)
``csc:``      DfE CLA / CIN (EES)         counts and 0-17 populations (``ind_csc``)
``c3:``       DfE CIN table C3            assessment factors: per 10,000 and % (``ind_c3``)
``cover:``    UKHSA COVER                 annual = sum of 4 quarters (``ind_cover``)
``neet:``     DfE NCCIS                   % with cohort (``ind_neet``)
``eyfs:``     DfE EYFSP 2021/22           GLD / CLL, all and by FSM (``ind_eyfs``)
``ft:``       OHID Fingertips 90284       own CIs, counts, denominators (``ind_fingertips``)
============  ==========================  ================================================

Assembly (:func:`assemble`):

* published codes are mapped with ``needsbook.snapshot.codes.map_codes``: current UTLAs (old
  codes of the same area recoded, e.g. Buckinghamshire E10000002 -> E06000060), "Former UTLA"
  (Bournemouth, Poole, old Dorset, Northamptonshire, Cumbria: never merged into successors),
  "DfE combined unit"; ``series_break`` says why a row is not comparable with earlier ones.
  Inner/Outer London (E13) rows are dropped; any other unmappable code is dropped and counted
  in a log message. ``area_name`` is the current name (mapped areas) or the crosswalk's name
  for former/combined units, else the published one.
* derived rows (``ind_derived``): earlier years of indicators with a catalogue ``history``
  and region rows summed from upper-tier areas where the publisher has none.
* rows with count and denominator but no CI get 95% and 99.8% CIs: Wilson for proportions,
  exact Poisson (x < 10) / Byar's for rates.
* metadata (name, definition, polarity, unit, value type, CI method) is the indicator
  catalogue's (``data/indicators.yml``) for every catalogued indicator; LAIT's dictionary for
  the rest.
* every (indicator, period) must have an England row; where a source has none (LAIT's
  re-offending measures, KS2 value-added progress 2016-17, youth-justice cautions 2024-25) the
  indicator-period is dropped and logged. COVER has no England/region rows at all: they are
  sums of the UTLAs' quarterly numerators and denominators.
* ``value``: LAIT, NEET and Fingertips as published; CSC, C3, COVER and EYFS as
  ``count / denominator × multiplier`` unrounded (DfE's rounded figure is reproduced by
  rounding it; see ``ind_csc``), so that every value lies inside its own CIs.
* rows are sorted by indicator_id, area_code, year, period; the build is deterministic.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from needsbook.outcomes.catalogue import load_catalogue
from needsbook.snapshot import (
    ind_c3,
    ind_cover,
    ind_csc,
    ind_eyfs,
    ind_fingertips,
    ind_lait,
    ind_neet,
)
from needsbook.snapshot.codes import CROSSWALK, CURRENT, DFE_LOOKUP, ENGLAND
from needsbook.snapshot.ind_common import Meta, fill_cis, log, resolve_areas
from needsbook.snapshot.ind_derived import history_rows, region_rows
from needsbook.snapshot.spec import CI_COLUMNS, INDICATOR_COLUMNS, TableSpec

SOURCES = (ind_lait, ind_csc, ind_c3, ind_cover, ind_neet, ind_eyfs, ind_fingertips)
KEY = ("indicator_id", "area_code", "period")
META_COLUMNS = (
    "indicator_id",
    "indicator_name",
    "definition",
    "topic",
    "polarity",
    "unit",
    "value_type",
    "source",
    "publisher",
    "source_dataset",
    "period_type",
    "first_year",
    "last_year",
    "has_ci",
    "has_count",
    "url",
)
_STR_COLUMNS = (
    "indicator_id",
    "indicator_name",
    "area_code",
    "area_name",
    "area_type",
    "parent_code",
    "period",
    "period_type",
    "polarity",
    "unit",
    "value_type",
    "source",
    "area_code_original",
    "series_break",
)


def england_missing(df: pd.DataFrame) -> pd.DataFrame:
    """The (indicator_id, period) pairs that have no England (E92000001) row."""
    keys = ["indicator_id", "period"]
    has = df.loc[df["area_code"] == ENGLAND, keys].drop_duplicates()
    allk = df[keys].drop_duplicates()
    out = allk.merge(has, how="left", indicator=True)
    out = out.loc[out["_merge"] == "left_only", keys]
    return out.sort_values(keys, ignore_index=True)


def _map_areas(rows: pd.DataFrame, raw_dir: Path) -> pd.DataFrame:
    inner_outer = rows["code"].str.startswith("E13", na=False)
    if inner_outer.any():
        log.info("indicators: %d Inner/Outer London (E13) rows dropped", int(inner_outer.sum()))
    rows = rows[~inner_outer]
    areas = resolve_areas(rows["code"], raw_dir)
    unmapped = areas["area_type"].isna()
    if unmapped.any():
        bad = rows.loc[unmapped]
        examples = (bad["code"].fillna("<none>") + " " + bad["name"].fillna("")).unique()[:8]
        log.warning(
            "indicators: %d rows with unmappable area codes dropped (%s)",
            int(unmapped.sum()),
            "; ".join(sorted(map(str, examples))),
        )
    rows, areas = rows[~unmapped], areas[~unmapped]
    out = rows.assign(
        area_code=areas["area_code"],
        area_type=areas["area_type"],
        parent_code=areas["parent_code"],
        area_code_original=areas["area_code_original"],
        series_break=areas["series_break"],
        area_name=areas["current_name"].fillna(rows["name"]),
    )
    return out


@cache
def _assembled(raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return assemble(raw_dir)


def assemble(raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build ``(indicators, indicator_meta)`` from all sources (uncached)."""
    raw_dir = Path(raw_dir)
    frames: list[pd.DataFrame] = []
    metas: dict[str, Meta] = {}
    for module in SOURCES:
        rows, source_metas = module.rows(raw_dir)
        no_value = rows["value"].isna()
        log.info(
            "%s: %d rows, %d without a value dropped",
            module.__name__.rsplit(".", 1)[-1],
            len(rows),
            int(no_value.sum()),
        )
        frames.append(rows[~no_value])
        metas.update({m.indicator_id: m for m in source_metas})
    rows = pd.concat(frames, ignore_index=True)
    df = _map_areas(rows, raw_dir)

    df = df.sort_values([*KEY, "area_code_original"], kind="mergesort")
    dup = df.duplicated(list(KEY), keep="first")
    if dup.any():
        log.warning(
            "indicators: %d rows duplicating (indicator, area, period) dropped", int(dup.sum())
        )
        df = df[~dup]

    missing = england_missing(df)
    if not missing.empty:
        drop = df.set_index(["indicator_id", "period"]).index.isin(
            pd.MultiIndex.from_frame(missing)
        )
        log.warning(
            "indicators: %d indicator-periods without an England row dropped (%d rows): %s",
            len(missing),
            int(drop.sum()),
            "; ".join(f"{i} {p}" for i, p in missing.itertuples(index=False)),
        )
        df = df[~drop]

    catalogue = load_catalogue()
    df = pd.concat([df, history_rows(df, catalogue, raw_dir)], ignore_index=True)
    df = pd.concat([df, region_rows(df, catalogue)], ignore_index=True)
    df = fill_cis(df, metas)
    for col, attr in (
        ("indicator_name", "indicator_name"),
        ("polarity", "polarity"),
        ("unit", "unit"),
        ("value_type", "value_type"),
    ):
        df[col] = df["indicator_id"].map({k: getattr(m, attr) for k, m in metas.items()})

    out = df[list(INDICATOR_COLUMNS)].copy()
    for col in _STR_COLUMNS:
        out[col] = out[col].astype("str")
    for col in ("value", *CI_COLUMNS, "count", "denominator"):
        out[col] = out[col].astype("float64")
    out["year"] = out["year"].astype("Int64")
    out = out.sort_values(
        ["indicator_id", "area_code", "year", "period"], kind="mergesort", ignore_index=True
    )
    return out, _meta_table(out, metas)


def _meta_table(df: pd.DataFrame, metas: dict[str, Meta]) -> pd.DataFrame:
    g = df.groupby("indicator_id", sort=True)
    stats = pd.DataFrame(
        {
            "first_year": g["year"].min(),
            "last_year": g["year"].max(),
            "has_ci": g["lower_ci_95"].count() > 0,
            "has_count": g["count"].count() > 0,
            "period_type": g["period_type"].agg(lambda s: s.value_counts().sort_index().idxmax()),
        }
    )
    rows = []
    for ind, st in stats.iterrows():
        m = metas[ind]
        rows.append(
            {
                "indicator_id": ind,
                "indicator_name": m.indicator_name,
                "definition": m.definition,
                "topic": m.topic,
                "polarity": m.polarity,
                "unit": m.unit,
                "value_type": m.value_type,
                "source": m.source,
                "publisher": m.publisher,
                "source_dataset": m.source_dataset,
                "period_type": st["period_type"],
                "first_year": st["first_year"],
                "last_year": st["last_year"],
                "has_ci": bool(st["has_ci"]),
                "has_count": bool(st["has_count"]),
                "url": m.url,
            }
        )
    return meta_frame(rows)


def meta_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """``indicator_meta`` rows with the table's dtypes (also used by the Fingertips fetcher)."""
    out = pd.DataFrame(rows, columns=list(META_COLUMNS))
    for col in META_COLUMNS:
        if col in ("first_year", "last_year"):
            out[col] = out[col].astype("Int64")
        elif col in ("has_ci", "has_count"):
            out[col] = out[col].astype("bool")
        else:
            out[col] = out[col].astype("str")
    return out


def build_indicators(raw_dir: Path) -> pd.DataFrame:
    """The long indicator table (``INDICATOR_COLUMNS``), one row per indicator-area-period."""
    return _assembled(Path(raw_dir))[0].copy()


def build_indicator_meta(raw_dir: Path) -> pd.DataFrame:
    """One row per indicator_id of the ``indicators`` table."""
    return _assembled(Path(raw_dir))[1].copy()


_FILES = (
    *dict.fromkeys(f for m in SOURCES for f in m.SOURCE_FILES),
    CROSSWALK,
    CURRENT,
    DFE_LOOKUP,
)

TABLES = [
    TableSpec(
        name="indicators",
        description=(
            "Long indicator table (Fingertips-compatible): DfE LAIT measures, DfE children's "
            "social care rates with counts and 0-17 populations, factors identified at the end "
            "of children in need assessments (per 10,000 aged 0-17 and %), UKHSA COVER annual "
            "coverage, DfE NEET/not known 16-17, EYFS GLD 2021/22 and OHID indicator 90284, "
            "for UTLAs, regions and England, with 95%/99.8% CIs where counts allow"
        ),
        source_dataset=(
            "DfE Local Authority Interactive Tool; DfE Children looked after / Characteristics "
            "of children in need (EES); UKHSA COVER quarterly tables; DfE NEET and participation "
            "16-17 (NCCIS); DfE EYFS profile results; OHID Fingertips 90284"
        ),
        publisher="Department for Education; UK Health Security Agency; Office for Health "
        "Improvement and Disparities; ONS (populations)",
        source_files=_FILES,
        build=build_indicators,
        period_column="period",
        key=KEY,
    ),
    TableSpec(
        name="indicator_meta",
        description="One row per indicator of the indicators table: name, definition, topic, "
        "polarity, unit, value type, source, years covered, whether CIs/counts exist",
        source_dataset="DfE LAIT data dictionary; needsbook definitions for derived indicators",
        publisher="Department for Education; UK Health Security Agency; Office for Health "
        "Improvement and Disparities",
        source_files=(ind_lait.DICTIONARY,),
        build=build_indicator_meta,
        period_column=None,
        key=("indicator_id",),
    ),
]
