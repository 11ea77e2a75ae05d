"""Shared helpers for the needsbook.stats tests.

Reference values are derived independently inside the tests (scipy.stats quantiles and
the formulas written out by hand), or quoted from the spec (statistics.md), which gives
about six significant figures: those are compared to half a unit in the last quoted
decimal place (see ``published``).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

REL = 1e-9


def published(text: str) -> object:
    """pytest.approx for a value quoted in the spec to the decimals shown.

    "0.036993" is matched to ±0.0000005 (half a unit in its last decimal place).
    """
    decimals = len(text.split(".")[1]) if "." in text else 0
    return pytest.approx(float(text), abs=0.5 * 10**-decimals)


def z(confidence: float) -> float:
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def wilson_by_hand(x: float, n: float, confidence: float) -> tuple[float, float]:
    """Wilson (1927) score interval, written out as in the spec (statistics.md §3.1)."""
    zz = z(confidence)
    root = zz * np.sqrt(zz**2 + 4 * x * (1 - x / n))
    return (
        (2 * x + zz**2 - root) / (2 * (n + zz**2)),
        (2 * x + zz**2 + root) / (2 * (n + zz**2)),
    )


def exact_by_chi2(x: float, confidence: float) -> tuple[float, float]:
    """Exact Poisson limits from scipy.stats.chi2.ppf (qchisq(p, 0) taken as 0)."""
    a = 1 - confidence
    lower = 0.0 if x == 0 else stats.chi2.ppf(a / 2, 2 * x) / 2
    return lower, stats.chi2.ppf(1 - a / 2, 2 * x + 2) / 2


def byars_by_hand(x: float, confidence: float) -> tuple[float, float]:
    """Byar's approximation (Breslow & Day 1987), written out."""
    zz = z(confidence)
    lower = x * (1 - 1 / (9 * x) - zz / (3 * np.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + zz / (3 * np.sqrt(x + 1))) ** 3
    return lower, upper


def poisson_by_hand(x: float, confidence: float) -> tuple[float, float]:
    return exact_by_chi2(x, confidence) if x < 10 else byars_by_hand(x, confidence)
