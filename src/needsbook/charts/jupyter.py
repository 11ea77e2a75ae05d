"""Altair charts that draw in Jupyter and in ``jupyter nbconvert --to html`` with no network.

The book serves Vega from its ``_static/`` (:mod:`needsbook.charts.offline`); a notebook opened
in JupyterLab, or exported by nbconvert, has no such file and Altair's own output loads the
libraries from a CDN. Here one output per notebook (:func:`libraries_html`, about 0.9 MB, shown
by ``display.setup``) defines Vega, Vega-Lite and Vega-Embed in the page, and every chart
(:data:`RENDERER`) draws itself with them as SVG, waiting for that output if it comes later.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from pathlib import Path

import altair as alt

from needsbook.charts import offline
from needsbook.escape import script_safe_html

RENDERER = "needsbook-jupyter"
READY_EVENT = "needsbook-vega-ready"
_ENDS_SCRIPT = re.compile(r"</script|<!--", re.IGNORECASE)


@functools.cache
def _bundle(cache_dir: Path | None) -> str:
    """The vl-convert bundle, once per kernel (:func:`offline.cached_bundle`)."""
    return offline.cached_bundle(cache_dir)


def libraries_html(cache_dir: Path | None = None) -> str:
    """One ``<script>`` that defines the chart libraries in the page and then tells the charts
    waiting for them. Shown once, before the first chart, it serves every chart below it."""
    bundle = _bundle(cache_dir)
    if _ENDS_SCRIPT.search(bundle):  # it goes into the page as it is: it must not end early
        raise ValueError("the Vega bundle cannot be inlined: it holds '</script' or '<!--'")
    ready = f"window.dispatchEvent(new Event({json.dumps(READY_EVENT)}));"
    return f"<script>\n{bundle}\n{ready}\n</script>"


_DRAW = """(function (spec, options) {
  var el = document.getElementById(%s);
  function draw() {
    window.vegaEmbed(el, spec, options).catch(function (error) {
      el.textContent = "The chart could not be drawn: " + error;
    });
  }
  if (window.vegaEmbed) { draw(); } else { window.addEventListener(%s, draw, {once: true}); }
})(%s, %s);"""


def chart_html(spec: dict, embed_options: dict | None = None) -> str:
    """A chart's container and the script that draws it with the page's libraries (never a
    CDN), with the chart's JSON unable to end the script."""
    div = f"altair-viz-{uuid.uuid4().hex}"
    options = {"mode": "vega-lite", **(embed_options or {})}
    script = _DRAW % tuple(map(json.dumps, (div, READY_EVENT, spec, options)))
    return script_safe_html(f'<div id="{div}"></div>\n<script>\n{script}\n</script>')


def _renderer(spec: dict, embed_options: dict | None = None, **_: object) -> dict[str, str]:
    return {"text/html": chart_html(spec, embed_options)}


alt.renderers.register(RENDERER, _renderer)
