"""The escaping boundary: data text shown as Markdown, as HTML or in a chart's script stays text."""

from __future__ import annotations

import html
import re

import altair as alt
import pandas as pd
import pytest
from markdown_it import MarkdownIt

from needsbook.chapters.display import setup, table_html
from needsbook.escape import ZERO_WIDTH_SPACE, html_text, md, plain, script_safe_html, trusted
from tests.hostile_corpus import CORPUS

TAG = re.compile(r"<(?!/?p>)[a-zA-Z!/]")


def visible(rendered_html: str) -> str:
    """The text a reader would see in rendered HTML (tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered_html)).replace(ZERO_WIDTH_SPACE, "")


@pytest.mark.parametrize("payload", CORPUS)
def test_markdown_renders_the_payload_as_its_own_text(payload: str) -> None:
    rendered = MarkdownIt("commonmark").render(md(payload))
    assert not TAG.search(rendered.strip()), rendered
    assert visible(rendered).strip() == payload


@pytest.mark.parametrize("payload", CORPUS)
def test_html_text_is_inert_and_reads_the_same(payload: str) -> None:
    escaped = html_text(payload)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped
    assert visible(escaped) == payload


def test_placeholders_in_data_are_broken_but_read_the_same() -> None:
    rendered = MarkdownIt("commonmark").render(md("{{ area_name }}"))
    assert "{{" not in rendered and "}}" not in html_text("{{ x }}")
    assert visible(rendered).strip() == "{{ area_name }}"
    assert visible(html_text("{{ x }}")) == "{{ x }}"


def test_trusted_markdown_passes_unchanged_and_plain_text_is_one_line() -> None:
    assert md(trusted("**Worked example.**")) == "**Worked example.**"
    assert md("**Worked example.**") == "\\*\\*Worked example\\.\\*\\*"
    assert plain("a\nb\r\nc\td\x00e\x1b") == "a b c de"
    assert md(None) == "" and html_text(float("nan")) == "nan"


def test_script_body_cannot_end_early() -> None:
    fragment = '<div></div><script>f({"a": "</script><script>x()</script><!--"})</script>'
    safe = script_safe_html(fragment)
    assert safe.count("</script>") == 1 and safe.endswith("</script>")
    assert '"<\\/script><script>x()<\\/script><\\!--"' in safe


def test_chart_output_keeps_hostile_labels_inside_its_script() -> None:
    setup()
    frame = pd.DataFrame({"name": list(CORPUS), "n": range(len(CORPUS))})
    chart = alt.Chart(frame).mark_bar().encode(x="n", y="name")
    bundle = chart._repr_mimebundle_()
    text = (bundle[0] if isinstance(bundle, tuple) else bundle)["text/html"]
    assert text.count("</script>") == 1 and "<!--" not in text


def test_tables_escape_cells_and_headings() -> None:
    frame = pd.DataFrame({CORPUS[0]: [CORPUS[1], None], "n": [1, 2]})
    out = table_html(frame, CORPUS[2])
    assert "<img" not in out and "<script" not in out
    assert out.count("<caption>") == 1
