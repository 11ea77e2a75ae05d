"""Show a chapter's sections in a notebook: summary text, chart, then its data table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display

from needsbook.build import downloads
from needsbook.chapters.base import Chapter, Section
from needsbook.charts import enable
from needsbook.escape import html_text, md
from needsbook.formatting import fixed, table_decimals

# This notebook's state, set by its own calls: where the CSV downloads go (setup, from the
# downloads_dir parameter) and the chapter being shown (show_key_findings), which names them.
_current: dict[str, object] = {}


def setup(downloads_dir: str = "") -> None:
    """Chart theme and offline renderer, and where the sections' CSVs go (the notebook's
    ``downloads_dir`` parameter; "" writes none); call once at the top of each chapter."""
    import altair as alt

    _current.clear()
    _current["downloads"] = Path(downloads_dir) if downloads_dir else None
    enable()
    alt.renderers.set_embed_options(
        renderer="svg",
        actions={"export": True, "source": False, "compiled": False, "editor": False},
    )


def _format(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers as the page shows them: the one rule per unit (``needsbook.formatting``) read
    from each column's heading or the table's own ``attrs["decimals"]``; other float columns
    keep one decimal unless every value is whole. Never "-0"."""
    out = df.copy()
    decimals = table_decimals(df)
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            dp = decimals.get(str(col))
            if dp is None:
                whole = out[col].dropna().map(float.is_integer).all()
                dp = 0 if whole else 1
            out[col] = out[col].map(lambda v, d=dp: fixed(v, d, missing=""))
        elif pd.api.types.is_integer_dtype(out[col]) and "year" not in str(col).lower():
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:,}")
    return out


def table_html(df: pd.DataFrame, caption: str) -> str:
    """``df`` as an HTML table with a caption, every cell and heading escaped as HTML text."""
    cells = df.map(lambda v: "" if v is None or v is pd.NA or v != v else html_text(v))
    cells = cells.rename(columns=html_text)
    table = cells.to_html(index=False, border=0, classes="needsbook-data", escape=False)
    return table.replace(
        ">\n  <thead>", f">\n<caption>{html_text(caption)}</caption>\n  <thead>", 1
    )


def data_table_html(section: Section) -> str:
    table = table_html(_format(section.table), f"Data: {section.title}")
    return (
        f"<details class='needsbook-table'><summary>Data table: "
        f"{html_text(section.title)} ({len(section.table)} rows)</summary>\n{table}\n"
        f"<p><small>Source: {html_text(section.source)}</small></p></details>"
    )


DECORATIVE_MARKS = ("area", "rule")  # bands, filled ranges, reference lines


def accessible_chart(chart: object) -> object:
    """The chart with its area and rule marks hidden from assistive technology.

    Vega gives each such mark an ARIA graphics role but no name (they encode no data field to
    describe), which axe-core reports as a serious WCAG failure (``svg-img-alt``). They are
    bands and reference lines: the chart as a whole keeps its text description, bars, points and
    lines keep theirs, and the data are in the table and the CSV below the chart."""
    import altair as alt

    if not isinstance(chart, alt.TopLevelMixin):
        return chart
    copy = chart.copy(deep=["config"])
    config = copy.config if copy.config is not alt.Undefined else alt.Config()
    for mark in DECORATIVE_MARKS:
        current = config[mark] if config[mark] is not alt.Undefined else {}
        merged = current.to_dict() if hasattr(current, "to_dict") else dict(current)
        config[mark] = {**merged, "aria": False}
    copy.config = config
    return copy


def download_link_html(section: Section, area_code: str | None = None) -> str:
    """A relative link to the section's CSV (the pipeline puts it in the book's downloads/)."""
    name = downloads.section_filename(section.title, area_code)
    return (
        f"<p class='needsbook-download'><a href='../{downloads.DIRNAME}/{html_text(name)}' "
        f"download>Download the data: {html_text(section.title)} (CSV)</a></p>"
    )


def zip_link_html(area_code: str, area_name: str) -> str:
    name = downloads.zip_name(area_code)
    return (
        f"<p class='needsbook-download'><a href='../{downloads.DIRNAME}/{html_text(name)}' "
        f"download>Download all the data in this book for {html_text(area_name)} "
        "(zip of CSV files and the executed notebooks)</a></p>"
    )


def show_key_findings(chapter: Chapter) -> None:
    _current.update(area_code=chapter.area_code, year=chapter.year)
    display(Markdown("\n".join(f"- {md(f)}" for f in chapter.key_findings)))
    display(HTML(zip_link_html(chapter.area_code, chapter.area_name)))


def write_download(section: Section, area_code: str, year: object) -> None:
    """Write the section's CSV into this notebook's downloads folder, when it has one."""
    folder = _current.get("downloads")
    downloads.write_section(
        section.table,
        section.title,
        section.source,
        area_code,
        year if isinstance(year, int) else None,
        folder=folder if isinstance(folder, Path) else None,
    )


def show_table(section: Section) -> None:
    """The section's data table and its CSV download link, writing the CSV when the pipeline
    set a downloads folder (the link is shown either way: it is relative and the same in every
    run, so nbval's comparison stays stable)."""
    area_code = str(_current.get("area_code") or "") or None
    write_download(section, area_code or "", _current.get("year"))
    display(HTML(data_table_html(section) + "\n" + download_link_html(section, area_code)))


def show_text(text: str) -> None:
    """One paragraph of plain text (or ``escape.trusted`` Markdown), escaped for the page."""
    display(Markdown(md(text)))


def show_notes(section: Section) -> None:
    for note in section.notes:
        display(Markdown(f"*Note: {md(note)}*"))


def show_titled(section: Section) -> None:
    """A section that only some books have (e.g. an analyst's comparator group): its heading,
    then :func:`show`."""
    display(Markdown(f"## {md(section.title)}"))
    show(section)


def show(section: Section) -> None:
    """Summary, chart (with its text alternative), notes, the data table and a CSV download."""
    show_text(section.summary)
    if section.chart is not None:
        display(accessible_chart(section.chart))
    show_notes(section)
    show_table(section)
