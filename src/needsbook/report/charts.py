"""The Vega-Lite charts of a built page, as static images (the same specs, via vl-convert)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# Altair's HTML output ends its script with ``})(<spec>, <embed options>);``
_CALL = re.compile(r"\}\)\(\{")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Chart:
    """One chart: its spec, its title and its text summary (the alt text)."""

    spec: dict[str, Any]

    @property
    def title(self) -> str:
        title = self.spec.get("title", "")
        if isinstance(title, dict):
            title = title.get("text", "")
        if isinstance(title, list):
            title = " ".join(map(str, title))
        return str(title)

    @property
    def description(self) -> str:
        return str(self.spec.get("description") or self.title)

    def svg(self) -> str:
        import vl_convert as vlc

        return vlc.vegalite_to_svg(self.spec)

    def png(self, scale: float = 2.0) -> bytes:
        import vl_convert as vlc

        return vlc.vegalite_to_png(self.spec, scale=scale)


def spec_in_script(script: str) -> dict[str, Any] | None:
    """The Vega-Lite spec an Altair chart's ``<script>`` embeds, or None if it has none."""
    match = _CALL.search(script)
    if match is None:
        return None
    try:
        spec, _ = _DECODER.raw_decode(script, match.start() + 3)
    except json.JSONDecodeError:
        return None
    return spec if isinstance(spec, dict) and "$schema" in spec else None
