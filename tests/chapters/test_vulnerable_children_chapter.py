"""The special educational needs and vulnerable children chapter: Worcestershire's values equal
DfE LAIT's raw file, every verdict is the benchmarking engine's, the 20-week timeliness section
shows every year and its swings, small numbers stay hidden, absent data is said plainly, and
every one of the 153 current areas builds."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from needsbook.areas import Area, resolve_area
from needsbook.chapters import vulnerable_children as vc
from needsbook.chapters.base import first_sentence
from needsbook.data import load_table
from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.compare import area_benchmarks
from needsbook.snapshot import ind_c3
from needsbook.testing.reader_text import check_text
from needsbook.vulnerable import children, measures, send

RAW = Path(__file__).resolve().parents[2].parent / "shared" / "data-raw"
LAIT = RAW / "dfe_lait" / "lait_bds_long.parquet"
WORCS = "E10000034"
YEAR = 2025
KEYS = [
    "send_plans",
    "send_requests",
    "send_timeliness",
    "factors",
    "looked_after",
    "care_leavers",
    "youth_justice",
    "child_poverty",
]
# The brief's Worcestershire spot values: (LAIT measure, year, value, section, table value).
SPOT = [
    ("SEN_TotStat", "2025", 5.7, "send_plans", "5.7"),
    ("SEN_CASES_JAN", "2025", 6970.0, "send_plans", "6,970"),
    ("SEN_EHC_All_20wks", "2024", 37.2, "send_timeliness", "37.2"),
    ("FirstYJS", "2024", 95.0, "youth_justice", "95.0"),
    ("Emotional_LAC", "2025", 15.2, "looked_after", "15.2"),
    ("CareLeaverEET", "2025", 54.0, "care_leavers", "54.0"),
    ("ChildPov", "2025", 18.0, "child_poverty", "18.0"),
]


@pytest.fixture(scope="module")
def worcs() -> vc.VulnerableChildrenChapter:
    return vc.build(WORCS, YEAR)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    if not LAIT.is_file():
        pytest.skip(f"needs {LAIT}")
    df = pd.read_parquet(LAIT)
    return df[df["LA and Regions"] == "Worcestershire"]


def worcs_area() -> Area:
    return resolve_area(WORCS)


def _raw_value(raw: pd.DataFrame, measure: str, year: str) -> float:
    row = raw[(raw["Short Desc"] == measure) & (raw["Years"] == year)]
    assert len(row) == 1, (measure, year)
    return float(row["Values"].iloc[0])


def _row(section_table: pd.DataFrame, name: str) -> pd.Series:
    rows = section_table[section_table["Indicator"] == name]
    assert len(rows) == 1, name
    return rows.iloc[0]


# --- values equal the raw file -----------------------------------------------------------------


@pytest.mark.needs_raw
@pytest.mark.parametrize(("measure", "year", "expected", "key", "shown"), SPOT)
def test_worcestershire_values_equal_lait_raw_file(
    worcs: vc.VulnerableChildrenChapter,
    raw: pd.DataFrame,
    measure: str,
    year: str,
    expected: float,
    key: str,
    shown: str,
) -> None:
    assert _raw_value(raw, measure, year) == pytest.approx(expected, abs=1e-9)
    ind_id = f"lait:{measure}"
    m = measures.Context(worcs_area(), YEAR).items([ind_id])[ind_id]
    assert m.value == pytest.approx(expected, abs=1e-9)
    assert m.year == int(year)
    section = worcs.section(key)
    row = _row(section.table, load_catalogue()[ind_id].name)
    assert row["Value"] == shown
    assert row["Period"] == m.period


@pytest.mark.needs_raw
def test_every_year_of_timeliness_equals_the_raw_file(
    worcs: vc.VulnerableChildrenChapter, raw: pd.DataFrame
) -> None:
    section = worcs.section("send_timeliness")
    row = _row(section.table, "New EHC plans issued within 20 weeks")
    years = [str(y) for y in range(2016, 2025)]
    values = [_raw_value(raw, "SEN_EHC_All_20wks", y) for y in years]
    expected = "; ".join(f"{y}: {v:.1f}%" for y, v in zip(years, values, strict=True))
    assert row["Values by year"] == expected
    changes = [b - a for a, b in itertools.pairwise(values)]
    written = re.findall(
        r"to \d{4}: ([+-]\d+\.\d)", row["Changes from one year to the next (percentage points)"]
    )
    assert [float(w) for w in written] == pytest.approx([round(c, 1) for c in changes])
    assert row["Lowest"] == "12.0%" and row["Highest"] == "95.4%"
    # the text shows every year, the range and the largest change, and calls the swings large
    for y, v in zip(years, values, strict=True):
        assert f"{v:.1f}% in {y}" in section.summary
    assert "ranged from 12.0% (2018) to 95.4% (2020)" in section.summary
    assert "50.2 percentage points (2021 to 2022)" in section.summary
    assert "swung widely" in first_sentence(section.summary)
    assert "swings are large" in section.summary
    # never a single fold change, nor a change from one cherry-picked year
    assert not re.search(r"\btimes\b|fold", section.summary)
    assert "down from" not in section.summary and "up from" not in section.summary
    assert "not in the open data this book holds after 2022" in section.summary


# --- every verdict is the engine's -----------------------------------------------------------


def test_verdicts_values_and_trends_are_the_engines(worcs: vc.VulnerableChildrenChapter) -> None:
    bench = area_benchmarks(WORCS, YEAR).set_index("name")
    checked = 0
    for key in KEYS:
        table = worcs.section(key).table
        if "Indicator" not in table:
            continue
        for _, row in table.iterrows():
            b = bench.loc[row["Indicator"]]
            assert row["Compared with England"] == b["comparison_label"]
            assert row["Period"] == b["period_label"]
            assert row["Polarity"] == b["polarity"]
            dp = int(b["decimals"])
            assert row["Value"] == f"{b['value']:,.{dp}f}"
            if not math.isnan(b["neighbours_mean"]):
                assert row["Neighbours' average"] == f"{b['neighbours_mean']:,.{dp}f}"
            if b["trend"] != "Cannot be calculated":
                assert row["Recent trend"] == b["trend_label"]
            checked += 1
    assert checked >= 25


def test_text_numbers_equal_the_table(worcs: vc.VulnerableChildrenChapter) -> None:
    plans = worcs.section("send_plans")
    head = worcs.key_findings[0]
    assert head == first_sentence(plans.summary)
    assert "6,970" in head and "January 2025" in head
    assert "5.7% of pupils" in head and "(England 5.3%)" in head
    assert "in the middle 20% of English areas" in head  # the engine's "Middle 20%"
    assert _row(plans.table, "Pupils with an EHC plan")["Compared with England"] == "Middle 20%"
    assert _row(plans.table, "Pupils with an EHC plan")["England"] == "5.3"
    tl = worcs.section("send_timeliness")
    assert "37.2%" in tl.summary and "(England 45.9%)" in tl.summary
    assert "2nd worst 20% of English areas" in tl.summary
    yj = worcs.section("youth_justice")
    assert yj.summary.startswith(
        "First-time entrants to the youth justice system in Worcestershire: 95.0 per 100,000 "
        "aged 10-17 in 2024"
    )
    assert "95.0 in 2020, 64.0 in 2021, 114.0 in 2022, 96.0 in 2023 and 95.0 in 2024" in (
        yj.summary
    )
    assert worcs.key_findings[KEYS.index("youth_justice")] == first_sentence(yj.summary)
    # England's published first-time entrant figure is not a rate: the engine drops it
    assert _row(yj.table, "First-time entrants to the youth justice system")["England"] == ""
    la = worcs.section("looked_after")
    assert "an average score of 15.2 in 2024/25" in la.summary.replace("\\", "")
    assert la.summary.count("\n- ") == 11  # one bullet per indicator with data
    cl = worcs.section("care_leavers")
    assert cl.headline == worcs.key_findings[KEYS.index("care_leavers")]  # type: ignore[attr-defined]
    assert cl.headline.startswith(  # type: ignore[attr-defined]
        "54.0% of care leavers aged 19-21 in Worcestershire were in education, employment or "
        "training in 2024/25 (England 54.0%), in the middle 20% of English areas"
    )


def test_looked_after_headline_counts_the_engines_directions(
    worcs: vc.VulnerableChildrenChapter,
) -> None:
    bench = area_benchmarks(WORCS, YEAR).set_index("indicator_id")
    judged = [
        i
        for i in children.LOOKED_AFTER[1:]
        if bench.loc[i, "polarity"] != "No judgement" and not math.isnan(bench.loc[i, "value"])
    ]
    worse = [i for i in judged if bench.loc[i, "direction"] == "worse"]
    better = [i for i in judged if bench.loc[i, "direction"] == "better"]
    head = worcs.key_findings[KEYS.index("looked_after")]
    assert f"Of the {len(judged)} measures" in head
    assert f"{len(worse)} are in the worst two fifths" in head  # Worcestershire: 2
    assert f"{len(better)} in the best two fifths" in head
    assert "health assessments up to date" in head  # worst 20% in 2024/25
    york = vc.build("E06000014", YEAR, charts=False).key_findings[KEYS.index("looked_after")]
    assert "none is in the worst two fifths" in york and "0 are" not in york


# --- factors at assessment ---------------------------------------------------------------------


def test_factors_come_from_the_engine_when_present(worcs: vc.VulnerableChildrenChapter) -> None:
    section = worcs.section("factors")
    bench = area_benchmarks(WORCS, YEAR).set_index("indicator_id")
    if "c3:Neglect" not in bench.index or math.isnan(bench.loc["c3:Neglect", "value"]):
        pytest.skip("factors at assessment are not in this snapshot")
    table = section.table.set_index("Factor")
    factors = ind_c3.factors()
    assert len(factors) == len(table) == 15  # every catalogued factor, in catalogue order
    for f in factors:
        r = bench.loc[f"c3:{f}"]
        row = table.iloc[factors.index(f)]
        assert row["Rate compared with England"] == r["comparison_label"]
        assert row["Share compared with England"] == bench.loc[f"c3:{f}_pct", "comparison_label"]
        if not math.isnan(r["value"]):
            assert row["Rate per 10,000 aged 0-17"] == f"{r['value']:,.1f}"
    shares = {f: bench.loc[f"c3:{f}_pct", "value"] for f in factors}
    top = sorted((v, f) for f, v in shares.items() if v == v and v > 0)[-1]
    top_row = table.iloc[factors.index(top[1])]
    assert f"were {top_row.name[0].lower()}{top_row.name[1:]} ({top[0]:.1f}%)" in section.summary
    assert section.chart is not None


def test_factors_absent_say_not_in_the_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(children, "in_data", lambda *_: False)
    ctx = measures.Context(worcs_area(), YEAR)
    section = children.factors(ctx)
    assert "are not in the data this book holds" in section.summary
    assert section.chart is None
    assert list(section.table["In the data"]) == ["not in the data"] * 15
    assert list(section.table["Factor"][:2]) == ["Domestic Abuse parent", "Domestic Abuse child"]


# --- small numbers, absent data, every area --------------------------------------------------


def test_small_numbers_and_what_they_reveal_are_hidden() -> None:
    """Isles of Scilly: 2 initial requests in 2024, 50% refused (a count of 1); 8 requests in
    2023, 25% refused (a count of 2)."""
    ch = vc.build("E06000053", YEAR, charts=False)
    sec = ch.section("send_requests")
    req = _row(sec.table, "Initial requests for an EHC needs assessment (number)")
    refused = _row(sec.table, "Initial requests for an EHC needs assessment refused")
    assert req["Value"] == "not shown" and refused["Value"] == "not shown"
    assert refused["Earlier value"] == ""
    assert "50.0" not in sec.summary and "25.0%" not in sec.summary
    ctx = measures.Context(resolve_area("E06000053"), YEAR)
    items = ctx.items(send.REQUESTS)
    frame = ctx.frame(items)
    mine = frame[frame["series"] == "Isles of Scilly"]
    assert mine[mine["indicator_id"] == "lait:SEN_INIT_REQ"]["value"].between(1, 4).sum() == 0
    refused_years = set(mine[mine["indicator_id"] == "lait:EHCP_Initial_req_refused"]["year"])
    assert not {2023, 2024} & refused_years
    assert measures.hidden_years(
        "E06000053", "lait:EHCP_Initial_req_refused", "lait:SEN_INIT_REQ"
    ) >= {2023, 2024}


def test_areas_without_data_say_so_plainly() -> None:
    scilly = vc.build("E06000053", YEAR, charts=False)
    assert scilly.section("looked_after").summary == (
        "There is no data on looked-after children's health and stability for Isles of Scilly "
        "up to 2025."
    )
    assert scilly.section("youth_justice").summary.startswith("There is no data on")
    city = vc.build("E09000001", YEAR, charts=False)
    top = first_sentence(city.section("factors").summary)
    assert "(0.0%)" not in top  # factors never identified are not "most often identified"


@pytest.mark.slow
def test_every_current_area_builds_without_error() -> None:
    areas = load_table("areas")
    assert len(areas) == 153
    for code in areas["area_code"]:
        ch = vc.build(code, YEAR, charts=False)
        assert [s.key for s in ch.sections] == [*KEYS, "adjusted_demand"], code
        for s in ch.sections:
            assert s.summary.strip(), (code, s.key)
            assert len(s.table), (code, s.key)
            assert "nan" not in s.summary.lower().split(), (code, s.key)
        assert len(ch.key_findings) == len(ch.sections)


def test_new_unitaries_build_with_charts() -> None:
    for code in ("E06000063", "E06000064", "E06000065"):
        ch = vc.build(code, YEAR)
        plans = ch.section("send_plans")
        assert plans.chart is not None and plans.chart.to_dict()["description"] == plans.summary


# --- reader text, catalogue and the optional section -----------------------------------------


def test_reader_text_has_no_internals(worcs: vc.VulnerableChildrenChapter) -> None:
    problems = []
    for s in worcs.sections:
        for where, text in [
            ("summary", s.summary),
            ("title", s.title),
            *[("note", n) for n in s.notes],
        ]:
            problems += check_text(f"{s.key} {where}", text)
        cells = " | ".join(map(str, [*s.table.columns, *s.table.to_numpy().ravel()]))
        problems += check_text(f"{s.key} table", cells, prose=False)
        assert "lait:" not in cells and "c3:" not in cells
    assert not problems, "\n".join(map(str, problems))


def test_catalogue_entries_follow_the_publishers_polarity() -> None:
    cat = load_catalogue()
    meta = load_table("indicator_meta").set_index("indicator_id")
    ids = [*send.PLANS, *send.REQUESTS, *send.TIMELINESS, *children.LOOKED_AFTER[1:]]
    ids += [*children.CARE_LEAVERS, *children.YOUTH_JUSTICE, *children.CHILD_POVERTY]
    for ind_id in ids:
        ind = cat[ind_id]
        assert {"send", "vulnerable"} & set(ind.use), ind_id
        assert ind.polarity == meta.loc[ind_id, "polarity"], ind_id
        assert ind.ci_method == "none" and "via DfE LAIT" in ind.source, ind_id
        if ind.polarity == "No judgement":
            assert ind.polarity_note, ind_id
    assert cat["lait:SEN_CASES_JAN"].decimals == 0
    assert "vulnerable" in cat["csc:cla_rate"].use


def test_adjusted_demand_is_the_last_section(worcs: vc.VulnerableChildrenChapter) -> None:
    assert [s.key for s in worcs.sections] == [*KEYS, "adjusted_demand"]
    section = worcs.section("adjusted_demand")
    assert worcs.key_findings[-1] == first_sentence(section.summary)
