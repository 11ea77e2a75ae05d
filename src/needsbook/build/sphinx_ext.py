"""A small Sphinx extension used by every needsbook book.

It ships the book's stylesheet (``resources/sphinx/needsbook-layout.css``: tables wrap within
the page column, charts never overflow it) and drops repeated scripts: sphinx-thebe registers
its inline configuration script twice, which redeclares ``const THEBE_JS_URL`` and raises a
JavaScript error on every page.

It also keeps the English search stemmer's results for the process: Sphinx remembers them for
one page only, and a batch builds many books of the same words (the stemmer is a pure
function of the word, so the index is the same). And it reuses MyST-NB's CommonMark parser:
MyST-NB makes a new one (building every rule table of markdown-it) for each Markdown output
of a notebook, about 200 a book, though a parser keeps no state between documents (each parse
gets its own environment).

And it spares the theme one render of the sidebar: before each page, pydata-sphinx-theme
renders every template of the page's navigation bars, sidebars and footers once only to drop
those that come out empty, then again in the page; the book theme's navigation
(``sbt-sidebar-nav.html``: the book's whole table of contents, resolved afresh for each page)
is never empty in a book, so it is no longer rendered for that check (as the theme already
does for its own navigation templates).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parents[1] / "resources" / "sphinx"
STYLESHEET = "needsbook-layout.css"


def _dedupe_scripts(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        name = getattr(script, "filename", script) or ""  # None and "" are the same inline script
        key = (str(name), str(getattr(script, "attributes", {}).get("body", "")))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _add_static(app: Any, config: Any) -> None:
    static = list(config.html_static_path or [])
    if str(STATIC) not in static:
        config.html_static_path = [*static, str(STATIC)]


_STEMS: dict[str, str] = {}


def _kept(store: dict[Any, Any], key: object, make: Callable[[], Any]) -> Any:
    """``store[key]``, made by ``make()`` the first time."""
    found = store.get(key)
    if found is None:
        found = store[key] = make()
    return found


def _remembering(stem: Callable[[Any, str], str]) -> Callable[[Any, str], str]:
    def remembered(self: Any, word: str) -> str:
        return str(_kept(_STEMS, word, lambda: stem(self, word)))

    remembered.__wrapped__ = stem  # type: ignore[attr-defined]
    return remembered


def _remember_english_stems() -> None:
    from sphinx.search.en import SearchEnglish

    if not hasattr(SearchEnglish.stem, "__wrapped__"):
        SearchEnglish.stem = _remembering(SearchEnglish.stem)  # type: ignore[method-assign]


def _reusing(create: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``create_md_parser`` keeping one CommonMark-only or GFM-only parser per renderer class
    and option set (MyST's full parser, whose configuration varies, is made as before)."""
    parsers: dict[tuple[object, ...], Any] = {}

    def reused(config: Any, renderer: Any) -> Any:
        if not (config.commonmark_only or config.gfm_only):
            return create(config, renderer)
        key = (
            renderer,
            config.commonmark_only,
            config.gfm_only,
            config.words_per_minute,
            config.enable_checkboxes,
        )
        return _kept(parsers, key, lambda: create(config, renderer))

    reused.__wrapped__ = create  # type: ignore[attr-defined]
    return reused


def _reuse_markdown_parsers() -> None:
    from myst_nb.core import render

    if not hasattr(render.create_md_parser, "__wrapped__"):
        render.create_md_parser = _reusing(render.create_md_parser)


#: Templates never rendered only to see whether they are empty (see the module docstring).
NEVER_EMPTY = ("sbt-sidebar-nav.html",)


def _checking_fewer(check: Callable[..., list[str]]) -> Callable[..., list[str]]:
    def checked(*args: Any, templates_skip_empty_check: Any = None, **kwargs: Any) -> list[str]:
        skip = [*(templates_skip_empty_check or ()), *NEVER_EMPTY]
        return check(*args, templates_skip_empty_check=skip, **kwargs)

    checked.__wrapped__ = check  # type: ignore[attr-defined]
    return checked


def _skip_empty_checks_of_the_navigation() -> None:
    from pydata_sphinx_theme import utils

    if not hasattr(utils._update_and_remove_templates, "__wrapped__"):
        utils._update_and_remove_templates = _checking_fewer(utils._update_and_remove_templates)


def setup(app: Any) -> dict[str, Any]:
    _remember_english_stems()
    _reuse_markdown_parsers()
    _skip_empty_checks_of_the_navigation()
    app.connect("config-inited", _add_static)
    app.add_css_file(STYLESHEET)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
