"""Copy a local data folder with every period moved by a number of years (tests of how old
local data is: the same figures, historical or recent)."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from needsbook.local.dates import period_column
from needsbook.local.templates import TEMPLATES


def shift_period(kind: str, value: str, years: int) -> str:
    """``value`` (a valid period of the format ``kind``) moved by ``years``."""
    if kind == "period" and re.fullmatch(r"\d{4}-\d{2}", value):  # 2013-14
        start = int(value[:4]) + years
        return f"{start}-{(start + 1) % 100:02d}"
    return re.sub(r"\d{4}", lambda m: str(int(m.group(0)) + years), value)


def shift_folder(src: Path, dest: Path, years: int) -> Path:
    """A copy of ``src`` in ``dest`` with the period column of every template moved."""
    shutil.copytree(src, dest)
    for name, t in TEMPLATES.items():
        path, col = dest / t.file, period_column(name)
        if col is None or not path.is_file():
            continue
        with path.open(newline="") as f:
            rows = list(csv.reader(f))
        if not rows:
            continue
        i = rows[0].index(col[0])
        for row in rows[1:]:
            if len(row) > i and row[i]:
                row[i] = shift_period(col[1], row[i], years)
        with path.open("w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    return dest
