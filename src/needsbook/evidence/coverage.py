"""The Healthy Child Programme service model (4 levels x 4 life stages) and which of its cells
the area's local service data describes.

A cell is **described** when a supplied local template records a service at that level and life
stage (:data:`TEMPLATE_CELLS`). A cell with no supplied template is **not described**: the data
do not say whether the area provides that service, only that it was not supplied here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from needsbook.evidence.catalogue import HCP_LEVELS, LIFE_STAGES, load_service_model

DESCRIBED, NOT_DESCRIBED, NO_LOCAL_DATA = "described", "not described", "no local data"

#: Local template -> (plain name, the service-model cells (level, life stage) it describes).
TEMPLATE_CELLS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "health_visiting_reviews": (
        "health visiting mandated reviews",
        (("universal", "antenatal"), ("universal", "0-5")),
    ),
    "children_centres": (
        "children's centres",
        (("community", "antenatal"), ("community", "0-5"), ("universal", "0-5")),
    ),
    "children_centres_register": (
        "children's centres",
        (("community", "antenatal"), ("community", "0-5"), ("universal", "0-5")),
    ),
    "specialist_midwifery": ("specialist midwifery", (("targeted", "antenatal"),)),
    "eha_assessments": (
        "early help assessments",
        (("targeted", "0-5"), ("targeted", "5-11"), ("targeted", "12-19")),
    ),
    "family_support_outcomes": (
        "family support programme",
        (("specialist", "0-5"), ("specialist", "5-11"), ("specialist", "12-19")),
    ),
}


def sources(value: Any) -> str:
    """A ``source`` of the service model (a list of publications, or one string) as text."""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value or "")


def primary_source(value: Any) -> str:
    """The first-listed publication of a ``source`` (each row of a download names one)."""
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    return str(value or "")


def other_sources(value: Any) -> str:
    """The publications after the first, which also describe the row."""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value[1:])
    return ""


def supplied_templates(
    area_code: str, local_dir: str | Path | None = None, data_dir: str | Path | None = None
) -> list[str] | None:
    """Names of the validated local templates the area supplied; None when it has no folder."""
    from needsbook.local import load_local
    from needsbook.local.folder import local_folder

    folder = local_folder(area_code, local_dir or None, data_dir or None)
    if folder is None:
        return None
    return sorted(load_local(folder, area_code, data_dir or None).tables)


def grid(supplied: list[str] | None, model: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per level x life stage: the offer, the mandated contacts and high impact areas,
    the local services that describe it, and its status (described / not described / no local
    data)."""
    model = model or load_service_model()
    levels = {lv["id"]: lv for lv in model["levels"]}
    stages = {s["id"]: s for s in model["life_stages"]}
    offers = {(g["level"], g["life_stage"]): g for g in model["grid"]}
    contacts = model["contacts"]
    rows = []
    for li, level in enumerate(HCP_LEVELS):
        for si, stage in enumerate(LIFE_STAGES):
            cell = offers.get((level, stage), {})
            services = []
            for name in supplied or []:
                label, cells = TEMPLATE_CELLS.get(name, ("", ()))
                if (level, stage) in cells and label not in services:
                    services.append(label)
            mandated = [
                c["name"]
                for c in contacts
                if level == "universal" and c["life_stage"] == stage and c["mandated"]
            ]
            status = NO_LOCAL_DATA if supplied is None else DESCRIBED if services else NOT_DESCRIBED
            rows.append(
                {
                    "level": level,
                    "level_order": li,
                    "hv_level": levels[level]["hv_level_2009"],
                    "life_stage": stage,
                    "stage_order": si,
                    "stage_title": stages[stage]["title"],
                    "offer": cell.get("offer", ""),
                    "mandated_contacts": "; ".join(mandated),
                    "local_services": "; ".join(services),
                    "status": status,
                    "source": primary_source(cell.get("source")),
                    "also": other_sources(cell.get("source")),
                }
            )
    return pd.DataFrame(rows)


#: Shown beside a High Impact Area that the source used does not name.
TO_CHECK = "Not named in the source used here; check against the current guidance"


def high_impact_areas(model: dict[str, Any] | None = None) -> pd.DataFrame:
    """The High Impact Areas, one row each, with the set they belong to, its source, and a note
    for the areas to check."""
    model = model or load_service_model()
    titles = {
        "health_visiting_2015": "Health visiting High Impact Areas (2015)",
        "early_years_current": "Early years High Impact Areas (current)",
        "school_aged_current": "School-aged years High Impact Areas (current)",
        "high_impact_changes_2009": "Health visiting high-impact changes (2009)",
    }
    rows = [
        {
            "Set": titles.get(key, key),
            "High impact area": area,
            "Source": primary_source(block["source"]),
            "Also described in": other_sources(block["source"]),
            "Note": TO_CHECK if area in (block.get("to_check") or []) else "",
        }
        for key, block in model["high_impact_areas"].items()
        for area in block["areas"]
    ]
    return pd.DataFrame(rows)


def contacts(model: dict[str, Any] | None = None) -> pd.DataFrame:
    """The universal contacts, mandated first within each life stage."""
    model = model or load_service_model()
    stages = {s["id"]: s["title"] for s in model["life_stages"]}
    return pd.DataFrame(
        [
            {
                "Life stage": stages[c["life_stage"]],
                "Contact": c["name"],
                "When": c["timing"],
                "Mandated": "Yes" if c["mandated"] else "No",
                "Key performance indicator": c["kpi"] or "",
                "Source": primary_source(c["source"]),
                "Also described in": other_sources(c["source"]),
            }
            for c in model["contacts"]
        ]
    )
