"""Hostile text for every free-text field of the local data templates.

Each entry tries one way to make a built page run script, request another host, or break the
build: raw HTML, a script end tag inside chart JSON, Markdown links and images, MyST roles,
directives and fences, maths, Jinja and page placeholders. Every payload that could run sets
``window.__pwned``; every one that could fetch names ``evil.example``.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

EVIL_HOST = "evil.example"

CORPUS = (
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=2</script>",
    f'<img src="http://{EVIL_HOST}/pixel.png">',
    f"![logo](http://{EVIL_HOST}/image.png)",
    "[click me](javascript:window.__pwned=3)",
    f'<iframe src="http://{EVIL_HOST}/frame"></iframe>',
    "<style>body{display:none}</style>",
    "```{raw} html <script>window.__pwned=4</script>",
    "{raw}`<script>window.__pwned=5</script>`",
    f":::{{figure}} http://{EVIL_HOST}/fig.png",
    "{{ area_name }} {% if true %}jinja{% endif %}",
    "$\\href{javascript:window.__pwned=6}{x}$ **bold** _em_ # heading | pipe",
    "&lt;script&gt;window.__pwned=7&lt;/script&gt; &#60;b&#62;",
    f"<a href='http://{EVIL_HOST}/'>link</a> <!-- comment",
    '=HYPERLINK("http://evil.example") +cmd @SUM(1)',
)


def _rewrite(path: Path, column: str, names: dict[str, str]) -> None:
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0]) if rows else []
    for row in rows:
        row[column] = names.get(row[column], row[column])
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _names(values: list[str], offset: int) -> dict[str, str]:
    distinct = [v for v in dict.fromkeys(values) if v and v != "All"]
    out = {}
    for i, v in enumerate(distinct):
        payload = CORPUS[(i + offset) % len(CORPUS)]
        out[v] = payload if i < len(CORPUS) else f"{payload} {i}"  # names stay unique
    return out


def _column(path: Path, column: str) -> list[str]:
    with path.open(newline="") as f:
        return [row[column] for row in csv.DictReader(f)]


def hostile_folder(example: Path, target: Path) -> dict[str, list[str]]:
    """Copy the worked example to ``target`` with its free text replaced by the corpus.

    Returns the payloads used, by field (every corpus entry is used at least once)."""
    shutil.copytree(example, target)
    used: dict[str, list[str]] = {}
    providers = _names(_column(target / "eha_assessments.csv", "provider"), 0)
    _rewrite(target / "eha_assessments.csv", "provider", providers)
    used["provider"] = list(providers.values())
    centres = _names(_column(target / "children_centres_register.csv", "centre"), len(providers))
    _rewrite(target / "children_centres_register.csv", "centre", centres)
    _rewrite(target / "children_centres.csv", "centre", centres)
    used["centre"] = list(centres.values())
    programmes = _names(_column(target / "family_support_outcomes.csv", "programme"), 3)
    _rewrite(target / "family_support_outcomes.csv", "programme", programmes)
    used["programme"] = list(programmes.values())
    period = _column(target / "eha_assessments.csv", "period")[0]
    with (target / "eha_reasons.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["period", "reason", "assessments_citing", "assessments_total"])
        for i, reason in enumerate(CORPUS):
            w.writerow([period, reason, str(100 + 37 * i), "5478"])
    used["reason"] = list(CORPUS)
    return used
