"""Named datasets a chart carries as they are: built once, never copied or re-checked.

Altair copies a chart (and everything in it) at each step that makes a new one (layering,
``properties``, ``configure_*``), and converts every nested value when it writes the spec. For
a map that means walking every coordinate of every shape several times per chart. Values set
with :func:`set_datasets` are held in a :class:`JsonValues`, which Altair keeps by reference
and writes as it is (the ``to_dict`` of the "schema-like" objects it accepts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar


class JsonValues:
    """A list of JSON-ready values (dicts, lists, strings, numbers) for a Vega-Lite dataset."""

    _schema: ClassVar[dict[str, str]] = {"type": "array"}

    def __init__(self, values: Sequence[Any]) -> None:
        self.values = list(values)

    def to_dict(self, *_args: object, **_kwargs: object) -> list[Any]:
        return self.values


def set_datasets(chart: Any, **named: Sequence[Any]) -> None:
    """Give ``chart`` (a top-level chart, changed in place) the named datasets ``named``, for
    its layers to use as ``alt.NamedData(name)``."""
    chart.datasets = {name: JsonValues(values) for name, values in named.items()}
