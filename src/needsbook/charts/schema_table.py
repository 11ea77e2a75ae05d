"""Altair's table of schema classes built once per set of classes, not once per conversion.

Each time Altair turns a dict or a shorthand string into a schema object (``encode(x="year:O")``,
a tooltip list of field names), it hashes the schema of every one of its ~570 classes to find
the class that matches. The classes do not change while a book is built, so :func:`enable`
keeps that table for each set of classes; the objects made are the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from altair.utils import schemapi

_TABLES: dict[tuple[type, ...], dict[int, list[type]]] = {}
_ORIGINAL: dict[str, Callable[..., None]] = {}


def _table(classes: tuple[type, ...]) -> dict[int, list[type]]:
    table = _TABLES.get(classes)
    if table is None:
        table = defaultdict(list)
        for tp in classes:
            if tp._schema is not None:
                table[schemapi._FromDict.hash_schema(tp._schema)].append(tp)
        _TABLES[classes] = table
    return table


def _init(self: Any, wrapper_classes: Iterable[type], /) -> None:
    self.class_dict = _table(tuple(wrapper_classes))


def enable() -> None:
    """Keep Altair's schema table between conversions (idempotent)."""
    _ORIGINAL.setdefault("__init__", schemapi._FromDict.__init__)
    schemapi._FromDict.__init__ = _init  # type: ignore[method-assign]
