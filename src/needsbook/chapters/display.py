"""Show a chapter's sections in a notebook: summary text, chart, then its data table."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown, display

from needsbook.chapters.base import Chapter, Section
from needsbook.charts import enable


def setup() -> None:
    """Chart theme and offline renderer; call once at the top of each chapter notebook."""
    import altair as alt

    enable()
    alt.renderers.set_embed_options(
        renderer="svg",
        actions={"export": True, "source": False, "compiled": False, "editor": False},
    )


def _format(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            is_share = "%" in str(col) or "index" in str(col).lower()
            fmt = "{:,.1f}" if is_share else "{:,.0f}"
            out[col] = out[col].map(lambda v, f=fmt: "" if pd.isna(v) else f.format(v))
        elif pd.api.types.is_integer_dtype(out[col]) and "year" not in str(col).lower():
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:,}")
    return out


def data_table_html(section: Section) -> str:
    table = _format(section.table).to_html(
        index=False, border=0, classes="needsbook-data", escape=True
    )
    caption = f"<caption>Data: {html.escape(section.title)}</caption>"
    table = table.replace(">\n  <thead>", f">\n{caption}\n  <thead>", 1)
    return (
        f"<details class='needsbook-table'><summary>Data table: "
        f"{html.escape(section.title)} ({len(section.table)} rows)</summary>\n{table}\n"
        f"<p><small>Source: {html.escape(section.source)}</small></p></details>"
    )


def show_key_findings(chapter: Chapter) -> None:
    display(Markdown("\n".join(f"- {f}" for f in chapter.key_findings)))


def show(section: Section) -> None:
    """Summary, chart (with its text alternative), notes and the data table."""
    display(Markdown(section.summary))
    if section.chart is not None:
        display(section.chart)
    for note in section.notes:
        display(Markdown(f"*Note: {note}*"))
    display(HTML(data_table_html(section)))
