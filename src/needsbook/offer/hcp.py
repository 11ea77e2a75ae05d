"""The Healthy Child Programme facts of ``data/evidence/healthy_child_programme.yml``, checked
against the service model (``service_model.yml``), the indicator catalogue and the local
templates, and arranged as tables: the levels by life stage, the mandated reviews with the open
data that bears on each, the eight pathways and the health visitor's roles.

Levels, life stages, contacts and their wording are the service model's (read through
:func:`needsbook.evidence.load_service_model`); this file adds only what the model lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from needsbook import paths, yamlfile
from needsbook.errors import DataError
from needsbook.evidence.catalogue import HCP_LEVELS, LIFE_STAGES, load_service_model
from needsbook.local.templates import HV_REVIEWS, LEVELS_OF_NEED

FIELDS: dict[str, tuple[set[str], set[str]]] = {  # section -> (required, optional) fields
    "stages": ({"id", "title", "led_by", "service_model_stages", "source"}, set()),
    "contact_measures": ({"contact", "review", "indicators"}, set()),
    "pathways": (
        {"id", "name", "covers", "life_stage", "levels", "partners", "indicators", "source"},
        set(),
    ),
    "health_visiting_roles": ({"id", "role", "involves", "source"}, set()),
    "offer_levels": ({"id", "title", "meaning", "hcp_levels", "source"}, set()),
}
#: The current (OHID) model's names of the levels, as titles.
CURRENT_TITLES = {lv: lv.capitalize() for lv in HCP_LEVELS}


def default_path() -> Path:
    return paths.repo_root() / "data" / "evidence" / "healthy_child_programme.yml"


@dataclass(frozen=True)
class Hcp:
    """The checked file, with the service model it adds to."""

    data: dict[str, Any]
    model: dict[str, Any]

    def publication(self, keys: list[str]) -> list[str]:
        return [self.model["publications"][k] for k in keys]

    def level_title(self, level: str) -> str:
        """The 2009-2015 health visiting model's name of a service model level, as a title
        ("Universal Partnership Plus")."""
        found = next(lv for lv in self.model["levels"] if lv["id"] == level)
        return str(found["hv_level_2009"]).title()

    def contact(self, contact_id: str) -> dict[str, Any]:
        return next(c for c in self.model["contacts"] if c["id"] == contact_id)


def check(data: dict[str, Any], model: dict[str, Any], indicator_ids: set[str]) -> list[str]:
    """Every problem in the file: fields, publication keys, service model ids, indicator ids,
    review names and the offer's levels (in the template's order)."""
    out: list[str] = []
    if set(data) != {"version", *FIELDS}:
        out.append(f"top-level keys must be version and {', '.join(FIELDS)}")
        return out
    pubs = set(model.get("publications", {}))
    stages = {s["id"] for s in model["life_stages"]}
    contacts = {c["id"]: c for c in model["contacts"]}
    for section, (required, optional) in FIELDS.items():
        for i, entry in enumerate(data[section]):
            where = f"{section}[{i}] {entry.get('id', entry.get('contact', ''))}"
            missing, extra = required - set(entry), set(entry) - required - optional
            if missing or extra:
                out.append(f"{where}: missing {sorted(missing)}, unknown {sorted(extra)}")
                continue
            for key in entry.get("source", []):
                if key not in pubs:
                    out.append(f"{where}: source {key!r} is not a service model publication")
            for ind in entry.get("indicators", []):
                iid = ind["id"] if isinstance(ind, dict) else ind
                if iid not in indicator_ids:
                    out.append(f"{where}: indicator {iid!r} is not in the catalogue")
            for level in [*entry.get("levels", []), *entry.get("hcp_levels", [])]:
                if level not in HCP_LEVELS:
                    out.append(f"{where}: level {level!r} not in {list(HCP_LEVELS)}")
    for s in data["stages"]:
        bad = [x for x in s["service_model_stages"] if x not in stages]
        if bad:
            out.append(f"stages {s['id']}: unknown service model life stages {bad}")
    covered = [x for s in data["stages"] for x in s["service_model_stages"]]
    if sorted(covered) != sorted(LIFE_STAGES):
        out.append(f"stages must cover each service model life stage once: {covered}")
    measured = [m["contact"] for m in data["contact_measures"]]
    mandated = [c for c, v in contacts.items() if v["mandated"]]
    if sorted(measured) != sorted(mandated):
        out.append(f"contact_measures must list the mandated contacts {mandated}: {measured}")
    if sorted(m["review"] for m in data["contact_measures"]) != sorted(HV_REVIEWS):
        out.append(f"contact_measures reviews must be the template's {list(HV_REVIEWS)}")
    if tuple(lv["id"] for lv in data["offer_levels"]) != LEVELS_OF_NEED:
        out.append(f"offer_levels must be the template's levels, in order: {LEVELS_OF_NEED}")
    if len(data["pathways"]) != 8:
        out.append("pathways: the guidance has eight Universal Plus / Partnership Plus pathways")
    return out


@cache
def _load(path: str, mtime: float) -> Hcp:
    from needsbook.outcomes.catalogue import load_catalogue

    try:
        data = yamlfile.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read the Healthy Child Programme file {path}: {exc}") from exc
    model = load_service_model()
    problems = check(data, model, {i.id for i in load_catalogue().indicators})
    if problems:
        raise DataError(f"{path}: " + "; ".join(problems))
    return Hcp(data, model)


def load_hcp(path: Path | str | None = None) -> Hcp:
    """The checked file (cached while it is unchanged); DataError naming every problem."""
    p = Path(path or default_path())
    if not p.is_file():
        raise DataError(f"Healthy Child Programme file not found: {p}")
    return _load(str(p), p.stat().st_mtime)


# --- tables ------------------------------------------------------------------------------------


def stage_heading(stage: dict[str, Any]) -> str:
    """``0-5 years (health visiting service)``."""
    return f"{stage['title']} ({stage['led_by'][0].lower()}{stage['led_by'][1:]})"


def levels_grid(hcp: Hcp) -> pd.DataFrame:
    """One row per level (lowest first), one column per stage: what the programme offers there
    (the service model's wording; a stage made of two model stages names each when they
    differ), with each row's publications."""
    offers = {(g["level"], g["life_stage"]): g for g in hcp.model["grid"]}
    titles = {s["id"]: s["title"] for s in hcp.model["life_stages"]}
    rows = []
    for level in HCP_LEVELS:
        row: dict[str, str] = {
            "Level": hcp.level_title(level),
            "Name in the current model": CURRENT_TITLES[level],
        }
        pubs: list[str] = []
        for stage in hcp.data["stages"]:
            cells = [offers[(level, s)] for s in stage["service_model_stages"]]
            texts = list(dict.fromkeys(c["offer"] for c in cells))
            if len(texts) == 1:
                row[stage_heading(stage)] = texts[0]
            else:
                row[stage_heading(stage)] = "; ".join(
                    f"{titles[s]}: {c['offer']}"
                    for s, c in zip(stage["service_model_stages"], cells, strict=True)
                )
            pubs += [p for c in cells for p in c["source"]]
        pubs = list(dict.fromkeys(pubs))
        row["Source"] = pubs[0]
        row["Also described in"] = "; ".join(pubs[1:])
        rows.append(row)
    return pd.DataFrame(rows)


def pathways(hcp: Hcp) -> pd.DataFrame:
    """The eight pathways: name, what each covers, levels, partners, life stage, the catalogue
    ids of the outcomes it bears on, and its publications."""
    rows = []
    for p in hcp.data["pathways"]:
        pubs = hcp.publication(p["source"])
        rows.append(
            {
                "id": p["id"],
                "Pathway": p["name"],
                "What it covers": p["covers"],
                "Levels": " and ".join(hcp.level_title(lv) for lv in p["levels"]),
                "Partners": p["partners"],
                "Life stage": p["life_stage"],
                "indicator_ids": list(p["indicators"]),
                "Source": pubs[0],
                "Also described in": "; ".join(pubs[1:]),
            }
        )
    return pd.DataFrame(rows)


def roles(hcp: Hcp) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Role": r["role"],
                "What it involves": r["involves"],
                "Source": hcp.publication(r["source"])[0],
                "Also described in": "; ".join(hcp.publication(r["source"])[1:]),
            }
            for r in hcp.data["health_visiting_roles"]
        ]
    )


def _both_names(hcp: Hcp, level: str) -> str:
    """``Universal Plus (targeted)``; ``Universal`` where the two models agree."""
    old, new = hcp.level_title(level), CURRENT_TITLES[level]
    return old if old.lower() == new.lower() else f"{old} ({new.lower()})"


def offer_levels(hcp: Hcp) -> pd.DataFrame:
    """The offer's levels of need with their meaning and Healthy Child Programme levels."""
    return pd.DataFrame(
        [
            {
                "Level of need": lv["title"],
                "What it means": lv["meaning"],
                "Healthy Child Programme level": " or ".join(
                    _both_names(hcp, h) for h in lv["hcp_levels"]
                ),
                "Source": hcp.publication(lv["source"])[0],
                "Also described in": "; ".join(hcp.publication(lv["source"])[1:]),
            }
            for lv in hcp.data["offer_levels"]
        ]
    )
