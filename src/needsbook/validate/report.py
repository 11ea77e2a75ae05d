"""Validation results as plain data, and their readable text form."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

MAX_EXAMPLES = 5


@dataclass
class Failure:
    """One failed expectation: where, what rule, and a few offending rows."""

    table: str
    expectation: str
    column: str
    message: str
    unexpected_count: int | None = None
    examples: pd.DataFrame | None = None

    def text(self) -> str:
        count = f" ({self.unexpected_count} rows)" if self.unexpected_count else ""
        lines = [
            f"  - table '{self.table}', expectation {self.expectation}, "
            f"column '{self.column}'{count}: {self.message}"
        ]
        if self.examples is not None and len(self.examples):
            shown = self.examples.head(MAX_EXAMPLES).to_string(max_colwidth=40)
            lines += ["      " + line for line in f"example rows:\n{shown}".splitlines()]
        return "\n".join(lines)


@dataclass
class TableReport:
    table: str
    rows: int
    evaluated: int
    failures: list[Failure] = field(default_factory=list)
    reused: bool = False  # the same content, suite and checks passed before (not re-run)

    @property
    def success(self) -> bool:
        return not self.failures

    def text(self) -> str:
        if self.success:
            return f"table '{self.table}' passed {self.evaluated} expectations ({self.rows:,} rows)"
        return "\n".join([f"table '{self.table}' FAILED:", *(f.text() for f in self.failures)])


@dataclass
class SnapshotReport:
    tables: list[TableReport] = field(default_factory=list)
    problems: list[Failure] = field(default_factory=list)  # missing files, hash mismatches
    from_cache: bool = False  # an identical snapshot and suites passed before
    from_record: bool = False  # ... namely the pass recorded in the snapshot (VALIDATED)

    @property
    def success(self) -> bool:
        return not self.problems and all(t.success for t in self.tables)

    @property
    def failures(self) -> list[Failure]:
        return self.problems + [f for t in self.tables for f in t.failures]

    def text(self) -> str:
        n_exp = sum(t.evaluated for t in self.tables)
        if self.success and self.from_record:
            return (
                f"Validation passed (the snapshot's validation record matches its tables, "
                f"suites and checks): {len(self.tables)} tables."
            )
        if self.success and self.from_cache:
            return (
                f"Validation passed (unchanged since last full validation): "
                f"{len(self.tables)} tables."
            )
        if self.success:
            reused = sum(t.reused for t in self.tables)
            unchanged = f" ({reused} unchanged since they last passed)" if reused else ""
            return (
                f"Validation passed: {len(self.tables)} tables{unchanged}, "
                f"{n_exp} expectations, {sum(t.rows for t in self.tables):,} rows."
            )
        head = (
            f"Validation FAILED: {len(self.failures)} failed expectation(s) "
            f"across {len(self.tables)} tables ({n_exp} expectations evaluated)."
        )
        return "\n".join([head, *(f.text() for f in self.failures)])
