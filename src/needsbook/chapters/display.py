"""Show a chapter's sections in a notebook: summary text, chart, then its data table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display

from needsbook.areas import Area
from needsbook.build import downloads
from needsbook.chapters import prose
from needsbook.chapters.base import Chapter, Section
from needsbook.charts import enable
from needsbook.charts.fit import wrapped_title
from needsbook.escape import html_text, md
from needsbook.export import is_na
from needsbook.formatting import fixed, table_decimals

# This notebook's state, set by its own calls: where the CSV downloads go (setup, from the
# downloads_dir parameter) and the chapter being shown (show_key_findings), which names them.
_current: dict[str, object] = {}


#: Where a chapter is shown (its ``target`` parameter): "book" when needsbook builds the book
#: (the pages load the chart libraries from ``_static``); "jupyter" in JupyterLab or nbconvert.
TARGETS = ("jupyter", "book")


def setup(downloads_dir: str = "", target: str = "jupyter") -> None:
    """Chart theme and offline renderer, and where the sections' CSVs go (the notebook's
    ``downloads_dir`` parameter; "" writes none); call once at the top of each chapter.

    For ``target`` "jupyter" this cell's output defines the chart libraries for the charts
    below it (:mod:`needsbook.charts.jupyter`), so they draw with no network."""
    import altair as alt

    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, not {target!r}")
    _current.clear()
    _current["downloads"] = Path(downloads_dir) if downloads_dir else None
    enable()
    if target == "jupyter":
        from needsbook import paths
        from needsbook.charts import jupyter

        alt.renderers.enable(jupyter.RENDERER)
        display(HTML(jupyter.libraries_html(paths.build_dir() / ".cache")))
    alt.renderers.set_embed_options(
        renderer="svg",
        actions={"export": True, "source": False, "compiled": False, "editor": False},
    )


def _format(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers as the page shows them (:func:`_formatted`), as a table."""
    names, columns = _formatted(df)
    out = pd.DataFrame(dict(enumerate(columns)), index=df.index)
    out.columns = names
    return out


def _formatted(
    df: pd.DataFrame, skip: tuple[str, ...] = ()
) -> tuple[list[object], list[list[object]]]:
    """The headings and each column's values as the page shows them, leaving out the columns
    named in ``skip``: the one rule per unit (``needsbook.formatting``) read from each
    column's heading or the table's own ``attrs["decimals"]``; other float columns keep one
    decimal unless every value is whole. Never "-0"."""
    decimals = table_decimals(df)
    names: list[object] = []
    columns: list[list[object]] = []
    for i, (col, dtype) in enumerate(zip(df.columns, df.dtypes, strict=True)):
        if col in skip:
            continue
        values = df.iloc[:, i].tolist()
        if pd.api.types.is_float_dtype(dtype):
            dp = decimals.get(str(col))
            if dp is None:
                given = [v for v in values if not is_na(v)]
                dp = 0 if all(float.is_integer(v) for v in given) else 1
            values = [fixed(v, dp, missing="") for v in values]
        elif pd.api.types.is_integer_dtype(dtype) and "year" not in str(col).lower():
            values = ["" if is_na(v) else f"{v:,}" for v in values]
        names.append(col)
        columns.append(values)
    return names, columns


# The content column at a 1280 px window is about 780 px (the book's stylesheet,
# needsbook-layout.css); a table cell of its 13 px font needs about 7.5 px a character.
COLUMN_PX = 760
CHAR_PX = 7.5
CELL_PADDING_PX = 12


def min_width_px(rows: list[list[object]], columns: list[object]) -> float:
    """The narrowest a table can be with every cell wrapped at spaces: each column as wide as
    its longest word (heading or cell)."""
    total = 0.0
    for i, col in enumerate(columns):
        words = (w for v in (col, *(row[i] for row in rows)) for w in str(v).split())
        total += max((len(w) for w in words), default=1) * CHAR_PX + CELL_PADDING_PX
    return total


def _shown(value: object) -> object:
    """A cell as a table shows it: missing values blank."""
    return "" if value is None or value is pd.NA or value != value else value


def _html_cell(value: object) -> str:
    """A cell's escaped text as pandas' ``to_html`` writes it: stripped, with any tab, CR or
    newline left as the two-character escapes ``\\t``, ``\\r``, ``\\n``."""
    text = html_text(value)
    if "\t" in text or "\r" in text or "\n" in text:
        text = text.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
    return text.strip()


def table_html(df: pd.DataFrame, caption: str) -> str:
    """``df`` as an HTML table with a caption, every cell and heading escaped as HTML text.

    A table too wide for the page column even with its cells wrapped is stacked: the book's
    stylesheet shows each row as a block of "heading: value" lines, so the reader sees every
    cell at any width (explicit ARIA roles keep it a table for assistive technology)."""
    columns = [df.iloc[:, i].tolist() for i in range(df.shape[1])]
    return _columns_html(list(df.columns), columns, caption)


def _columns_html(names: list[object], columns: list[list[object]], caption: str) -> str:
    """:func:`table_html` of a table given as its headings and each column's values."""
    shown = [[_shown(v) for v in row] for row in zip(*columns, strict=True)]
    if min_width_px(shown, names) > COLUMN_PX:
        return _stacked_html(names, [[html_text(v) for v in row] for row in shown], caption)
    heads = "".join(f"      <th>{_html_cell(c)}</th>\n" for c in names)
    body = "".join(
        "    <tr>\n" + "".join(f"      <td>{_html_cell(v)}</td>\n" for v in row) + "    </tr>\n"
        for row in shown
    )
    return (
        '<table class="dataframe needsbook-data">\n'
        f"<caption>{html_text(caption)}</caption>\n"
        '  <thead>\n    <tr style="text-align: right;">\n'
        f"{heads}    </tr>\n  </thead>\n  <tbody>\n{body}  </tbody>\n</table>"
    )


def _stacked_html(names: list[object], cells: list[list[str]], caption: str) -> str:
    heads = [html_text(c) for c in names]
    head = "".join(f"<th scope='col' role='columnheader'>{h}</th>" for h in heads)
    rows = "".join(
        "<tr role='row'>"
        + "".join(
            f"<td role='cell' data-label='{h}'>{v}</td>" for h, v in zip(heads, row, strict=True)
        )
        + "</tr>\n"
        for row in cells
    )
    return (
        "<table class='needsbook-data needsbook-stacked' role='table'>\n"
        f"<caption>{html_text(caption)}</caption>\n"
        f"<thead role='rowgroup'><tr role='row'>{head}</tr></thead>\n"
        f"<tbody role='rowgroup'>\n{rows}</tbody>\n</table>"
    )


def source_html(section: Section) -> str:
    """The section's "Source: ..." line, unless its text already names that source."""
    said = " ".join([section.summary, *section.notes])
    if not section.source or section.source in said:
        return ""
    return f"\n<p><small>Source: {html_text(section.source)}</small></p>"


#: Columns that key a download's rows for other tools; the page does not show them.
KEY_COLUMNS = ("indicator_id",)


def data_table_html(section: Section) -> str:
    names, columns = _formatted(section.table, skip=KEY_COLUMNS)
    table = _columns_html(names, columns, f"Data: {section.title}")
    return (
        f"<details class='needsbook-table'><summary>Data table: "
        f"{html_text(section.title)} ({len(section.table)} rows)</summary>\n{table}"
        f"{source_html(section)}</details>"
    )


DECORATIVE_MARKS = ("area", "rect", "rule")  # bands, shaded ranges and cells, reference lines


def page_chart(chart: object) -> object:
    """The chart as a page shows it, in a copy that shares its layers and copies only its
    configuration: its title and subtitle wrapped to its width, and its area, rect and rule
    marks hidden from assistive technology.

    Vega gives each such mark an ARIA graphics role but no name (they encode no data field to
    describe, or none at all when a band is empty), which axe-core reports as a serious WCAG
    failure (``svg-img-alt``). They are bands, shaded cells and reference lines: the chart as a
    whole keeps its text description, bars, points, lines and text labels keep theirs, and the
    data are in the table and the CSV below the chart."""
    import altair as alt

    if not isinstance(chart, alt.TopLevelMixin):
        return chart
    copy = chart.copy(deep=["config"])
    title = wrapped_title(chart)
    if title is not alt.Undefined:
        copy.title = title
    config = copy.config if copy.config is not alt.Undefined else alt.Config()
    for mark in DECORATIVE_MARKS:
        current = config[mark] if config[mark] is not alt.Undefined else {}
        merged = current.to_dict() if hasattr(current, "to_dict") else dict(current)
        config[mark] = {**merged, "aria": False}
    copy.config = config
    return copy


class RenderedChart:
    """A chart displayed as Altair displays it (its renderer's output, ``repr`` as plain text)
    without checking the finished spec against the Vega-Lite schema once more on the way:
    Altair checks each part as a chart is made, the chart tests check whole specs, and the
    check takes a second or more per chapter (it walks every shape of a map)."""

    def __init__(self, chart: object) -> None:
        self.chart = chart

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> object:
        import altair as alt

        spec = self.chart.to_dict(validate=False, context={"pre_transform": False})  # type: ignore[attr-defined]
        renderer = alt.renderers.get()
        return renderer(spec) if renderer else {}

    def __repr__(self) -> str:
        return repr(self.chart)


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
    table = data_table_html(section) + "\n" if len(section.table) else ""  # none: the text says
    display(HTML(table + download_link_html(section, area_code)))


def show_text(text: str) -> None:
    """One paragraph of plain text (or ``escape.trusted`` Markdown), escaped for the page."""
    display(Markdown(md(text)))


def show_prose(area: Area, *paragraphs: str) -> None:
    """A chapter template's own paragraphs, naming the area through ``{area_name}`` and
    ``{region_name}`` and linking the glossary with MyST roles: MyST for the book (its
    ``nb_mime_priority_overrides`` prefer it; the cell's ``mystnb.markdown_format`` metadata
    must be "myst" for the roles to resolve), HTML with plain terms for Jupyter."""
    bundle = {
        "text/markdown": prose.myst(paragraphs, area),
        "text/html": prose.html(paragraphs, area),
    }
    display(bundle, raw=True)


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
        display(RenderedChart(page_chart(section.chart)))
    show_notes(section)
    show_table(section)


def show_open_table(section: Section, area_code: str, area_name: str, year: int) -> None:
    """A section whose table is its content (an action plan, a list of concerns): the summary,
    then the table shown open rather than collapsed, its source and its CSV."""
    write_download(section, area_code, year)
    show_text(section.summary)
    if section.table.empty:
        return
    table = table_html(section.table, f"{section.title} for {area_name}")
    source = f"\n<p><small>Source: {html_text(section.source)}</small></p>\n"
    display(HTML(table + source + download_link_html(section, area_code)))


def show_open(chapter: Chapter, key: str) -> None:
    """The chapter's section ``key`` with its table open (:func:`show_open_table`)."""
    show_open_table(chapter.section(key), chapter.area_code, chapter.area_name, chapter.year)


# --- sections shown in place of the collapsed data table ------------------------------------


def show_in_place(chapter: Chapter, section: Section, content_html: str) -> None:
    """A section whose content is shown open in place of the collapsed data table (a table,
    pathways with their links, a searchable catalogue): the summary, the notes, then
    ``content_html``, its source and its CSV download (the CSV written as for any section)."""
    write_download(section, chapter.area_code, chapter.year)
    show_text(section.summary)
    show_notes(section)
    source = f"\n<p><small>Source: {html_text(section.source)}</small></p>\n"
    display(HTML(content_html + source + download_link_html(section, chapter.area_code)))
