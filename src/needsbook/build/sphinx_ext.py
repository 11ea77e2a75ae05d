"""A small Sphinx extension used by every needsbook book.

sphinx-thebe registers its inline configuration script twice, which redeclares ``const
THEBE_JS_URL`` and raises a JavaScript error on every page. We drop repeated scripts per page.
"""

from __future__ import annotations

from typing import Any


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


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
