"""The evidence catalogue (``data/evidence/programmes.yml``): loading, validation and filtering.

Every programme, intervention and approach named in the Worcestershire 2015 needs assessment's
evidence review is one entry (fields: ``data/evidence/SCHEMA.md``). :func:`load_catalogue` reads
the YAML, runs the Python checks (known fields, allowed values, outcome domains and indicator
ids that exist in ``data/indicators.yml``, ages, unique ids, evidence sources, caveats) and then
the Great Expectations suite ``expectations/evidence_programmes.json`` over the tidy
one-row-per-programme frame. Every string in the catalogue is reader text.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from needsbook import paths, yamlfile
from needsbook.errors import DataError, InputError

TABLE = "evidence_programmes"
NOT_STATED = "Not stated"
LIFE_STAGES = ("antenatal", "0-5", "5-11", "12-19")
HCP_LEVELS = ("community", "universal", "targeted", "specialist")
#: HCP level (current OHID model) -> 2009-2015 health visiting model. The alignment of
#: targeted/specialist with universal plus / universal partnership plus is inferred.
CROSSWALK = {
    "community": "community",
    "universal": "universal",
    "targeted": "universal plus",
    "specialist": "universal partnership plus",
}
KINDS = ("programme", "approach", "service", "assessment")
PPET, STATEMENT, NICE, EIF = (
    "PPET stars",
    "Statement in the 2015 assessment",
    "NICE guideline",
    "EIF Guidebook",
)
SCALES = (PPET, STATEMENT, NICE, EIF)
#: The one strength a rating may state explicitly (a statement has no grades of its own).
LITTLE_OR_NO_EVIDENCE = "little or no evidence"
#: Longest caveat, in characters (one short sentence).
CAVEAT_MAX = 200
REQUIRED = (
    "id",
    "name",
    "kind",
    "description",
    "life_stages",
    "target_age_min",
    "target_age_max",
    "hcp_level",
    "outcome_domains",
    "evidence",
    "from_2015_assessment",
    "references",
)
OPTIONAL = (
    "level_in_2015_review",
    "indicator_ids",
    "caveat",
    "outdated",
    "outdated_note",
    "needs_check",
    "check_note",
    "cost_notes",
    "delivery_requirements",
    "criticisms",
)
RATING_FIELDS = ("scale", "rating", "source", "date", "needs_check", "note", "strength")
TEXT_DEFAULTS = ("cost_notes", "delivery_requirements", "criticisms")
SEP = "; "
#: Columns of the programmes frame, in order (the suite checks this list).
COLUMNS = [
    "id",
    "name",
    "kind",
    "description",
    "life_stages",
    "target_age_min",
    "target_age_max",
    "hcp_level",
    "hv_level",
    "level_in_2015_review",
    "outcome_domains",
    "indicator_ids",
    "evidence_scale",
    "evidence_rating",
    "evidence_source",
    "evidence_date",
    "evidence_scales",
    "caveat",
    "from_2015_assessment",
    "outdated",
    "outdated_note",
    "needs_check",
    "check_note",
    "cost_notes",
    "delivery_requirements",
    "criticisms",
    "references",
]


def default_path() -> Path:
    return paths.repo_root() / "data" / "evidence" / "programmes.yml"


def indicator_catalogue(path: Path | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """The outcome-star domain ids and indicator ids of ``data/indicators.yml``."""
    path = path or paths.repo_root() / "data" / "indicators.yml"
    return _catalogue_ids(Path(path).read_text())


@lru_cache(maxsize=8)
def _catalogue_ids(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Parsed once per distinct file content (the rules and catalogue checks ask many times)."""
    doc = yamlfile.safe_load(text)
    return (
        frozenset(d["id"] for d in doc["star_domains"]),
        frozenset(i["id"] for i in doc["indicators"]),
    )


@dataclass(frozen=True)
class Catalogue:
    """The validated catalogue as tidy frames."""

    programmes: pd.DataFrame  # one row per programme (COLUMNS)
    domains: pd.DataFrame  # programme_id x outcome_domain
    indicators: pd.DataFrame  # programme_id x indicator_id
    evidence: pd.DataFrame  # programme_id x rating (scale, rating, source, date, needs_check,
    #                         note, strength: the rating's explicit strength or "")
    life_stages: pd.DataFrame  # programme_id x life_stage


def _problem(pid: str, field: str, message: str) -> str:
    return f"programme '{pid}', field '{field}': {message}"


def check_entries(entries: list[dict[str, Any]], indicators_path: Path | None = None) -> list[str]:
    """Every rule the YAML must meet, as readable problems naming programme and field."""
    domains, indicator_ids = indicator_catalogue(indicators_path)
    problems: list[str] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries):
        pid = str(entry.get("id") or f"#{n + 1}")
        for field in REQUIRED:
            if entry.get(field) in (None, "", []):
                problems.append(_problem(pid, field, "missing or empty"))
        if pid in seen:
            problems.append(_problem(pid, "id", "duplicate id"))
        seen.add(pid)
        unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            problems.append(_problem(pid, unknown[0], f"unknown field(s) {unknown}"))
        for field, allowed in (("kind", KINDS), ("hcp_level", HCP_LEVELS)):
            if entry.get(field) is not None and entry[field] not in allowed:
                problems.append(_problem(pid, field, f"{entry[field]!r} not in {list(allowed)}"))
        for stage in entry.get("life_stages") or []:
            if stage not in LIFE_STAGES:
                problems.append(
                    _problem(pid, "life_stages", f"{stage!r} not in {list(LIFE_STAGES)}")
                )
        for dom in entry.get("outcome_domains") or []:
            if dom not in domains:
                problems.append(
                    _problem(
                        pid,
                        "outcome_domains",
                        f"unknown outcome domain {dom!r} (data/indicators.yml star_domains: "
                        f"{sorted(domains)})",
                    )
                )
        for ind in entry.get("indicator_ids") or []:
            if ind not in indicator_ids:
                problems.append(
                    _problem(pid, "indicator_ids", f"{ind!r} is not in data/indicators.yml")
                )
        lo, hi = entry.get("target_age_min"), entry.get("target_age_max")
        for field, age in (("target_age_min", lo), ("target_age_max", hi)):
            if age is not None and not (isinstance(age, int | float) and 0 <= age <= 25):
                problems.append(_problem(pid, field, f"{age!r} is not an age from 0 to 25"))
        if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
            problems.append(
                _problem(pid, "target_age_min", f"minimum age {lo} exceeds maximum age {hi}")
            )
        for i, ev in enumerate(entry.get("evidence") or []):
            where = f"evidence[{i}]"
            extra = sorted(set(ev) - set(RATING_FIELDS))
            if extra:
                problems.append(_problem(pid, f"{where}.{extra[0]}", f"unknown field(s) {extra}"))
            if ev.get("scale") not in SCALES:
                problems.append(
                    _problem(pid, f"{where}.scale", f"{ev.get('scale')!r} not in {list(SCALES)}")
                )
            for key in ("rating", "source", "date"):
                if not str(ev.get(key) or "").strip():
                    problems.append(_problem(pid, f"{where}.{key}", "missing or empty"))
            if ev.get("scale") == EIF and not (ev.get("needs_check") and ev.get("note")):
                problems.append(
                    _problem(
                        pid,
                        f"{where}.needs_check",
                        "EIF ratings not checked against the live Guidebook need needs_check "
                        "and a reader note",
                    )
                )
            if ev.get("strength") not in (None, LITTLE_OR_NO_EVIDENCE):
                problems.append(
                    _problem(
                        pid,
                        f"{where}.strength",
                        f"{ev['strength']!r}: only {LITTLE_OR_NO_EVIDENCE!r} may be stated",
                    )
                )
            if ev.get("strength") and ev.get("scale") != STATEMENT:
                problems.append(
                    _problem(pid, f"{where}.strength", f"only a {STATEMENT!r} rating states one")
                )
        if entry.get("outdated") and not str(entry.get("outdated_note") or "").strip():
            problems.append(_problem(pid, "outdated_note", "outdated entries must say why"))
        if entry.get("needs_check") and not str(entry.get("check_note") or "").strip():
            problems.append(_problem(pid, "check_note", "entries to check must say what"))
        caveat = entry.get("caveat")
        if caveat is not None:
            text = str(caveat).strip()
            if not text or len(text) > CAVEAT_MAX or not text.endswith("."):
                problems.append(
                    _problem(
                        pid,
                        "caveat",
                        f"one sentence of at most {CAVEAT_MAX} characters ending in a full stop",
                    )
                )
        if any(not str(r).strip() for r in entry.get("references") or []):
            problems.append(_problem(pid, "references", "empty reference"))
    return problems


def programmes_frame(entries: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per programme; list fields joined with ``"; "``, the first rating as primary."""
    rows = []
    for e in entries:
        evidence = e.get("evidence") or [{}]
        first = evidence[0]
        rows.append(
            {
                "id": e.get("id"),
                "name": e.get("name"),
                "kind": e.get("kind"),
                "description": e.get("description"),
                "life_stages": SEP.join(e.get("life_stages") or []),
                "target_age_min": e.get("target_age_min"),
                "target_age_max": e.get("target_age_max"),
                "hcp_level": e.get("hcp_level"),
                "hv_level": CROSSWALK.get(e.get("hcp_level", "")),
                "level_in_2015_review": e.get("level_in_2015_review") or "",
                "outcome_domains": SEP.join(e.get("outcome_domains") or []),
                "indicator_ids": SEP.join(e.get("indicator_ids") or []),
                "evidence_scale": first.get("scale"),
                "evidence_rating": first.get("rating"),
                "evidence_source": first.get("source"),
                "evidence_date": first.get("date"),
                "evidence_scales": SEP.join(dict.fromkeys(str(v.get("scale")) for v in evidence)),
                "caveat": str(e.get("caveat") or "").strip(),
                "from_2015_assessment": bool(e.get("from_2015_assessment")),
                "outdated": bool(e.get("outdated", False)),
                "outdated_note": e.get("outdated_note") or "",
                "needs_check": bool(e.get("needs_check", False))
                or any(v.get("needs_check") for v in evidence),
                "check_note": e.get("check_note") or "",
                **{f: e.get(f) or NOT_STATED for f in TEXT_DEFAULTS},
                "references": " | ".join(str(r) for r in e.get("references") or []),
            }
        )
    df = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("target_age_min", "target_age_max"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return df


def _long(entries: list[dict[str, Any]], field: str, column: str) -> pd.DataFrame:
    rows = [(e["id"], v) for e in entries for v in e.get(field) or []]
    return pd.DataFrame(rows, columns=["programme_id", column])


@lru_cache(maxsize=4)
def _parsed(text: str) -> Any:
    """YAML parsed once per distinct content (the rules check the catalogue on every load)."""
    return yamlfile.safe_load(text)


def read_entries(path: Path | None = None) -> list[dict[str, Any]]:
    path = Path(path or default_path())
    try:
        doc = copy.deepcopy(_parsed(path.read_text()))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read the evidence catalogue {path}: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("programmes"), list):
        raise DataError(f"{path}: expected a mapping with a 'programmes' list")
    return doc["programmes"]


def suite_passed(df: pd.DataFrame, expectations_dir: Path | None = None) -> bool:
    """Whether ``needsbook snapshot`` recorded this very table passing its suite (so loading
    it need not start Great Expectations again): the same content, suite and check code."""
    from needsbook.national.store import validated
    from needsbook.validate.runner import frame_key

    return validated(TABLE, frame_key(TABLE, df, expectations_dir))


def build_catalogue(
    entries: list[dict[str, Any]],
    indicators_path: Path | None = None,
    expectations_dir: Path | None = None,
) -> Catalogue:
    """Check ``entries`` (Python rules, then the GX suite unless this very table's pass is
    recorded, :func:`suite_passed`) and return the tidy frames."""
    from needsbook.validate import validate_frame

    problems = check_entries(entries, indicators_path)
    if problems:
        raise DataError("evidence catalogue is invalid:\n  - " + "\n  - ".join(problems))
    df = programmes_frame(entries)
    if not suite_passed(df, expectations_dir):
        report = validate_frame(TABLE, df, expectations_dir=expectations_dir)
        if not report.success:
            raise DataError(report.text())
    ev = pd.DataFrame(
        [
            {
                "programme_id": e["id"],
                "scale": v["scale"],
                "rating": str(v["rating"]),
                "source": v["source"],
                "date": str(v["date"]),
                "needs_check": bool(v.get("needs_check", False)),
                "note": v.get("note") or "",
                "strength": v.get("strength") or "",
            }
            for e in entries
            for v in e["evidence"]
        ]
    )
    return Catalogue(
        programmes=df,
        domains=_long(entries, "outcome_domains", "outcome_domain"),
        indicators=_long(entries, "indicator_ids", "indicator_id"),
        evidence=ev,
        life_stages=_long(entries, "life_stages", "life_stage"),
    )


@lru_cache(maxsize=4)
def _cached(path: str) -> Catalogue:
    return build_catalogue(read_entries(Path(path)))


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """Load and validate the evidence catalogue (cached per path)."""
    return _cached(str(Path(path or default_path()).resolve()))


def programmes_for(
    domains: list[str],
    life_stage: str | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Programmes addressing any of ``domains`` (and ``life_stage``, if given), by id."""
    cat = catalogue or load_catalogue()
    known = set(cat.domains["outcome_domain"]) | set(indicator_catalogue()[0])
    unknown = [d for d in domains if d not in known]
    if unknown:
        raise InputError(f"domains: unknown outcome domain(s) {unknown}; use {sorted(known)}")
    if life_stage is not None and life_stage not in LIFE_STAGES:
        raise InputError(f"life_stage: {life_stage!r} not in {list(LIFE_STAGES)}")
    ids = set(cat.domains.loc[cat.domains["outcome_domain"].isin(domains), "programme_id"])
    if life_stage is not None:
        ls = cat.life_stages
        ids &= set(ls.loc[ls["life_stage"] == life_stage, "programme_id"])
    out = cat.programmes[cat.programmes["id"].isin(ids)]
    return out.sort_values("id").reset_index(drop=True)


def load_service_model(path: Path | None = None) -> dict[str, Any]:
    """The HCP service-model grid (``data/evidence/service_model.yml``) as a mapping."""
    path = Path(path or paths.repo_root() / "data" / "evidence" / "service_model.yml")
    try:
        return yamlfile.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read the service model {path}: {exc}") from exc
