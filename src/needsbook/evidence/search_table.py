"""The searchable programmes table: plain HTML that works without JavaScript, plus a small
inline script (no network) that adds a text filter and the "outcomes of concern" filter.

Without JavaScript every programme is shown, those matching the area's concerns first, with a
column saying which match. With it, the table opens filtered to the matching programmes (when
there are any); a checkbox shows the whole catalogue and a search box filters rows by any text
in them. A link to ``#programme-<id>`` reveals that row even when the filter hides it. The
controls are labelled, the result count is announced (``role="status"``), and the table has a
caption and column headers.

The table fits the page's content column: fixed column widths (``widths``, in per cent) and
wrapped text, never wider than the page; the download holds the columns left off the page. A
line break in a cell's text starts a new line in the cell.
"""

from __future__ import annotations

import pandas as pd

from needsbook.escape import html_text

ID = "nb-programmes"

SCRIPT = """
(function () {
  var root = document.getElementById("nb-programmes");
  if (!root) { return; }
  var box = document.getElementById("nb-programmes-q");
  var all = document.getElementById("nb-programmes-all");
  var status = document.getElementById("nb-programmes-status");
  var rows = Array.prototype.slice.call(root.querySelectorAll("tbody tr"));
  root.querySelectorAll("[data-needs-script]").forEach(function (e) { e.hidden = false; });
  if (root.getAttribute("data-concerns") !== "1") { all.checked = true; }
  function apply() {
    var text = box.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (r) {
      var ok = (all.checked || r.getAttribute("data-concern") === "1") &&
        (!text || r.textContent.toLowerCase().indexOf(text) >= 0);
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    status.textContent = "Showing " + shown + " of " + rows.length + " entries (" +
      (all.checked ? "whole catalogue" : "outcomes of concern only") +
      (text ? ", containing \\u201c" + box.value.trim() + "\\u201d" : "") + ").";
  }
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (id.indexOf("programme-") !== 0) { return; }
    var row = document.getElementById(id);
    if (row && row.hidden) { all.checked = true; box.value = ""; apply(); row.scrollIntoView(); }
  }
  box.addEventListener("input", apply);
  all.addEventListener("change", apply);
  window.addEventListener("hashchange", reveal);
  apply();
  reveal();
})();
"""


def _cell(value: object) -> str:
    """A cell's text as HTML; a line break in the text starts a new line in the cell."""
    text = "" if value is None or pd.isna(value) else str(value)  # type: ignore[arg-type]
    return "<br>".join(html_text(line) for line in text.split("\n"))


STYLE = (
    f"<style>#{ID}-table {{width: 100%; table-layout: fixed; font-size: 0.8em}} "
    f"#{ID}-table th, #{ID}-table td {{vertical-align: top; text-align: left; "
    f"overflow-wrap: break-word; hyphens: auto; padding: 0.3em 0.4em}}</style>"
)


def searchable_table(
    table: pd.DataFrame,
    ids: list[str],
    concern: list[bool],
    caption: str,
    any_concern: bool,
    widths: list[float] | None = None,
) -> str:
    """``table`` (display columns, one row per programme, in ``ids`` order) as searchable HTML.

    Row ``i`` gets the anchor ``programme-<ids[i]>`` and ``data-concern`` from ``concern[i]``.
    ``widths`` are the columns' shares of the page width in per cent (equal when not given).
    """
    if widths is not None and len(widths) != len(table.columns):
        raise ValueError(f"{len(widths)} widths for {len(table.columns)} columns")
    shares = widths or [100 / max(len(table.columns), 1)] * len(table.columns)
    cols = "".join(f'<col style="width: {w:.4g}%">' for w in shares)
    head = "".join(f'<th scope="col">{html_text(str(c))}</th>' for c in table.columns)
    body = []
    for pid, match, (_, row) in zip(ids, concern, table.iterrows(), strict=True):
        cells = [f'<th scope="row">{_cell(row.iloc[0])}</th>']
        cells += [f"<td>{_cell(v)}</td>" for v in row.iloc[1:]]
        body.append(
            f'<tr id="programme-{html_text(pid)}" data-concern="{int(match)}">'
            + "".join(cells)
            + "</tr>"
        )
    n = len(table)
    return (
        f"{STYLE}\n"
        f'<div class="needsbook-search" id="{ID}" data-concerns="{int(any_concern)}">\n'
        f'<div data-needs-script="1" hidden>\n'
        f'<p><label for="{ID}-q">Search the catalogue (any word in a row, e.g. a programme, '
        f"life stage, domain or rating)</label><br>\n"
        f'<input type="search" id="{ID}-q" aria-controls="{ID}-table" autocomplete="off" '
        f'size="40"></p>\n'
        f'<p><input type="checkbox" id="{ID}-all" aria-controls="{ID}-table"> '
        f'<label for="{ID}-all">Show the whole catalogue, not only entries for the outcomes '
        f"of concern</label></p>\n"
        f'<p id="{ID}-status" role="status" aria-live="polite">Showing all {n} entries.</p>\n'
        f"</div>\n"
        f'<div role="region" aria-labelledby="{ID}-caption">\n'
        f'<table id="{ID}-table" class="needsbook-data needsbook-programmes">\n'
        f'<caption id="{ID}-caption">{html_text(caption)}</caption>\n'
        f"<colgroup>{cols}</colgroup>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n"
        + "\n".join(body)
        + "\n</tbody></table></div>\n"
        f"<script>{SCRIPT}</script>\n</div>"
    )
