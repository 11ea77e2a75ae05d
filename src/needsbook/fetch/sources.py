"""What `needsbook fetch` downloads: the catalogue of items per source, and running a fetch.

Item keys: ``ft:<Fingertips id>`` (or ``ft:<catalogue key>`` where the id is looked up by name),
``ees:<data set key>``, ``ons:<dataset key>``. ``--indicators`` also accepts bare Fingertips ids
(``93085``), including ids not in the catalogue (loaded with Fingertips' own metadata).

A fetch downloads every selected item, checks it (layout, rows, areas) and caches it; items
that fail are reported with source, URL and indicator while the others still succeed. The
record ``<cache>/fetched.json`` lists the items whose latest download succeeded: a failed item
keeps its previous entry, so ``needsbook snapshot --from-cache`` always sees complete items.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from needsbook.errors import InputError
from needsbook.fetch import ees, fingertips, ons
from needsbook.fetch.areas import AreaContext
from needsbook.fetch.ees import EesDataSet
from needsbook.fetch.errors import FetchError
from needsbook.fetch.fingertips import FingertipsIndicator
from needsbook.fetch.http import Fetcher
from needsbook.fetch.ons import NomisDataset
from needsbook.files import atomic_write
from needsbook.snapshot import ind_csc, ind_eyfs, ind_neet

RECORD = "fetched.json"


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    publisher: str
    tables: tuple[str, ...]


SOURCES: dict[str, Source] = {
    "fingertips": Source(
        "fingertips",
        "OHID Fingertips API",
        "Office for Health Improvement and Disparities",
        ("indicators", "indicator_meta"),
    ),
    "ees": Source(
        "ees",
        "DfE explore-education-statistics API",
        "Department for Education",
        ("indicators", "indicator_meta", "population_0_17"),
    ),
    "ons": Source(
        "ons",
        "ONS population statistics (Nomis API)",
        "Office for National Statistics",
        ("population_syoa", "population_projections"),
    ),
}

_PER = r"\s*(?:-|to)\s*"
FINGERTIPS: tuple[FingertipsIndicator, ...] = (
    # checked=True: the id was confirmed against a real export (90284) or published code.
    FingertipsIndicator(
        "injuries_0_14",
        90284,
        "Hospital admissions caused by injuries in children (0-14 years)",
        (r"injur", rf"0{_PER}14"),
        topic="Injuries",
        unit="per 10,000 aged 0-14",
        checked=True,
    ),
    FingertipsIndicator(
        "smoking_delivery",
        93085,
        "Smoking status at time of delivery",
        (r"smok", r"deliver"),
        topic="Pregnancy and birth",
        sex="Female",
        checked=True,
    ),
    FingertipsIndicator(
        "ae_0_4",
        None,
        "A&E attendances (0-4 years)",
        (r"A&E attendances", rf"\b0{_PER}4\b"),
        exclude=(r"previous method",),
        topic="Hospital use",
    ),
    FingertipsIndicator(
        "self_harm_10_24",
        90813,
        "Hospital admissions as a result of self-harm (10-24 years)",
        (r"self.harm", rf"10{_PER}24"),
        topic="Mental health",
        checked=True,
    ),
    FingertipsIndicator(
        "tooth_decay_5",
        93563,
        "5 year olds with experience of visually obvious dental decay",
        (r"(?:dental|tooth) decay", r"\b5.year"),
        topic="Oral health",
        checked=True,
    ),
    FingertipsIndicator(
        "family_homelessness",
        None,
        "Family homelessness: households with dependent children owed a duty",
        (r"homeless", r"dependent children|famil"),
        topic="Housing",
    ),
    FingertipsIndicator(
        "hv_new_birth",
        None,
        "New birth visits by a health visitor within 14 days",
        (r"new birth visit", r"14 days"),
        topic="Health visiting",
    ),
    FingertipsIndicator(
        "hv_6_8_weeks",
        None,
        "6 to 8 week reviews by a health visitor",
        (rf"6{_PER}8.week", r"review"),
        topic="Health visiting",
    ),
    FingertipsIndicator(
        "hv_12_months",
        None,
        "12 month reviews by 12 months",
        (r"12.month review",),
        exclude=(r"15 months",),
        topic="Health visiting",
    ),
    FingertipsIndicator(
        "hv_2_years",
        None,
        "2 to 2½ year reviews",
        (rf"2{_PER}2(?:½|\.5| and a half).year review",),
        topic="Health visiting",
    ),
)

_CIN = "Characteristics of children in need"
EES: tuple[EesDataSet, ...] = (
    EesDataSet(
        "cla",
        "Children looked after at 31 March, starting and ceasing: numbers and rates",
        "Children looked after in England including adoptions",
        (r"looked after", r"rate"),
        target=ind_csc.CLA,
        columns=("population_type", "population_estimate", "children_count", "rate_per_10000"),
    ),
    EesDataSet(
        "cin",
        "Children in need at 31 March (B1)",
        _CIN,
        (r"(?:^|\W)b1(?:\W|$)|children in need.*31 march",),
        target=ind_csc.CIN,
        columns=("At31_episodes",),
    ),
    EesDataSet(
        "referrals",
        "Referrals and re-referrals (C1)",
        _CIN,
        (r"(?:^|\W)c1(?:\W|$)|re-?referrals",),
        target=ind_csc.REFERRALS,
        columns=("referral_count", "rereferral_count", "rereferral_percent"),
    ),
    EesDataSet(
        "cpp_starts",
        "Child protection plans starting, second or subsequent plans (D3)",
        _CIN,
        (r"(?:^|\W)d3(?:\W|$)|second or subsequent",),
        target=ind_csc.CPP_STARTS,
        columns=("CPP_start", "CPP_subsequent", "CPP_subsequent_percent"),
    ),
    EesDataSet(
        "cpp_at31",
        "Child protection plans at 31 March by duration (D5)",
        _CIN,
        (r"(?:^|\W)d5(?:\W|$)|(?:duration|length of time)",),
        target=ind_csc.CPP_AT31,
        columns=("CPP_At31", "2_years_or_more", "2_years_or_more_percent"),
    ),
    EesDataSet(
        "population_0_17",
        "ONS mid-year estimates of children aged 0-17 (DfE denominators)",
        _CIN,
        (r"population",),
        target=ind_csc.POPULATION,
        columns=("age_group", "population_estimate"),
    ),
    EesDataSet(
        "neet",
        "16-17 year olds NEET or activity not known, by local authority",
        "Participation in education, training and NEET age 16 to 17 by local authority",
        (r"NEET|not in education",),
        target=ind_neet.FILES[-1],
        columns=("Cohort_DJFavg", "NEET_percent", "Notknown_percent", "NEET_not_known_percent"),
        siblings=ind_neet.FILES[:-1],
    ),
    EesDataSet(
        "eyfs",
        "EYFS profile headline measures by characteristics",
        "Early years foundation stage profile results",
        (r"headline", r"characteristic"),
        target=ind_eyfs.DATA,
        columns=(
            "characteristic",
            "characteristic_type",
            "gender",
            "children_number",
            "gld_number",
            "gld_percentage",
            "comm_lang_lit_number",
            "comm_lang_lit_percentage",
        ),
    ),
)

ONS: tuple[NomisDataset, ...] = (
    NomisDataset(
        "mye",
        "ONS mid-year population estimates by single year of age",
        "NM_2002_1",
        "date",
        ("latest", *(f"latestMINUS{k}" for k in range(1, 6))),
        "0",
        "population_syoa",
        districts=True,
    ),
    NomisDataset(
        "snpp",
        "ONS subnational population projections by single year of age and sex",
        "NM_2006_1",
        "projected_year",
        tuple(str(y) for y in range(2018, 2044)),
        "1,2",
        "population_projections",
    ),
)


@dataclass(frozen=True)
class Item:
    """One thing to fetch."""

    key: str
    source: str
    title: str
    spec: FingertipsIndicator | EesDataSet | NomisDataset
    checked: bool

    @property
    def aliases(self) -> set[str]:
        out = {self.key}
        if isinstance(self.spec, FingertipsIndicator):
            out.add(f"ft:{self.spec.key}")
            if self.spec.id:
                out |= {str(self.spec.id), f"ft:{self.spec.id}"}
        return out


def _ft_key(spec: FingertipsIndicator) -> str:
    return f"ft:{spec.id}" if spec.id else f"ft:{spec.key}"


def catalogue() -> list[Item]:
    """Every item `needsbook fetch` knows, in fetch order."""
    items = [Item(_ft_key(s), "fingertips", s.title, s, s.checked) for s in FINGERTIPS]
    items += [Item(f"ees:{s.key}", "ees", s.title, s, s.checked) for s in EES]
    items += [Item(f"ons:{s.key}", "ons", s.title, s, s.checked) for s in ONS]
    return items


def _adhoc_fingertips(text: str) -> Item | None:
    raw = text.removeprefix("ft:")
    if not raw.isdigit():
        return None
    spec = FingertipsIndicator(
        key=raw,
        id=int(raw),
        title=f"Fingertips indicator {raw}",
        name_patterns=(),
        topic="Fingertips indicators",
        profile=None,
    )
    return Item(f"ft:{raw}", "fingertips", spec.title, spec, checked=False)


def _split(values: Iterable[str] | None) -> list[str]:
    return [v.strip() for value in values or () for v in value.split(",") if v.strip()]


def select(
    sources: Iterable[str] | None = None, indicators: Iterable[str] | None = None
) -> list[Item]:
    """The items for ``--sources`` and ``--indicators`` (comma- or space-separated)."""
    names = _split(sources)
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise InputError(
            f"unknown source(s) {', '.join(unknown)}: choose from {', '.join(SOURCES)}"
        )
    items = catalogue()
    wanted = _split(indicators)
    if wanted:
        chosen: list[Item] = []
        for w in wanted:
            hit = next((i for i in items if w in i.aliases), None) or _adhoc_fingertips(w)
            if hit is None:
                keys = ", ".join(i.key for i in items)
                raise InputError(
                    f"unknown indicator '{w}': use a Fingertips id (e.g. 93085 or ft:93085) "
                    f"or one of {keys} (see `needsbook fetch --list`)"
                )
            if hit.key not in {c.key for c in chosen}:
                chosen.append(hit)
        items = chosen
    if names:
        items = [i for i in items if i.source in names]
        if not items:
            raise InputError("--sources and --indicators select nothing together")
    return items


# -------------------------------------------------------------------------------------------
# Running a fetch
# -------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What happened to one item."""

    item: Item
    ok: bool
    summary: str
    urls: list[str] = field(default_factory=list)
    error: FetchError | None = None
    result: Any = None
    notes: list[str] = field(default_factory=list)


def fetch_item(
    item: Item, fetcher: Fetcher, ctx: AreaContext, pins: Mapping[str, str] | None = None
) -> Outcome:
    """Fetch one item; a :class:`FetchError` becomes a failed outcome, not an exception."""
    try:
        if isinstance(item.spec, FingertipsIndicator):
            r = fingertips.fetch_indicator(fetcher, item.spec, ctx)
            areas = r.rows.loc[r.rows["area_type"] == "UTLA", "area_code"].nunique()
            periods = sorted(r.rows["period"].unique(), key=lambda p: (len(p), p))
            summary = (
                f"{r.name}: {len(r.rows):,} rows, {areas} UTLAs, "
                f"{r.meta['first_year']}-{r.meta['last_year']} ({len(periods)} periods)"
            )
            return Outcome(item, True, summary, r.urls, result=r, notes=r.notes)
        if isinstance(item.spec, EesDataSet):
            r2 = ees.fetch_data_set(fetcher, item.spec, pins)
            span = f"{r2.periods[0]}-{r2.periods[-1]}" if r2.periods else "no periods"
            summary = f"{r2.title}: {r2.rows:,} rows, {span} -> stands in for {r2.target}"
            return Outcome(item, True, summary, r2.urls, result=r2)
        r3 = ons.fetch_dataset(fetcher, item.spec, ctx)
        summary = (
            f"{item.title}: {len(r3.rows):,} rows, {min(r3.years)}-{max(r3.years)} -> {r3.table}"
        )
        return Outcome(item, True, summary, r3.urls, result=r3)
    except FetchError as exc:
        err = exc if exc.indicator else exc.with_context(indicator=item.key)
        return Outcome(item, False, str(err), [err.url] if err.url else [], error=err)


def read_record(cache_dir: Path) -> dict[str, Any]:
    path = Path(cache_dir) / RECORD
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        return {"version": 1, "items": {}, "failed": {}}
    except ValueError as exc:
        raise FetchError(
            "needsbook fetch", f"the fetch record {path} is unreadable ({exc})"
        ) from None
    record.setdefault("items", {})
    record.setdefault("failed", {})
    return record


def write_record(cache_dir: Path, outcomes: list[Outcome]) -> Path:
    """Merge ``outcomes`` into ``fetched.json``: successes replace, failures keep the old entry."""
    cache_dir = Path(cache_dir)
    record = read_record(cache_dir)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    for o in outcomes:
        if o.ok:
            entry = {
                "source": o.item.source,
                "title": o.item.title,
                "fetched_at": now,
                "summary": o.summary,
                "urls": o.urls,
            }
            if isinstance(o.result, ees.EesResult):
                entry["data_set_id"] = o.result.data_set_id
            record["items"][o.item.key] = entry
            record["failed"].pop(o.item.key, None)
        else:
            record["failed"][o.item.key] = {"at": now, "error": o.summary}
    path = cache_dir / RECORD
    atomic_write(path, (json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
    return path


def ensure_cache_dir(cache_dir: Path) -> Path:
    """Create the cache folder with a ``.gitignore`` so downloads are never committed."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    ignore = cache_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# needsbook fetch downloads (a cache): never commit\n*\n")
    return cache_dir


def run_fetch(
    items: list[Item],
    fetcher: Fetcher,
    ctx: AreaContext,
    *,
    pins: Mapping[str, str] | None = None,
    report: Callable[[Outcome], None] | None = None,
    record: bool = True,
) -> list[Outcome]:
    """Fetch ``items`` in order, reporting each outcome; update the record unless offline."""
    outcomes = []
    for item in items:
        outcome = fetch_item(item, fetcher, ctx, pins)
        outcomes.append(outcome)
        if report:
            report(outcome)
    if record:
        write_record(fetcher.cache_dir, outcomes)
    return outcomes


def recorded_pins(cache_dir: Path) -> dict[str, str]:
    """The EES data set ids the recorded downloads came from (so a rebuild reads the same)."""
    items = read_record(cache_dir)["items"]
    return {k: v["data_set_id"] for k, v in items.items() if v.get("data_set_id")}


def recorded_items(cache_dir: Path) -> list[Item]:
    """The catalogue items the record lists as fetched, in catalogue order."""
    keys = set(read_record(cache_dir)["items"])
    items = [i for i in catalogue() if i.key in keys]
    known = {i.key for i in items}
    for key in sorted(keys - known):
        adhoc = _adhoc_fingertips(key)
        if adhoc is None:
            raise FetchError(
                "needsbook fetch",
                f"the fetch record lists '{key}', which this version does not know: "
                "run `needsbook fetch` again",
            )
        items.append(adhoc)
    return items
