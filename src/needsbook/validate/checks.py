"""Cross-row rules that Great Expectations cannot state on a pandas frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from needsbook.validate.report import Failure

ENGLAND = "E92000001"


def england_present(table: str, df: pd.DataFrame) -> Failure | None:
    """Every (indicator, period) in the long indicator table has an England row."""
    keys = ["indicator_id", "period"]
    has_eng = df.loc[df["area_code"] == ENGLAND, keys].drop_duplicates()
    allkeys = df[keys].drop_duplicates()
    missing = allkeys.merge(has_eng, how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    if missing.empty:
        return None
    return Failure(
        table=table,
        expectation="england_present_for_every_indicator_period",
        column="area_code",
        message="no England (E92000001) row for these indicator-periods",
        unexpected_count=len(missing),
        examples=missing.reset_index(drop=True),
    )


CHECKS: dict[str, list[Callable[[str, pd.DataFrame], Failure | None]]] = {
    "indicators": [england_present],
}


@dataclass
class CheckResults:
    evaluated: list[str]
    failures: list[Failure]


def run_checks(table: str, df: pd.DataFrame) -> CheckResults:
    checks = CHECKS.get(table, [])
    results = [check(table, df) for check in checks]
    return CheckResults([c.__name__ for c in checks], [f for f in results if f is not None])
