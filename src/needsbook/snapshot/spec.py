"""What a snapshot table is: its name, how to derive it from raw data, and where it came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

OGL = "Open Government Licence v3.0"

# Column names shared by every table that carries confidence intervals (and by needsbook.stats).
CI_COLUMNS = ("lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8")

# The long indicator table's columns, in order (Fingertips-compatible).
INDICATOR_COLUMNS = (
    "indicator_id",  # str, e.g. "lait:InfMort", "csc:cla_rate", "cover:MMR1_24m", "ft:90284"
    "indicator_name",  # str
    "area_code",  # str, ONS GSS code (current code where the crosswalk maps it)
    "area_name",  # str
    "area_type",  # "England" | "Region" | "UTLA" | "Former UTLA" | "DfE combined unit"
    "parent_code",  # str | NA: region code for UTLAs, E92000001 for regions, NA for England
    "period",  # str, the publisher's label, e.g. "2023/24", "2024"
    "year",  # Int64: the calendar year the period ends in (for sorting and --year)
    "period_type",  # "calendar year" | "financial year" | "academic year" | "quarter" | ...
    "value",  # float
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",  # float | NA
    "count",  # float | NA (numerator)
    "denominator",  # float | NA
    "polarity",  # one of the catalogue's polarity words (data/indicators.yml)
    "unit",  # e.g. "per 10,000 aged 0-17", "%", "per 1,000 live births", "score"
    "value_type",  # "proportion" | "crude rate" | "count" | "mean" | "score" | "ratio" | ...
    "source",  # short source label, e.g. "DfE LAIT", "DfE CLA", "UKHSA COVER"
    "area_code_original",  # str: the code as published (differs when recoded)
    "series_break",  # str | NA: why this row is not comparable with earlier ones
)


@dataclass(frozen=True)
class TableSpec:
    """A snapshot table: derived from ``raw_dir`` by ``build``; provenance goes in the MANIFEST."""

    name: str
    description: str
    source_dataset: str
    publisher: str
    source_files: tuple[str, ...]
    build: Callable[[Path], pd.DataFrame]
    period_column: str | None = None
    licence: str = OGL
    key: tuple[str, ...] = field(default_factory=tuple)
