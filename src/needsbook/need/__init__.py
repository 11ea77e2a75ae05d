"""Deprivation profile, the pluggable model of need for preventive help, and its projection.

``estimate_need(area, year)`` applies the default open model (a national deprivation gradient,
calibrated to the area's observed early-years outcome) to the area's LSOAs;
``need_share_by_quintile(area, year)`` says where that need falls by national IMD quintile.
"""

from needsbook.need.estimate import (
    NeedEstimate,
    Observation,
    estimate_need,
    need_share_by_quintile,
    observed_not_gld,
)
from needsbook.need.model import (
    AGE_BANDS,
    GROUP_LABELS,
    GROUPS,
    NEED_GROUPS,
    DeprivationGradientModel,
    NeedModel,
)

__all__ = [
    "AGE_BANDS",
    "GROUPS",
    "GROUP_LABELS",
    "NEED_GROUPS",
    "DeprivationGradientModel",
    "NeedEstimate",
    "NeedModel",
    "Observation",
    "estimate_need",
    "need_share_by_quintile",
    "observed_not_gld",
]
