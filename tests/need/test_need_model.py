"""The open need model: group shares, thresholds, calibration and plugging in another model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special

from needsbook.errors import InputError
from needsbook.need import DeprivationGradientModel, NeedModel
from needsbook.need.model import (
    GROUPS,
    INTENSIVE_THRESHOLD,
    PREVIEW_INTENSIVE,
    PREVIEW_NEED,
    need_counts,
)

DECILES = pd.DataFrame({"lsoa11_code": [f"L{k}" for k in range(1, 11)], "imd_decile": range(1, 11)})


def test_group_shares_sum_to_one_and_follow_deprivation() -> None:
    model = DeprivationGradientModel()
    props = model.proportions(DECILES, bands=["0-4"])
    assert np.allclose(props[list(GROUPS)].sum(axis=1), 1.0)
    assert (props[list(GROUPS)] >= 0).all().all()
    need = 1 - props["good"]
    assert need.is_monotonic_decreasing  # decile 1 (most deprived) needs most
    intensive_share_of_need = props["intensive"] / need
    assert intensive_share_of_need.is_monotonic_decreasing  # intensive need is steeper


def test_national_gradient_matches_the_published_table() -> None:
    # book/methods/need-model.md: share not reaching GLD by decile from the fitted gradient.
    table = DeprivationGradientModel().decile_table()
    published = [41.3, 39.6, 38.0, 36.4, 34.8, 33.2, 31.6, 30.1, 28.6, 27.2]
    assert list(table["Needing any preventive help (%)"].round(1)) == published


def test_intensive_threshold_reproduces_the_preview_split() -> None:
    model = DeprivationGradientModel()
    mean = special.ndtri(PREVIEW_NEED)
    shares = model.group_shares(np.array([mean]))[0]
    assert 1 - shares[0] == pytest.approx(0.48)
    assert shares[3] == pytest.approx(PREVIEW_INTENSIVE, abs=5e-4)  # threshold rounded to 2 dp
    assert model.extra_threshold == pytest.approx(INTENSIVE_THRESHOLD / 2)


def test_calibration_hits_the_target_exactly() -> None:
    rng = np.random.default_rng(7)
    lsoas = pd.DataFrame(
        {"lsoa11_code": [f"L{i}" for i in range(200)], "imd_decile": rng.integers(1, 11, 200)}
    )
    weights = pd.Series(rng.integers(20, 200, 200).astype(float))
    for target in (0.05, 0.324, 0.6):
        model = DeprivationGradientModel().calibrate(lsoas, weights, target, label="test")
        props = model.proportions(lsoas, bands=["0-4"])
        achieved = np.dot(weights, 1 - props["good"]) / weights.sum()
        assert achieved == pytest.approx(target, abs=1e-12)
        assert model.calibration == "test"
        assert model.slope == DeprivationGradientModel().slope  # only the intercept moves


def test_calibration_rejects_bad_targets_and_weights() -> None:
    model = DeprivationGradientModel()
    w = pd.Series([1.0] * 10)
    with pytest.raises(InputError, match=r"proportion in \(0, 1\), got 32.4"):
        model.calibrate(DECILES, w, 32.4)
    with pytest.raises(InputError, match="one non-negative number per LSOA"):
        model.calibrate(DECILES, w[:3], 0.3)
    with pytest.raises(InputError, match="0 < extra_threshold < intensive_threshold"):
        DeprivationGradientModel(extra_threshold=1.2, intensive_threshold=1.1)
    with pytest.raises(InputError, match="'imd_decile' must be 1-10"):
        model.proportions(DECILES.assign(imd_decile=[0, *range(2, 11)]))


def test_age_shift_changes_only_its_band() -> None:
    model = DeprivationGradientModel(age_shift={"16-19": -0.2})
    props = model.proportions(DECILES).set_index(["lsoa11_code", "band"])
    assert props.loc[("L1", "0-4"), "good"] == props.loc[("L1", "5-10"), "good"]
    assert props.loc[("L1", "16-19"), "good"] > props.loc[("L1", "0-4"), "good"]


def test_parameters_are_published_with_meanings() -> None:
    p = DeprivationGradientModel().parameters()
    assert list(p.columns) == ["Parameter", "Value", "Meaning"]
    assert {
        "Intercept (probit)",
        "Slope per IMD decile (probit)",
        "Threshold: intensive help",
    } <= set(p["Parameter"])
    assert p["Meaning"].str.len().gt(20).all()


def test_need_counts_multiply_and_check_populations() -> None:
    props = DeprivationGradientModel().proportions(DECILES.head(2), bands=["0-4"])
    pops = pd.DataFrame({"lsoa11_code": ["L1", "L2"], "band": "0-4", "population": [100.0, 0.0]})
    counts = need_counts(props, pops)
    assert counts[list(GROUPS)].sum(axis=1).tolist() == pytest.approx([100.0, 0.0])
    with pytest.raises(InputError, match="have no population"):
        need_counts(props, pops.head(1))


class FlatModel:
    """A stand-in for a local model: the same shares everywhere."""

    name = "flat"

    def proportions(self, lsoas: pd.DataFrame, bands=("0-4", "5-10", "11-15", "16-19")):
        rows = [
            {
                "lsoa11_code": c,
                "band": b,
                "good": 0.7,
                "additional": 0.2,
                "extra": 0.06,
                "intensive": 0.04,
            }
            for b in bands
            for c in lsoas["lsoa11_code"]
        ]
        return pd.DataFrame(rows)

    def calibrate(self, lsoas, weights, target, label=""):
        return self

    def parameters(self) -> pd.DataFrame:
        return pd.DataFrame({"Parameter": ["flat"], "Value": [0.3], "Meaning": ["all the same"]})


def test_another_model_plugs_in() -> None:
    assert isinstance(DeprivationGradientModel(), NeedModel)
    assert isinstance(FlatModel(), NeedModel)
