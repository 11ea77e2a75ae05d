"""Load and validate a folder of local service data (``data/local/<area code>/``).

Every problem across every file is collected and raised as one ``InputError`` whose message
has one line per problem, ``file: column 'x', rows 3, 7: rule`` (rows are CSV line numbers,
the header being line 1). Nothing is returned from invalid data. Cross-file and
marginal-total inconsistencies are returned as warnings, since published source tables (the
seed report's Table 9) are not always internally consistent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from needsbook import paths
from needsbook.areas import Area, resolve_area
from needsbook.errors import InputError
from needsbook.local.templates import ALL, PRIMARY_FAMILY_OUTCOMES, TEMPLATES, Template, suite_for

MAX_ROWS_SHOWN = 10


@dataclass
class LocalData:
    """Validated local tables (only the templates present), plus warnings and notes."""

    area: Area
    folder: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.tables:
            raise InputError(f"{self.folder / (name + '.csv')}: not supplied")
        return self.tables[name]


def _rows(index: Iterable[int]) -> str:
    lines = sorted({int(i) + 2 for i in index})
    shown = ", ".join(str(n) for n in lines[:MAX_ROWS_SHOWN])
    more = f" and {len(lines) - MAX_ROWS_SHOWN} more" if len(lines) > MAX_ROWS_SHOWN else ""
    return f"row{'s' if len(lines) > 1 else ''} {shown}{more}"


def _problem(file: str, column: str, index: Iterable[int], rule: str) -> str:
    return f"{file}: column '{column}', {_rows(index)}: {rule}"


def expectations_local_dir() -> Path:
    return paths.expectations_dir() / "local"


def _read(path: Path, t: Template, problems: list[str]) -> pd.DataFrame | None:
    """Read as text, check the exact columns, convert numeric columns; None if unusable."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        problems.append(f"{t.file}: cannot be read as CSV ({exc})")
        return None
    got, want = list(raw.columns), t.column_names
    if got != want:
        missing = [c for c in want if c not in got]
        extra = [c for c in got if c not in want]
        for c in missing:
            problems.append(
                f"{t.file}: column '{c}' is missing (expected columns: {', '.join(want)})"
            )
        for c in extra:
            problems.append(f"{t.file}: column '{c}' is not a column of this template")
        if not missing and not extra:
            problems.append(
                f"{t.file}: columns are in the wrong order (expected {', '.join(want)})"
            )
        return None
    df = raw.apply(lambda s: s.str.strip())
    # rows with nothing filled in but the pre-filled district are unfilled template rows
    filled = [c for c in df.columns if c != "district"]
    df = df.loc[(df[filled] != "").any(axis=1)]
    df = df.mask(df == "")
    for c in t.columns:
        if not c.numeric:
            continue
        values = pd.to_numeric(df[c.name], errors="coerce")
        bad = df[c.name].notna() & values.isna()
        if bad.any():
            shown = ", ".join(repr(v) for v in df.loc[bad, c.name].unique()[:5])
            problems.append(
                _problem(t.file, c.name, df.index[bad], f"must be a number (found {shown})")
            )
        elif c.kind == "count":
            frac = values.notna() & (values % 1 != 0)
            if frac.any():
                problems.append(_problem(t.file, c.name, df.index[frac], "must be a whole number"))
        df[c.name] = values
    return df


_RULES = {
    "expect_column_values_to_not_be_null": lambda k: "must not be blank",
    "expect_column_values_to_be_in_set": lambda k: (
        "must be one of " + ", ".join(map(str, k["value_set"]))
    ),
    "expect_column_values_to_match_regex": lambda k: f"must match {k['regex']}",
    "expect_column_values_to_be_between": lambda k: (
        f"must be between {k['min_value']:g} and {k['max_value']:g}"
        if k.get("max_value") is not None
        else f"must be {k['min_value']:g} or more (no negative counts)"
    ),
    "expect_column_values_to_be_unique": lambda k: "duplicated rows",
    "expect_compound_columns_to_be_unique": lambda k: (
        "duplicated rows (same " + ", ".join(k["column_list"]) + ")"
    ),
}


def _gx(t: Template, df: pd.DataFrame, problems: list[str]) -> None:
    """Run the template's GX suite (``expectations/local/<name>.json``) and word its failures."""
    import json

    from needsbook.validate import validate_frame

    suite_path = expectations_local_dir() / f"{t.name}.json"
    suite = json.loads(suite_path.read_text()) if suite_path.is_file() else suite_for(t)
    frame = df.reset_index(drop=True)
    index = df.index.to_numpy()
    report = validate_frame(f"local/{t.name}", frame, suite=suite)
    for f in report.failures:
        kwargs = next(
            e["kwargs"]
            for e in suite["expectations"]
            if e["type"] == f.expectation and _col(e["kwargs"]) == f.column
        )
        rows = _failing_rows(f.expectation, kwargs, frame)
        problems.append(_problem(t.file, f.column, index[rows], _RULES[f.expectation](kwargs)))


def _col(kwargs: dict) -> str:
    return kwargs["column"] if "column" in kwargs else ", ".join(kwargs["column_list"])


def _failing_rows(expectation: str, kwargs: dict, df: pd.DataFrame) -> list[int]:
    """All failing positions for an expectation GX reported (GX itself shows only a few)."""
    if expectation == "expect_compound_columns_to_be_unique":
        mask = df.duplicated(kwargs["column_list"], keep=False)
    elif expectation == "expect_column_values_to_be_unique":
        mask = df.duplicated([kwargs["column"]], keep=False)
    else:
        s = df[kwargs["column"]]
        if expectation == "expect_column_values_to_not_be_null":
            mask = s.isna()
        elif expectation == "expect_column_values_to_be_in_set":
            mask = s.notna() & ~s.isin(kwargs["value_set"])
        elif expectation == "expect_column_values_to_match_regex":
            mask = s.notna() & ~s.astype(str).str.match(kwargs["regex"])
        else:
            lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
            mask = s.notna() & ((s < lo) if lo is not None else False)
            if hi is not None:
                mask |= s.notna() & (s > hi)
    return [i for i, m in enumerate(mask) if m]


def _district_names(area: Area) -> dict[str, str]:
    out = {ALL: ALL}
    for code, name in area.districts:
        out[code] = name
        out[name] = name
    return out


def _area_checks(
    t: Template, df: pd.DataFrame, area: Area, register: pd.DataFrame | None, problems: list[str]
) -> None:
    """Area-specific rules (districts, centres) and pairwise rules (a <= b)."""
    names = _district_names(area)
    for c in t.columns:
        if c.district:
            bad = df[c.name].notna() & ~df[c.name].isin(list(names))
            if bad.any():
                found = ", ".join(repr(v) for v in df.loc[bad, c.name].unique()[:5])
                known = ", ".join(n for _, n in area.districts)
                problems.append(
                    _problem(
                        t.file,
                        c.name,
                        df.index[bad],
                        f"unknown district {found} for {area.name} (known: {known}, or {ALL})",
                    )
                )
            else:
                df[c.name] = df[c.name].map(names).astype(df[c.name].dtype)
        if c.centre:
            if register is None:
                problems.append(f"{t.file}: column '{c.name}' needs children_centres_register.csv")
                continue
            known = set(zip(register["district"], register["centre"], strict=True))
            ok = [
                (d, x) in known or x == ALL for d, x in zip(df["district"], df[c.name], strict=True)
            ]
            bad = ~pd.Series(ok, index=df.index) & df[c.name].notna()
            if bad.any():
                found = ", ".join(repr(v) for v in df.loc[bad, c.name].unique()[:5])
                problems.append(
                    _problem(
                        t.file,
                        c.name,
                        df.index[bad],
                        f"unknown centre {found} (not in children_centres_register.csv for "
                        "that district)",
                    )
                )
    for a, b in t.pairs:
        bad = df[a].notna() & df[b].notna() & (df[a] > df[b])
        if bad.any():
            problems.append(_problem(t.file, a, df.index[bad], f"must not exceed '{b}'"))


def _warnings(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Identities that published tables may break: reported, not fatal."""
    out: list[str] = []
    eha = tables.get("eha_assessments")
    if eha is not None:
        for period, g in eha.groupby("period"):
            total = g.loc[
                (g.provider == ALL) & (g.district == ALL) & (g.imd_quintile == ALL), "assessments"
            ]
            if total.empty:
                continue
            n = total.iloc[0]
            for dim, others in (
                ("provider", ("district", "imd_quintile")),
                ("district", ("provider", "imd_quintile")),
                ("imd_quintile", ("provider", "district")),
            ):
                part = g.loc[
                    (g[dim] != ALL) & (g[others[0]] == ALL) & (g[others[1]] == ALL), "assessments"
                ]
                if len(part) and part.sum() != n:
                    out.append(
                        f"eha_assessments.csv: period {period}: rows by {dim} add to "
                        f"{part.sum():,.0f}, not the grand total {n:,.0f} "
                        "(source table inconsistent)"
                    )
    cc = tables.get("children_centres")
    if cc is not None:
        keys = ["period", "nursery", "population_group"]
        for k, g in cc.dropna(subset=["children_seen"]).groupby(keys):
            county = g.loc[(g.district == ALL) & (g.centre == ALL), "children_seen"]
            dist = g.loc[(g.district != ALL) & (g.centre == ALL), "children_seen"]
            if len(county) and len(dist) and dist.sum() != county.iloc[0]:
                out.append(
                    f"children_centres.csv: {', '.join(map(str, k))}: district totals of "
                    f"children_seen add to {dist.sum():,.0f}, not the area total "
                    f"{county.iloc[0]:,.0f} (source table inconsistent; the area total may "
                    "de-duplicate children seen in more than one district)"
                )
        both = cc.dropna(subset=["children_seen", "population_0_4", "percent_seen"])
        both = both[both.population_0_4 > 0]
        off = (both.children_seen / both.population_0_4 * 100 - both.percent_seen).abs() > 0.5
        for i in both.index[off]:
            out.append(
                f"children_centres.csv: row {i + 2}: percent_seen disagrees with seen/population"
            )
    reasons, fam = tables.get("eha_reasons"), tables.get("family_support_outcomes")
    if reasons is not None and reasons.groupby("period").assessments_total.nunique().gt(1).any():
        out.append("eha_reasons.csv: assessments_total differs between rows of the same period")
    if fam is not None and len(fam) and not fam.outcome.isin(PRIMARY_FAMILY_OUTCOMES).any():
        out.append("family_support_outcomes.csv: no primary outcome rows; no families counted")
    return out


def content_key(folder: Path, area: Area) -> str:
    """Everything a validation result depends on: the CSVs, the area, the suites and this code."""
    import hashlib

    from needsbook.local import templates

    h = hashlib.sha256(area.code.encode())
    files = [*sorted(folder.glob("*.csv")), *sorted(expectations_local_dir().glob("*.json"))]
    files += [Path(__file__), Path(templates.__file__)]
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _copy(data: LocalData) -> LocalData:
    return LocalData(
        area=data.area,
        folder=data.folder,
        tables={k: v.copy() for k, v in data.tables.items()},
        warnings=list(data.warnings),
        missing=list(data.missing),
    )


#: Valid local data already loaded in this process, by content key (chapters ask repeatedly).
_LOADED: dict[str, LocalData] = {}


def _marker(key: str) -> Path:
    """A file recording that the Great Expectations suites passed for this exact content."""
    return paths.repo_root() / "_build" / ".cache" / "local" / f"validated-{key}"


def load_local(folder: Path | str, area: str | Area) -> LocalData:
    """Validate every template present in ``folder`` for ``area``; raise one InputError listing
    every problem, or return the tables (missing templates listed in ``missing``).

    A folder whose exact content (CSVs, area, suites and validation code) already passed is
    not re-checked by Great Expectations (the Python checks always run); within one process
    the validated tables are reused.
    """
    folder = Path(folder)
    area = area if isinstance(area, Area) else resolve_area(area)
    if not folder.is_dir():
        raise InputError(f"{folder}: local data folder does not exist")
    key = content_key(folder, area)
    if key in _LOADED:
        return _copy(_LOADED[key])
    gx_passed = _marker(key).is_file()
    problems: list[str] = []
    data = LocalData(area=area, folder=folder)
    known = {t.file for t in TEMPLATES.values()}
    for p in sorted(folder.glob("*.csv")):
        if p.name not in known:
            problems.append(
                f"{p.name}: not a local data template (expected one of {', '.join(sorted(known))})"
            )
    order = ["children_centres_register"] + [
        n for n in TEMPLATES if n != "children_centres_register"
    ]
    for name in order:
        t = TEMPLATES[name]
        path = folder / t.file
        if not path.is_file():
            data.missing.append(t.file)
            continue
        before = len(problems)
        df = _read(path, t, problems)
        if df is None or len(problems) > before:
            continue
        if not gx_passed:
            _gx(t, df, problems)
        _area_checks(t, df, area, data.tables.get("children_centres_register"), problems)
        if len(problems) == before:
            data.tables[name] = df.reset_index(drop=True)
    if problems:
        raise InputError(
            f"local data in {folder} is invalid ({len(problems)} problem(s); nothing was used):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    data.warnings = _warnings(data.tables)
    _remember(key, data)
    return _copy(data)


def _remember(key: str, data: LocalData) -> None:
    _LOADED[key] = data
    marker = _marker(key)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:  # a read-only checkout still validates, just every time
        pass
