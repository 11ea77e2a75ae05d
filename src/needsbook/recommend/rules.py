"""The recommendation rules (``data/recommendations/rules.yml``): loading and checking.

Fields are described in ``data/recommendations/SCHEMA.md``. :func:`load_rules` reports every
problem at once, each naming the rule and field, in one :class:`~needsbook.errors.DataError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from needsbook import paths, yamlfile
from needsbook.errors import DataError
from needsbook.evidence.catalogue import LIFE_STAGES, indicator_catalogue, read_entries
from needsbook.evidence.strength import MIN_STRENGTHS
from needsbook.polarity import JUDGED
from needsbook.recommend.entries import entries
from needsbook.services.findings import KEYS

PRIORITIES = ("high", "medium", "low")
#: Levels of need an action is aimed at (the action plan's first column).
LEVELS = ("universal", "early help", "targeted", "specialist")
#: Number of recommendations in the Worcestershire 2015 needs assessment.
MODEL_REPORT_RECOMMENDATIONS = 10
SUBJECTS = ("indicator", "domain", "service")
OUTCOME_PREDICATES = (
    "significantly_worse",
    "worst_fifth",
    "worse",
    "getting_worse",
    "significantly_higher",
    "higher",
    "rising",
)
SERVICE_PREDICATES = ("worse", "higher", "rising")
THRESHOLDS = ("below", "above", "at_most", "at_least")
FROM_TRIGGERS = "from_triggers"
ANY_DOMAIN = "any"
RULE_FIELDS = {
    "id",
    "title",
    "recommendation",
    "why",
    "model_report",
    "match",
    "conditions",
    "evidence",
    "require_evidence",
    "priority",
    "chapter",
    "level",
    "lead_partners",
    "track",
    "policy",
}
EVIDENCE_FIELDS = {"ids", "domains", "life_stages", "min_strength", "limit"}
CHAPTER = re.compile(r"^\d\d_[a-z_]+$")


@dataclass(frozen=True)
class Predicate:
    """``name`` alone (e.g. ``worse``) or a threshold (``below`` with ``value``)."""

    name: str
    value: float | None = None


@dataclass(frozen=True)
class Condition:
    subject: str  # indicator / domain / service
    target: str  # indicator id, domain id (or "any"), service key (may end in "*")
    when: tuple[Predicate, ...]


@dataclass(frozen=True)
class EvidenceSpec:
    ids: tuple[str, ...] = ()
    domains: tuple[str, ...] | str = ()  # or FROM_TRIGGERS
    life_stages: tuple[str, ...] = ()
    min_strength: str = "any"
    limit: int = 8


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    recommendation: str
    why: str
    conditions: tuple[Condition, ...]
    chapter: str
    evidence: EvidenceSpec = EvidenceSpec()
    match: str = "any"
    model_report: tuple[int, ...] = ()  # recommendations of the 2015 assessment it follows
    require_evidence: bool = False
    priority: str | None = None
    level: str = "early help"  # one of LEVELS
    lead_partners: tuple[str, ...] = ()
    track: str = FROM_TRIGGERS  # indicator id, service key, or FROM_TRIGGERS
    policy: tuple[str, ...] = ()  # ids in data/policy/policy.yml


def default_path() -> Path:
    return paths.repo_root() / "data" / "recommendations" / "rules.yml"


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def _problem(rid: str, field: str, message: str) -> str:
    return f"rule '{rid}', field '{field}': {message}"


def _service_key_known(key: str) -> bool:
    if key.endswith("*"):
        return any(k.startswith(key[:-1]) for k in KEYS)
    return key in KEYS


def _predicates(rid: str, where: str, subject: str, raw: Any, problems: list[str]) -> list:
    allowed = SERVICE_PREDICATES if subject == "service" else OUTCOME_PREDICATES
    if not isinstance(raw, list) or not raw:
        problems.append(_problem(rid, where, "must be a non-empty list of predicates"))
        return []
    out = []
    for p in raw:
        if isinstance(p, str):
            if p not in allowed:
                problems.append(
                    _problem(
                        rid,
                        where,
                        f"predicate {p!r} does not apply to a {subject}; use one "
                        f"of {list(allowed)}" + f" or a threshold {list(THRESHOLDS)}",
                    )
                )
            else:
                out.append(Predicate(p))
        elif isinstance(p, dict) and len(p) == 1:
            ((name, value),) = p.items()
            if name not in THRESHOLDS:
                problems.append(
                    _problem(
                        rid,
                        where,
                        f"threshold {name!r} is not a threshold (use one of {list(THRESHOLDS)})",
                    )
                )
            elif isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(_problem(rid, where, f"{name}: {value!r} is not a number"))
            else:
                out.append(Predicate(name, float(value)))
        else:
            problems.append(_problem(rid, where, f"{p!r} is not a predicate"))
    return out


def _conditions(rid: str, raw: Any, problems: list[str]) -> tuple[Condition, ...]:
    domains, indicators = indicator_catalogue()
    if not isinstance(raw, list) or not raw:
        problems.append(_problem(rid, "conditions", "must be a non-empty list"))
        return ()
    out = []
    for n, c in enumerate(raw):
        where = f"conditions[{n}]"
        if not isinstance(c, dict):
            problems.append(_problem(rid, where, "must be a mapping"))
            continue
        subjects = [s for s in SUBJECTS if s in c]
        extra = sorted(set(c) - set(SUBJECTS) - {"when"})
        if extra:
            problems.append(_problem(rid, where, f"unknown field(s) {extra}"))
        if len(subjects) != 1:
            problems.append(
                _problem(rid, where, f"must name exactly one of {list(SUBJECTS)} (got {subjects})")
            )
            continue
        subject = subjects[0]
        target = str(c[subject])
        if subject == "indicator" and target not in indicators:
            problems.append(
                _problem(rid, f"{where}.indicator", f"{target!r} is not in data/indicators.yml")
            )
        if subject == "domain" and target != ANY_DOMAIN and target not in domains:
            problems.append(
                _problem(
                    rid,
                    f"{where}.domain",
                    f"{target!r} is not an outcome domain of "
                    f"data/indicators.yml ({sorted(domains)} or 'any')",
                )
            )
        if subject == "service" and not _service_key_known(target):
            problems.append(
                _problem(
                    rid,
                    f"{where}.service",
                    f"{target!r} is not a service finding key (needsbook.services.findings.KEYS)",
                )
            )
        when = _predicates(rid, f"{where}.when", subject, c.get("when"), problems)
        out.append(Condition(subject, target, tuple(when)))
    return tuple(out)


def _str_list(rid: str, field: str, raw: Any, problems: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        problems.append(_problem(rid, field, "must be a list of strings"))
        return ()
    return tuple(raw)


def _evidence(rid: str, raw: Any, problems: list[str], programme_ids: set[str]) -> EvidenceSpec:
    if raw is None:
        return EvidenceSpec()
    if not isinstance(raw, dict):
        problems.append(_problem(rid, "evidence", "must be a mapping"))
        return EvidenceSpec()
    extra = sorted(set(raw) - EVIDENCE_FIELDS)
    if extra:
        problems.append(_problem(rid, "evidence", f"unknown field(s) {extra}"))
    ids = _str_list(rid, "evidence.ids", raw.get("ids"), problems)
    for i in ids:
        if i not in programme_ids:
            problems.append(
                _problem(rid, "evidence.ids", f"{i!r} is not in data/evidence/programmes.yml")
            )
    domains_raw = raw.get("domains")
    domains: tuple[str, ...] | str
    if domains_raw == FROM_TRIGGERS:
        domains = FROM_TRIGGERS
    else:
        domains = _str_list(rid, "evidence.domains", domains_raw, problems)
        known = indicator_catalogue()[0]
        for d in domains:
            if d not in known:
                problems.append(
                    _problem(
                        rid,
                        "evidence.domains",
                        f"{d!r} is not an outcome domain ({sorted(known)} or '{FROM_TRIGGERS}')",
                    )
                )
    stages = _str_list(rid, "evidence.life_stages", raw.get("life_stages"), problems)
    for s in stages:
        if s not in LIFE_STAGES:
            problems.append(
                _problem(rid, "evidence.life_stages", f"{s!r} not in {list(LIFE_STAGES)}")
            )
    minimum = raw.get("min_strength", "any")
    if minimum not in MIN_STRENGTHS:
        problems.append(
            _problem(rid, "evidence.min_strength", f"{minimum!r} not in {list(MIN_STRENGTHS)}")
        )
    limit = raw.get("limit", 8)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        problems.append(_problem(rid, "evidence.limit", f"{limit!r} is not a whole number >= 1"))
        limit = 8
    return EvidenceSpec(ids, domains, stages, str(minimum), limit)


def _model_report(rid: str, raw: Any, problems: list[str]) -> tuple[int, ...]:
    if raw is None:
        return ()
    n = MODEL_REPORT_RECOMMENDATIONS
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= n for v in raw)
    ):
        problems.append(
            _problem(rid, "model_report", f"must be a list of recommendation numbers 1-{n}")
        )
        return ()
    return tuple(raw)


def _judged_indicators() -> frozenset[str]:
    from needsbook.outcomes.catalogue import load_catalogue

    return frozenset(i.id for i in load_catalogue().indicators if i.polarity in JUDGED)


def _track(rid: str, raw: Any, problems: list[str]) -> str:
    track = str(raw or "").strip()
    indicators = indicator_catalogue()[1]
    if not track:
        problems.append(_problem(rid, "track", "missing or empty"))
    elif track == FROM_TRIGGERS or track in KEYS:
        pass
    elif track not in indicators:
        problems.append(
            _problem(
                rid,
                "track",
                f"{track!r} is not an indicator id of data/indicators.yml, a service finding "
                f"key, or '{FROM_TRIGGERS}'",
            )
        )
    elif track not in _judged_indicators():
        problems.append(
            _problem(rid, "track", f"{track!r} has no better or worse direction to aim for")
        )
    return track


def _plan_fields(
    rid: str, raw: dict[str, Any], problems: list[str], policy_ids: set[str]
) -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
    """The action-plan fields (level, lead partners, indicator tracked) and the policy cited."""
    level = raw.get("level")
    if level not in LEVELS:
        problems.append(_problem(rid, "level", f"{level!r} not in {list(LEVELS)}"))
    leads = raw.get("lead_partners")
    if (
        not isinstance(leads, list)
        or not leads
        or not all(isinstance(v, str) and v.strip() for v in leads)
    ):
        problems.append(_problem(rid, "lead_partners", "must be a non-empty list of names"))
        leads = []
    track = _track(rid, raw.get("track"), problems)
    policy = _str_list(rid, "policy", raw.get("policy"), problems)
    for p in policy:
        if p not in policy_ids:
            problems.append(_problem(rid, "policy", f"{p!r} is not in data/policy/policy.yml"))
    return str(level), tuple(_text(v) for v in leads), track, policy


def check_rules(
    doc: Any, programme_ids: set[str] | None = None, policy_ids: set[str] | None = None
) -> tuple[list[Rule], list[str]]:
    """The rules of a parsed YAML document, and every problem found (empty when sound)."""
    if programme_ids is None:
        programme_ids = {str(e.get("id")) for e in read_entries()}
    if policy_ids is None:
        from needsbook.recommend.policy import load_policy

        policy_ids = set(load_policy())
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        return [], ["the file must be a mapping with a 'rules' list"]
    problems: list[str] = []
    rules: list[Rule] = []
    for rid, raw in entries(doc, "rules", RULE_FIELDS, _problem, problems, "(rule)"):
        before = len(problems)
        for field in ("title", "recommendation", "why", "chapter"):
            if not str(raw.get(field) or "").strip():
                problems.append(_problem(rid, field, "missing or empty"))
        chapter = str(raw.get("chapter") or "")
        if chapter and not CHAPTER.match(chapter):
            problems.append(_problem(rid, "chapter", f"{chapter!r} is not a chapter slug"))
        match = raw.get("match", "any")
        if match not in ("any", "all"):
            problems.append(_problem(rid, "match", f"{match!r} not in ['any', 'all']"))
        priority = raw.get("priority")
        if priority is not None and priority not in PRIORITIES:
            problems.append(_problem(rid, "priority", f"{priority!r} not in {list(PRIORITIES)}"))
        require = raw.get("require_evidence", False)
        if not isinstance(require, bool):
            problems.append(_problem(rid, "require_evidence", "must be true or false"))
        conditions = _conditions(rid, raw.get("conditions"), problems)
        evidence = _evidence(rid, raw.get("evidence"), problems, programme_ids)
        model_report = _model_report(rid, raw.get("model_report"), problems)
        level, leads, track, policy = _plan_fields(rid, raw, problems, policy_ids)
        if require and not (evidence.ids or evidence.domains):
            problems.append(
                _problem(rid, "require_evidence", "needs evidence ids or domains to look for")
            )
        if len(problems) == before:
            rules.append(
                Rule(
                    id=rid,
                    title=_text(raw["title"]),
                    recommendation=_text(raw["recommendation"]),
                    why=_text(raw["why"]),
                    conditions=conditions,
                    chapter=chapter,
                    evidence=evidence,
                    match=str(match),
                    model_report=model_report,
                    require_evidence=bool(require),
                    priority=priority,
                    level=level,
                    lead_partners=leads,
                    track=track,
                    policy=policy,
                )
            )
    if not doc["rules"]:
        problems.append("the 'rules' list is empty")
    return rules, problems


def load_rules(path: Path | str | None = None) -> list[Rule]:
    """Read and check the rules; raise one DataError listing every problem."""
    path = Path(path or default_path())
    try:
        doc = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read the recommendation rules {path}: {exc}") from exc
    rules, problems = check_rules(doc)
    if problems:
        raise DataError(f"recommendation rules {path} are invalid:\n  - " + "\n  - ".join(problems))
    return rules
