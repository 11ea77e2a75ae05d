"""Dated events on trend charts: policy, the Census 2021 population base and definition changes.

The events are listed in ``data/policy/events.yml`` (fields: ``data/policy/SCHEMA.md``). For
one indicator's series, :func:`events_for` picks the events that apply to it and fall inside
the plotted years, each placed at the first period ending after it (``Event.year``) and at the
point on the year axis where the event happened (``Event.x``). Charts draw them as a dashed
vertical line with a short label (:func:`layer`, or :func:`rule_layers` inside a faceted
chart), the chart's table marks the first period after each (:func:`table_notes`) and the
section's notes describe them (:func:`describe`).

Definition changes already in the catalogue (an indicator's ``comparable_from`` and
``series_note``) are read from there: a ``definition`` event that applies to such an indicator
is placed at ``comparable_from``, and an indicator with ``comparable_from`` that no event
applies to gets a mark built from its catalogue entry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import yaml

from needsbook import paths, yamlfile
from needsbook.charts.theme import PALETTE
from needsbook.errors import DataError
from needsbook.outcomes.catalogue import Catalogue, Indicator, load_catalogue

KINDS = ("policy", "population", "definition")
#: ``applies_to`` words that are not matched against the catalogue's text.
ALL = "all indicators"
POPULATION_RATES = "all population-based rates"
SPECIAL = (ALL, POPULATION_RATES)
REQUIRED = ("id", "label", "kind", "description", "applies_to")
FIELDS = {*REQUIRED, "date", "when", "source", "policy", "note", "except"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Longest chart label (characters): labels run along the line, inside a small panel.
LABEL_MAX = 28
#: Month and day each kind of period ends, in the year it is plotted at (``year``).
PERIOD_ENDS = {
    "calendar year": (12, 31),
    "3 calendar years pooled": (12, 31),
    "financial year": (3, 31),
    "3 financial years pooled": (3, 31),
    "at 31 March": (3, 31),
    "academic year": (8, 31),
    "at 30 September": (9, 30),
    "January census": (1, 31),
    "annual (December-February average)": (2, 28),
}
LINE = PALETTE[4]  # dark grey, from the Analysis Function palette
TEXT_SIZE = 9


@dataclass(frozen=True)
class Event:
    """One dated event; ``year`` and ``x`` are set when it is placed on one series."""

    id: str
    date: dt.date | None
    label: str  # short, for the chart
    description: str  # one sentence for readers
    kind: str  # policy | population | definition
    applies_to: tuple[str, ...]
    source: str = ""
    excludes: tuple[str, ...] = ()
    when: str = ""  # how the date is written for readers, where the day would mislead
    note: str = ""  # the table's note on the first period after the event
    policy: str = ""  # the policy list entry the date and source come from
    year: int | None = None  # the first plotted period ending after the event
    x: float | None = None  # where the line is drawn on the year axis

    @property
    def date_text(self) -> str:
        """ "23 March 2020" (or the event's own wording, e.g. "mid-2021")."""
        if self.when:
            return self.when
        if self.date is None:
            return ""
        return f"{self.date.day} {self.date.strftime('%B %Y')}"

    @property
    def table_note(self) -> str:
        """The Note for the first period ending after the event."""
        if self.note:
            return self.note
        return f"First period ending after {self.label} ({self.date_text})"


# --------------------------------------------------------------------------------------
# Loading and checking
# --------------------------------------------------------------------------------------
def default_path() -> Path:
    return paths.repo_root() / "data" / "policy" / "events.yml"


def _problem(eid: str, field: str, message: str) -> str:
    return f"event '{eid}', field '{field}': {message}"


def _date(value: Any) -> str:
    """YAML reads an unquoted 2020-03-23 as a date; keep every date as text."""
    return value.isoformat() if isinstance(value, dt.date) else str(value or "").strip()


def _terms(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    return tuple(" ".join(v.split()) for v in value)


def _reader_problems(text: str) -> list[str]:
    from needsbook.testing.reader_text import FORBIDDEN, FORBIDDEN_IN_PROSE

    return [
        what
        for what, pattern in {**FORBIDDEN, **FORBIDDEN_IN_PROSE}.items()
        if pattern.search(text)
    ]


def check_events(
    doc: Any, catalogue: Catalogue, policies: dict[str, Any] | None = None
) -> tuple[tuple[Event, ...], list[str]]:
    """The events of a parsed YAML document, and every problem found.

    ``policies`` maps policy ids to entries with ``published`` and ``url`` (the policy list);
    an event naming one takes its date and source from it and may not give its own.
    """
    from needsbook.recommend.entries import entries

    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        return (), ["the file must be a mapping with an 'events' list"]
    policies = policies or {}
    out: list[Event] = []
    problems: list[str] = []
    for eid, raw in entries(doc, "events", FIELDS, _problem, problems):
        before = len(problems)
        text = {f: " ".join(str(raw.get(f) or "").split()) for f in ("label", "description")}
        for f in REQUIRED:
            if raw.get(f) in (None, "", []):
                problems.append(_problem(eid, f, "missing or empty"))
        kind = str(raw.get("kind") or "")
        if kind and kind not in KINDS:
            problems.append(_problem(eid, "kind", f"{kind!r} is not one of {list(KINDS)}"))
        date, source = _date(raw.get("date")), str(raw.get("source") or "").strip()
        pid = str(raw.get("policy") or "")
        if pid:
            if pid not in policies:
                problems.append(_problem(eid, "policy", f"{pid!r} is not in the policy list"))
            else:
                for f, given in (("date", date), ("source", source)):
                    if given:
                        problems.append(
                            _problem(eid, f, "given by the policy list entry; do not repeat it")
                        )
                date = str(policies[pid].published)
                source = str(policies[pid].url)
        if not date:
            problems.append(_problem(eid, "date", "missing (or name a policy list entry)"))
        elif not DATE.match(date):
            problems.append(_problem(eid, "date", f"{date!r} is not a YYYY-MM-DD date"))
        else:
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                problems.append(_problem(eid, "date", f"{date!r} is not a real date"))
        if not source.startswith("https://"):
            problems.append(_problem(eid, "source", "missing or not an https:// address"))
        if len(text["label"]) > LABEL_MAX:
            problems.append(_problem(eid, "label", f"longer than {LABEL_MAX} characters"))
        description = text["description"]
        if description and (not description.endswith(".") or ". " in description):
            problems.append(_problem(eid, "description", "must be one sentence ending in '.'"))
        for f in ("label", "description", "note", "when"):
            for what in _reader_problems(str(raw.get(f) or "")):
                problems.append(_problem(eid, f, f"contains {what}"))
        terms: dict[str, tuple[str, ...]] = {}
        for f in ("applies_to", "except"):
            if raw.get(f) is None:
                terms[f] = ()
                continue
            got = _terms(raw.get(f))
            if got is None:
                problems.append(_problem(eid, f, "must be a list of indicator ids or topics"))
                continue
            terms[f] = got
            for term in got:
                problem = _term_problem(term, catalogue)
                if problem:
                    problems.append(_problem(eid, f, problem))
        if len(problems) == before:
            out.append(
                Event(
                    id=eid,
                    date=dt.date.fromisoformat(date),
                    label=text["label"],
                    description=description,
                    kind=kind,
                    applies_to=terms["applies_to"],
                    source=source,
                    excludes=terms["except"],
                    when=" ".join(str(raw.get("when") or "").split()),
                    note=" ".join(str(raw.get("note") or "").split()),
                    policy=pid,
                )
            )
    return tuple(out), problems


def _term_problem(term: str, catalogue: Catalogue) -> str:
    """Why an ``applies_to`` / ``except`` entry matches nothing ("" when it is sound)."""
    everything = (*catalogue.indicators, *catalogue.snapshot_only)
    if ":" in term:
        return "" if catalogue.entry(term) else f"{term!r} is not a catalogue indicator id"
    if term in SPECIAL or any(_matches(term, i) for i in everything):
        return ""
    return f"{term!r} matches no catalogue indicator"


_LOADED: dict[tuple[Path, float, int], tuple[Catalogue, tuple[Event, ...]]] = {}


def _load(path: Path, mtime: float, catalogue: Catalogue) -> tuple[Event, ...]:
    key = (path, mtime, id(catalogue))
    if key in _LOADED:
        return _LOADED[key][1]
    from needsbook.recommend.policy import load_policy

    try:
        doc = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read the event list {path}: {exc}") from exc
    events, problems = check_events(doc, catalogue, load_policy())
    if problems:
        raise DataError(f"event list {path} is invalid:\n  - " + "\n  - ".join(problems))
    _LOADED[key] = (catalogue, events)  # the catalogue is kept so its id is not reused
    return events


def load_events(
    path: Path | str | None = None, catalogue: Catalogue | None = None
) -> tuple[Event, ...]:
    """The checked event list (one DataError listing every problem)."""
    p = Path(path or default_path())
    if not p.is_file():
        raise DataError(f"event list not found at {p}")
    return _load(p, p.stat().st_mtime, catalogue or load_catalogue())


# --------------------------------------------------------------------------------------
# Which events apply to an indicator
# --------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    return text.replace("\u2019", "'").casefold()


def population_based(ind: Indicator) -> bool:
    """A rate per head of a population (not per birth, pupil or case): a crude rate whose unit
    names an age group, e.g. "per 100,000 aged 10-17"."""
    return ind.value_type == "crude rate" and bool(re.search(r"\baged\b", ind.unit))


def _matches(term: str, ind: Indicator) -> bool:
    if term == ALL:
        return True
    if term == POPULATION_RATES:
        return population_based(ind)
    if ":" in term:
        return term == ind.id
    needle = _fold(term)
    return any(needle in _fold(t) for t in (ind.topic, ind.name, ind.definition, ind.source))


def applies(event: Event, ind: Indicator) -> bool:
    """True when the event names the indicator (by id or topic) and does not exclude it."""
    return any(_matches(t, ind) for t in event.applies_to) and not any(
        _matches(t, ind) for t in event.excludes
    )


def period_end(year: int, period_type: str | None = None) -> dt.date:
    """The last day of the period plotted at ``year`` (a calendar year when the kind is
    unknown)."""
    month, day = PERIOD_ENDS.get(str(period_type or ""), (12, 31))
    return dt.date(int(year), month, day)


@lru_cache(maxsize=4)
def _period_types(data_dir: str) -> dict[str, str]:
    from needsbook.data import load_table_or_none

    meta = load_table_or_none("indicator_meta", data_dir or None)
    if meta is None:
        return {}
    return dict(zip(meta["indicator_id"], meta["period_type"].astype(str), strict=True))


def snapshot_period_type(indicator_id: str, data_dir: Path | str | None = None) -> str | None:
    """The snapshot's kind of period for an indicator ("financial year", "at 31 March" ...)."""
    return _period_types(str(data_dir or "")).get(indicator_id)


def _period_kind(ind: Indicator, given: str | None, data_dir: Path | str | None) -> str | None:
    """When the indicator's periods end: as given, else the snapshot's kind of period; a
    count the catalogue defines as taken at the January school census ends in January, even
    where its source files it under the academic year."""
    if "january census" in _fold(ind.definition):
        return "January census"
    return given if given is not None else snapshot_period_type(ind.id, data_dir)


def _years(years: Iterable[Any]) -> list[int]:
    return sorted({int(y) for y in years if y is not None and not pd.isna(y)})


def place(
    event: Event,
    years: Iterable[Any],
    period_type: str | None = None,
    first_year: int | None = None,
) -> Event | None:
    """The event placed on a series plotted at ``years``, or None when it falls outside them.

    ``year`` is the first plotted period ending on or after the event's date (or
    ``first_year``, the catalogue's first comparable year); the event is inside the series only
    when an earlier period is plotted too. ``x`` puts the line between the two periods in
    proportion to the dates they end (midway when the event has no date).
    """
    ys = _years(years)
    if first_year is None:
        if event.date is None:
            return None
        first = next((y for y in ys if period_end(y, period_type) >= event.date), None)
    else:
        first = next((y for y in ys if y >= first_year), None)
    if first is None:
        return None
    before = [y for y in ys if y < first]
    if not before:
        return None
    y0 = before[-1]
    end0, end1 = period_end(y0, period_type), period_end(first, period_type)
    if event.date is not None and end0 < event.date <= end1:
        x = y0 + (first - y0) * (event.date - end0).days / (end1 - end0).days
    else:
        x = (y0 + first) / 2
    return replace(event, year=first, x=round(x, 3))


def _catalogue_break(ind: Indicator) -> Event:
    note = ind.series_note or "Earlier years are not comparable with the latest."
    return Event(
        id=f"comparable_from_{re.sub(r'[^a-z0-9]+', '_', ind.id.lower())}",
        date=None,
        label="Definition change",
        description=f"{ind.name}: {note}",
        kind="definition",
        applies_to=(ind.id,),
        source=ind.url or "",
        note="First period comparable with the latest",
    )


def events_for(
    indicator: Indicator | str,
    years: Iterable[Any],
    period_type: str | None = None,
    events: Sequence[Event] | None = None,
    data_dir: Path | str | None = None,
) -> list[Event]:
    """The events inside the plotted years that apply to the indicator, placed (by ``x``).

    ``indicator`` is a catalogue entry or its id (an id the catalogue lacks gets no events).
    ``period_type`` (e.g. "financial year") says when each period ends; by default the
    snapshot's. ``events`` defaults to the event list.
    """
    if isinstance(indicator, str):
        found = load_catalogue(data_dir=data_dir).entry(indicator)
        if found is None:
            return []
        indicator = found
    ind = indicator
    period_type = _period_kind(ind, period_type, data_dir)
    years = list(years)
    chosen = load_events() if events is None else events
    out: list[Event] = []
    redefined = False
    for event in chosen:
        if not applies(event, ind):
            continue
        first = None
        if event.kind == "definition" and ind.comparable_from:
            first, redefined = ind.comparable_from, True
        placed = place(event, years, period_type, first)
        if placed is not None:
            out.append(placed)
    if ind.comparable_from and not redefined:
        placed = place(_catalogue_break(ind), years, period_type, ind.comparable_from)
        if placed is not None:
            out.append(placed)
    return sorted(out, key=lambda e: (e.x or 0.0, e.id))


def panel_events(
    data: pd.DataFrame,
    events: Sequence[Event] | None = None,
    data_dir: Path | str | None = None,
) -> dict[str, list[Event]]:
    """Events per panel of a small-multiples trend frame (columns ``panel``, ``year`` and
    ``indicator_id``, or else ``panel_name`` = the catalogue name; ``period_type`` optional).
    Panels that are not catalogue indicators (e.g. a population count) get none."""
    if data.empty or "panel" not in data or "year" not in data:
        return {}
    cat = load_catalogue(data_dir=data_dir)
    by_name = {i.name: i for i in (*cat.snapshot_only, *cat.indicators)}
    out: dict[str, list[Event]] = {}
    for panel, part in data.groupby("panel", sort=False):
        ind = None
        if "indicator_id" in part and part["indicator_id"].notna().any():
            ids = part["indicator_id"].dropna().unique()
            ind = cat.entry(str(ids[0])) if len(ids) == 1 else None
        elif "panel_name" in part and len(part):
            ind = by_name.get(str(part["panel_name"].iloc[0]))
        if ind is None:
            continue
        kind = None
        if "period_type" in part and part["period_type"].notna().any():
            kind = str(part["period_type"].dropna().iloc[0])
        shown = part["year"] if "value" not in part else part.loc[part["value"].notna(), "year"]
        found = events_for(ind, shown, kind, events, data_dir)
        if found:
            out[str(panel)] = found
    return out


# --------------------------------------------------------------------------------------
# Tables, notes and charts
# --------------------------------------------------------------------------------------
def _placed(events: Iterable[Event], years: Iterable[Any]) -> list[Event]:
    """The events with a place on ``years`` (events not yet placed are placed by calendar
    year)."""
    out = []
    for e in events:
        p = e if e.year is not None and e.x is not None else place(e, years)
        if p is not None:
            out.append(p)
    return out


def table_notes(years: Iterable[Any], events: Sequence[Event]) -> pd.Series:
    """A "Note" column for a table with one row per period: the first period after each event
    says which event ("" elsewhere). ``years`` are the rows' plotted years (a Series keeps its
    index)."""
    ys = years if isinstance(years, pd.Series) else pd.Series(list(years), dtype="object")
    by_year: dict[int, list[str]] = {}
    for e in _placed(events, ys):
        if e.year is not None and e.table_note not in by_year.get(e.year, []):
            by_year.setdefault(e.year, []).append(e.table_note)
    notes = [
        "; ".join(by_year.get(int(y), [])) if y is not None and not pd.isna(y) else "" for y in ys
    ]
    return pd.Series(notes, index=ys.index, name="Note", dtype="object")


def frame_notes(data: pd.DataFrame, by_panel: dict[str, list[Event]]) -> pd.Series:
    """:func:`table_notes` for a small-multiples frame: each row by its panel's events."""
    notes = pd.Series("", index=data.index, name="Note", dtype="object")
    for panel, events in by_panel.items():
        rows = data["panel"] == panel
        notes[rows] = table_notes(data.loc[rows, "year"], events)
    return notes


def unique(events: Iterable[Event]) -> list[Event]:
    """Each event once (the first placing), in date order (undated catalogue breaks last)."""
    seen: dict[str, Event] = {}
    for e in events:
        seen.setdefault(e.id, e)
    return sorted(seen.values(), key=lambda e: (e.date is None, e.date or dt.date.max, e.id))


def describe(events: Iterable[Event]) -> list[str]:
    """One note per event for ``Section.notes``: its label, date and description."""
    out = []
    for e in unique(events):
        when = f"{e.date_text}, dashed line" if e.date_text else "dashed line"
        out.append(f"{e.label} ({when}): {e.description}")
    return out


def rule_layers(x: alt.X | None = None, x_field: str = "year") -> tuple[alt.Chart, ...]:
    """The dashed line and its label (over a white halo, so it stays legible over the data),
    for rows of the inherited data that have an ``event_label``: the line at ``x_field``; ``x``
    reuses the chart's own x encoding."""
    enc = x if x is not None else alt.X(f"{x_field}:Q")
    rows = alt.Chart().transform_filter("isValid(datum.event_label)")
    tooltip = [
        alt.Tooltip("event_label:N", title="Event"),
        alt.Tooltip("event_when:N", title="Date"),
    ]
    rule = rows.mark_rule(color=LINE, strokeDash=[5, 3], strokeWidth=1.3).encode(
        x=enc, tooltip=tooltip
    )
    text = {
        "angle": 270,  # along the line, read upwards, hanging from the top of the panel
        "align": "right",
        "baseline": "bottom",
        "dx": -3,
        "dy": -2,
        "fontSize": TEXT_SIZE,
        "limit": 140,
    }
    words = {"x": enc, "y": alt.YValue(0), "text": alt.Text("event_label:N")}
    halo = rows.mark_text(
        **text, stroke="#ffffff", strokeWidth=3, strokeOpacity=0.85, aria=False
    ).encode(**words)
    label = rows.mark_text(**text, color=LINE).encode(**words, tooltip=tooltip)
    return rule, halo, label


def mark_rows(
    events: Iterable[Event], x_field: str = "year", x_type: str = "quantitative"
) -> pd.DataFrame:
    """Rows for :func:`rule_layers`: one per event, at its place on the x axis."""
    rows = []
    for e in events:
        if x_type == "temporal":
            at: Any = (e.date or dt.date(int(e.year or 0), 1, 1)).isoformat()
        elif x_type in ("ordinal", "nominal"):
            at = e.year
        else:
            at = e.x
        rows.append(
            {x_field: at, "event_id": e.id, "event_label": e.label, "event_when": e.date_text}
        )
    return pd.DataFrame(rows, columns=[x_field, "event_id", "event_label", "event_when"])


def layer(
    chart_data_years: Iterable[Any],
    events: Sequence[Event],
    x_field: str = "year",
    x_type: str = "quantitative",
) -> alt.LayerChart:
    """A layer to draw over a (not faceted) chart whose x axis is ``x_field``: a dashed vertical
    line and a short label per event inside ``chart_data_years``."""
    placed = _placed(events, chart_data_years)
    code = {"quantitative": "Q", "temporal": "T", "ordinal": "O", "nominal": "N"}[x_type]
    marks = rule_layers(alt.X(f"{x_field}:{code}"), x_field)
    return alt.layer(*marks, data=mark_rows(placed, x_field, x_type))
