"""Sphinx extension: accessibility fixes to the book theme (WCAG 2.1 AA, checked by axe-core).

sphinx-book-theme / pydata-sphinx-theme, as configured for needsbook, fail three axe rules that
matter to screen-reader users; this extension fixes them at the source:

- ``label-content-name-mismatch``: the search button's ``aria-label`` ("Search") hides its
  visible text ("Search Ctrl+K"); the colour-mode button names itself "Color mode" but shows only
  icons. We override the search button template without the ``aria-label`` (its visible text is
  its name), and drop the colour-mode switch: the book is light-only, so charts keep the contrast
  they were designed for, and the theme no longer logs "invalid theme mode" on a first visit.
- ``summary-name``: the sidebar's expand/collapse toggles are ``<summary>`` elements holding only
  an icon; we name them after the page whose sub-pages they show. Vega-Embed's chart menu is an
  icon-only ``<summary>`` added in the browser; a small inline script names it.

It also gives every page an inline favicon, so browsers do not request a missing
``/favicon.ico`` (a console error when the book is served on its own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SEARCH_BUTTON = """\
{# needsbook: the theme's search button without an aria-label that hid its visible text. #}
<button class="btn search-button-field search-button__button pst-js-only" \
data-bs-placement="bottom" data-bs-toggle="tooltip">
 <i class="fa-solid fa-magnifying-glass" aria-hidden="true"></i>
 <span class="search-button__default-text">{{ _('Search') }}</span>
 <span class="search-button__kbd-shortcut"><kbd class="kbd-shortcut__modifier">Ctrl</kbd>+\
<kbd class="kbd-shortcut__modifier">K</kbd></span>
</button>
"""
THEME_SWITCHER = "{# needsbook: light mode only; no colour-mode switch. #}\n"
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#1d70b8"/>'
    '<path d="M4 12V4h2l4 5V4h2v8h-2L6 7v5z" fill="#fff"/></svg>\n'
)
# Names Vega-Embed's icon-only chart menu once the chart has been drawn.
CHART_MENU_SCRIPT = """
(function () {
  function name() {
    document.querySelectorAll(".vega-embed details > summary").forEach(function (s) {
      if (!s.hasAttribute("aria-label")) {
        s.setAttribute("aria-label", "Chart menu: save the chart as SVG or PNG");
      }
    });
  }
  function watch() {
    name();
    new MutationObserver(name).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
"""


def name_toggles(tree: Any) -> Any:
    """Give each icon-only sidebar ``<summary>`` a name: "<page>: show or hide its pages".

    ``tree`` is the theme's toctree (a BeautifulSoup object, or its HTML as a string)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(tree, "html.parser") if isinstance(tree, str) else tree
    if not hasattr(soup, "select"):
        return tree
    for summary in soup.select("li.has-children > details > summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        li = summary.find_parent("li")
        link = li.find("a", recursive=False) if li else None
        label = link.get_text(" ", strip=True) if link else "this section"
        summary["aria-label"] = f"{label}: show or hide its pages"
    return str(soup) if isinstance(tree, str) else soup


def _wrap_toctree(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "_needsbook", False):
        return

    def generate_named(kind: str, *args: Any, **kwargs: Any) -> Any:
        return name_toggles(generate(kind, *args, **kwargs))

    generate_named._needsbook = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = generate_named


def _configure(app: Any, config: Any) -> None:
    templates = Path(app.srcdir) / "_needsbook_templates"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "search-button-field.html").write_text(SEARCH_BUTTON)
    (templates / "theme-switcher.html").write_text(THEME_SWITCHER)
    config.templates_path = [str(templates), *list(config.templates_path or [])]
    context = dict(config.html_context or {})
    context["default_mode"] = "light"
    config.html_context = context
    if not config.html_favicon:
        static = Path(app.srcdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / "needsbook-favicon.svg").write_text(FAVICON)
        config.html_favicon = "_static/needsbook-favicon.svg"


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _wrap_toctree, priority=950)
    app.add_js_file(None, body=CHART_MENU_SCRIPT)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
