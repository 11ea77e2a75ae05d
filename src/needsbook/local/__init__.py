"""Local service data: templates, validation and the service-provision analyses (issue 6)."""

from needsbook.local.analysis import (
    cc_area_reach,
    cc_reach,
    centres_without_deprived_lsoa,
    eha_shares,
    family_outcomes_cumulative,
    fold_change,
    group_share,
    hv_coverage,
    publishable,
    rate_per_1000,
    specialist_midwifery_coverage,
    targeting_ratios,
)
from needsbook.local.example import example_dir
from needsbook.local.templates import TEMPLATES, Template, suite_for
from needsbook.local.validate import LocalData, check_folder, load_local
from needsbook.local.write import write_templates

__all__ = [
    "TEMPLATES",
    "LocalData",
    "Template",
    "cc_area_reach",
    "cc_reach",
    "centres_without_deprived_lsoa",
    "check_folder",
    "eha_shares",
    "example_dir",
    "family_outcomes_cumulative",
    "fold_change",
    "group_share",
    "hv_coverage",
    "load_local",
    "publishable",
    "rate_per_1000",
    "specialist_midwifery_coverage",
    "suite_for",
    "targeting_ratios",
    "write_templates",
]
