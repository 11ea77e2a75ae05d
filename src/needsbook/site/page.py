"""The frame every site page shares (the landing page and each area's page): one self-contained
HTML file with inline CSS, the generator marker that tells needsbook the page is its own
(:data:`needsbook.build.outdir.LANDING_GENERATOR`), a skip link and the licence footer."""

from __future__ import annotations

from needsbook import __version__
from needsbook.build.outdir import LANDING_GENERATOR
from needsbook.escape import html_text

TITLE = "Children and young people's early help needs assessments"

CSS = """
:root { --ink: #0b0c0c; --muted: #505a5f; --link: #1d58a0; --focus: #ffdd00;
  --brand: #1d70b8; --line: #b1b4b6; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--ink); margin: 0; line-height: 1.5; background: #fff; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem; }
header { border-bottom: 4px solid var(--brand); }
h1 { font-size: 1.9rem; margin: .5rem 0; }
a { color: var(--link); }
a:focus, input:focus, select:focus, summary:focus { outline: 3px solid var(--focus);
  outline-offset: 0; box-shadow: 0 0 0 5px var(--ink); }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--focus); color: var(--ink); padding: .5rem; }
.meta { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
ul.plain { list-style: none; padding: 0; margin: 0; }
footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .9rem; }
"""

FOOTER = """<footer>
<p>Contains public sector information licensed under the Open Government Licence v3.0 (DfE, ONS,
MHCLG, OHID, UKHSA) and data from mySociety (CC BY 4.0). Contains OS data &copy; Crown copyright
and database right.</p>
</footer>"""


def document(
    title: str, body: str, *, skip_to: str, css: str = "", scripts: tuple[str, ...] = ()
) -> str:
    """A whole page: ``title`` (plain text, escaped here), ``body`` (HTML: header and main),
    a skip link to ``#skip_to``, extra ``css`` and inline ``scripts`` (each a complete
    ``<script>`` element)."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{LANDING_GENERATOR} {html_text(__version__)}">
<title>{html_text(title)}</title>
<link rel="icon" href="data:,">
<style>{CSS}{css}</style>
</head>
<body>
<a class="skip" href="#{skip_to}">Skip to the main content</a>
{body}
{FOOTER}
{chr(10).join(scripts)}
</body>
</html>
"""


def join_words(items: list[str]) -> str:
    """``["a"]`` -> ``a``; ``["a", "b", "c"]`` -> ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
