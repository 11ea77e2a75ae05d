"""The polarity vocabulary ("which way is better"), read from the indicator catalogue.

The words are defined once, in the ``polarities`` block of ``data/indicators.yml``; each
indicator's polarity is the ``polarity`` field of its catalogue entry. Code compares with
these names and never spells the words itself.
"""

from __future__ import annotations

from functools import cache

from needsbook import paths, yamlfile


@cache
def vocabulary() -> dict[str, str]:
    """``{"high": ..., "low": ..., "none": ..., "not_applicable": ...}`` from the catalogue."""
    path = paths.PACKAGE_DIR.parent.parent / "data" / "indicators.yml"
    if not path.is_file():
        path = paths.repo_root() / "data" / "indicators.yml"
    data = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    words = data.get("polarities") or {}
    missing = {"high", "low", "none", "not_applicable"} - set(words)
    if missing:
        raise RuntimeError(f"{path}: polarities block lacks {sorted(missing)}")
    return {k: str(v) for k, v in words.items()}


HIGH_IS_GOOD = vocabulary()["high"]
LOW_IS_GOOD = vocabulary()["low"]
NO_JUDGEMENT = vocabulary()["none"]
NOT_APPLICABLE = vocabulary()["not_applicable"]
POLARITIES: tuple[str, ...] = (HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT, NOT_APPLICABLE)
#: Polarities that judge a difference as better or worse.
JUDGED: tuple[str, ...] = (HIGH_IS_GOOD, LOW_IS_GOOD)


def sign(polarity: str) -> float:
    """+1 when higher is better, -1 when lower is better, 0 otherwise."""
    return 1.0 if polarity == HIGH_IS_GOOD else -1.0 if polarity == LOW_IS_GOOD else 0.0
