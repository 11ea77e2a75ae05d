"""The registry of current English upper-tier local authorities and ``--area`` resolution."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from needsbook.data import load_table, snapshot_key
from needsbook.errors import AreaNotFoundError
from needsbook.messages import clip

DEFAULT_AREA = "E10000034"  # Worcestershire, the model report's area
MAX_QUERY = 200  # longer --area values are not names: no lookups, no suggestions
#: How a former area became current ones (``area_code_history.relationship``), as a verb.
CHANGES = {"split_into": "split into", "merged_into": "merged into"}


@dataclass(frozen=True)
class Area:
    """A current upper-tier LA (county, unitary, metropolitan district or London borough)."""

    code: str
    name: str
    dfe_la_code: int | None
    kind: str
    region_code: str
    region_name: str
    districts: tuple[tuple[str, str], ...]  # (district code, district name)

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def _norm(text: str) -> str:
    text = re.sub(r",\s*(city|county) of\s*$", "", text.lower())
    text = text.replace("&", " and ").replace("st.", "st ")
    text = re.sub(r"\b(council|county|city of|borough|metropolitan|district|the)\b", " ", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def all_areas(data_dir: Path | str | None = None) -> list[Area]:
    """All 153 current areas, sorted by code."""
    return list(_all_areas(snapshot_key(data_dir), data_dir))


@lru_cache(maxsize=4)
def _all_areas(_key: tuple[str, int, int], data_dir: Path | str | None) -> tuple[Area, ...]:
    areas = load_table("areas", data_dir)
    districts = load_table("area_districts", data_dir)
    by_area = {
        code: tuple(zip(g["district_code"], g["district_name"], strict=True))
        for code, g in districts.groupby("area_code")
    }
    return tuple(
        Area(
            code=r.area_code,
            name=r.area_name,
            dfe_la_code=None if pd.isna(r.dfe_la_code) else int(r.dfe_la_code),
            kind=r.area_kind,
            region_code=r.region_code,
            region_name=r.region_name,
            districts=by_area.get(r.area_code, ()),
        )
        for r in areas.itertuples(index=False)
    )


def _former_area_note(query: str, data_dir: Path | str | None) -> str | None:
    """Explain a former code or name (e.g. Cumbria, split in 2023) and name its successors."""
    hist = load_table("area_code_history", data_dir)
    hist = hist[hist["relationship"] != "dfe_combined_unit_contains"]
    rows = hist[hist["old_code"].str.upper() == query.upper()]
    if rows.empty:
        rows = hist[hist["old_name"].map(_norm) == _norm(query)]
    if rows.empty:
        return None
    successors = [f"{r.new_name} ({r.new_code})" for r in rows.itertuples()]
    listed = ", ".join(successors[:-1]) + " and " * (len(successors) > 1) + successors[-1]
    change = CHANGES.get(rows["relationship"].iloc[0], "replaced by")
    when = _day_month_year(str(rows["change_date"].iloc[0]))
    old = f"{rows['old_code'].iloc[0]} ({rows['old_name'].iloc[0]})"
    use = "one of those areas" if len(successors) > 1 else "that area"
    return f"{old} is a former area: it was {change} {listed} on {when}, so use {use}"


def _day_month_year(iso: str) -> str:
    """``2023-04-01`` as ``1 April 2023`` (the text unchanged if it is not an ISO date)."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


def _did_you_mean(query: str, areas: list[Area]) -> str:
    """Up to three near names (by raw and normalised spelling), as a sentence or ''."""
    by_norm = {_norm(a.name): a.name for a in areas}
    near = difflib.get_close_matches(query, [a.name for a in areas], n=3, cutoff=0.6)
    near += [
        by_norm[n] for n in difflib.get_close_matches(_norm(query), list(by_norm), n=3, cutoff=0.6)
    ]
    near = list(dict.fromkeys(near))[:3]
    return f" Did you mean: {', '.join(near)}?" if near else ""


def resolve_area(query: str, data_dir: Path | str | None = None) -> Area:
    """Find an area by ONS code (current or former), DfE LA number or name (case-insensitive)."""
    areas = all_areas(data_dir)
    q = str(query).strip()
    if not q:
        raise AreaNotFoundError(
            "no area given: pass --area with a name or ONS code "
            "(run `needsbook areas` to list them)"
        )
    by_code = {a.code: a for a in areas}
    if q.upper() in by_code:
        return by_code[q.upper()]
    if q.isascii() and q.isdigit():  # "²".isdigit() is true too, but int("²") fails
        for a in areas:
            if a.dfe_la_code == int(q):
                return a
    if len(q) > MAX_QUERY:
        raise AreaNotFoundError(
            f"unknown area '{clip(q)}' ({len(q):,} characters): not the name, ONS code or DfE "
            "number of a current English upper-tier local authority. Run `needsbook areas` "
            "to list them."
        )
    hist = load_table("area_code_history", data_dir)
    same = hist[
        (hist["old_code"].str.upper() == q.upper())
        & hist["relationship"].isin(["recode_same_area", "recode_boundary_change"])
    ]
    if len(same) == 1 and same["new_code"].iloc[0] in by_code:
        return by_code[same["new_code"].iloc[0]]
    by_name = {_norm(a.name): a for a in areas}
    if _norm(q) in by_name:
        return by_name[_norm(q)]
    note = _former_area_note(q, data_dir)
    if note:
        raise AreaNotFoundError(f"{note}. Run `needsbook areas` to list current areas.")
    hint = _did_you_mean(q, areas)
    raise AreaNotFoundError(
        f"unknown area '{clip(q)}': not the name, ONS code or DfE number of a current English "
        f"upper-tier local authority.{hint} Run `needsbook areas` to list all {len(areas)}."
    )
