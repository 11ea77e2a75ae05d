"""Altair's schema table kept between conversions: the same objects, the table built once."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
from altair.utils import schemapi

from needsbook.charts import schema_table

DATA = pd.DataFrame({"year": [2020, 2021], "value": [1.5, 2.5], "area": ["a", "b"]})


def _chart() -> alt.Chart:
    return (
        alt.Chart(DATA)
        .mark_line()
        .encode(x="year:O", y="value:Q", color="area:N", tooltip=["year:O", "value:Q", "area"])
    )


def test_the_same_chart_with_the_kept_table(monkeypatch: pytest.MonkeyPatch) -> None:
    schema_table.enable()
    kept = _chart().to_dict()
    monkeypatch.setattr(schemapi._FromDict, "__init__", schema_table._ORIGINAL["__init__"])
    assert _chart().to_dict() == kept


def test_the_table_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    schema_table.enable()
    schema_table.enable()  # idempotent: Altair's own __init__ kept once
    assert schema_table._ORIGINAL["__init__"].__qualname__ == "_FromDict.__init__"
    _chart()
    hashed: list[object] = []
    original = schemapi._FromDict.hash_schema.__func__  # type: ignore[attr-defined]

    def counting(cls: type, schema: dict, use_json: bool = True) -> int:
        hashed.append(schema)
        return original(cls, schema, use_json)

    monkeypatch.setattr(schemapi._FromDict, "hash_schema", classmethod(counting))
    _chart()
    kept = len(hashed)
    monkeypatch.setattr(schemapi._FromDict, "__init__", schema_table._ORIGINAL["__init__"])
    _chart()
    assert kept < 50 < 500 < len(hashed) - kept  # Altair alone hashes every class schema again
