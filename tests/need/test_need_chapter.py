"""The deprivation and need chapter: sections, generated text, accessible charts, page size."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from needsbook.chapters import need
from needsbook.chapters.base import Chapter
from needsbook.testing.reader_text import check_text

KEYS = [
    "deprived_areas",
    "latest_index",
    "deciles",
    "districts",
    "idaci",
    "locator",
    "maps",
    "model",
    "model_deciles",
    "need_area",
    "need_districts",
    "need_quintiles",
    "projection",
]


def _fields(spec: object) -> set[str]:
    """Every encoded field name in a Vega-Lite spec."""
    out: set[str] = set()
    if isinstance(spec, dict):
        if isinstance(spec.get("field"), str):
            out.add(spec["field"])
        for v in spec.values():
            out |= _fields(v)
    elif isinstance(spec, list):
        for v in spec:
            out |= _fields(v)
    return out


@pytest.mark.parametrize("fixture", ["rutland", "worcestershire"])
def test_sections_charts_and_text(request: pytest.FixtureRequest, fixture: str) -> None:
    ch: Chapter = request.getfixturevalue(fixture)
    assert [s.key for s in ch.sections] == KEYS
    for s in ch.sections:
        assert s.summary and s.source and not s.table.empty, s.key
        assert ch.area_name in s.summary or s.key == "model_deciles", s.key
        if s.chart is not None:
            spec = s.chart.to_dict()
            assert spec.get("description") == s.summary, s.key
            # Quotes, dots and brackets in field names break Vega's field access.
            bad = {f for f in _fields(spec) if re.search(r"['\[\]]", f)}
            assert not bad, (s.key, bad)
    for key in ("model_deciles", "need_area", "need_districts", "need_quintiles", "projection"):
        s = ch.section(key)
        assert "modelled" in (s.summary + " ".join(s.notes)).lower(), key


def test_maps_share_one_copy_of_the_shapes(worcestershire: Chapter) -> None:
    s = worcestershire.section("maps")
    spec = s.chart.to_dict()  # type: ignore[union-attr]
    assert len(spec["datasets"]["lsoas"]) == 364
    text = json.dumps(spec)
    assert text.count('"LSOA": "E01') == 364  # not repeated per map
    assert len(text) < 1_500_000
    assert {"District boundary", "Worcestershire boundary"} == {
        f["properties"]["Line"] for f in spec["datasets"]["lines"]
    }
    t = s.table
    assert (
        len(t) == 364 and t["IMD 2019 rank (1 = most deprived of 32,844)"].is_monotonic_increasing
    )
    assert set(t["District"]) == {
        "Bromsgrove",
        "Malvern Hills",
        "Redditch",
        "Worcester",
        "Wychavon",
        "Wyre Forest",
    }


def test_small_area_map_prints_deciles_and_has_no_district_lines(rutland: Chapter) -> None:
    spec = rutland.section("maps").chart.to_dict()  # type: ignore[union-attr]
    assert [f["properties"]["Line"] for f in spec["datasets"]["lines"]] == ["Rutland boundary"]
    assert '"text": {"field": "Decile"' in json.dumps(spec)
    assert len(rutland.section("maps").table) == 23


def test_key_numbers_are_consistent_across_sections(worcestershire: Chapter) -> None:
    area = worcestershire.section("need_area").table.set_index("Age")
    q = worcestershire.section("need_quintiles").table
    d = worcestershire.section("need_districts").table
    total = area.loc["0-19", "Needing any preventive help: children"]
    assert q["Modelled children needing preventive help"].sum() == pytest.approx(total)
    assert d["Modelled children needing preventive help"].sum() == pytest.approx(total)
    assert q["% of the area's modelled need"].sum() == pytest.approx(100)
    assert d["% of the area's modelled need"].sum() == pytest.approx(100)
    first = worcestershire.section("projection").table.iloc[0]
    assert first["Year"] == 2024  # projected from mid-2020 to the data year


def test_area_without_an_idaci_summary(snap: Path) -> None:
    ch = need.build("E06000063", 2024, snap, observed=33.0)  # Cumberland, formed 2023
    s = ch.section("idaci")
    assert s.chart is None
    assert "No IDACI summary is available for Cumberland" in s.summary


def test_model_section_describes_the_outcome_model(
    worcestershire: Chapter, rutland: Chapter
) -> None:
    s = worcestershire.section("model")
    summary = s.summary
    # the model as it is: outcomes per band, fitted across England, calibrated per band
    assert "For each age band the model takes an outcome" in summary
    assert "five deprivation domains" in summary and "type of area" in summary
    assert "the band is calibrated to it" in summary
    assert "the methods page reports the model's accuracy" in summary
    for gone in ("decile is the only", "same risk profile", "England's gradient"):
        assert gone not in summary + " ".join(s.notes), gone
    # once per band: observed against the model's own prediction, in points, which way
    bands = ["0-4", "5-10", "11-15", "16-19"]
    for band in bands:
        said = re.findall(
            rf"for {band} year olds, Worcestershire's observed \d+\.\d% [^;]*? is "
            r"(\d+\.\d) points (above|below) the (\d+\.\d)% the model predicts",
            summary,
        )
        assert len(said) == 1, band
    assert summary.count("points above") + summary.count("points below") == len(bands)
    notes = " ".join(s.notes)
    for source in ("Local Authority Interactive Tool", "Indices of Deprivation 2019", "ONS"):
        assert source in notes, source
    assert "The methods page reports the model's accuracy" in notes
    params = s.table.set_index("Parameter")["Value"]
    assert params["Threshold: intensive help"] == "1.10"
    assert params["Threshold: extra help"] == "0.550"
    assert all(f"Age {b}: calibration (log-odds)" in params.index for b in bands)
    meaning = s.table.set_index("Parameter")["Meaning"]
    assert "Worcestershire 2015 needs assessment" in meaning["Threshold: intensive help"]
    assert "Rutland's observed" in rutland.section("model").summary


def _significant(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    return len(digits)


@pytest.fixture(scope="module")
def worcestershire_latest(snap: Path) -> Chapter:
    """Worcestershire's need sections for the latest data year."""
    from needsbook.areas import resolve_area
    from needsbook.years import resolve_year

    year = resolve_year(None, resolve_area("E10000034", snap), snap)
    keys = ("model", "model_deciles", "need_area", "need_districts")
    return need.build("E10000034", year, snap, only=keys)


def test_parameters_show_three_significant_figures(worcestershire_latest: Chapter) -> None:
    values = worcestershire_latest.section("model").table["Value"].tolist()
    assert values and all(isinstance(v, str) for v in values)
    for v in values:
        assert v == "0" or _significant(v) == 3, v
        assert not (v.startswith("-0") and float(v) == 0), v


@pytest.mark.parametrize(
    ("key", "rows"), [("model_deciles", 10), ("need_districts", 6), ("need_area", 5)]
)
def test_intervals_bracket_the_estimates(
    worcestershire_latest: Chapter, key: str, rows: int
) -> None:
    t = worcestershire_latest.section(key).table
    assert len(t) == rows
    point = "Needing any preventive help: %" if key == "need_area" else need.NEED_PCT
    intensive = "Intensive preventive help likely: %" if key == "need_area" else need.INTENSIVE_PCT
    for value, lo, hi in (
        (point, need.NEED_LO, need.NEED_HI),
        (intensive, need.INT_LO, need.INT_HI),
    ):
        shown = t[t[value].notna()]
        assert len(shown) == rows  # Worcestershire has neighbourhoods in every decile
        assert (shown[lo] < shown[value]).all() and (shown[value] < shown[hi]).all(), value
        assert (shown[hi] - shown[lo] < 10).all(), value
    if key == "model_deciles":
        assert t["IMD 2019 decile (1 = most deprived)"].tolist() == list(range(1, 11))
    if key == "need_area":
        assert t["Age"].tolist() == ["0-4", "5-10", "11-15", "16-19", "0-19"]
        total = t.set_index("Age").loc["0-19"]
        s = worcestershire_latest.section(key).summary
        assert (
            f"{total[point]:.1f}% (95% interval {total[need.NEED_LO]:.1f}% to "
            f"{total[need.NEED_HI]:.1f}%)" in s
        )
        assert "16-19" in s and "narrower measure" in s


def test_empty_deciles_are_shown_as_no_neighbourhoods(rutland: Chapter) -> None:
    t = rutland.section("model_deciles").table
    assert t["IMD 2019 decile (1 = most deprived)"].tolist() == list(range(1, 11))
    empty = t[t["Neighbourhoods"] == 0]
    assert len(empty) and empty[need.NEED_PCT].isna().all()
    assert "Rutland has no neighbourhoods in decile" in rutland.section("model_deciles").summary


def test_parameter_table_shows_three_significant_figures() -> None:
    params = pd.DataFrame(
        {
            "Parameter": ["a", "b", "c", "d", "e"],
            "Value": [-0.45643394, -0.0, 0.55, 1.1, 12.345],
            "Meaning": ["m"] * 5,
        }
    )
    shown = need.parameter_table(params)["Value"].tolist()
    assert shown == ["-0.456", "0", "0.550", "1.10", "12.3"]
    text = pd.DataFrame({"Parameter": ["x"], "Value": ["a local label"], "Meaning": ["m"]})
    assert need.parameter_table(text)["Value"].tolist() == ["a local label"]  # left as given


@pytest.mark.parametrize("fixture", ["rutland", "worcestershire"])
def test_reader_text_names_no_internals(request: pytest.FixtureRequest, fixture: str) -> None:
    """Summaries, notes, sources and table text speak to readers (no "seed", method codes,
    file or module names), and cite the model report by name."""
    ch: Chapter = request.getfixturevalue(fixture)
    problems = []
    for s in ch.sections:
        cells = [str(v) for c in s.table.columns for v in s.table[c] if isinstance(v, str)]
        text = "\n".join([s.title, s.summary, s.source, *s.notes, *map(str, s.table.columns)])
        problems += check_text(s.key, text) + check_text(s.key, "\n".join(cells), prose=False)
    assert not problems, "\n".join(map(str, problems))
    notes = " ".join(ch.section("deprived_areas").notes)
    assert "not re-ranking, as in the Worcestershire 2015 needs assessment" in notes
    assert "see the methods page" in ch.section("model").source


def test_sortable_tables_script() -> None:
    assert "table.needsbook-data" in need.SORT_SCRIPT
    assert "aria-sort" in need.SORT_SCRIPT


def test_notebook_is_a_thin_parameterised_template(root: Path) -> None:
    nb = nbformat.read(root / "notebooks" / "02_need.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    params = nb.cells[1]
    assert params.metadata["tags"] == ["parameters", "remove-cell"]
    assert 'area_code = "E10000034"' in params.source
    shown = re.findall(r'show\(chapter\.section\("(\w+)"\)\)', "".join(c.source for c in nb.cells))
    assert shown == KEYS
    for c in nb.cells:
        if c.cell_type == "code" and c is not params:
            assert c.outputs == [] and set(c.metadata["tags"]) & {"remove-cell", "remove-input"}
