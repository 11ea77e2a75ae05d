"""Outcome-star domain scores, the expected score from deprivation, and the IMD scores of areas
created after IMD 2019."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from needsbook.data import load_table
from needsbook.outcomes.compare import benchmarks
from needsbook.outcomes.stars import (
    DERIVED,
    FILE11,
    area_domain_scores,
    domain_scores,
    imd_average_scores,
)

NEW_AREAS = ["E06000061", "E06000062", "E06000063", "E06000064"]


def test_imd_scores_published_where_they_exist_and_derived_for_new_areas() -> None:
    imd = imd_average_scores().set_index("area_code")
    assert len(imd) == 153
    summary = load_table("imd_utla_summary").set_index("area_code")
    published = imd[imd["imd_source"] == FILE11]
    assert len(published) == 149
    assert published["imd_score"].to_dict() == pytest.approx(
        summary.loc[published.index, "imd_average_score"].astype(float).to_dict()
    )
    derived = imd[imd["imd_source"] == DERIVED]
    assert sorted(derived.index) == NEW_AREAS
    assert derived["imd_score"].between(10, 35).all()


def test_derived_imd_scores_reproduce_the_published_ones() -> None:
    imd = imd_average_scores().set_index("area_code")
    summary = load_table("imd_utla_summary").set_index("area_code")
    published = imd[imd["imd_source"] == FILE11]
    error = (published["imd_estimate"] - published["imd_score"]).abs()
    assert error.mean() < 0.3
    assert error.max() < 1.5
    # the former counties, rebuilt from their successors, match their published scores
    for old, new in (("E10000006", NEW_AREAS[2:]), ("E10000021", NEW_AREAS[:2])):
        parts = imd.loc[new]
        rebuilt = np.average(parts["imd_estimate"], weights=parts["population"])
        assert rebuilt == pytest.approx(float(summary.loc[old, "imd_average_score"]), abs=0.3)


def test_domain_score_is_the_mean_signed_z_against_england() -> None:
    b = benchmarks(2024)
    d = area_domain_scores("E10000034", 2024).set_index("domain")
    zs = []
    for ind in ("lait:FSP_NEW_GOODDEV", "lait:FSP_NEW_COMMS"):  # both high is good
        part = b[b["indicator_id"] == ind]
        me = part[part["area_code"] == "E10000034"].iloc[0]
        zs.append((me["value"] - me["england"]) / part["value"].std())
    assert d.loc["early_development", "score"] == pytest.approx(np.mean(zs))
    assert d.loc["early_development", "n_indicators"] == 2
    # low is good: a lower rate than England gives a positive score
    part = b[b["indicator_id"] == "lait:CMH_0-17yrs"]
    me = part[part["area_code"] == "E10000034"].iloc[0]
    expected = -(me["value"] - me["england"]) / part["value"].std()
    assert d.loc["mental_health", "score"] == pytest.approx(expected)
    assert expected > 0


def test_expected_scores_are_least_squares_fits_on_deprivation() -> None:
    d = domain_scores(2024)
    assert len(d) == 153 * 8
    for _, part in d.groupby("domain"):
        fit = part.dropna(subset=["score", "imd_score"])
        residuals = fit["score"] - fit["expected"]
        assert residuals.mean() == pytest.approx(0, abs=1e-9)
        assert (residuals * fit["imd_score"]).sum() == pytest.approx(0, abs=1e-6)
        assert 0 <= part["r_squared"].iloc[0] <= 1
        assert part["n_fit"].iloc[0] == len(fit) >= 140


def test_new_and_tiny_areas() -> None:
    cumberland = area_domain_scores("E06000063", 2024)
    assert cumberland["expected"].notna().all()
    assert (cumberland["imd_source"] == DERIVED).all()
    city = area_domain_scores("E09000001", 2024)
    empty = city[city["n_indicators"] == 0]
    assert len(empty) >= 3
    assert empty["score"].isna().all()
    assert isinstance(city, pd.DataFrame) and len(city) == 8
