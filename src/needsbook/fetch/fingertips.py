"""OHID Fingertips API -> rows of the snapshot's ``indicators`` and ``indicator_meta`` tables.

Endpoints (base ``https://fingertips.phe.org.uk``, overridable with ``NEEDSBOOK_FINGERTIPS_URL``):

* data: ``/api/all_data/csv/by_indicator_id?indicator_ids=<id>&child_area_type_id=502
  &parent_area_type_id=6`` - the "all data" CSV export (the layout of
  ``dfe_csc/la_hospital_admissions_2324.csv.gz``) for Counties & UAs from April 2023 (502) with
  regions (6) as parents, plus England;
* metadata: ``/api/indicator_metadata/csv/by_indicator_id?indicator_ids=<id>`` - name,
  definition, unit, value type, year type and polarity;
* id resolution: ``/api/profiles`` (JSON list with ``Id``/``Key``) and
  ``/api/indicator_metadata/csv/by_profile_id?profile_id=<id>`` - used when a catalogue entry
  has no id, or its id now names a different indicator.

Rows kept: no inequality breakdown (``Category Type`` empty), the catalogue's sex and age,
England, regions and upper-tier LAs; England's duplicate (as a child of itself) is dropped.
Codes are mapped with ``needsbook.snapshot.ind_common.resolve_areas`` (see
``needsbook.fetch.areas`` for the lookups). Values, 95%/99.8% limits, counts and denominators
are Fingertips' own; missing limits are computed like the snapshot's (Wilson for proportions,
exact Poisson/Byar's for crude rates). Periods without an England row are dropped (the
``indicators`` suite requires one). Fingertips value types outside the snapshot's vocabulary
(e.g. "Directly standardised rate") are refused with a message rather than mislabelled.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC

import numpy as np
import pandas as pd

from needsbook.fetch.areas import AreaContext
from needsbook.fetch.csvio import read_csv, read_json
from needsbook.fetch.errors import FetchError
from needsbook.fetch.http import Fetcher
from needsbook.polarity import HIGH_IS_GOOD as HIGH
from needsbook.polarity import LOW_IS_GOOD as LOW
from needsbook.polarity import NO_JUDGEMENT, NOT_APPLICABLE
from needsbook.snapshot.ind_common import (
    VALUE_TYPES,
    Meta,
    fill_cis,
    period_end_year,
    resolve_areas,
    to_number,
)
from needsbook.snapshot.indicators import META_COLUMNS
from needsbook.snapshot.spec import CI_COLUMNS, INDICATOR_COLUMNS

SOURCE = "OHID Fingertips"
PUBLISHER = "Office for Health Improvement and Disparities"
UTLA_AREA_TYPE = 502  # "Counties & UAs (from Apr 2023)"
REGION_AREA_TYPE = 6  # "Regions (statistical)"
ENGLAND = "E92000001"

DATA_COLUMNS = (
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Area Code",
    "Area Name",
    "Sex",
    "Age",
    "Category Type",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Count",
    "Denominator",
)
OPTIONAL_DATA_COLUMNS = ("Lower CI 99.8 limit", "Upper CI 99.8 limit", "Time period range")
META_COLUMNS_FT = ("Indicator ID", "Indicator", "Unit", "Value type", "Year type", "Polarity")

_POLARITY = {
    "rag - low is good": LOW,
    "rag - high is good": HIGH,
    "low is good": LOW,
    "high is good": HIGH,
    "bob - blue orange blue": NO_JUDGEMENT,
    "no judgement": NO_JUDGEMENT,
    "not applicable": NOT_APPLICABLE,
}
_VALUE_TYPE = {
    "proportion": "proportion",
    "percentage": "proportion",
    "crude rate": "crude rate",
    "directly standardised rate": "directly standardised rate",
    "indirectly standardised ratio": "indirectly standardised ratio",
    "count": "count",
    "mean": "mean",
    "score": "score",
}
_YEAR_TYPE = {
    "financial": "financial year",
    "calendar": "calendar year",
    "academic": "academic year",
    "august-july": "academic year",
}
_AREA_CODE = re.compile(r"^E(?:92|12|06|08|09|10)\d{6}$")
_UTLA_CODE = re.compile(r"^E(?:06|08|09|10)\d{6}$")


def base_url() -> str:
    return os.environ.get("NEEDSBOOK_FINGERTIPS_URL", "https://fingertips.phe.org.uk").rstrip("/")


@dataclass(frozen=True)
class FingertipsIndicator:
    """A catalogue entry: which Fingertips indicator, and which slice of it, the book uses.

    ``id`` may be ``None`` (or turn out to name another indicator): it is then resolved by
    matching ``name_patterns`` (regexes, all must match; ``exclude`` must not) against the
    indicator names of profile ``profile``. ``checked`` says whether the id was confirmed
    against a real Fingertips export or published code.
    """

    key: str  # "smoking_delivery"
    id: int | None
    title: str
    name_patterns: tuple[str, ...]
    topic: str
    exclude: tuple[str, ...] = ()
    sex: str | None = None  # None: the only sex published, else "Persons"
    age: str | None = None  # None: the only age published
    unit: str | None = None  # None: Fingertips' unit as published
    profile: str | None = "child-health-profiles"
    checked: bool = False
    polarity: str | None = None  # used only if Fingertips' polarity is not recognised

    def matches(self, name: str) -> bool:
        return all(re.search(p, name, re.I) for p in self.name_patterns) and not any(
            re.search(p, name, re.I) for p in self.exclude
        )


@dataclass
class FingertipsResult:
    """One indicator's rows (``INDICATOR_COLUMNS``) and its ``indicator_meta`` row."""

    indicator_id: str
    name: str
    rows: pd.DataFrame
    meta: dict[str, object]
    urls: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def data_request(indicator: int) -> tuple[str, dict[str, str | int]]:
    return (
        f"{base_url()}/api/all_data/csv/by_indicator_id",
        {
            "indicator_ids": indicator,
            "child_area_type_id": UTLA_AREA_TYPE,
            "parent_area_type_id": REGION_AREA_TYPE,
        },
    )


def metadata_request(indicator: int) -> tuple[str, dict[str, str | int]]:
    return (
        f"{base_url()}/api/indicator_metadata/csv/by_indicator_id",
        {"indicator_ids": indicator},
    )


# -------------------------------------------------------------------------------------------
# Metadata and id resolution
# -------------------------------------------------------------------------------------------
def _read_metadata(body: bytes) -> pd.DataFrame:
    return read_csv(body, source=SOURCE, required=META_COLUMNS_FT, what="indicator metadata")


def fetch_metadata(fetcher: Fetcher, indicator: int, label: str) -> pd.Series:
    url, params = metadata_request(indicator)
    meta = fetcher.get(url, params=params, source=SOURCE, indicator=label, check=_read_metadata)
    hit = meta.value[meta.value["Indicator ID"].str.strip() == str(indicator)]
    if hit.empty:
        raise FetchError(
            SOURCE,
            f"no metadata for indicator {indicator}: the id may be wrong or withdrawn",
            url=meta.entry.url,
            indicator=label,
        )
    return hit.iloc[0]


def resolve_id(fetcher: Fetcher, spec: FingertipsIndicator, label: str) -> int:
    """Find ``spec``'s indicator id by name among the indicators of its profile."""
    if not spec.profile:
        raise FetchError(SOURCE, "no indicator id and no profile to look it up in", indicator=label)
    profiles = fetcher.get(
        f"{base_url()}/api/profiles",
        source=SOURCE,
        indicator=label,
        check=lambda b: read_json(b, source=SOURCE),
    )
    found = [
        p
        for p in profiles.value
        if isinstance(p, dict) and str(p.get("Key", "")).lower() == spec.profile
    ]
    if not found:
        raise FetchError(
            SOURCE,
            f"profile '{spec.profile}' is not in the list of Fingertips profiles",
            url=profiles.entry.url,
            indicator=label,
        )
    profile_id = found[0].get("Id")
    meta = fetcher.get(
        f"{base_url()}/api/indicator_metadata/csv/by_profile_id",
        params={"profile_id": str(profile_id)},
        source=SOURCE,
        indicator=label,
        check=_read_metadata,
    )
    table = meta.value.drop_duplicates("Indicator ID")
    hits = table[table["Indicator"].fillna("").map(spec.matches)]
    if len(hits) != 1:
        listed = "; ".join(f"{r['Indicator ID']} {r['Indicator']}" for _, r in hits.iterrows())
        raise FetchError(
            SOURCE,
            (
                f"{'no' if hits.empty else len(hits)} indicators of profile '{spec.profile}' "
                f"match '{spec.title}'"
                + (f" ({listed})" if listed else "")
                + ": choose one with --indicators ft:<id> (search "
                "https://fingertips.phe.org.uk/search)"
            ),
            url=meta.entry.url,
            indicator=label,
        )
    return int(hits.iloc[0]["Indicator ID"])


# -------------------------------------------------------------------------------------------
# Data
# -------------------------------------------------------------------------------------------
def _multiplier(unit: str) -> float | None:
    text = unit.strip().lower()
    if text in ("%", "percent", "percentage"):
        return 100.0
    m = re.search(r"per\s+([\d,]+)", text)
    return float(m.group(1).replace(",", "")) if m else None


def _pick(values: pd.Series, wanted: str | None, what: str, label: str) -> str:
    options = sorted(values.dropna().unique())
    if wanted is not None:
        if wanted not in options:
            raise FetchError(
                SOURCE,
                f"no rows for {what} '{wanted}' (published: {', '.join(options) or 'none'})",
                indicator=label,
            )
        return wanted
    if len(options) == 1:
        return str(options[0])
    if what == "sex" and "Persons" in options:
        return "Persons"
    raise FetchError(
        SOURCE,
        f"published for several {what}s ({', '.join(options)}): the catalogue must say which",
        indicator=label,
    )


def fetch_indicator(
    fetcher: Fetcher, spec: FingertipsIndicator, ctx: AreaContext
) -> FingertipsResult:
    """Download, check and convert one catalogue indicator (see the module docstring)."""
    label = f"ft:{spec.id}" if spec.id else f"ft:{spec.key}"
    notes: list[str] = []
    indicator = spec.id
    meta: pd.Series | None = None
    if indicator is not None:
        try:
            meta = fetch_metadata(fetcher, indicator, label)
        except FetchError as exc:
            if spec.profile is None or "no metadata" not in exc.reason:
                raise
            notes.append(f"indicator {indicator} has no metadata; looked up by name")
            meta = None
        if meta is not None and not spec.matches(str(meta["Indicator"])):
            if spec.profile is None:
                raise FetchError(
                    SOURCE,
                    f"indicator {indicator} is published as '{meta['Indicator']}', not "
                    f"'{spec.title}'",
                    indicator=label,
                )
            notes.append(f"indicator {indicator} is now '{meta['Indicator']}'; looked up by name")
            meta = None
    if meta is None:
        indicator = resolve_id(fetcher, spec, label)
        notes.append(f"'{spec.title}' resolved to indicator {indicator}")
        label = f"ft:{indicator}"
        meta = fetch_metadata(fetcher, indicator, label)
    assert indicator is not None
    result = convert(fetcher, indicator, spec, meta, ctx, label)
    result.notes = notes + result.notes
    return result


def _describe_meta(meta: pd.Series, spec: FingertipsIndicator, label: str) -> dict[str, object]:
    raw_type = str(meta.get("Value type") or "").strip()
    value_type = _VALUE_TYPE.get(raw_type.lower())
    if value_type is None or value_type not in VALUE_TYPES:
        raise FetchError(
            SOURCE,
            f"value type '{raw_type}' is not in the snapshot's vocabulary "
            f"({', '.join(VALUE_TYPES)}): it would be mislabelled, so the indicator is not "
            "loaded (add the type to needsbook.snapshot.ind_common.VALUE_TYPES and the "
            "indicators/indicator_meta expectation suites first)",
            indicator=label,
        )
    raw_polarity = str(meta.get("Polarity") or "").strip()
    polarity = _POLARITY.get(raw_polarity.lower()) or spec.polarity
    if polarity is None:
        raise FetchError(SOURCE, f"unrecognised polarity '{raw_polarity}'", indicator=label)
    unit = str(meta.get("Unit") or "").strip()
    year_type = str(meta.get("Year type") or "").strip()
    period_type = next(
        (v for k, v in _YEAR_TYPE.items() if year_type.lower().startswith(k)),
        year_type.lower() or "period",
    )
    return {
        "value_type": value_type,
        "polarity": polarity,
        "unit": spec.unit or unit or "value",
        "multiplier": _multiplier(unit),
        "period_type": period_type,
        "definition": str(meta.get("Definition") or meta["Indicator"]).strip(),
        "data_source": str(meta.get("Data source") or "").strip(),
    }


def convert(
    fetcher: Fetcher,
    indicator: int,
    spec: FingertipsIndicator,
    meta: pd.Series,
    ctx: AreaContext,
    label: str,
) -> FingertipsResult:
    """Download the data CSV and turn it into ``indicators`` rows plus a meta row."""
    info = _describe_meta(meta, spec, label)
    url, params = data_request(indicator)
    download = fetcher.get(
        url,
        params=params,
        source=SOURCE,
        indicator=label,
        check=lambda b: _to_rows(b, indicator, spec, info, ctx, label),
    )
    rows, notes = download.value
    name = str(meta["Indicator"]).strip()
    rows["indicator_name"] = name
    fetched = download.entry.fetched_at.astimezone(UTC).strftime("%Y-%m-%d")
    meta_row = _meta_row(rows, indicator, name, spec, info, fetched)
    return FingertipsResult(
        indicator_id=f"ft:{indicator}",
        name=name,
        rows=rows,
        meta=meta_row,
        urls=[download.entry.url],
        notes=notes,
    )


def _to_rows(
    body: bytes,
    indicator: int,
    spec: FingertipsIndicator,
    info: dict[str, object],
    ctx: AreaContext,
    label: str,
) -> tuple[pd.DataFrame, list[str]]:
    d = read_csv(body, source=SOURCE, required=DATA_COLUMNS)
    for col in OPTIONAL_DATA_COLUMNS:
        if col not in d:
            d[col] = pd.NA
    d = d[d["Indicator ID"].str.strip() == str(indicator)]
    d = d[d["Category Type"].isna()]
    if d.empty:
        raise FetchError(
            SOURCE, f"the export has no rows for indicator {indicator}", indicator=label
        )
    sex = _pick(d["Sex"], spec.sex, "sex", label)
    d = d[d["Sex"] == sex]
    age = _pick(d["Age"], spec.age, "age", label)
    d = d[d["Age"] == age]
    codes = d["Area Code"].fillna("").str.strip()
    d = d[codes.str.match(_AREA_CODE) & (codes != d["Parent Code"].fillna(""))]
    if not d["Area Code"].str.match(_UTLA_CODE).any():
        raise FetchError(
            SOURCE,
            f"no data for Counties & UAs (from Apr 2023) (area type {UTLA_AREA_TYPE}) for sex "
            f"'{sex}', age '{age}': the indicator may be published only for other geographies",
            indicator=label,
        )
    d = d.drop_duplicates(["Area Code", "Time period"])
    notes: list[str] = []
    areas = resolve_areas(d["Area Code"], ctx.lookups)
    unmapped = areas["area_type"].isna()
    if unmapped.any():
        notes.append(
            f"{int(unmapped.sum())} rows with unknown area codes dropped: "
            + ", ".join(sorted(d.loc[unmapped, "Area Code"].unique())[:8])
        )
    d, areas = d[~unmapped], areas[~unmapped]
    period_range = d["Time period range"].fillna("1y").str.strip()
    base_type = str(info["period_type"])
    period_type = np.where(
        period_range.isin(["1y", ""]), base_type, base_type + ", " + period_range + " pooled"
    )
    out = pd.DataFrame(
        {
            "indicator_id": f"ft:{indicator}",
            "indicator_name": "",
            "area_code": areas["area_code"],
            "area_name": areas["current_name"].fillna(d["Area Name"]),
            "area_type": areas["area_type"],
            "parent_code": areas["parent_code"],
            "period": d["Time period"].str.strip(),
            "year": d["Time period"].map(period_end_year),
            "period_type": period_type,
            "value": to_number(d["Value"]),
            "lower_ci_95": to_number(d["Lower CI 95.0 limit"]),
            "upper_ci_95": to_number(d["Upper CI 95.0 limit"]),
            "lower_ci_99_8": to_number(d["Lower CI 99.8 limit"]),
            "upper_ci_99_8": to_number(d["Upper CI 99.8 limit"]),
            "count": to_number(d["Count"]),
            "denominator": to_number(d["Denominator"]),
            "polarity": info["polarity"],
            "unit": info["unit"],
            "value_type": info["value_type"],
            "source": SOURCE,
            "area_code_original": areas["area_code_original"],
            "series_break": areas["series_break"],
        }
    )
    out = out[out["value"].notna() & out["year"].notna()]
    out = out.drop_duplicates(["area_code", "period"])
    has_england = set(out.loc[out["area_code"] == ENGLAND, "period"])
    no_england = ~out["period"].isin(has_england)
    if no_england.any():
        notes.append(
            "periods without an England value dropped: "
            + ", ".join(sorted(out.loc[no_england, "period"].unique()))
        )
        out = out[~no_england]
    if not out["area_type"].eq("UTLA").any():
        raise FetchError(
            SOURCE,
            "no upper-tier LA rows with a value and an England comparator",
            indicator=label,
        )
    multiplier = info["multiplier"]
    method = {"proportion": "wilson", "crude rate": "poisson"}.get(str(info["value_type"]))
    if method and multiplier:
        ci_meta = Meta(
            indicator_id=f"ft:{indicator}",
            indicator_name="",
            definition="",
            topic="",
            polarity=str(info["polarity"]),
            unit=str(info["unit"]),
            value_type=str(info["value_type"]),
            source=SOURCE,
            publisher=PUBLISHER,
            source_dataset="",
            ci_method=method,
            multiplier=float(multiplier),  # type: ignore[arg-type]
        )
        out = fill_cis(out, {ci_meta.indicator_id: ci_meta})
    return _typed(out), notes


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    out = df[list(INDICATOR_COLUMNS)].copy()
    for col in ("value", *CI_COLUMNS, "count", "denominator"):
        out[col] = out[col].astype("float64")
    out["year"] = out["year"].astype("Int64")
    for col in INDICATOR_COLUMNS:
        if col not in ("value", *CI_COLUMNS, "count", "denominator", "year"):
            out[col] = out[col].astype("str")
    return out.sort_values(
        ["indicator_id", "area_code", "year", "period"], kind="mergesort", ignore_index=True
    )


def _meta_row(
    rows: pd.DataFrame,
    indicator: int,
    name: str,
    spec: FingertipsIndicator,
    info: dict[str, object],
    fetched: str,
) -> dict[str, object]:
    period_type = rows["period_type"].value_counts().sort_index().idxmax()
    source_note = f"; data source: {info['data_source']}" if info["data_source"] else ""
    row = {
        "indicator_id": f"ft:{indicator}",
        "indicator_name": name,
        "definition": info["definition"],
        "topic": spec.topic,
        "polarity": info["polarity"],
        "unit": info["unit"],
        "value_type": info["value_type"],
        "source": SOURCE,
        "publisher": PUBLISHER,
        "source_dataset": f"OHID Fingertips API, indicator {indicator} (fetched {fetched})"
        + source_note,
        "period_type": period_type,
        "first_year": int(rows["year"].min()),
        "last_year": int(rows["year"].max()),
        "has_ci": bool(rows["lower_ci_95"].notna().any()),
        "has_count": bool(rows["count"].notna().any()),
        "url": f"https://fingertips.phe.org.uk/search/{indicator}",
    }
    assert list(row) == list(META_COLUMNS)
    return row
