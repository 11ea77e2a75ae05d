"""Serve Vega, Vega-Lite and Vega-Embed from the book itself so charts render offline.

Altair's HTML output loads the libraries from a CDN unless ``window.VEGA_DEBUG`` says the
expected versions are already present. We write one bundle (from vl-convert) into the book's
``_static/``, wrapped in an IIFE so its names do not clash with Sphinx's scripts, and set
``VEGA_DEBUG`` to Altair's versions first. Jupyter Book adds every ``_static/*.js`` to each page.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import altair as alt

BUNDLE_NAME = "vega-offline.js"


def versions() -> dict[str, str]:
    """The versions Altair's HTML template checks, keyed as it keys them."""
    return {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
    }


def bundle_text() -> str:
    import vl_convert as vlc

    major_minor = ".".join(alt.VEGALITE_VERSION.split(".")[:2])
    library = vlc.javascript_bundle(vl_version=major_minor)
    header = (
        f"/* Vega {vlc.get_vega_version()}, Vega-Lite {alt.VEGALITE_VERSION}, "
        f"Vega-Embed {vlc.get_vega_embed_version()}: vl-convert bundle for offline use */\n"
        f"window.VEGA_DEBUG = Object.assign(window.VEGA_DEBUG || {{}}, "
        f"{json.dumps(versions())});\n"
    )
    return header + "(function () {\n" + library + "\n})();\n"


def cached_bundle(cache_dir: Path | None = None) -> str:
    """:func:`bundle_text`, kept in ``cache_dir`` keyed by the versions (it takes seconds to
    make); a cache that cannot be written is skipped."""
    key = "-".join(versions().values()).replace(".", "_")
    cached = cache_dir / f"vega-offline-{key}.js" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_text()
    text = bundle_text()
    if cached:
        from needsbook.files import atomic_write

        # whole or not at all (builds side by side read it); a read-only workspace: next time
        with contextlib.suppress(OSError):
            atomic_write(cached, text.encode())
    return text


def write_bundle(static_dir: Path, cache_dir: Path | None = None) -> Path:
    """Write the bundle into ``static_dir`` (:func:`cached_bundle`)."""
    static_dir.mkdir(parents=True, exist_ok=True)
    target = static_dir / BUNDLE_NAME
    target.write_text(cached_bundle(cache_dir))
    return target
