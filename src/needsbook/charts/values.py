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
    """Altair data transformer: the data as inline values (no row limit), floats rounded."""
    from altair.utils.data import to_values

    return to_values(rounded(data) if isinstance(data, pd.DataFrame) else data)
