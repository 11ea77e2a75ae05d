"""Shared pieces of the long indicator table: per-source row layout, metadata, areas and CIs.

Every source module (``ind_lait``, ``ind_csc``, ``ind_cover``, ``ind_neet``, ``ind_eyfs``,
``ind_fingertips``) returns rows in the layout ``SOURCE_COLUMNS`` (the area as *published*) plus
one :class:`Meta` per indicator; ``indicators.assemble`` maps areas, computes missing CIs and
adds the metadata columns.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.outcomes.catalogue import Indicator, load_catalogue
from needsbook.snapshot.codes import (
    ENGLAND,
    REGION_NAMES,
    crosswalk,
    current_areas,
    map_codes,
    parent_codes,
)
from needsbook.snapshot.spec import CI_COLUMNS
from needsbook.stats import rate_ci, wilson_ci

log = logging.getLogger("needsbook.snapshot.indicators")

VALUE_TYPES = (
    "proportion",
    "crude rate",
    "directly standardised rate",
    "indirectly standardised ratio",
    "count",
    "mean",
    "score",
    "money",
    "difference",
)
AREA_TYPES = ("England", "Region", "UTLA", "Former UTLA", "DfE combined unit")

# DfE/EES and COVER suppression or not-available markers (LAIT uses "-").
SUPPRESSION_MARKERS = ("c", "x", "z", "low", "u", ":", "-", "*", "[c]", "[x]", "[z]", "..", "")

# Rows as each source module hands them over (area as published, before code mapping).
SOURCE_COLUMNS = (
    "indicator_id",
    "code",
    "name",
    "period",
    "year",
    "period_type",
    "value",
    *CI_COLUMNS,
    "count",
    "denominator",
    "source",
)


@dataclass(frozen=True)
class Meta:
    """What the ``indicator_meta`` table says about one indicator (plus how to compute its CIs)."""

    indicator_id: str
    indicator_name: str
    definition: str
    topic: str
    polarity: str
    unit: str
    value_type: str
    source: str
    publisher: str
    source_dataset: str
    url: str | None = None
    ci_method: str | None = None  # "wilson" | "poisson" | None (no CIs computed)
    multiplier: float = 1.0  # value = count / denominator * multiplier


def catalogue_meta(indicator_id: str) -> Meta:
    """The metadata of a derived indicator, from its entry in the indicator catalogue."""
    ind = load_catalogue().entry(indicator_id)
    if ind is None:
        raise KeyError(f"{indicator_id} is derived into the snapshot but not in the catalogue")
    return Meta(
        indicator_id=ind.id,
        indicator_name=ind.name,
        definition=ind.definition,
        topic=ind.topic,
        polarity=ind.polarity,
        unit=ind.unit,
        value_type=ind.value_type,
        source=ind.source,
        publisher=ind.publisher,
        source_dataset=ind.source_dataset,
        url=ind.url,
        ci_method=_ci_method(ind),
        multiplier=float(ind.multiplier or 1.0),
    )


def _ci_method(ind: Indicator) -> str | None:
    """How the snapshot fills a row's missing CIs: the catalogue's method; for "published"
    intervals, the same rule for rows the publisher gave none (derived regions)."""
    if ind.ci_method in ("wilson", "poisson"):
        return ind.ci_method
    if ind.ci_method == "published":
        return {"proportion": "wilson", "crude rate": "poisson"}.get(ind.value_type)
    return None


def with_catalogue(meta: Meta) -> Meta:
    """A publisher's metadata (LAIT's dictionary) with the catalogue's definition applied
    where the indicator is catalogued: name, definition, polarity, unit and value type."""
    ind = load_catalogue().entry(meta.indicator_id)
    if ind is None:
        return meta
    return replace(
        meta,
        indicator_name=ind.name,
        definition=ind.definition,
        polarity=ind.polarity,
        unit=ind.unit,
        value_type=ind.value_type,
        ci_method=_ci_method(ind) or meta.ci_method,
        multiplier=float(ind.multiplier or meta.multiplier),
    )


def to_number(values: pd.Series) -> pd.Series:
    """Published text -> float64; suppression markers (``c``, ``x``, ``z``, ``-`` ...) -> NaN."""
    text = values.astype("str").str.strip()
    text = text.where(~text.str.lower().isin(SUPPRESSION_MARKERS))
    return pd.to_numeric(text, errors="coerce").astype("float64")


def empty_rows() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in SOURCE_COLUMNS})


def source_frame(**columns: object) -> pd.DataFrame:
    """Build a frame in ``SOURCE_COLUMNS`` order; absent numeric columns are NaN."""
    n = max(len(v) for v in columns.values() if isinstance(v, pd.Series | np.ndarray | list))
    out = {}
    for col in SOURCE_COLUMNS:
        v = columns.get(col, np.nan)
        if isinstance(v, pd.Series):
            v = v.to_numpy()
        out[col] = np.full(n, v, dtype=object) if np.ndim(v) == 0 else v
    df = pd.DataFrame(out)
    for col in ("value", *CI_COLUMNS, "count", "denominator"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    df["year"] = pd.to_numeric(df["year"], errors="coerce").astype("Int64")
    for col in ("indicator_id", "code", "name", "period", "period_type", "source"):
        df[col] = df[col].astype("str")
    return df


def value_from_counts(
    count: pd.Series,
    denominator: pd.Series,
    published: pd.Series,
    multiplier: float,
    *,
    what: str,
    tolerance: float,
    check: pd.Series | None = None,
) -> pd.Series:
    """``count / denominator × multiplier`` where both exist, else the published value.

    The published figure is rounded (DfE: whole numbers for CLA rates, 1 dp for %); the
    unrounded value keeps ``value`` inside its own CIs. Rows in ``check`` (LA rows, whose
    counts are exact; DfE rounds regional and national counts to the nearest 10) that differ
    from the published figure by more than ``tolerance`` are logged.
    """
    ok = count.notna() & denominator.notna() & (denominator > 0)
    derived = (count / denominator.where(ok) * multiplier).where(ok)
    both = ok & published.notna()
    if check is not None:
        both &= check
    if both.any():
        bad = int(((derived[both] - published[both]).abs() > tolerance + 1e-9).sum())
        if bad:
            log.warning(
                "%s: %d LA rows where count/denominator differs from the published "
                "value by more than its rounding",
                what,
                bad,
            )
    return derived.where(ok, published)


# --------------------------------------------------------------------------------------------
# Areas
# --------------------------------------------------------------------------------------------
def resolve_areas(codes: pd.Series, raw_dir: Path) -> pd.DataFrame:
    """Map published codes to ``area_code, area_type, series_break, area_code_original``,
    ``current_name`` and ``parent_code`` (NA where the code cannot be mapped)."""
    raw_dir = Path(raw_dir)
    uniq = pd.Series(sorted(codes.dropna().astype(str).unique()), dtype="str")
    mapped = map_codes(uniq, raw_dir)
    mapped.index = uniq.to_numpy()
    cur = current_areas(raw_dir)
    names = dict(zip(cur["UTLACD"], cur["UTLANM"], strict=True))
    names.update(REGION_NAMES)
    names[ENGLAND] = "England"
    cw = crosswalk(raw_dir)
    names_old = dict(zip(cw["old_code"], cw["old_name"], strict=False))
    parents = parent_codes(raw_dir)
    successor = cw.groupby("old_code")["new_code"].first().to_dict()

    def parent(code: str, kind: object) -> object:
        if kind == "England" or pd.isna(kind):
            return pd.NA
        if kind in ("Former UTLA", "DfE combined unit"):
            return parents.get(successor.get(code, ""), pd.NA)
        return parents.get(code, pd.NA)

    mapped["current_name"] = [
        names.get(c, names_old.get(c, pd.NA)) if pd.notna(t) else pd.NA
        for c, t in zip(mapped["area_code"], mapped["area_type"], strict=True)
    ]
    mapped["parent_code"] = [
        parent(c, t) for c, t in zip(mapped["area_code"], mapped["area_type"], strict=True)
    ]
    out = mapped.reindex(codes.astype("str").to_numpy())
    out.index = codes.index
    return out


# --------------------------------------------------------------------------------------------
# Confidence intervals
# --------------------------------------------------------------------------------------------
def confidence_limits(
    method: str, x: np.ndarray, n: np.ndarray, multiplier: float, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson limits (proportions) or exact-Poisson/Byar's limits (rates), both for x/n × m.

    Delegates to :mod:`needsbook.stats` (``wilson_ci``; ``rate_ci``: exact below 10 events).
    """
    if method == "wilson":
        lo, hi = wilson_ci(x, n, confidence=confidence, multiplier=multiplier)
    elif method == "poisson":
        lo, hi = rate_ci(x, n, confidence=confidence, multiplier=multiplier)
    else:
        raise ValueError(f"unknown CI method {method!r}")
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)


def fill_cis(df: pd.DataFrame, metas: dict[str, Meta]) -> pd.DataFrame:
    """Compute 95% and 99.8% CIs where a row has count and denominator but no published CI."""
    df = df.copy()
    method = df["indicator_id"].map({k: m.ci_method for k, m in metas.items()})
    mult = df["indicator_id"].map({k: m.multiplier for k, m in metas.items()}).astype(float)
    usable = df["count"].notna() & df["denominator"].notna() & (df["denominator"] > 0)
    usable &= df["count"] >= 0
    bad_prop = usable & (method == "wilson") & (df["count"] > df["denominator"])
    if bad_prop.any():
        log.warning(
            "%d proportion rows with count > denominator: no CIs computed", int(bad_prop.sum())
        )
    usable &= ~bad_prop
    for level, (lo_col, hi_col) in ((0.95, CI_COLUMNS[:2]), (0.998, CI_COLUMNS[2:])):
        missing = df[lo_col].isna() & df[hi_col].isna()
        for kind in ("wilson", "poisson"):
            rows = usable & missing & (method == kind)
            if not rows.any():
                continue
            for m in sorted(mult[rows].unique()):
                r = rows & (mult == m)
                lo, hi = confidence_limits(
                    kind,
                    df.loc[r, "count"].to_numpy(float),
                    df.loc[r, "denominator"].to_numpy(float),
                    float(m),
                    level,
                )
                df.loc[r, lo_col] = lo
                df.loc[r, hi_col] = hi
    return df


# --------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------
_LAST_NUMBER = re.compile(r"(\d{2,4})\D*$")


def period_end_year(label: str) -> int | None:
    """The calendar year a period label ends in: "2023/24" -> 2024, "2016-17 (OT)" -> 2017,
    "2014-16" -> 2016, "2013/14-15/16" -> 2016, "2025 (Rev)" -> 2025; "0" -> None."""
    m = _LAST_NUMBER.search(str(label))
    if not m:
        return None
    digits = m.group(1)
    if len(digits) == 2:
        return 2000 + int(digits)
    if len(digits) == 4 and int(digits) >= 1900:
        return int(digits)
    return None
