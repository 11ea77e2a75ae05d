"""Layering and concatenating charts without Altair's no-op copies gives the same
specification, never alters the charts passed in, and leaves charts with parameters (or named
layers in a concatenation) to Altair."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import pytest
from altair.vegalite.v6 import api

from needsbook.charts import composition

DATA = pd.DataFrame({"year": [2020, 2021, 2022], "value": [1.5, 2.5, 2.0], "lo": [1, 2, 1]})


def _spec(chart: alt.TopLevelMixin) -> str:
    return json.dumps(chart.to_dict(), sort_keys=True)


def _with_altair(make: Callable[[], Any]) -> str:
    saved = {n: getattr(api, n) for n in composition._ORIGINAL}
    try:
        for name, fn in composition._ORIGINAL.items():
            setattr(api, name, fn)
        return _spec(make())
    finally:
        for name, fn in saved.items():
            setattr(api, name, fn)


def _line() -> alt.Chart:
    return alt.Chart(DATA).mark_line().encode(x=alt.X("year:O"), y=alt.Y("value:Q"))


def _band() -> alt.Chart:
    return (
        alt.Chart(DATA)
        .mark_area(opacity=0.3)
        .encode(x=alt.X("year:O"), y=alt.Y("lo:Q"), y2=alt.Y2("value"))
        .properties(width=300)
    )


def _selected() -> alt.Chart:
    pick = alt.selection_point(fields=["year"])
    return (
        _line().add_params(pick).encode(opacity=alt.condition(pick, alt.value(1), alt.value(0.4)))
    )


CASES: dict[str, Callable[[], Any]] = {
    "layer": lambda: _line() + _band(),
    "layer of layers": lambda: alt.layer(_line() + _band(), _line().mark_point()),
    "concat": lambda: alt.hconcat(_line() + _band(), _band()),
    "vconcat": lambda: alt.vconcat(_line(), _line() + _band()).properties(title="t"),
    "facet": lambda: (_line() + _band()).facet(column=alt.Column("year:O")),
    "with a parameter": lambda: _selected() + _band(),
    "named layers in a concat": lambda: alt.hconcat(
        _line().properties(name="a") + _band(), _band().properties(name="b") + _line()
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_specification_is_altairs(case: str) -> None:
    composition.enable()
    assert _spec(CASES[case]()) == _with_altair(CASES[case])


@pytest.mark.parametrize("case", ["layer", "concat", "facet"])
def test_the_charts_passed_in_are_not_altered(case: str) -> None:
    composition.enable()
    line, band = _line(), _band()
    before = (_spec(line), _spec(band))
    combined = {
        "layer": lambda: line + band,
        "concat": lambda: alt.hconcat(line + band, band),
        "facet": lambda: (line + band).facet(column=alt.Column("year:O")),
    }[case]()
    combined.to_dict()
    assert (_spec(line), _spec(band)) == before


def test_only_charts_without_parameters_skip_the_copies() -> None:
    composition.enable()
    composition.enable()  # idempotent: Altair's functions are kept once
    assert composition._ORIGINAL["_combine_subchart_params"].__module__ == api.__name__
    line, band = _line(), _band().properties(data=DATA.copy())  # data not shared: not lifted
    layered = line + band
    assert layered.layer[0] is line  # not copied (the band is: its width moves to the layer)
    selected = _selected()
    assert (selected + band).layer[0] is not selected  # Altair's own path, which copies
