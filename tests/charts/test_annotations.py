"""Dated events on trend charts: the event list, which events apply to a series and where,
the table's Note column, the section notes and the chart's rule layer."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pandas as pd
import pytest
import yaml

from needsbook.charts import annotations as ann
from needsbook.charts import enable
from needsbook.errors import DataError
from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.charts import trend_chart
from needsbook.recommend.policy import load_policy

CLA, GLD, FTE = "csc:cla_rate", "lait:FSP_NEW_GOODDEV", "lait:FirstYJS"


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


@pytest.fixture(scope="module")
def events():
    return {e.id: e for e in ann.load_events()}


def ids(found: list[ann.Event]) -> list[str]:
    return [e.id for e in found]


# --- the list -------------------------------------------------------------------------------


def test_events_load_and_validate(events, cat) -> None:
    assert list(events) == [
        "send_reforms_2014",
        "covid_lockdown_2020",
        "census_2021_rebasing",
        "eyfs_reforms_2021",
        "care_review_2022",
        "stable_homes_2023",
        "working_together_2023",
    ]
    assert events["covid_lockdown_2020"].date == dt.date(2020, 3, 23)
    assert events["census_2021_rebasing"].date == dt.date(2021, 6, 30)
    assert events["eyfs_reforms_2021"].date == dt.date(2021, 9, 1)
    assert events["care_review_2022"].date == dt.date(2022, 5, 23)
    assert events["stable_homes_2023"].date == dt.date(2023, 2, 2)
    assert events["send_reforms_2014"].date == dt.date(2014, 9, 1)
    # one source for a policy's date and address: the policy list
    wt = events["working_together_2023"]
    policy = load_policy()["working_together_2023"]
    assert (wt.date.isoformat(), wt.source) == (policy.published, policy.url)
    assert wt.date == dt.date(2023, 12, 15)
    assert {e.kind for e in events.values()} == set(ann.KINDS)
    assert events["census_2021_rebasing"].kind == "population"
    assert events["eyfs_reforms_2021"].kind == "definition"
    for e in events.values():
        assert e.source.startswith("https://")
        assert len(e.label) <= ann.LABEL_MAX
        assert e.description.endswith(".") and ". " not in e.description
        for term in (*e.applies_to, *e.excludes):
            if ":" in term:
                assert cat.entry(term) is not None, term
            else:
                assert term in ann.SPECIAL or any(
                    ann.applies(replace(e, applies_to=(term,), excludes=()), i)
                    for i in cat.indicators
                ), term


def _check(doc: dict) -> list[str]:
    return ann.check_events(doc, load_catalogue(), load_policy())[1]


def test_every_problem_is_reported(tmp_path) -> None:
    good = {
        "id": "x",
        "date": "2020-01-01",
        "label": "X",
        "kind": "policy",
        "description": "Something happened.",
        "applies_to": ["all indicators"],
        "source": "https://example.org/x",
    }
    assert _check({"events": [good]}) == []
    bad = [
        {**good, "id": "a", "date": "2020-02-30"},
        {**good, "id": "b", "kind": "weather"},
        {**good, "id": "c", "applies_to": ["lait:Nope", "underwater basket weaving"]},
        {**good, "id": "d", "policy": "working_together_2023"},
        {**good, "id": "e", "source": "http://example.org"},
        {**good, "id": "f", "description": "Two sentences. Here."},
        {**good, "id": "g", "label": "A label far too long to fit beside a line"},
        {**good, "id": "h", "description": "See data/indicators.yml for more."},
        {**good, "id": "a"},
    ]
    problems = _check({"events": bad})
    text = "\n".join(problems)
    assert "event 'a', field 'date': '2020-02-30' is not a real date" in text
    assert "event 'b', field 'kind'" in text
    assert "event 'c', field 'applies_to': 'lait:Nope' is not a catalogue indicator id" in text
    assert "'underwater basket weaving' matches no catalogue indicator" in text
    assert "event 'd', field 'date': given by the policy list entry" in text
    assert "event 'd', field 'source': given by the policy list entry" in text
    assert "event 'e', field 'source'" in text
    assert "event 'f', field 'description': must be one sentence" in text
    assert "event 'g', field 'label': longer than 28 characters" in text
    assert "event 'h', field 'description': contains a project file name" in text
    assert "event 'a', field 'id': duplicate id" in text
    path = tmp_path / "events.yml"
    path.write_text(yaml.safe_dump({"version": 1, "events": bad}), encoding="utf-8")
    with pytest.raises(DataError, match=r"event list .* is invalid"):
        ann.load_events(path)


# --- which events, where ----------------------------------------------------------------------


def test_cla_rate_2016_to_2025_gets_covid_and_review_marks(cat) -> None:
    found = ann.events_for(cat[CLA], range(2016, 2026))  # counts at 31 March
    assert ids(found) == [
        "covid_lockdown_2020",
        "care_review_2022",
        "stable_homes_2023",
        "working_together_2023",
    ]
    by = {e.id: e for e in found}
    # first count at 31 March on or after each date
    assert [by[i].year for i in ids(found)] == [2020, 2023, 2023, 2024]
    # lockdown 8 days before 31 March 2020: the line sits just before the 2020 point
    assert by["covid_lockdown_2020"].x == pytest.approx(2019 + 358 / 366, abs=1e-3)
    assert by["care_review_2022"].x == pytest.approx(2022 + 53 / 365, abs=1e-3)
    # DfE's 0-17 denominators are already rebased: no population-base mark
    assert "census_2021_rebasing" not in ids(found)


def test_gld_trend_gets_the_definition_mark_at_the_catalogues_year(cat) -> None:
    years = [2016, 2017, 2018, 2019, 2022, 2023, 2024, 2025]  # none in 2020 and 2021
    found = {e.id: e for e in ann.events_for(cat[GLD], years)}
    assert set(found) == {"covid_lockdown_2020", "eyfs_reforms_2021"}
    eyfs = found["eyfs_reforms_2021"]
    assert eyfs.kind == "definition" and eyfs.year == cat[GLD].comparable_from == 2022
    # 1 September 2021 between the ends of 2018/19 (31 Aug 2019) and 2021/22 (31 Aug 2022)
    assert eyfs.x == pytest.approx(2019 + 3 * 732 / 1096, abs=1e-3)
    # a series shown only from the comparable year has nothing to mark
    assert ann.events_for(cat[GLD], [2022, 2023, 2024, 2025]) == []


def test_catalogue_break_without_an_event(cat, events) -> None:
    only_covid = [events["covid_lockdown_2020"]]
    found = ann.events_for(cat[GLD], range(2016, 2026), "academic year", only_covid)
    brk = next(e for e in found if e.kind == "definition")
    assert (brk.label, brk.year, brk.x) == ("Definition change", 2022, 2021.5)
    assert brk.description == f"School readiness: {cat[GLD].series_note}"


def test_rebasing_mark_only_for_rates_crossing_mid_2021(cat) -> None:
    crossing = ann.events_for(cat[FTE], range(2016, 2025))  # calendar years
    by = {e.id: e for e in crossing}
    assert by["census_2021_rebasing"].year == 2021
    assert by["covid_lockdown_2020"].year == 2020
    # a series entirely after mid-2021 gets no rebasing mark (nor any other)
    assert ann.events_for(cat[FTE], range(2021, 2025)) == []
    assert ann.events_for(cat[FTE], range(2022, 2025)) == []
    # financial years: 2020/21 ends before mid-2021, 2021/22 is the first on the new base
    mh = {e.id: e for e in ann.events_for(cat["lait:CMH_0-17yrs"], range(2016, 2025))}
    assert mh["census_2021_rebasing"].year == 2022
    # not a rate per head of population: no mark
    assert not ann.population_based(cat["lait:InfMort"])
    assert "census_2021_rebasing" not in ids(ann.events_for(cat["lait:InfMort"], range(2016, 2024)))


def test_january_census_counts_end_in_january(cat) -> None:
    found = ann.events_for(cat["lait:SEN_TotStat"], range(2016, 2026), "academic year")
    assert [(e.id, e.year) for e in found] == [("covid_lockdown_2020", 2021)]


# --- table, notes, chart ----------------------------------------------------------------------


def test_note_column_marks_the_first_period_after_each_event(cat) -> None:
    found = ann.events_for(cat[CLA], range(2016, 2026))
    years = pd.Series([2019, 2020, 2021, 2022, 2023, 2024, 2020], index=list("abcdefg"))
    notes = ann.table_notes(years, found)
    assert notes.name == "Note" and list(notes.index) == list("abcdefg")
    assert notes.to_dict() == {
        "a": "",
        "b": "First period ending after COVID-19 lockdown (23 March 2020)",
        "c": "",
        "d": "",
        "e": "First period ending after Care review report (23 May 2022); "
        "First period ending after Stable Homes strategy (2 February 2023)",
        "f": "First period ending after Working Together 2023 (15 December 2023)",
        "g": "First period ending after COVID-19 lockdown (23 March 2020)",
    }
    fte = ann.events_for(cat[FTE], range(2016, 2025))
    assert ann.table_notes(range(2019, 2023), fte).tolist() == [
        "",
        "First period ending after COVID-19 lockdown (23 March 2020)",
        "First period on population estimates based on Census 2021",
        "",
    ]


def test_describe_lists_each_event_once_in_date_order(cat) -> None:
    found = ann.events_for(cat[CLA], range(2016, 2026))
    notes = ann.describe([*found, *found])
    assert len(notes) == 4
    assert notes[0].startswith("COVID-19 lockdown (23 March 2020, dashed line): The first")
    assert notes[3].startswith("Working Together 2023 (15 December 2023, dashed line): New")
    from needsbook.testing.reader_text import FORBIDDEN, FORBIDDEN_IN_PROSE

    for note in notes:
        assert not [p for p in {**FORBIDDEN, **FORBIDDEN_IN_PROSE}.values() if p.search(note)]


def _frame() -> pd.DataFrame:
    rows = []
    for panel, order, name, years in (
        ("Children looked after|per 10,000", 0, "Children looked after", range(2016, 2026)),
        ("Children aged 0-17|population", 1, "Children aged 0-17", range(2016, 2025)),
    ):
        for y in years:
            for series in ("Area", "England"):
                rows.append(
                    {
                        "panel": panel,
                        "panel_name": name,
                        "panel_order": order,
                        "year": y,
                        "period": str(y),
                        "series": series,
                        "value": 50.0 + y - 2016,
                        "lower": float("nan"),
                        "upper": float("nan"),
                        "value_text": "x",
                        "ci_text": "x",
                    }
                )
    return pd.DataFrame(rows)


def _layers(spec: dict) -> list[dict]:
    return spec["spec"]["layer"]


def test_trend_chart_spec_contains_the_rule_layer() -> None:
    enable()
    df = _frame()
    by_panel = ann.panel_events(df)
    # the population panel is not an indicator: no events
    assert list(by_panel) == ["Children looked after|per 10,000"]
    spec = trend_chart(df, "t", "d", ["Area", "England"]).to_dict()
    layers = _layers(spec)
    rules = [ly for ly in layers if ly["mark"]["type"] == "rule"]
    assert len(rules) == 1
    assert rules[0]["mark"]["strokeDash"] == [5, 3]
    assert rules[0]["transform"] == [{"filter": "isValid(datum.event_label)"}]
    texts = [ly for ly in layers if ly["mark"]["type"] == "text"]
    assert texts and all(t["encoding"]["text"]["field"] == "event_label" for t in texts)
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    marks = data[data["event_label"].notna()]
    assert marks["event_label"].tolist() == [
        "COVID-19 lockdown",
        "Care review report",
        "Stable Homes strategy",
        "Working Together 2023",
    ]
    assert (marks["panel"] == "Children looked after|per 10,000").all()
    assert marks["year"].tolist() == [e.x for e in by_panel["Children looked after|per 10,000"]]
    # the lines and points leave the event rows out
    for ly in layers:
        if ly["mark"]["type"] in ("line", "point"):
            assert {"filter": "!isValid(datum.event_label)"} in ly["transform"]
    # and with no events the chart is as before: no rule, no extra rows
    plain = trend_chart(df, "t", "d", ["Area", "England"], events={}).to_dict()
    assert [ly["mark"]["type"] for ly in _layers(plain)] == ["area", "line", "point"]
    assert "event_label" not in json.dumps(plain)


def test_layer_for_a_single_chart() -> None:
    events = [e for e in ann.load_events() if e.id == "covid_lockdown_2020"]
    spec = ann.layer(range(2015, 2025), events).to_dict()
    assert [ly["mark"]["type"] for ly in spec["layer"]] == ["rule", "text", "text"]
    rows = spec["datasets"][spec["data"]["name"]]
    # placed by calendar year when the series' periods are not known
    assert rows == [
        {
            "year": pytest.approx(2019 + 83 / 366, abs=1e-3),
            "event_id": "covid_lockdown_2020",
            "event_label": "COVID-19 lockdown",
            "event_when": "23 March 2020",
        }
    ]
    temporal = ann.layer(range(2015, 2025), events, "date", "temporal").to_dict()
    assert temporal["datasets"][temporal["data"]["name"]][0]["date"] == "2020-03-23"
    after = ann.layer(range(2021, 2025), events).to_dict()  # nothing to mark after 2021
    assert list(after["datasets"].values()) == [[]]


def test_demand_table_notes_name_the_events_within_each_measures_span(cat) -> None:
    from needsbook.services.demand_sections import event_notes

    frame = pd.DataFrame(
        {
            "panel": ["Children looked after|x"] * 10 + ["Pupils with an EHC plan|%"] * 3,
            "indicator_id": [CLA] * 10 + ["lait:SEN_TotStat"] * 3,
            "period_type": ["at 31 March"] * 10 + [None] * 3,
            "year": [*range(2016, 2026), 2023, 2024, 2025],
            "period": [f"31 March {y}" for y in range(2016, 2026)] + ["2022/23", "2023/24", "x"],
            "value": 1.0,
        }
    )
    by_panel = ann.panel_events(frame)
    assert ids(by_panel["Children looked after|x"])[0] == "covid_lockdown_2020"
    assert "Pupils with an EHC plan|%" not in by_panel  # starts after every event
    rows = pd.DataFrame(
        {"indicator_id": [CLA, CLA, "lait:SEN_TotStat"], "first_year": [2016, 2021, 2023]}
    ).assign(year=[2025, 2023, 2025])
    assert event_notes(rows, frame, by_panel) == [
        "COVID-19 lockdown, first period after: 31 March 2020; Care review report, first "
        "period after: 31 March 2023; Stable Homes strategy, first period after: 31 March "
        "2023; Working Together 2023, first period after: 31 March 2024",
        "Care review report, first period after: 31 March 2023; Stable Homes strategy, first "
        "period after: 31 March 2023",
        "",
    ]
