"""Structured findings and their sentences; every one of the 153 areas gets a full set."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from needsbook.areas import all_areas
from needsbook.outcomes.findings import Finding, findings, findings_table, key_findings


@pytest.fixture(scope="module")
def worcs() -> dict[str, Finding]:
    return {f.indicator_id: f for f in findings("E10000034", 2024)}


def _gld(worcs: dict[str, Finding], **changes: object) -> Finding:
    base = replace(
        worcs["lait:FSP_NEW_GOODDEV"],
        value=61.2,
        england=67.7,
        period="2023/24",
        method="confidence interval",
        comparison="Worse",
        direction="worse",
        significant=True,
        quintile=None,
        trend="No significant change",
        trend_label="No significant change",
        trend_from="2019/20",
        trend_to="2023/24",
        relative=(61.2 - 67.7) / 67.7 * 100,
    )
    return replace(base, **changes)


def test_sentence_for_a_significant_difference_without_trend(worcs: dict[str, Finding]) -> None:
    assert _gld(worcs).sentence == (
        "School readiness (61.2%, 2023/24) is significantly worse than England (67.7%) and has "
        "not changed significantly over the last five years of data (2019/20 to 2023/24)."
    )


def test_sentence_for_a_worsening_trend_and_a_rate(worcs: dict[str, Finding]) -> None:
    f = worcs["csc:cla_rate"]
    assert f.sentence == (
        "Children looked after (87.2 per 10,000 aged 0-17, 31 March 2024) is significantly worse "
        "than England (69.3) and has risen significantly, getting worse, over the last five "
        "years of data (31 March 2020 to 31 March 2024)."
    )
    assert f.getting_worse and f.priority == 0


def test_sentence_for_a_similar_value(worcs: dict[str, Finding]) -> None:
    f = _gld(worcs, comparison="Similar", direction="similar", significant=False)
    assert f.sentence.startswith("School readiness (61.2%, 2023/24) is similar to England (67.7%)")


def test_sentence_for_quintiles_says_fifth_and_earlier_value(worcs: dict[str, Finding]) -> None:
    f = worcs["lait:InfMort"]
    assert f.method == "quintiles"
    assert f.sentence == (
        "Infant mortality (5.4 per 1,000 live births, 2023) is higher than England (3.9), among "
        "the worst fifth of English areas; it was 6.2 per 1,000 live births in 2019."
    )
    assert f.label == "Worst 20%" and f.direction == "worse" and not f.significant


def test_no_judgement_indicators_say_higher_or_lower(worcs: dict[str, Finding]) -> None:
    f = worcs["csc:referral_rate"]
    assert f.direction == "lower" and f.significant
    assert "is significantly lower than England" in f.sentence
    assert "has fallen significantly over" in f.sentence  # no "getting better/worse"


def test_key_findings_put_worse_and_worsening_first(worcs: dict[str, Finding]) -> None:
    items = list(worcs.values())
    top = key_findings(items, limit=8)
    assert [f.indicator_id for f in top[:2]] == ["csc:cla_rate", "csc:cpp_rate"]
    priorities = [f.priority for f in top]
    assert priorities == sorted(priorities)
    assert all(f.priority <= 6 for f in top)
    # an invented better-and-improving finding ranks after a significantly worse one
    better = _gld(worcs, comparison="Better", direction="better", trend_label="x getting better")
    worse = _gld(worcs)
    assert key_findings([better, worse]) == [worse, better]


def test_findings_table_has_one_row_per_finding(worcs: dict[str, Finding]) -> None:
    table = findings_table(list(worcs.values()))
    assert len(table) == len(worcs)
    assert table["Finding"].str.endswith(".").all()


@pytest.mark.parametrize("code", ["E09000001", "E06000053"])
def test_no_data_is_a_finding_not_an_error(code: str) -> None:
    items = findings(code, 2024)
    assert len(items) == 35
    empty = [f for f in items if not f.has_data]
    assert empty, "City of London and Isles of Scilly lack several indicators"
    for f in empty:
        assert f.direction == "no data" and f.label == "No data" and f.priority == 9
        assert f.sentence.endswith(f"no data for {f.area_name} for {f.period}.")
    by_id = {f.indicator_id: f for f in items}
    if code == "E09000001":  # COVER publishes City of London with Hackney
        assert not by_id["cover:MMR1_24m"].has_data


def test_every_area_gets_a_complete_consistent_set_quickly() -> None:
    areas = all_areas()
    assert len(areas) == 153
    findings(areas[0].code, 2024)  # load and cache the tables once
    start = time.perf_counter()
    for area in areas:
        items = findings(area.code, 2024)
        assert len(items) == 35, area.name
        for f in items:
            assert f.area_code == area.code
            assert f.direction in {
                "better",
                "worse",
                "similar",
                "higher",
                "lower",
                "not compared",
                "no data",
            }
            if f.significant:
                assert f.method == "confidence interval"
            if f.method == "quintiles" and f.has_data and f.quintile is not None:
                assert 1 <= f.quintile <= 5
            assert f.sentence and not f.sentence[0].islower() and f.sentence.endswith(".")
            if f.has_data and f.england is not None:
                assert f.magnitude == pytest.approx(f.value - f.england)
    assert time.perf_counter() - start < 30
