"""The landing page's map shaded by an indicator: the values, classes and legend are the
benchmarking engine's, for all 153 areas; the page works without JavaScript for the default
indicator; colour is never the only cue."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.compare import benchmarks
from needsbook.site import choropleth, landing
from tests.site.test_landing import fake_book

YEAR = 2024


@pytest.fixture(scope="module")
def maps() -> dict[str, choropleth.Layer]:
    return {m.id: m for m in choropleth.layers(YEAR)}


@pytest.fixture(scope="module")
def bench() -> pd.DataFrame:
    return benchmarks(YEAR)


def test_one_map_per_outcome_indicator_with_all_153_areas(
    maps: dict[str, choropleth.Layer],
) -> None:
    outcomes = [i.id for i in load_catalogue().for_use("outcomes")]
    assert list(maps) == outcomes  # the catalogue's order
    for layer in maps.values():
        assert len(layer.values) == 153, layer.id
        assert sum(c.areas for c in layer.legend) + layer.no_data == 153, layer.id


def test_values_periods_and_comparisons_are_the_engines(
    maps: dict[str, choropleth.Layer], bench: pd.DataFrame
) -> None:
    catalogue = load_catalogue()
    for layer in maps.values():
        indicator = catalogue[layer.id]
        rows = bench[bench["indicator_id"] == layer.id].set_index("area_code")
        for code, (number, _, comparison) in layer.values.items():
            value = rows.at[code, "value"]
            assert number == ("" if pd.isna(value) else indicator.number(value)), (layer.id, code)
            assert comparison == (rows.at[code, "comparison_label"] or "No data")
            if number:
                assert layer.period == rows.at[code, "period_label"]
                assert layer.label(code) == indicator.format(value)
        england = rows["england"].dropna()
        assert layer.england == (indicator.format(england.iloc[0]) if len(england) else "no data")


def quintile_bounds(values: pd.Series) -> np.ndarray:
    """PERCENTILE.INC at 20, 40, 60, 80 and 100% (Excel's rule, written out here)."""
    v = np.sort(values.dropna().to_numpy())
    out = []
    for f in (0.2, 0.4, 0.6, 0.8, 1.0):
        h = (len(v) - 1) * f
        lo = int(np.floor(h))
        out.append(v[lo] + (h - lo) * (v[min(lo + 1, len(v) - 1)] - v[lo]))
    return np.array(out)


@pytest.mark.parametrize("indicator_id", ["lait:InfMort", "lait:FSP_NEW_GOODDEV", "csc:cla_rate"])
def test_classes_are_quintiles_of_all_areas_lowest_first(
    indicator_id: str, maps: dict[str, choropleth.Layer], bench: pd.DataFrame
) -> None:
    layer = maps[indicator_id]
    indicator = load_catalogue()[indicator_id]
    rows = bench[bench["indicator_id"] == indicator_id].set_index("area_code")["value"]
    bounds = quintile_bounds(rows)
    for code, value in rows.items():
        expected = -1 if pd.isna(value) else int(np.searchsorted(bounds, value, side="left"))
        assert layer.values[code][1] == expected, code
    legend = []
    for k in range(5):
        members = rows[[layer.values[c][1] == k for c in rows.index]]
        low, high = indicator.number(members.min()), indicator.number(members.max())
        span = low if low == high else f"{low} to {high}"
        legend.append(f"{span} ({len(members)} area{'' if len(members) == 1 else 's'})")
    assert [c.text for c in layer.legend] == legend
    missing = int(rows.isna().sum())
    assert layer.no_data_text == f"No data ({missing} area{'' if missing == 1 else 's'})"
    assert layer.title == (
        f"{indicator.name}, {layer.period} ({indicator.unit}). England: {layer.england}."
    )


def relative_luminance(colour: str) -> float:
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_the_palette_is_five_steps_of_one_hue_from_light_to_dark() -> None:
    colours = choropleth.CLASS_COLOURS
    assert len(colours) == len(set(colours)) == 5
    lum = [relative_luminance(c) for c in colours]
    assert lum == sorted(lum, reverse=True)  # lighter for lower values
    assert all(a / b > 1.3 for a, b in itertools.pairwise(lum))  # steps told apart
    assert f"fill: url(#{choropleth.HATCH_ID})" in choropleth.CSS  # no data: a hatch, no colour
    assert choropleth.HATCH_ID in choropleth.HATCH and "<line" in choropleth.HATCH


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> BeautifulSoup:
    """The landing page of a root with Rutland's book for ``YEAR`` (real boundaries if the
    snapshot or raw files hold them; else two squares)."""
    root = tmp_path_factory.mktemp("site")
    fake_book(root, "E06000017", year=YEAR)
    features = landing.map_features()
    if not features:
        pytest.skip("no boundaries in the snapshot or ../shared/data-raw")
    return BeautifulSoup(landing.write_landing(root).read_text(), "html.parser")


def test_the_default_indicator_is_drawn_without_javascript(
    page: BeautifulSoup, maps: dict[str, choropleth.Layer]
) -> None:
    layer = choropleth.default_layer(list(maps.values()))
    assert layer is not None and layer.key
    options = page.select("#indicator option")
    assert [o["value"] for o in options] == list(maps)
    assert [o["value"] for o in options if o.has_attr("selected")] == [layer.id]
    names = {c: n for c, n in zip(*_names(page), strict=True)}
    shapes = page.select(".map path[data-code]")
    assert len(shapes) == 153
    for path in shapes:
        code = path["data-code"]
        assert path["class"] == ["area", layer.css_class(code)]
        assert path.title.text == layer.describe(names[code], code)  # name, value and period
    rutland = page.select_one('.map a[data-code="E06000017"]')
    assert rutland["aria-label"] == layer.describe("Rutland", "E06000017")
    assert page.select_one("#legend-title").text == layer.title
    legend = [li.text for li in page.select("#legend-classes li")]
    assert legend == [c.text for c in layer.legend] + ([layer.no_data_text] * bool(layer.no_data))
    assert "Outlined in black" in page.select_one("#legend").text


def test_the_table_has_every_areas_value_period_and_comparison(
    page: BeautifulSoup, maps: dict[str, choropleth.Layer]
) -> None:
    layer = choropleth.default_layer(list(maps.values()))
    assert layer is not None
    heads = [th.text for th in page.select("#values thead th")]
    assert heads == ["Area", f"Value ({layer.unit})", "Period", "Compared with England"]
    rows = page.select("#values tbody tr")
    assert len(rows) == 153
    names = [tr.th.text for tr in rows]
    assert names == sorted(names, key=str.lower)
    for tr in rows:
        number, _, comparison = layer.values[tr["data-code"]]
        cells = [td.text for td in tr.select("td")]
        assert cells == [number or "no data", layer.period, comparison]
    link = page.select_one('#values tr[data-code="E06000017"] a')["href"]
    assert link == f"E06000017/{YEAR}/index.html"  # no area page was written: the book itself


def _names(page: BeautifulSoup) -> tuple[list[str], list[str]]:
    data = json.loads(page.select_one("#map-data").string)
    return data["codes"], data["names"]


def test_the_script_data_holds_every_indicator_for_every_area(
    page: BeautifulSoup, maps: dict[str, choropleth.Layer]
) -> None:
    data = json.loads(page.select_one("#map-data").string)
    assert list(data["layers"]) == list(maps)
    codes = data["codes"]
    for layer_id, layer in maps.items():
        sent = data["layers"][layer_id]
        assert [v[0] for v in sent["values"]] == [layer.values[c][0] for c in codes]
        assert [v[1] for v in sent["values"]] == [layer.values[c][1] for c in codes]
        assert [data["comparisons"][v[2]] for v in sent["values"]] == [
            layer.values[c][2] for c in codes
        ]
        assert sent["legend"] == [[c.number, c.text] for c in layer.legend]
    raw = page.select_one("#map-data").string
    assert not re.search(r"[<>&]", raw)  # nothing in it can end the script element


def test_payload_escapes_what_could_end_the_script() -> None:
    layer = choropleth.Layer(
        id="x</script>",
        name="<b>",
        stage="",
        unit="%",
        suffix="%",
        period="2024",
        england="1.0%",
        legend=(choropleth.LegendClass(0, "1.0", "1.0", 1),),
        no_data=0,
        values={"E1": ("1.0", 0, "Similar & <more>")},
    )
    text = choropleth.payload([layer], ["E1"], {"E1": "</script><script>alert(1)</script>"})
    assert not re.search(r"[<>&]", text)
    data = json.loads(text)
    assert data["names"] == ["</script><script>alert(1)</script>"]
    assert "Similar & <more>" in data["comparisons"]


def test_classify_handles_ties_missing_values_and_few_areas() -> None:
    assert choropleth.classify([1, 2, 3, 4, 5, None]) == [0, 1, 2, 3, 4, -1]
    assert choropleth.classify([7, 7, 7, 7, 7, 7]) == [0] * 6
    assert choropleth.classify([1, 2, None]) == [2, 2, -1]  # too few for quintiles: the middle
    assert choropleth.classify([None, None]) == [-1, -1]


def test_a_snapshot_without_values_still_gives_the_map_of_books(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_values(*_: object) -> list[choropleth.Layer]:
        raise KeyError("indicator_id")

    monkeypatch.setattr(choropleth, "layers", no_values)
    fake_book(tmp_path, "E06000017")
    page = BeautifulSoup(landing.write_landing(tmp_path).read_text(), "html.parser")
    assert not page.select("#indicator") and not page.select("#values")
    if page.select(".map path"):
        assert page.select_one('.map a[data-code="E06000017"]')["aria-label"] == "Rutland"
