"""The indicator catalogue (``data/indicators.yml``): loading and validation.

The catalogue is the one definition of every indicator the book shows and every indicator the
snapshot derives from raw files: name, definition, polarity, unit, value type, CI method,
multiplier, source and which chapters use it (``use``). ``indicator_meta`` in the snapshot is
generated from it (:func:`needsbook.snapshot.ind_common.catalogue_meta`), and the benchmarking
engine (:mod:`needsbook.outcomes.compare`) benchmarks every entry a chapter uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from needsbook import formatting, paths, yamlfile
from needsbook.errors import DataError
from needsbook.stats import POLARITIES

CI_METHODS = ("wilson", "poisson", "published", "none")
VALUE_TYPES = ("proportion", "crude rate", "mean", "count")
#: Chapters' uses of an indicator: ``outcomes`` (benchmarked in the outcomes chapter),
#: ``services`` (the services chapter's demand tables), ``send`` and ``vulnerable`` (the SEND and
#: vulnerable children chapter), ``early_years_health`` (the outcomes chapter's pooled maternal and
#: early years section). An empty list: snapshot only.
SNAPSHOT_COLUMNS = ("value", "lower_ci_95", "upper_ci_95", "count", "denominator")
REQUIRED = ("id", "name", "definition", "unit", "value_type", "polarity")
REQUIRED += ("ci_method", "source", "columns")
USES = ("outcomes", "services", "send", "vulnerable", "early_years_health")


@dataclass(frozen=True)
class History:
    """Extra (earlier) years built as ``count`` / ``denominator`` x multiplier."""

    count: str
    denominator: str
    denominator_lag: int = 0


@dataclass(frozen=True)
class ServiceUse:
    """How the services chapter's demand tables use an indicator."""

    key: str  # finding key suffix: demand:<key>
    group: str = ""


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry (see the header of ``data/indicators.yml``)."""

    id: str
    name: str
    definition: str
    unit: str
    value_type: str
    polarity: str
    ci_method: str
    source: str
    columns: tuple[str, ...]
    decimals: int
    multiplier: float | None = None
    short_name: str = ""
    polarity_note: str = ""
    key: bool = False
    domain: str | None = None
    comparable_from: int | None = None
    series_note: str = ""
    history: History | None = None
    use: tuple[str, ...] = ()
    life_stage: str = ""
    services: ServiceUse | None = None  # for the services chapter's demand tables
    topic: str = ""
    publisher: str = ""
    source_dataset: str = ""
    url: str | None = None

    @property
    def label(self) -> str:
        """The name for chart rows and panel titles (``short_name`` if given)."""
        return self.short_name or self.name

    @property
    def has_ci(self) -> bool:
        """True when comparisons use confidence intervals (else quintiles)."""
        return self.ci_method != "none"

    @property
    def trend_method(self) -> str | None:
        """ "chi2" for proportions with counts, "regression" for other CIs, else None."""
        if not self.has_ci:
            return None
        return (
            "chi2"
            if self.value_type == "proportion" and "count" in self.columns
            else ("regression")
        )

    def format(self, value: float | None) -> str:
        """The value with its unit: "61.2%", "4.1 per 1,000 live births", "no data"."""
        if value is None or pd.isna(value):
            return "no data"
        number = formatting.fixed(value, self.decimals)
        return f"{number}%" if self.unit == "%" else f"{number} {self.unit}"

    def number(self, value: float | None) -> str:
        """The value without its unit ("61.2", "no data")."""
        if value is None or pd.isna(value):
            return "no data"
        return formatting.fixed(value, self.decimals)


@dataclass(frozen=True)
class Catalogue:
    indicators: tuple[Indicator, ...]  # every entry a chapter uses (the benchmarked set)
    life_stages: dict[str, str]  # id -> title, in order
    star_domains: dict[str, str]
    not_available: tuple[dict[str, str], ...] = field(default_factory=tuple)
    snapshot_only: tuple[Indicator, ...] = ()  # derived into the snapshot, used by no chapter

    def for_use(self, use: str) -> tuple[Indicator, ...]:
        """The entries a chapter uses (``"outcomes"`` or ``"services"``), in catalogue order."""
        return tuple(i for i in self.indicators if use in i.use)

    def entry(self, indicator_id: str) -> Indicator | None:
        """Any entry, used or snapshot-only (None when the id is not catalogued)."""
        for ind in (*self.indicators, *self.snapshot_only):
            if ind.id == indicator_id:
                return ind
        return None

    def __len__(self) -> int:
        return len(self.indicators)

    def __getitem__(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def table(self) -> pd.DataFrame:
        """One row per indicator (catalogue order) with the columns other modules join on."""
        order = {s: n for n, s in enumerate(self.life_stages)}
        return pd.DataFrame(
            {
                "indicator_id": [i.id for i in self.indicators],
                "order": range(len(self.indicators)),
                "name": [i.name for i in self.indicators],
                "outcome": ["outcomes" in i.use for i in self.indicators],
                "life_stage": [i.life_stage for i in self.indicators],
                "stage_order": [order.get(i.life_stage, len(order)) for i in self.indicators],
                "stage_title": [self.life_stages.get(i.life_stage, "") for i in self.indicators],
                "polarity": [i.polarity for i in self.indicators],
                "has_ci": [i.has_ci for i in self.indicators],
                "is_count": [i.value_type == "count" for i in self.indicators],
                "trend_method": [i.trend_method for i in self.indicators],
                "unit": [i.unit for i in self.indicators],
                "decimals": [i.decimals for i in self.indicators],
                "key": [i.key for i in self.indicators],
                "domain": [i.domain for i in self.indicators],
                "comparable_from": pd.array(
                    [i.comparable_from for i in self.indicators], dtype="Int64"
                ),
            }
        )


def default_path() -> Path:
    return paths.repo_root() / "data" / "indicators.yml"


def _indicator(entry: dict[str, Any], where: str) -> Indicator:
    missing = [k for k in REQUIRED if k not in entry]
    if missing:
        raise DataError(f"{where}: missing field(s) {', '.join(missing)}")
    known = set(Indicator.__dataclass_fields__)
    extra = sorted(set(entry) - known)
    if extra:
        raise DataError(f"{where}: unknown field(s) {', '.join(extra)}")
    history = entry.get("history")
    values = dict(entry)
    values["columns"] = tuple(entry["columns"])
    rule = formatting.decimals(entry["unit"], entry["value_type"])
    values["decimals"] = int(entry.get("decimals", rule))
    if values["decimals"] != rule:
        raise DataError(
            f"{where}: decimals {values['decimals']} differs from the rule for its unit ({rule})"
        )
    values["history"] = History(**history) if history else None
    values["use"] = tuple(entry["use"]) if "use" in entry else ("outcomes",)
    values["services"] = ServiceUse(**entry["services"]) if entry.get("services") else None
    for text in ("definition", "polarity_note", "series_note", "name"):
        if text in values:
            values[text] = " ".join(str(values[text]).split())
    return Indicator(**values)


def parse(data: dict[str, Any], where: str = "indicators.yml") -> Catalogue:
    """Build and check a catalogue from the parsed YAML (structure only; see :func:`validate`)."""
    stages = {s["id"]: s["title"] for s in data.get("life_stages", [])}
    domains = {d["id"]: d["title"] for d in data.get("star_domains", [])}
    indicators = []
    for n, entry in enumerate(data.get("indicators", [])):
        ind = _indicator(entry, f"{where}: indicators[{n}] ({entry.get('id', '?')})")
        label = f"{where}: {ind.id}"
        rules = [
            (set(ind.use) <= set(USES), f"use {list(ind.use)} not within {USES}"),
            (
                "outcomes" not in ind.use or ind.life_stage in stages,
                f"life_stage {ind.life_stage!r} is not a life stage",
            ),
            (
                "services" not in ind.use or bool(ind.services and ind.services.key),
                "services use needs services: {key, group}",
            ),
            (ind.polarity in POLARITIES, f"polarity {ind.polarity!r} is not one of {POLARITIES}"),
            (ind.ci_method in CI_METHODS, f"ci_method {ind.ci_method!r} not in {CI_METHODS}"),
            (ind.value_type in VALUE_TYPES, f"value_type {ind.value_type!r} not in {VALUE_TYPES}"),
            (ind.domain is None or ind.domain in domains, f"domain {ind.domain!r} unknown"),
            (set(ind.columns) <= set(SNAPSHOT_COLUMNS), f"columns {ind.columns} unknown"),
            ("value" in ind.columns, "columns must include value"),
            (
                ind.ci_method == "none"
                or {"lower_ci_95", "upper_ci_95"} <= set(ind.columns)
                or {"count", "denominator"} <= set(ind.columns),
                f"ci_method {ind.ci_method} needs CI or count/denominator columns",
            ),
            (
                ind.ci_method not in ("wilson", "poisson") or ind.multiplier is not None,
                "ci_method wilson/poisson needs a multiplier",
            ),
        ]
        for ok, message in rules:
            if not ok:
                raise DataError(f"{label}: {message}")
        indicators.append(ind)
    ids = [i.id for i in indicators]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise DataError(f"{where}: duplicate indicator id(s) {dupes}")
    used = tuple(i for i in indicators if i.use)
    only = tuple(i for i in indicators if not i.use)
    na = tuple(data.get("not_available", []))
    return Catalogue(used, stages, domains, na, only)


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> Catalogue:
    return parse(yamlfile.safe_load(path.read_text(encoding="utf-8")), path.name)


def load_catalogue(path: Path | str | None = None, data_dir: Path | str | None = None) -> Catalogue:
    """The catalogue, parsed and checked: ``path``, else ``<data_dir>/indicators.yml`` if
    that exists, else the project's ``data/indicators.yml``."""
    if path:
        p = Path(path)
    elif data_dir and (Path(data_dir) / "indicators.yml").is_file():
        p = Path(data_dir) / "indicators.yml"
    else:
        p = default_path()
    if not p.is_file():
        raise DataError(f"indicator catalogue not found at {p}")
    return _load(p, p.stat().st_mtime)


def validate(catalogue: Catalogue, meta: pd.DataFrame) -> list[str]:
    """Problems with the catalogue against ``indicator_meta`` (an empty list when it is sound).

    Every id (and every history count id) must exist in the metadata with the catalogue's
    polarity (the metadata is generated from the catalogue); indicators with CIs must have them
    in the snapshot.
    """
    problems = []
    known = meta.set_index("indicator_id")
    for ind in catalogue.indicators:
        if ind.id not in known.index:
            problems.append(f"{ind.id}: not in indicator_meta")
            continue
        row = known.loc[ind.id]
        if row["polarity"] != ind.polarity:
            problems.append(
                f"{ind.id}: polarity {ind.polarity!r} differs from indicator_meta "
                f"({row['polarity']!r}): rebuild the snapshot"
            )
        if ind.has_ci and not bool(row["has_ci"]):
            problems.append(f"{ind.id}: ci_method {ind.ci_method} but the snapshot has no CIs")
        if ind.history and ind.history.count not in known.index:
            problems.append(f"{ind.id}: history count {ind.history.count} not in indicator_meta")
    for item in catalogue.not_available:
        sid = item.get("snapshot_id")
        if sid and sid not in known.index:
            problems.append(f"not_available {item['name']}: {sid} not in indicator_meta")
    return problems
