"""ONS population estimates and projections (via Nomis, ONS's official statistics API).

Endpoint (base ``https://www.nomisweb.co.uk/api/v01``, overridable with ``NEEDSBOOK_NOMIS_URL``):
``GET /dataset/<id>.data.csv?geography=<GSS codes>&<time>=<values>&gender=<0|1,2>
&c_age=101...191&measures=20100&select=<time>_name,geography_code,geography_name,gender_name,
c_age_name,obs_value``.

* ``ons:mye`` - mid-year population estimates by single year of age (``NM_2002_1``), persons,
  for England, the 9 regions, the 153 current upper-tier LAs and their districts, the latest
  six years -> rows of ``population_syoa`` (age 90 = 90 and over). Years fetched replace the
  same years of the current table.
* ``ons:snpp`` - subnational population projections by single year of age and sex
  (``NM_2006_1``: the 2018-based projections; set the id in the catalogue when a newer vintage
  is on Nomis) -> a new ``population_projections`` table (age 90 = 90 and over).

Nomis returns at most 25,000 rows per request, so geographies are requested in chunks that
stay under the limit; a response of exactly 25,000 rows is refused as possibly incomplete.
Codes are requested as current GSS codes plus the former codes of areas that were only
renumbered (e.g. Barnsley and Sheffield before May 2025), and put on today's codes with
``needsbook.snapshot.codes``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from needsbook.fetch.areas import AreaContext
from needsbook.fetch.csvio import read_csv
from needsbook.fetch.errors import FetchError
from needsbook.fetch.http import Fetcher
from needsbook.snapshot.codes import ENGLAND, REGION_NAMES, crosswalk, map_codes

SOURCE = "ONS (Nomis)"
ROW_LIMIT = 25_000
AGES = "101...191"  # Nomis C_AGE codes for single years 0 ... 89 and 90+
AREA_ORDER = {"England": 0, "Region": 1, "UTLA": 2, "Former UTLA": 3, "District": 4}


def base_url() -> str:
    return os.environ.get("NEEDSBOOK_NOMIS_URL", "https://www.nomisweb.co.uk/api/v01").rstrip("/")


@dataclass(frozen=True)
class NomisDataset:
    """A catalogue entry: a Nomis dataset and the snapshot table it feeds."""

    key: str  # "mye"
    title: str
    dataset: str  # Nomis id, e.g. "NM_2002_1"
    time_dimension: str  # "date" | "projected_year"
    time_values: tuple[str, ...]
    genders: str  # "0" (persons) or "1,2" (males, females)
    table: str  # "population_syoa" | "population_projections"
    districts: bool = False
    checked: bool = False


@dataclass
class OnsResult:
    key: str
    table: str
    rows: pd.DataFrame
    years: list[int]
    urls: list[str] = field(default_factory=list)


def _codes(ds: NomisDataset, ctx: AreaContext) -> list[str]:
    cw = crosswalk(ctx.lookups)
    renumbered = cw.loc[
        cw["relationship"].isin(["recode_same_area", "recode_boundary_change"]), "old_code"
    ]
    codes = [ENGLAND, *REGION_NAMES, *ctx.areas["area_code"], *renumbered]
    if ds.districts:
        codes += list(ctx.districts["district_code"])
    return list(dict.fromkeys(codes))


def _chunks(codes: list[str], size: int) -> list[list[str]]:
    return [codes[i : i + size] for i in range(0, len(codes), size)]


def _check(body: bytes, time_col: str) -> pd.DataFrame:
    required = (time_col, "GEOGRAPHY_CODE", "GEOGRAPHY_NAME", "GENDER_NAME", "C_AGE_NAME")
    df = read_csv(body, source=SOURCE, required=(*required, "OBS_VALUE"))
    if len(df) >= ROW_LIMIT:
        raise FetchError(
            SOURCE, f"the response has {len(df):,} rows, Nomis's limit: it may be incomplete"
        )
    value = pd.to_numeric(df["OBS_VALUE"], errors="coerce")
    if value.isna().any() or (value < 0).any():
        bad = df.loc[value.isna() | (value < 0), "OBS_VALUE"].unique()[:5]
        raise FetchError(SOURCE, f"non-numeric or negative OBS_VALUE: {', '.join(map(str, bad))}")
    return df


def _age(label: pd.Series) -> pd.Series:
    """``"Age 0"`` -> 0, ``"Aged 90+"`` / ``"Age 90 and over"`` -> 90."""
    num = label.str.extract(r"(\d+)", expand=False)
    if num.isna().any():
        bad = ", ".join(sorted(label[num.isna()].unique())[:5])
        raise FetchError(SOURCE, f"unrecognised age labels: {bad}")
    return num.astype(int).clip(upper=90)


def fetch_dataset(fetcher: Fetcher, ds: NomisDataset, ctx: AreaContext) -> OnsResult:
    """Download ``ds`` for all current areas and convert it to its snapshot table's rows."""
    label = f"ons:{ds.key}"
    time_col = f"{ds.time_dimension.upper()}_NAME"
    n_genders = len(ds.genders.split(","))
    per_request = max(1, (ROW_LIMIT - 1000) // (91 * n_genders))
    url = f"{base_url()}/dataset/{ds.dataset}.data.csv"
    frames, urls = [], []
    for when in ds.time_values:
        for chunk in _chunks(_codes(ds, ctx), per_request):
            params = {
                "geography": ",".join(chunk),
                ds.time_dimension: when,
                "gender": ds.genders,
                "c_age": AGES,
                "measures": "20100",
                "select": f"{ds.time_dimension}_name,geography_code,geography_name,"
                "gender_name,c_age_name,obs_value",
            }
            got = fetcher.get(
                url,
                params=params,
                source=SOURCE,
                indicator=label,
                check=lambda b: _check(b, time_col),
            )
            frames.append(got.value)
            urls.append(got.entry.url)
    raw = pd.concat(frames, ignore_index=True)
    raw["year"] = raw[time_col].str.extract(r"(\d{4})\s*$", expand=False)
    if raw["year"].isna().any():
        bad = ", ".join(sorted(raw.loc[raw["year"].isna(), time_col].unique())[:5])
        raise FetchError(SOURCE, f"unrecognised {time_col} values: {bad}", indicator=label)
    raw["year"] = raw["year"].astype(int)
    raw["age"] = _age(raw["C_AGE_NAME"])
    raw["value"] = pd.to_numeric(raw["OBS_VALUE"]).round().astype("int64")
    if ds.table == "population_syoa":
        rows = to_population_syoa(raw, ctx)
    else:
        rows = to_population_projections(raw, ctx)
    missing = sorted(
        set(ctx.areas["area_code"]) - set(rows.loc[rows["area_type"] == "UTLA", "area_code"])
    )
    if missing:
        raise FetchError(
            SOURCE,
            f"no data for {len(missing)} current upper-tier LAs ({', '.join(missing[:6])}"
            + (" ..." if len(missing) > 6 else "")
            + ")",
            url=urls[0] if urls else None,
            indicator=label,
        )
    return OnsResult(label, ds.table, rows, sorted(rows["year"].unique().tolist()), urls)


def _mapped(raw: pd.DataFrame, ctx: AreaContext) -> pd.DataFrame:
    """``raw`` with ``area_code`` (current), ``area_type`` and ``area_code_original``."""
    codes = pd.Series(sorted(raw["GEOGRAPHY_CODE"].unique()), dtype="str")
    mapped = map_codes(codes, ctx.lookups)
    mapped.index = codes.to_numpy()
    m = mapped.reindex(raw["GEOGRAPHY_CODE"].to_numpy())
    return raw.assign(
        area_code=m["area_code"].to_numpy(),
        area_type=m["area_type"].to_numpy(),
        area_code_original=raw["GEOGRAPHY_CODE"].to_numpy(),
    )


def _prefer_current(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Where a former and the current code give the same area, keep the current code's row."""
    df = df.assign(_former=(df["area_code"] != df["area_code_original"]).astype(int))
    df = df.sort_values([*keys, "_former"], kind="mergesort")
    return df.drop_duplicates(keys, keep="first").drop(columns="_former")


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    cols = [df["area_type"].map(AREA_ORDER), *(df[k] for k in keys)]
    order = np.lexsort([c.to_numpy() for c in reversed(cols)])
    return df.iloc[order].reset_index(drop=True)


def to_population_syoa(raw: pd.DataFrame, ctx: AreaContext) -> pd.DataFrame:
    """Rows in the ``population_syoa`` layout (England, regions, UTLAs, districts)."""
    df = _mapped(raw, ctx)
    utla_names = dict(zip(ctx.areas["area_code"], ctx.areas["area_name"], strict=True))
    utla_region = dict(zip(ctx.areas["area_code"], ctx.areas["region_code"], strict=True))
    districts = ctx.districts.drop_duplicates("district_code")
    lad_names = dict(zip(districts["district_code"], districts["district_name"], strict=True))
    lad_parent = dict(zip(districts["district_code"], districts["area_code"], strict=True))
    parts = []
    top = df[df["area_type"].isin(["England", "Region"])].copy()
    top["parent_code"] = np.where(top["area_type"] == "Region", ENGLAND, None)
    top["area_name"] = top["area_code"].map({**REGION_NAMES, ENGLAND: "England"})
    parts.append(top)
    utla = df[df["area_code"].isin(utla_names)].copy()
    utla["area_type"] = "UTLA"
    utla["parent_code"] = utla["area_code"].map(utla_region)
    utla["area_name"] = utla["area_code"].map(utla_names)
    parts.append(utla)
    # Districts: the published code if it is a current district, else its current UTLA code
    # where that is also a district (metropolitan districts and unitaries that were renumbered).
    lad_code = df["area_code_original"].where(
        df["area_code_original"].isin(lad_names), df["area_code"]
    )
    lad = df[lad_code.isin(lad_names)].assign(area_code=lad_code[lad_code.isin(lad_names)])
    lad["area_type"] = "District"
    lad["parent_code"] = lad["area_code"].map(lad_parent)
    lad["area_name"] = lad["area_code"].map(lad_names)
    parts.append(lad)
    out = pd.concat(parts, ignore_index=True).rename(columns={"value": "population"})
    out = _prefer_current(out, ["area_type", "area_code", "year", "age"])
    out = out[["area_code", "area_name", "area_type", "parent_code", "year", "age", "population"]]
    for col in ("year", "age", "population"):
        out[col] = out[col].astype("Int64")
    for col in ("area_code", "area_name", "area_type", "parent_code"):
        out[col] = out[col].astype("str")
    return _sorted(out, ["area_code", "year", "age"])


def to_population_projections(raw: pd.DataFrame, ctx: AreaContext) -> pd.DataFrame:
    """Rows in the ``population_projections`` layout (wide by sex; regions summed if absent)."""
    df = _mapped(raw, ctx)
    df = df[df["area_type"].isin(["England", "Region", "UTLA"])]
    sex = (
        df["GENDER_NAME"]
        .str.strip()
        .str.lower()
        .map(
            lambda s: (
                "females" if s.startswith("f") else "males" if s.startswith("m") else "persons"
            )
        )
    )
    df = df.assign(sex=sex)
    keys = ["area_code", "area_type", "area_code_original", "year", "age"]
    wide = df.pivot_table(index=keys, columns="sex", values="value", aggfunc="sum").reset_index()
    for col in ("females", "males"):
        if col not in wide:
            raise FetchError(SOURCE, f"no {col} in the projections")
    wide["persons"] = wide["females"] + wide["males"]
    wide = _prefer_current(wide, ["area_code", "year", "age"])
    if not wide["area_type"].eq("Region").any():
        utla = wide[wide["area_type"] == "UTLA"]
        region = utla["area_code"].map(
            dict(zip(ctx.areas["area_code"], ctx.areas["region_code"], strict=True))
        )
        regions = (
            utla.assign(area_code=region)
            .groupby(["area_code", "year", "age"], as_index=False)[["females", "males", "persons"]]
            .sum()
            .assign(area_type="Region", area_code_original=pd.NA)
        )
        wide = pd.concat([wide, regions], ignore_index=True)
    names = {
        **dict(zip(ctx.areas["area_code"], ctx.areas["area_name"], strict=True)),
        **REGION_NAMES,
    }
    names[ENGLAND] = "England"
    parents = dict(zip(ctx.areas["area_code"], ctx.areas["region_code"], strict=True))
    parents.update(dict.fromkeys(REGION_NAMES, ENGLAND))
    wide["area_name"] = wide["area_code"].map(names)
    wide["parent_code"] = wide["area_code"].map(parents)
    cols = ["area_code", "area_name", "area_type", "parent_code", "year", "age"]
    out = wide[[*cols, "females", "males", "persons", "area_code_original"]].copy()
    out["year"] = out["year"].astype("Int64")
    out["age"] = out["age"].astype("Int64")
    for col in ("females", "males", "persons"):
        out[col] = out[col].astype("Int32")
    for col in ("area_code", "area_name", "area_type", "parent_code", "area_code_original"):
        out[col] = out[col].astype("str")
    return _sorted(out, ["area_code", "year", "age"])
