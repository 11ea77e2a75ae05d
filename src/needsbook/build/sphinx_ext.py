"""A small Sphinx extension used by every needsbook book.

It ships the book's stylesheet (``resources/sphinx/needsbook-layout.css``: tables wrap within
the page column, charts never overflow it) and drops repeated scripts: sphinx-thebe registers
its inline configuration script twice, which redeclares ``const THEBE_JS_URL`` and raises a
JavaScript error on every page.
"""

from __future__ import annotations

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


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _add_static)
    app.add_css_file(STYLESHEET)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
