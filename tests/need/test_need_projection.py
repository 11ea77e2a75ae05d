"""Projection of population and modelled need (seed method M11): proportions held fixed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from needsbook.chapters import need
from needsbook.errors import InputError
from needsbook.need import DeprivationGradientModel
from needsbook.need.projection import band_growth, project_need, project_populations


def _projections(factor_by_year: dict[int, float]) -> pd.DataFrame:
    rows = [
        ("X", year, age, 100.0 * f) for year, f in factor_by_year.items() for age in range(0, 25)
    ]
    return pd.DataFrame(rows, columns=["area_code", "year", "age", "persons"])


LSOAS = pd.DataFrame({"lsoa11_code": ["A", "B", "C"], "imd_decile": [1, 5, 10]})
POPS = pd.DataFrame(
    [(c, b, p) for c, p in zip("ABC", (300, 200, 100), strict=True) for b in ("0-4", "5-10")],
    columns=["lsoa11_code", "band", "population"],
)


def test_uniform_growth_keeps_the_need_share_constant() -> None:
    growth = band_growth(_projections({2020: 1.0, 2021: 1.1, 2025: 0.8}), "X", 2020, [2021, 2025])
    assert growth.set_index("year").loc[2025].tolist() == pytest.approx([0.8] * 4)
    props = DeprivationGradientModel().proportions(LSOAS, bands=["0-4", "5-10"])
    projected = project_populations(
        POPS.astype({"population": float}), growth[["year", "0-4", "5-10"]]
    )
    out = project_need(props, projected).set_index(["year", "group"])
    assert out.loc[(2021, "need"), "percent"] == pytest.approx(out.loc[(2025, "need"), "percent"])
    assert out.loc[(2025, "need"), "children"] == pytest.approx(
        out.loc[(2021, "need"), "children"] * 0.8 / 1.1
    )
    total = sum(
        out.loc[(2025, g), "children"] for g in ("good", "additional", "extra", "intensive")
    )
    assert total == pytest.approx(600 * 0.8 * 2)


def test_growth_is_relative_to_the_base_year_and_checks_years() -> None:
    proj = _projections({2020: 1.0, 2022: 1.5})
    growth = band_growth(proj, "X", 2020, [2020, 2022]).set_index("year")
    assert growth.loc[2020].tolist() == pytest.approx([1.0] * 4)
    assert growth.loc[2022, "11-15"] == pytest.approx(1.5)
    with pytest.raises(InputError, match=r"no population projections for X in \[2030\]"):
        band_growth(proj, "X", 2020, [2030])


def test_projection_section_runs_from_data_year_to_horizon(snap: Path) -> None:
    ch = need.build("E06000017", 2024, snap, observed=28.4)
    t = ch.section("projection").table
    assert list(t["Year"]) == list(range(2024, 2030))
    shares = [c for c in t.columns if c.endswith(": %") and "Needing any" not in c]
    assert t[shares].sum(axis=1).tolist() == pytest.approx([100.0] * len(t))
    groups = [c for c in t.columns if c.endswith(": children") and "Needing any" not in c]
    assert t[groups].sum(axis=1).tolist() == pytest.approx(t["Children aged 0-19"].tolist())


def test_horizon_is_bounded_by_the_projections(snap: Path) -> None:
    ch = need.build("E06000017", 2024, snap, horizon=2060, observed=28.4)
    assert ch.section("projection").table["Year"].max() == 2043
