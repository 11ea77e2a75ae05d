"""The book's Sphinx extension ships the layout stylesheet with every book."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from needsbook.build import sphinx_ext


class FakeApp:
    def __init__(self) -> None:
        self.css: list[str] = []
        self.events: dict[str, Any] = {}

    def add_css_file(self, name: str) -> None:
        self.css.append(name)

    def connect(self, event: str, handler: Any, priority: int = 500) -> None:
        self.events[event] = handler


def test_the_stylesheet_is_added_and_its_folder_is_static() -> None:
    app = FakeApp()
    sphinx_ext.setup(app)
    assert app.css == [sphinx_ext.STYLESHEET]
    config = SimpleNamespace(html_static_path=["_static"])
    app.events["config-inited"](app, config)
    app.events["config-inited"](app, config)  # once only
    assert config.html_static_path == ["_static", str(sphinx_ext.STATIC)]
    css = (sphinx_ext.STATIC / sphinx_ext.STYLESHEET).read_text()
    assert "overflow-wrap: anywhere" in css  # tables wrap, never cut
    assert "table.needsbook-stacked" in css  # too-wide tables stack


def test_english_stems_are_remembered_and_unchanged() -> None:
    from sphinx.search.en import SearchEnglish

    sphinx_ext._remember_english_stems()
    sphinx_ext._remember_english_stems()  # once only, however many books a process builds
    patched = SearchEnglish.stem
    original = patched.__wrapped__  # type: ignore[attr-defined]
    assert not hasattr(original, "__wrapped__")
    lang = SearchEnglish({})
    words = ["children", "Children", "safeguarding", "assessments", "deprivation", "ran"]
    assert [patched(lang, w) for w in words] == [original(lang, w) for w in words]
    assert sphinx_ext._STEMS["safeguarding"] == original(lang, "safeguarding")


def test_commonmark_parsers_are_reused_and_parse_the_same() -> None:
    """MyST-NB's parser for a notebook's Markdown outputs is made once per renderer class and
    options, and parses as a new one does; MyST's own configured parser is made each time."""
    from myst_nb.core import render
    from myst_parser.config.main import MdParserConfig
    from myst_parser.mdit_to_docutils.base import DocutilsRenderer

    sphinx_ext._reuse_markdown_parsers()
    sphinx_ext._reuse_markdown_parsers()  # once only
    create = render.create_md_parser
    fresh = create.__wrapped__
    assert not hasattr(fresh, "__wrapped__")
    plain = MdParserConfig(commonmark_only=True)
    first = create(plain, DocutilsRenderer)
    assert create(MdParserConfig(commonmark_only=True), DocutilsRenderer) is first
    assert create(MdParserConfig(gfm_only=True), DocutilsRenderer) is not first
    assert create(MdParserConfig(), DocutilsRenderer) is not create(
        MdParserConfig(), DocutilsRenderer
    )
    text = "Rates *rose* in [Kent](https://example.org)\n\n- one\n- two\n"
    for _ in range(2):
        tokens = [t.as_dict() for t in first.parse(text, {})]
        assert tokens == [t.as_dict() for t in fresh(plain, DocutilsRenderer).parse(text, {})]


def test_the_sidebar_navigation_is_not_rendered_only_to_see_if_it_is_empty() -> None:
    """The theme renders each template of a page's bars once to drop empty ones; the book's
    navigation is never empty, so it is rendered only in the page. Other templates are still
    checked, and those that come out empty are still dropped."""
    from pydata_sphinx_theme import utils

    sphinx_ext._skip_empty_checks_of_the_navigation()
    sphinx_ext._skip_empty_checks_of_the_navigation()  # once only
    assert not hasattr(utils._update_and_remove_templates.__wrapped__, "__wrapped__")
    rendered: list[str] = []

    def render(template: str, context: dict[str, Any]) -> str:
        rendered.append(template)
        return "" if template == "empty.html" else f"<p>{template}</p>"

    app = SimpleNamespace(builder=SimpleNamespace(templates=SimpleNamespace(render=render)))
    kept = utils._update_and_remove_templates(  # as the theme calls it for each page
        app=app,
        context={},
        templates=["navbar-logo", "sbt-sidebar-nav.html", "empty", "sidebar-nav-bs.html"],
        section="sidebars",
        templates_skip_empty_check=["sidebar-nav-bs.html", "navbar-nav.html"],
    )
    assert kept == ["navbar-logo.html", "sbt-sidebar-nav.html", "sidebar-nav-bs.html"]
    assert rendered == ["navbar-logo.html", "empty.html"]
