"""What the page shows fits it: wide tables stack, long chart titles wrap, one legend per
field, and a section's source is said once."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from needsbook.chapters import display
from needsbook.chapters.base import Section
from needsbook.chapters.display import DECORATIVE_MARKS, page_chart
from needsbook.charts import enable
from needsbook.charts.fit import MIN_TITLE_PX, TITLE_CHAR_PX, legends, wrap


@pytest.fixture(autouse=True)
def theme() -> None:
    enable()


def section(summary: str, notes: list[str] | None = None, source: str = "DfE CLA") -> Section:
    table = pd.DataFrame({"Area": ["A"], "Children": [5]})
    return Section("k", "Children", summary, table, source=source, notes=notes or [])


def test_the_source_line_is_shown_once() -> None:
    assert "Source: DfE CLA" in display.data_table_html(section("Rates rose."))
    said = section("Rates rose (DfE CLA).")
    assert "Source:" not in display.data_table_html(said)
    noted = section("Rates rose.", notes=["Counts are from DfE CLA."])
    assert "Source:" not in display.data_table_html(noted)


def test_a_narrow_table_stays_a_plain_table() -> None:
    html = display.table_html(pd.DataFrame({"Area": ["A"], "Value": ["1"]}), "Data")
    assert "needsbook-stacked" not in html and "<td>A</td>" in html


def test_a_plain_table_is_the_html_pandas_writes_with_a_caption() -> None:
    """Missing cells blank, text escaped and stripped, numbers as Python prints them: the
    table pandas' ``to_html`` makes of the escaped cells, with the caption after its tag."""
    from needsbook.escape import html_text

    df = pd.DataFrame(
        {
            "Area <b>": [" A & B ", None, "x\ny"],
            "Rate": [1.5, float("nan"), 20.0],
            "Count": pd.array([3, None, 7], dtype="Int64"),
            "Flag": [True, False, True],
        }
    )
    blank = df.map(lambda v: "" if v is None or v is pd.NA or v != v else v)
    expected = (
        blank.map(html_text)
        .rename(columns=html_text)
        .to_html(index=False, border=0, classes="needsbook-data", escape=False)
        .replace(">\n  <thead>", ">\n<caption>Data: x</caption>\n  <thead>", 1)
    )
    assert display.table_html(df, "Data: x") == expected


def test_a_table_too_wide_for_the_page_is_stacked_with_every_cell() -> None:
    wide = pd.DataFrame({f"Column heading {i}": [f"value{i}", "x"] for i in range(20)})
    html = display.table_html(wide, "Data: wide")
    assert "needsbook-stacked" in html and "role='table'" in html
    assert html.count("<td role='cell'") == 40
    assert "data-label='Column heading 19'>value19</td>" in html
    assert "<caption>Data: wide</caption>" in html


def test_stacked_cells_are_escaped() -> None:
    wide = pd.DataFrame({f"<b>{i}</b> heading": ["<script>x</script>"] for i in range(20)})
    html = display.table_html(wide, "Data")
    assert "<script>" not in html and "<b>" not in html


def test_long_titles_wrap_to_the_chart_width() -> None:
    title = (
        "Projected share of the population by age group in a long-named area, with England "
        "and the region beside it, 2025-2030"
    )
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    wrapped = page_chart(chart.properties(title=title, width=600))
    assert isinstance(wrapped.title, list) and len(wrapped.title) == 2
    assert all(len(line) * TITLE_CHAR_PX <= 600 for line in wrapped.title)
    assert " ".join(wrapped.title) == title
    # a narrow chart's title may be as wide as a readable line (its axis labels widen it)
    narrow = page_chart(chart.properties(title=title, width=200)).title
    assert all(len(line) * TITLE_CHAR_PX <= MIN_TITLE_PX for line in narrow)
    assert len(narrow) == 2
    assert page_chart(chart.properties(title="Short", width=300)).title == "Short"
    params = page_chart(chart.properties(title=alt.TitleParams(title, subtitle="s"), width=600))
    assert isinstance(params.title.text, list) and params.title.subtitle == "s"
    # the shown copy hides bands, cells and reference lines from screen readers; the
    # section's own chart is left as it was
    shown = page_chart(chart).to_dict()["config"]
    assert all(shown[mark]["aria"] is False for mark in DECORATIVE_MARKS)
    assert chart.config is alt.Undefined
    assert wrap("a " * 100, 2000) == ("a " * 100).strip()  # fits: one line


def test_theme_never_cuts_labels_or_titles() -> None:
    config = alt.theme.get()().get("config", {})  # type: ignore[misc]
    assert config["axis"]["labelLimit"] == 0 and config["legend"]["labelLimit"] == 0
    assert config["title"]["limit"] == 0


def test_one_legend_per_field_when_scales_share_a_domain() -> None:
    df = pd.DataFrame({"year": [1, 2, 1, 2], "Area": ["A", "A", "B", "B"], "v": [1, 2, 3, 4]})
    domain = alt.Scale(domain=["A", "B"])
    chart = (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x="year:O",
            y="v:Q",
            color=alt.Color("Area:N", scale=domain),
            strokeDash=alt.StrokeDash("Area:N", scale=domain),
            shape=alt.Shape("Area:N", scale=domain),
        )
    )
    assert [lg.get("title") for lg in legends(chart)] == ["Area"]
