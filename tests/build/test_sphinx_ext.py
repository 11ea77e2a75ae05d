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
