"""Deprivation profile, the pluggable model of need for preventive help, and its projection.

``estimate_need(area, year)`` applies the default open model (for each age band an outcome fitted
across England on neighbourhood deprivation domains and area type, calibrated to the area's own
observed value) to the area's LSOAs; ``need_share_by_quintile(area, year)`` says where that need
falls by national IMD quintile. A council's own shares can replace the model
(:class:`SharesModel`).
"""

from needsbook.need.estimate import (
    NeedEstimate,
    Observation,
    estimate_need,
    need_share_by_quintile,
    observed_not_gld,
)
from needsbook.need.local_model import SharesModel
from needsbook.need.model import (
    AGE_BANDS,
    GROUP_LABELS,
    GROUPS,
    NEED_GROUPS,
    DeprivationGradientModel,
    NeedModel,
)
from needsbook.need.open_model import OutcomeModel, open_model

__all__ = [
    "AGE_BANDS",
    "GROUPS",
    "GROUP_LABELS",
    "NEED_GROUPS",
    "DeprivationGradientModel",
    "NeedEstimate",
    "NeedModel",
    "Observation",
    "OutcomeModel",
    "SharesModel",
    "estimate_need",
    "need_share_by_quintile",
    "observed_not_gld",
    "open_model",
]
