"""The data a chart carries: every table's floats to 12 significant figures.

A chart's data hold each value as Python prints it, to the last bit: a figure worked out with
linear algebra at build time (a modelled estimate, a composite score) can differ in its 16th
digit from one processor to another, and the page's chart would differ with it. Twelve
significant figures are far beyond anything a chart draws or a tooltip shows, and make the
same book on any machine. Tables reach the page's data tables and the downloads unrounded.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

#: Significant figures kept in chart data.
DIGITS = 12


def rounded(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each float column's finite values to :data:`DIGITS` significant figures."""
    floats = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])]
    if not floats:
        return df
    out = df.copy()
    for column in floats:
        values = out[column].to_numpy(dtype=float, na_value=math.nan)
        out[column] = pd.array(
            [float(format(v, f".{DIGITS}g")) if math.isfinite(v) else v for v in values],
            dtype=out[column].dtype,
        )
    return out


def chart_values(data: Any, **_options: Any) -> Any:
    """Altair data transformer: the data as inline values (no row limit), floats rounded.

    A frame whose columns are all of the plain kinds a book's charts use (text, numpy
    numbers and booleans, objects) becomes its records here, as Altair's ``to_values`` makes
    them (missing values and infinities None, numpy scalars Python ones) without the copy and
    the pandas calls per column that cost more than a chart's small table takes to convert;
    any other frame goes through Altair."""
    from altair.utils.data import to_values

    if isinstance(data, pd.DataFrame) and _plain(data):
        columns = [_json_cells(data.iloc[:, i]) for i in range(data.shape[1])]
        names = list(data.columns)
        rows = zip(*columns, strict=True)
        return {"values": [dict(zip(names, row, strict=True)) for row in rows]}
    return to_values(rounded(data) if isinstance(data, pd.DataFrame) else data)


def _plain(df: pd.DataFrame) -> bool:
    """Some columns, with text names, no hierarchical index, and only text, object, numpy
    integer, boolean or 64-bit float columns."""
    if isinstance(df.index, pd.MultiIndex) or isinstance(df.columns, pd.MultiIndex):
        return False
    if df.shape[1] == 0:
        return False
    if not all(isinstance(c, str) for c in df.columns) or df.columns.has_duplicates:
        return False
    return all(
        isinstance(t, pd.StringDtype)
        or (isinstance(t, np.dtype) and (t.kind in "iubO" or t == np.float64))
        for t in df.dtypes
    )


def _json_cells(values: pd.Series) -> list[Any]:
    """One column's values for a chart: floats rounded (:func:`rounded`), missing values and
    infinities None, numpy scalars as Python ones."""
    kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else ""
    if kind == "f":
        return [
            float(format(v, f".{DIGITS}g")) if math.isfinite(v) else None
            for v in values.to_numpy(dtype=float)
        ]
    if kind in ("i", "u", "b"):
        return values.tolist()
    return [_native(v) for v in values.tolist()]


def _native(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    return None if isinstance(value, float) and value != value else value
