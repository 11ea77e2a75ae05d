"""A chapter's chart is displayed with the very output Altair's own display gives."""

from __future__ import annotations

import altair as alt
import pandas as pd

from needsbook.chapters.display import RenderedChart


def chart() -> alt.LayerChart:
    data = pd.DataFrame({"year": [2023, 2024, 2025], "value": [1.5, 2.0, 1.25]})
    base = alt.Chart(data).encode(x="year:O", y="value:Q")
    return (base.mark_line() + base.mark_point()).properties(title="A trend", description="Up.")


def test_the_same_spec_and_plain_text_as_altair_gives() -> None:
    c = chart()
    with alt.renderers.enable("json"):
        assert RenderedChart(c)._repr_mimebundle_() == c._repr_mimebundle_()
    assert repr(RenderedChart(c)) == repr(c)
