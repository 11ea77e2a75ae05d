"""The change report: new/retired indicators, new periods, revised values, rows added/removed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from needsbook.fetch.diff import diff_indicators, diff_table
from needsbook.snapshot.spec import INDICATOR_COLUMNS


def ind(rows: list[tuple[str, str, str, str, float]]) -> pd.DataFrame:
    """Indicator rows from (id, name, area_code, period, value)."""
    out = pd.DataFrame(
        [
            {
                **dict.fromkeys(INDICATOR_COLUMNS, np.nan),
                "indicator_id": i,
                "indicator_name": n,
                "area_code": a,
                "area_name": {"E06000017": "Rutland", "E92000001": "England"}.get(a, a),
                "period": p,
                "year": int(p[:4]) + (1 if "/" in p else 0),
                "value": v,
            }
            for i, n, a, p, v in rows
        ]
    )
    out["year"] = out["year"].astype("Int64")
    return out


OLD = ind(
    [
        ("ft:90284", "Injuries 0-14", "E92000001", "2022/23", 75.37),
        ("ft:90284", "Injuries 0-14", "E06000017", "2022/23", 58.14),
        ("ft:90284", "Injuries 0-14", "E92000001", "2023/24", 72.71),
        ("ft:90284", "Injuries 0-14", "E06000017", "2023/24", 59.90),
        ("ft:90284", "Injuries 0-14", "E10000034", "2023/24", 60.56),
        ("lait:Old", "A retired measure", "E92000001", "2020", 1.0),
    ]
)
NEW = ind(
    [
        ("ft:90284", "Injuries 0-14", "E92000001", "2022/23", 75.37),
        ("ft:90284", "Injuries 0-14", "E06000017", "2022/23", 58.14 + 1e-12),  # float noise
        ("ft:90284", "Injuries 0-14", "E92000001", "2023/24", 72.71),
        ("ft:90284", "Injuries 0-14", "E06000017", "2023/24", 70.17),  # revised
        ("ft:90284", "Injuries 0-14", "E12000004", "2023/24", 73.0),  # region added
        ("ft:90284", "Injuries 0-14", "E92000001", "2024/25", 71.27),  # new period
        ("ft:90284", "Injuries 0-14", "E06000017", "2024/25", 56.99),
        ("ft:93085", "Smoking at delivery", "E92000001", "2023/24", 7.9),  # new indicator
        ("ft:93085", "Smoking at delivery", "E06000017", "2023/24", 6.9),
    ]
)


def test_details() -> None:
    change = diff_indicators(OLD, NEW)
    d = change.details
    assert change.status == "changed" and (change.rows_before, change.rows_after) == (6, 9)
    assert d["new_indicators"] == {"ft:93085": "Smoking at delivery"}
    assert d["retired_indicators"] == {"lait:Old": "A retired measure"}
    assert d["new_periods"] == {"ft:90284": ["2024/25"]}
    assert d["dropped_periods"] == {}
    assert d["revised"] == {"ft:90284": 1}
    rev = d["revised_rows"].iloc[0]
    assert (rev["area_code"], rev["period"], rev["value_old"], rev["value_new"]) == (
        "E06000017",
        "2023/24",
        59.90,
        70.17,
    )
    assert d["rows_added"] == 1  # the region row in an existing period
    assert d["rows_removed"] == 1  # Worcestershire 2023/24 no longer published


def test_text() -> None:
    lines = diff_indicators(OLD, NEW).lines
    assert lines == [
        "new indicator ft:93085 Smoking at delivery: 2 rows, 2024-2024",
        "retired indicators (1): lait:Old A retired measure",
        "new periods: ft:90284 2024/25",
        "revised values: 1 row in 1 indicator (ft:90284 1)",
        "  largest revisions: ft:90284 Rutland (E06000017) 2023/24: 59.9 -> 70.17",
        "rows added for existing periods: 1 (ft:90284 1)",
        "rows no longer published for periods still present: 1 (ft:90284 1)",
    ]


def test_identical_tables_are_unchanged() -> None:
    assert diff_indicators(OLD, OLD.copy()).status == "unchanged"


def test_keyed_table() -> None:
    old = pd.DataFrame(
        {"area_code": ["E1", "E1", "E2"], "year": [2019, 2020, 2020], "population": [10, 11, 20]}
    )
    new = pd.DataFrame(
        {
            "area_code": ["E1", "E1", "E2", "E1"],
            "year": [2019, 2020, 2020, 2023],
            "population": [10, 12, 20, 13],
        }
    )
    change = diff_table("population_0_17", old, new, ("area_code", "year"), "year")
    assert change.lines == ["new periods: 2023", "1 row added; 1 row revised (population)"]
    assert change.details == {"new_periods": ["2023"], "added": 1, "removed": 0, "revised": 1}
