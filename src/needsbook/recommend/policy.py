"""National policy context (``data/policy/policy.yml``): loading and checking.

Fields are described in ``data/policy/SCHEMA.md``. :func:`load_policy` reports every problem
at once, each naming the entry and field, in one :class:`~needsbook.errors.DataError`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from needsbook import paths, yamlfile
from needsbook.errors import DataError
from needsbook.recommend.entries import entries

DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
REQUIRED = ("id", "title", "publisher", "published", "url", "summary")
FIELDS = {*REQUIRED, "updated"}


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    publisher: str
    published: str  # YYYY-MM-DD or YYYY-MM
    url: str
    summary: str
    updated: str = ""

    @property
    def dated(self) -> str:
        """E.g. "15 December 2023", or "published 20 March 2025, updated 26 March 2026"."""
        if not self.updated:
            return date_label(self.published)
        return f"published {date_label(self.published)}, updated {date_label(self.updated)}"


def default_path() -> Path:
    return paths.repo_root() / "data" / "policy" / "policy.yml"


def date_label(text: str) -> str:
    """ "2023-12-15" -> "15 December 2023"; "2025-03" -> "March 2025"."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], 1).strftime("%B %Y")
    day = dt.date(*parts)
    return f"{day.day} {day.strftime('%B %Y')}"


def _date(value: Any) -> str:
    """YAML reads an unquoted 2023-12-15 as a date; keep every date as text."""
    return value.isoformat() if isinstance(value, dt.date) else str(value or "").strip()


def _valid_date(text: str) -> bool:
    if not DATE.match(text):
        return False
    try:
        date_label(text)
    except ValueError:
        return False
    return True


def _problem(pid: str, field: str, message: str) -> str:
    return f"policy '{pid}', field '{field}': {message}"


def check_policy(doc: Any) -> tuple[dict[str, Policy], list[str]]:
    """The entries of a parsed YAML document by id, and every problem found."""
    if not isinstance(doc, dict) or not isinstance(doc.get("policies"), list):
        return {}, ["the file must be a mapping with a 'policies' list"]
    out: dict[str, Policy] = {}
    problems: list[str] = []
    for pid, raw in entries(doc, "policies", FIELDS, _problem, problems):
        before = len(problems)
        text = {f: " ".join(str(raw.get(f) or "").split()) for f in REQUIRED}
        text["published"] = _date(raw.get("published"))
        updated = _date(raw.get("updated"))
        for f in REQUIRED:
            if not text[f]:
                problems.append(_problem(pid, f, "missing or empty"))
        for f, value in (("published", text["published"]), ("updated", updated)):
            if value and not _valid_date(value):
                problems.append(_problem(pid, f, f"{value!r} is not a YYYY-MM-DD or YYYY-MM date"))
        dates = (text["published"], updated)
        if updated and all(map(_valid_date, dates)) and updated < text["published"]:
            problems.append(_problem(pid, "updated", "is before the date published"))
        if text["url"] and not text["url"].startswith("https://"):
            problems.append(_problem(pid, "url", "must start with https://"))
        if len(problems) == before:
            out[pid] = Policy(updated=updated, **text)
    if not doc["policies"]:
        problems.append("the 'policies' list is empty")
    return out, problems


def load_policy(path: Path | str | None = None) -> dict[str, Policy]:
    """Read and check the policy list; raise one DataError listing every problem."""
    path = Path(path or default_path())
    try:
        doc = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read the policy list {path}: {exc}") from exc
    found, problems = check_policy(doc)
    if problems:
        raise DataError(f"policy list {path} is invalid:\n  - " + "\n  - ".join(problems))
    return found
