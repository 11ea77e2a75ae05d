"""Public-health statistics (OHID Fingertips / PHEindicatormethods conventions).

Confidence intervals, benchmark comparisons, recent trends, quantiles, inequality indices,
funnel limits and small-number suppression, as pure vectorised functions over numbers,
numpy arrays and pandas DataFrames. See ``book/methods/statistics.md`` for the methods in
plain English.
"""

from needsbook.stats._core import (
    POLARITIES,
    byars_ci,
    ci_columns,
    exact_poisson_ci,
    normalise_confidence,
    poisson_ci,
    wilson_ci,
    z_for_confidence,
)
from needsbook.stats.compare import (
    compare_ci,
    compare_quintiles,
    compare_spc,
    compare_to_benchmark,
    spc_proportion_limits,
    spc_rate_limits,
)
from needsbook.stats.dsr import ESP2013, dobson_ci, dsr, esp2013, normalise_age_band
from needsbook.stats.funnels import funnel_limits, funnel_significance
from needsbook.stats.inequality import sii, sii_rii
from needsbook.stats.isr import isr_ci, israte, isratio
from needsbook.stats.means import mean, t_mean_ci
from needsbook.stats.proportions import proportion
from needsbook.stats.quantiles import (
    assign_quantiles,
    ntile,
    percentile_inc_quintiles,
    quantile_groups,
)
from needsbook.stats.rates import rate, rate_ci
from needsbook.stats.suppression import suppress_small_numbers
from needsbook.stats.trend import (
    TrendResult,
    recent_trend,
    trend_chi2_proportion,
    trend_label,
    trend_weighted_regression,
)

__all__ = [
    "ESP2013",
    "POLARITIES",
    "TrendResult",
    "assign_quantiles",
    "byars_ci",
    "ci_columns",
    "compare_ci",
    "compare_quintiles",
    "compare_spc",
    "compare_to_benchmark",
    "dobson_ci",
    "dsr",
    "esp2013",
    "exact_poisson_ci",
    "funnel_limits",
    "funnel_significance",
    "isr_ci",
    "israte",
    "isratio",
    "mean",
    "normalise_age_band",
    "normalise_confidence",
    "ntile",
    "percentile_inc_quintiles",
    "poisson_ci",
    "proportion",
    "quantile_groups",
    "rate",
    "rate_ci",
    "recent_trend",
    "sii",
    "sii_rii",
    "spc_proportion_limits",
    "spc_rate_limits",
    "suppress_small_numbers",
    "t_mean_ci",
    "trend_chi2_proportion",
    "trend_label",
    "trend_weighted_regression",
    "wilson_ci",
    "z_for_confidence",
]
