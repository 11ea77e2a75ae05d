"""Load and validate a folder of local service data (``data/local/<area code>/``).

Every problem across every file is collected and raised as one ``InputError`` whose message
has one line per problem, ``file: column 'x', rows 3, 7: rule`` (rows are CSV line numbers,
the header being line 1). Each file is checked as far as it is usable: a row with the wrong
number of fields is dropped, a cell that is not a number or not a period is reported once
and left out of later checks, and the Great Expectations suite, district, centre, pair and
ceiling checks still run. Nothing is returned from invalid data. Cross-file and
marginal-total inconsistencies are returned as warnings, since published source tables (the
2015 assessment's Table 9) are not always internally consistent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from needsbook import paths
from needsbook.areas import Area, resolve_area
from needsbook.errors import InputError
from needsbook.local.consistency import consistency_warnings
from needsbook.local.csvread import read_sheet
from needsbook.local.folder import area_and_folder, ignored, survey
from needsbook.local.plausible import FileProblems, area_population, check_ceilings, check_cells
from needsbook.local.rules import formula_problem, last_year
from needsbook.local.templates import (
    ALL,
    LSOA_REGEX,
    NEED_MODEL,
    NEED_MODEL_PERCENTS,
    TEMPLATES,
    Template,
    suite_for,
)


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

    def report(self) -> str:
        """``<folder>: valid: N templates with data (...)``, those holding only their header,
        what was not supplied, then each warning."""
        filled = [f"{n}.csv" for n, t in self.tables.items() if len(t)]
        empty = [f"{n}.csv" for n, t in self.tables.items() if not len(t)]
        if filled:
            line = f"{self.folder}: valid: {_count(len(filled), 'template')} with data "
            line += f"({', '.join(filled)})"
        else:
            line = f"{self.folder}: valid: no template holds data yet"
        if empty:
            line += f"; header only, so left out of the book: {', '.join(empty)}"
        if self.missing:
            line += f"; not supplied: {', '.join(self.missing)}"
        if self.warnings:
            line += f"; {_count(len(self.warnings), 'warning')}"
        return "\n".join([line, *(f"  warning: {w}" for w in self.warnings)])


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def expectations_local_dir() -> Path:
    return paths.expectations_dir() / "local"


def _rule(expectation: str, kwargs: dict, count: bool) -> list[tuple[str, str]]:
    """(mask kind, words) of an expectation; a range on counts splits into below and above."""
    if expectation == "expect_column_values_to_not_be_null":
        return [("fail", "must not be blank")]
    if expectation == "expect_column_values_to_be_in_set":
        return [("fail", "must be one of " + ", ".join(map(str, kwargs["value_set"])))]
    if expectation == "expect_column_values_to_match_regex":
        return [("fail", f"must match {kwargs['regex']}")]
    if expectation == "expect_column_values_to_be_unique":
        return [("fail", "duplicated rows")]
    if expectation == "expect_compound_columns_to_be_unique":
        return [("fail", "duplicated rows (same " + ", ".join(kwargs["column_list"]) + ")")]
    lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
    if count or hi is None:
        out = [("below", f"must be {lo:g} or more (no negative counts)")]
        return out + ([("above", f"must be at most {hi:,.0f} (implausible)")] if hi else [])
    return [("fail", f"must be between {lo:g} and {hi:g}")]


def _columns_of(kwargs: dict) -> list[str]:
    return [kwargs["column"]] if "column" in kwargs else list(kwargs["column_list"])


def _suite(t: Template, absent: set[str]) -> dict:
    """The template's suite (``expectations/local/<name>.json``) without absent columns."""
    path = expectations_local_dir() / f"{t.name}.json"
    suite = json.loads(path.read_text()) if path.is_file() else suite_for(t)
    exps = [e for e in suite["expectations"] if not absent & set(_columns_of(e["kwargs"]))]
    return {**suite, "expectations": exps}


def _gx(t: Template, df: pd.DataFrame, absent: set[str], fp: FileProblems) -> None:
    """Run the template's GX suite and word its failures (all failing rows, not GX's few)."""
    from needsbook.validate import validate_frame

    suite = _suite(t, absent)
    frame = df.reset_index(drop=True)
    report = validate_frame(f"local/{t.name}", frame, suite=suite)
    for f in report.failures:
        kwargs = next(
            e["kwargs"]
            for e in suite["expectations"]
            if e["type"] == f.expectation and ", ".join(_columns_of(e["kwargs"])) == f.column
        )
        is_count = "column" in kwargs and t.column(kwargs["column"]).kind == "count"
        masks = [
            (_failing(f.expectation, kwargs, frame, kind), words)
            for kind, words in _rule(f.expectation, kwargs, is_count)
        ]
        if not any(mask.any() for mask, _ in masks):  # e.g. the check could not run
            fp.note(f"column '{f.column}': {f.message}")
        for mask, words in masks:
            fp.add(f.column, df.index[mask.to_numpy()], words)


def _failing(expectation: str, kwargs: dict, df: pd.DataFrame, kind: str) -> pd.Series:
    """Every failing row of an expectation GX reported (GX itself shows only a few)."""
    if expectation.endswith("_to_be_unique"):
        return df.duplicated(_columns_of(kwargs), keep=False)
    s = df[kwargs["column"]]
    if expectation == "expect_column_values_to_not_be_null":
        return s.isna()
    if expectation == "expect_column_values_to_be_in_set":
        return s.notna() & ~s.isin(kwargs["value_set"])
    if expectation == "expect_column_values_to_match_regex":
        return s.notna() & ~s.astype(str).str.match(kwargs["regex"])
    lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
    below = s.notna() & (s < lo) if lo is not None else pd.Series(False, index=s.index)
    above = s.notna() & (s > hi) if hi is not None else pd.Series(False, index=s.index)
    return {"below": below, "above": above}.get(kind, below | above)


def _district_names(area: Area) -> dict[str, str]:
    out = {ALL: ALL}
    for code, name in area.districts:
        out[code] = name
        out[name] = name
    return out


def _area_checks(
    t: Template,
    df: pd.DataFrame,
    absent: set[str],
    area: Area,
    register: pd.DataFrame | None,
    fp: FileProblems,
) -> None:
    """Area-specific rules (districts, centres) and pairwise rules (a <= b)."""
    names = _district_names(area)
    for c in t.columns:
        if c.name in absent:
            continue
        if c.district:
            bad = df[c.name].notna() & ~df[c.name].isin(list(names))
            found = ", ".join(repr(v) for v in df.loc[bad, c.name].unique()[:5])
            known = ", ".join(n for _, n in area.districts)
            rule = f"unknown district {found} for {area.name} (known: {known}, or {ALL})"
            fp.add(c.name, df.index[bad], rule, flag=True)
            df[c.name] = df[c.name].map(lambda v: names.get(v, v)).astype(df[c.name].dtype)
        if c.centre and register is not None and not register.empty and "district" not in absent:
            known_centres = set(zip(register["district"], register["centre"], strict=True))
            ok = [
                (d, x) in known_centres or x == ALL
                for d, x in zip(df["district"], df[c.name], strict=True)
            ]
            bad = ~pd.Series(ok, index=df.index, dtype=bool) & df[c.name].notna()
            bad &= ~df.index.isin(list(fp.flagged["district"]))
            found = ", ".join(repr(v) for v in df.loc[bad, c.name].unique()[:5])
            rule = (
                f"unknown centre {found} (not in children_centres_register.csv for that district)"
            )
            fp.add(c.name, df.index[bad], rule)
        elif c.centre and register is None:  # (an unreadable register is reported as such)
            fp.note(f"column '{c.name}' needs children_centres_register.csv")
    for a, b in t.pairs:
        if a in absent or b in absent:
            continue
        bad = df[a].notna() & df[b].notna() & (df[a] > df[b])
        fp.add(a, df.index[bad], f"must not exceed '{b}'")


def _offer_cells(t: Template, df: pd.DataFrame, absent: set[str], fp: FileProblems) -> None:
    """The local offer's own cell rules: whole ages, both ages or neither, and outcome
    domains (the other templates' cells are checked by :func:`check_cells`)."""
    from needsbook.offer.terms import cell_problem

    ages = [c.name for c in t.columns if c.kind == "age" and c.name not in absent]
    for name in ages:
        s = df[name]
        fp.add(name, df.index[s.notna() & (s % 1 != 0)], "must be a whole number of years", True)
    if len(ages) == 2:
        one = df[ages[0]].isna() != df[ages[1]].isna()
        one &= ~df.index.isin(list(fp.flagged[ages[0]] | fp.flagged[ages[1]]))  # said already
        fp.add(ages[0], df.index[one], f"give both '{ages[0]}' and '{ages[1]}', or neither")
    for c in t.columns:
        if c.domains and c.name not in absent:
            rules = df[c.name].dropna().map(cell_problem)
            for rule in dict.fromkeys(r for r in rules if isinstance(r, str)):
                fp.add(c.name, rules.index[rules == rule], rule, flag=True)


MISSING_SHOWN = 10  # missing LSOA/age band pairs listed before "and N more"


def area_lsoas(area: Area, data_dir: Path | str | None = None) -> list[str]:
    """The area's 2011 LSOA codes (from the IMD 2019 table of the snapshot), sorted."""
    from needsbook.data import load_table

    imd = load_table("imd2019_lsoa11", data_dir)
    return sorted(imd.loc[imd["utla_code"] == area.code, "lsoa11_code"].astype(str))


def _need_model_rows(
    df: pd.DataFrame, absent: set[str], area: Area, lsoas: list[str], fp: FileProblems
) -> None:
    """The need model's rules across rows: LSOAs of the area, percentages adding to at most
    100, every LSOA with every age band, one model name that is not a formula."""
    from needsbook.need.model import AGE_BANDS

    if df.empty:  # header only: the book's own model is used
        return
    known = set(lsoas)
    if "lsoa11_code" not in absent:
        code = df["lsoa11_code"]
        shaped = code.notna() & code.astype(str).str.match(LSOA_REGEX)
        bad = shaped & ~code.isin(known)
        found = ", ".join(repr(v) for v in code[bad].unique()[:5])
        fp.add(
            "lsoa11_code",
            df.index[bad],
            f"unknown LSOA {found}: not a 2011 LSOA of {area.name} ({len(lsoas)} LSOAs)",
            flag=True,
        )
    pcts = [c for c in NEED_MODEL_PERCENTS.values() if c not in absent]
    if len(pcts) == len(NEED_MODEL_PERCENTS):
        total = df[pcts].sum(axis=1, min_count=len(pcts))
        in_range = df[pcts].apply(lambda c: c.between(0, 100)).all(axis=1)  # else reported
        over = total.notna() & in_range & (total > 100 + 1e-9)
        sums = ", ".join(f"{v:g}" for v in total[over].unique()[:5])
        fp.add(
            pcts[0],
            df.index[over],
            f"{', '.join(pcts)} must add to at most 100 (found {sums})",
        )
    if "model" not in absent:
        names = df["model"].dropna()
        rules = names.map(formula_problem)
        for rule in dict.fromkeys(r for r in rules if isinstance(r, str)):
            found = ", ".join(repr(v) for v in names[rules == rule].unique()[:3])
            fp.add("model", rules.index[rules == rule], f"{rule} (found {found})", flag=True)
        distinct = list(dict.fromkeys(names))
        if len(distinct) > 1:
            first = names.iloc[0]
            fp.add(
                "model",
                names.index[names != first],
                "must name one model, the same in every row (found "
                + ", ".join(repr(v) for v in distinct[:5])
                + ")",
            )
    if not {"lsoa11_code", "band"} & absent:
        have = set(zip(df["lsoa11_code"], df["band"], strict=True))
        missing = [(c, b) for c in lsoas for b in AGE_BANDS if (c, b) not in have]
        if missing:
            shown = "; ".join(f"{c} {b}" for c, b in missing[:MISSING_SHOWN])
            more = len(missing) - MISSING_SHOWN
            fp.note(
                f"columns 'lsoa11_code' and 'band': {len(missing)} row(s) missing (every "
                f"2011 LSOA of {area.name} needs a row for each age band, "
                f"{', '.join(AGE_BANDS)}): {shown}" + (f" and {more} more" if more > 0 else "")
            )


def _check_file(
    path: Path,
    t: Template,
    area: Area,
    register: pd.DataFrame | None,
    population: dict[str, int],
    run_gx: bool,
    problems: list[str],
    data_dir: Path | str | None = None,
) -> pd.DataFrame | None:
    """Every check of one file, as far as its content is usable; the checked frame."""
    sheet = read_sheet(path, t, problems)
    if sheet is None:
        return None
    df, absent = sheet.frame, sheet.absent
    # rows with nothing filled in but the pre-filled district are unfilled template rows
    filled = [c for c in df.columns if c != "district"]
    df = df.loc[df[filled].notna().any(axis=1)].copy()
    fp = FileProblems(t.file, problems)
    years = check_cells(t, df, absent, fp)
    _offer_cells(t, df, absent, fp)
    if run_gx:
        _gx(t, df, absent, fp)
    _area_checks(t, df, absent, area, register, fp)
    check_ceilings(t, df, years, area, population, fp)
    if t.name == NEED_MODEL:
        _need_model_rows(df, absent, area, area_lsoas(area, data_dir), fp)
    return df


def content_key(folder: Path, area: Area, data_dir: Path | str | None = None) -> str:
    """Everything a validation result depends on: the folder's files, the area, the
    population snapshot, the year, the suites and the validation code."""
    import hashlib

    from needsbook import local
    from needsbook.data import snapshot_key

    h = hashlib.sha256(f"{area.code}\0{last_year()}\0{snapshot_key(data_dir)}".encode())
    files = [p for p in sorted(folder.iterdir()) if p.is_file() and not ignored(p.name)]
    files += [*sorted(expectations_local_dir().glob("*.json"))]
    files += sorted(Path(local.__file__).parent.glob("*.py"))  # the checks, whatever module
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
    return paths.build_dir() / ".cache" / "local" / f"validated-{key}"


def load_local(
    folder: Path | str, area: str | Area, data_dir: Path | str | None = None
) -> LocalData:
    """Validate every template present in ``folder`` for ``area``; raise one InputError listing
    every problem in every file, or return the tables (missing templates in ``missing``).

    ``data_dir`` is the folder holding the snapshot (for the area and its population; default
    the project's). A folder whose exact content (files, area, suites and validation code)
    already passed is not re-checked by Great Expectations (the Python checks always run);
    within one process the validated tables are reused.
    """
    folder = Path(folder)
    area = area if isinstance(area, Area) else resolve_area(area, data_dir)
    if not folder.is_dir():
        raise InputError(f"{folder}: local data folder does not exist")
    key = content_key(folder, area, data_dir)
    if key in _LOADED:
        return _copy(_LOADED[key])
    run_gx = not _marker(key).is_file()
    present, problems, notes = survey(folder)
    data = LocalData(area=area, folder=folder)
    population = area_population(area, data_dir)
    checked: dict[str, pd.DataFrame | None] = {}
    order = ["children_centres_register"] + [
        n for n in TEMPLATES if n != "children_centres_register"
    ]
    for name in order:
        if name not in present:
            data.missing.append(TEMPLATES[name].file)
            continue
        register = checked.get("children_centres_register")
        if "children_centres_register" in checked and register is None:
            register = pd.DataFrame()  # present but unreadable (reported): centres not checked
        checked[name] = _check_file(
            present[name], TEMPLATES[name], area, register, population, run_gx, problems, data_dir
        )
    if problems:
        raise InputError(
            f"local data in {folder} is invalid ({len(problems)} problem(s); nothing was used):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    tables = {n: df for n, df in checked.items() if df is not None}
    data.warnings = notes + consistency_warnings(tables)
    data.tables = {n: tables[n].reset_index(drop=True) for n in TEMPLATES if n in tables}
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


def check_folder(
    local_dir: Path | str, area: str | None = None, data_dir: Path | str | None = None
) -> LocalData:
    """``needsbook validate --local-dir``: validate one folder, the area given or taken from
    the folder's name (an area code); InputError lists every problem."""
    found, folder = area_and_folder(local_dir, area, data_dir)
    return load_local(folder, found, data_dir)
