"""Layered and concatenated charts without copies that change nothing.

Altair deep-copies every subchart twice when it layers or concatenates charts (to merge
selection parameters and name views without touching the caller's charts): each copy rebuilds
every channel, encoding and mark object, and a chapter composes charts hundreds of times.
When no subchart carries a parameter and (in a concatenation) no layer is named, those steps
would return exact copies of their input, so :func:`enable` makes them return the subcharts
themselves. Altair copies a subchart before anything else it changes (its data, width or
height), so the charts passed in are never altered, and the chart specification is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from altair.utils import Undefined
from altair.vegalite.v6 import api

_ORIGINAL: dict[str, Callable[..., Any]] = {}


def _has_params(chart: Any) -> bool:
    return getattr(chart, "params", Undefined) is not Undefined


def _names_layers(chart: Any) -> bool:
    """True for a layered chart with a named layer (a concatenation renames it)."""
    if not isinstance(chart, api.LayerChart) or chart.layer is Undefined:
        return False
    return any(
        isinstance(c, api.Chart) and getattr(c, "name", Undefined) is not Undefined
        for c in chart.layer
    )


def _remove_duplicate_params(layer: list[Any]) -> list[Any]:
    if any(_has_params(c) for c in layer):
        return _ORIGINAL["_remove_duplicate_params"](layer)
    return list(layer)


def _combine_subchart_params(params: Any, subcharts: Sequence[Any]) -> tuple[Any, list[Any]]:
    plain = (params is Undefined or not params) and not any(_has_params(c) for c in subcharts)
    if plain and (len(subcharts) < 2 or not any(_names_layers(c) for c in subcharts)):
        return Undefined, list(subcharts)
    return _ORIGINAL["_combine_subchart_params"](params, subcharts)


def enable() -> None:
    """Skip Altair's no-op copies when charts are layered or concatenated (idempotent)."""
    for name, shortcut in (
        ("_remove_duplicate_params", _remove_duplicate_params),
        ("_combine_subchart_params", _combine_subchart_params),
    ):
        _ORIGINAL.setdefault(name, getattr(api, name))
        setattr(api, name, shortcut)
