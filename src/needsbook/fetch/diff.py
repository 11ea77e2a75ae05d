"""What changed between two snapshots: a readable report, and the numbers behind it.

For the long ``indicators`` table the report names new and retired indicators, new (and
dropped) periods per indicator, revised values (same indicator, area and period, a different
value) with the largest examples, and rows no longer published. Other tables are compared on
their key (``TableSpec.key``): rows added, removed and changed, with the columns that changed
and any new periods. Tables whose parquet files are byte-identical (same sha256 in both
MANIFESTs) are reported as unchanged without being read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from needsbook.snapshot.manifest import read_manifest
from needsbook.snapshot.spec import TableSpec

MAX_ITEMS = 8  # names/examples shown per line before "... and N more"
KEY = ["indicator_id", "area_code", "period"]


@dataclass
class TableChange:
    """How one table changed; ``details`` holds the numbers the lines describe."""

    table: str
    status: str  # "unchanged" | "changed" | "added" | "removed"
    rows_before: int | None = None
    rows_after: int | None = None
    lines: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class SnapshotDiff:
    tables: list[TableChange]

    @property
    def changed(self) -> list[TableChange]:
        return [t for t in self.tables if t.status != "unchanged"]

    def table(self, name: str) -> TableChange:
        return next(t for t in self.tables if t.table == name)

    def text(self) -> str:
        out = ["What changed (current snapshot -> rebuilt snapshot):"]
        for t in self.changed:
            rows = f"{t.rows_before or 0:,} -> {t.rows_after or 0:,} rows"
            label = {"added": "new table", "removed": "table removed"}.get(t.status, rows)
            out.append(f"  {t.table}: {label}")
            out += [f"    {line}" for line in t.lines]
        same = [t.table for t in self.tables if t.status == "unchanged"]
        if same:
            out.append(f"  unchanged ({len(same)}): {', '.join(same)}")
        if not self.changed:
            out.append("  nothing changed")
        return "\n".join(out)


def _listing(items: Iterable[str], limit: int = MAX_ITEMS) -> str:
    items = list(items)
    shown = "; ".join(items[:limit])
    return shown + (f"; ... and {len(items) - limit} more" if len(items) > limit else "")


def _n(count: int, word: str) -> str:
    """``"1 row"``, ``"2,345 rows"``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _period_key(p: str) -> tuple[int, str]:
    return (len(p), p)


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Elementwise equality with NA == NA and a float tolerance of 1e-9 (relative)."""
    a_na, b_na = a.isna().to_numpy(), b.isna().to_numpy()
    if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
        x = pd.to_numeric(a, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        y = pd.to_numeric(b, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        close = np.isclose(x, y, rtol=1e-9, atol=1e-12)
        return (a_na & b_na) | (~a_na & ~b_na & close)
    eq = (a.astype("object").to_numpy() == b.astype("object").to_numpy()) & ~a_na & ~b_na
    return (a_na & b_na) | eq


def _fmt(x: float) -> str:
    return f"{x:,.4g}" if abs(x) < 1e6 else f"{x:,.0f}"


def _in_pairs(df: pd.DataFrame, pairs: dict[str, list[str]]) -> np.ndarray:
    """Rows of ``df`` whose (indicator_id, period) is one of ``pairs``."""
    if df.empty or not pairs:
        return np.zeros(len(df), dtype=bool)
    wanted = pd.MultiIndex.from_tuples([(i, p) for i, ps in pairs.items() for p in ps])
    return pd.MultiIndex.from_frame(df[["indicator_id", "period"]]).isin(wanted)


def diff_indicators(old: pd.DataFrame, new: pd.DataFrame) -> TableChange:
    """New/retired indicators, new/dropped periods, revised values, rows added/removed."""
    change = TableChange("indicators", "changed", len(old), len(new))
    names = {**dict(zip(old["indicator_id"], old["indicator_name"], strict=False))}
    names.update(dict(zip(new["indicator_id"], new["indicator_name"], strict=False)))
    ids_old, ids_new = set(old["indicator_id"]), set(new["indicator_id"])
    added, retired = sorted(ids_new - ids_old), sorted(ids_old - ids_new)
    g_new = new.groupby("indicator_id")
    new_ind = {}
    for i in added:
        rows = g_new.get_group(i)
        new_ind[i] = names[i]
        change.lines.append(
            f"new indicator {i} {names[i]}: {_n(len(rows), 'row')}, "
            f"{rows['year'].min()}-{rows['year'].max()}"
        )
    if retired:
        change.lines.append(
            f"retired indicators ({len(retired)}): " + _listing(f"{i} {names[i]}" for i in retired)
        )
    common = ids_old & ids_new
    po = old[old["indicator_id"].isin(common)].groupby("indicator_id")["period"].agg(set)
    pn = new[new["indicator_id"].isin(common)].groupby("indicator_id")["period"].agg(set)
    new_periods = {
        i: sorted(pn[i] - po[i], key=_period_key) for i in sorted(common) if pn[i] - po[i]
    }
    dropped_periods = {
        i: sorted(po[i] - pn[i], key=_period_key) for i in sorted(common) if po[i] - pn[i]
    }
    if new_periods:
        change.lines.append(
            "new periods: " + _listing(f"{i} {', '.join(p)}" for i, p in new_periods.items())
        )
    if dropped_periods:
        change.lines.append(
            "periods no longer published: "
            + _listing(f"{i} {', '.join(p)}" for i, p in dropped_periods.items())
        )
    o = old[old["indicator_id"].isin(common)]
    n = new[new["indicator_id"].isin(common)]
    m = o.merge(n, on=KEY, how="outer", suffixes=("_old", "_new"), indicator=True)
    both = m[m["_merge"] == "both"]
    revised_mask = ~_same(both["value_old"], both["value_new"])
    revised = both[revised_mask].copy()
    revised_counts = revised.groupby("indicator_id").size().sort_index().to_dict()
    if revised_counts:
        revised["rel"] = (revised["value_new"] - revised["value_old"]).abs() / revised[
            "value_old"
        ].abs().clip(lower=1e-9)
        examples = revised.sort_values("rel", ascending=False).head(MAX_ITEMS)
        change.lines.append(
            f"revised values: {_n(len(revised), 'row')} in "
            f"{_n(len(revised_counts), 'indicator')} ("
            + _listing(f"{i} {c:,}" for i, c in revised_counts.items())
            + ")"
        )
        change.lines.append(
            "  largest revisions: "
            + _listing(
                f"{r.indicator_id} {r.area_name_new} ({r.area_code}) {r.period}: "
                f"{_fmt(r.value_old)} -> {_fmt(r.value_new)}"
                for r in examples.itertuples(index=False)
            )
        )
    other = both[~revised_mask]
    detail_cols = ["lower_ci_95", "upper_ci_95", "count", "denominator"]
    other_changed = np.zeros(len(other), dtype=bool)
    for col in detail_cols:
        other_changed |= ~_same(other[f"{col}_old"], other[f"{col}_new"])
    if other_changed.any():
        change.lines.append(
            "same value, revised confidence limits/counts/denominators: "
            f"{_n(int(other_changed.sum()), 'row')}"
        )
    only_new = m[m["_merge"] == "right_only"]
    only_old = m[m["_merge"] == "left_only"]
    extra_rows = only_new[~_in_pairs(only_new, new_periods)]
    if len(extra_rows):
        change.lines.append(
            f"rows added for existing periods: {len(extra_rows):,} ("
            + _listing(f"{i} {c:,}" for i, c in extra_rows.groupby("indicator_id").size().items())
            + ")"
        )
    gone = only_old[~_in_pairs(only_old, dropped_periods)]
    if len(gone):
        change.lines.append(
            f"rows no longer published for periods still present: {len(gone):,} ("
            + _listing(f"{i} {c:,}" for i, c in gone.groupby("indicator_id").size().items())
            + ")"
        )
    change.details = {
        "new_indicators": new_ind,
        "retired_indicators": {i: names[i] for i in retired},
        "new_periods": new_periods,
        "dropped_periods": dropped_periods,
        "revised": revised_counts,
        "revised_rows": revised[[*KEY, "value_old", "value_new"]].reset_index(drop=True),
        "rows_added": len(extra_rows),
        "rows_removed": len(gone),
    }
    if not change.lines:
        change.status = "unchanged"
    return change


def diff_table(
    name: str,
    old: pd.DataFrame,
    new: pd.DataFrame,
    key: tuple[str, ...] = (),
    period_column: str | None = None,
) -> TableChange:
    """Rows added/removed/changed on ``key``, changed columns and new periods."""
    if name == "indicators":
        return diff_indicators(old, new)
    change = TableChange(name, "changed", len(old), len(new))
    if list(old.columns) != list(new.columns):
        gained = [c for c in new.columns if c not in old.columns]
        lost = [c for c in old.columns if c not in new.columns]
        change.lines.append(
            "columns changed"
            + (f"; new: {', '.join(gained)}" if gained else "")
            + (f"; removed: {', '.join(lost)}" if lost else "")
        )
    if period_column and period_column in old and period_column in new:
        po = set(old[period_column].dropna().astype(str))
        pn = set(new[period_column].dropna().astype(str))
        if pn - po:
            change.lines.append(f"new periods: {', '.join(sorted(pn - po, key=_period_key))}")
        if po - pn:
            change.lines.append(
                f"periods no longer present: {', '.join(sorted(po - pn, key=_period_key))}"
            )
        change.details["new_periods"] = sorted(pn - po, key=_period_key)
    keys = [k for k in key if k in old and k in new]
    if keys and not old.duplicated(keys).any() and not new.duplicated(keys).any():
        m = old.merge(new, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
        both = m[m["_merge"] == "both"]
        changed_cols, any_changed = [], np.zeros(len(both), dtype=bool)
        for col in old.columns:
            if col in keys or col not in new.columns:
                continue
            diff = ~_same(both[f"{col}_old"], both[f"{col}_new"])
            if diff.any():
                changed_cols.append(col)
                any_changed |= diff
        added = int((m["_merge"] == "right_only").sum())
        removed = int((m["_merge"] == "left_only").sum())
        parts = []
        if added:
            parts.append(f"{_n(added, 'row')} added")
        if removed:
            parts.append(f"{_n(removed, 'row')} removed")
        if any_changed.any():
            parts.append(f"{_n(int(any_changed.sum()), 'row')} revised ({', '.join(changed_cols)})")
        if parts:
            change.lines.append("; ".join(parts))
        change.details.update(
            {"added": added, "removed": removed, "revised": int(any_changed.sum())}
        )
    elif not old.reset_index(drop=True).equals(new.reset_index(drop=True)):
        change.lines.append("contents changed")
    if not change.lines:
        change.status = "unchanged"
    return change


def diff_snapshots(old_dir: Path, new_dir: Path, specs: Iterable[TableSpec]) -> SnapshotDiff:
    """Compare every table of two snapshot folders (``old_dir`` may not exist yet)."""
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    old_entries = (
        {e.table: e for e in read_manifest(old_dir)} if (old_dir / "MANIFEST").is_file() else {}
    )
    new_entries = {e.table: e for e in read_manifest(new_dir)}
    spec_by_name = {s.name: s for s in specs}
    changes = []
    for table in [*new_entries, *(t for t in old_entries if t not in new_entries)]:
        o, n = old_entries.get(table), new_entries.get(table)
        if o is None:
            changes.append(TableChange(table, "added", None, n.rows if n else None))
            continue
        if n is None:
            changes.append(TableChange(table, "removed", o.rows, None))
            continue
        if o.sha256 == n.sha256:
            changes.append(TableChange(table, "unchanged", o.rows, n.rows))
            continue
        spec = spec_by_name.get(table)
        changes.append(
            diff_table(
                table,
                pd.read_parquet(old_dir / o.file),
                pd.read_parquet(new_dir / n.file),
                spec.key if spec else (),
                spec.period_column if spec else None,
            )
        )
    return SnapshotDiff(changes)
