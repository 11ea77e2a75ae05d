"""Reproduce the national deprivation gradient behind the default need model.

Data (all in ``../shared/data-raw``): DfE EYFS profile 2021/22 district results (children assessed
and children reaching a good level of development, GLD), MHCLG IMD 2019 LSOA deciles, ONS mid-2020
LSOA populations aged 0-4 and ONS's LSOA 2011 -> LAD 2021 lookup (the EYFSP districts are 2021/22
districts).

Model: for district d with share w[d, k] of its 0-4 year olds living in LSOAs of national IMD
decile k, the expected share not reaching GLD is sum_k w[d, k] * Phi(a + b * (k - 5.5)). ``a`` and
``b`` minimise the squared error over districts, each weighted by its binomial precision
n / (p (1 - p)). This is an *ecological* fit (area mixes, not children), which is also how the model
is used: it predicts the share of children in an area, not any one child's outcome.

Run ``python -m needsbook.need.fit`` to print the fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, special

from needsbook.need.model import DECILE_CENTRE

EYFSP = "dfe_send/eyfsp_headline_measures_2022.csv.gz"
IMD2019 = "imd/imd2019_england_lsoa11.csv.gz"
POP2020 = "ons_population/population20_lsoa11.csv.gz"
LOOKUP = "geography/lookups/lsoa11_to_lad_utla_2018_2023_ew.csv.gz"


@dataclass(frozen=True)
class GradientFit:
    intercept: float
    slope: float
    n_districts: int
    r_squared: float
    england_observed: float  # share not reaching GLD, all fitted districts
    england_modelled: float

    def decile_shares(self) -> np.ndarray:
        k = np.arange(1, 11)
        return special.ndtr(self.intercept + self.slope * (k - DECILE_CENTRE))


def district_inputs(raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(districts with n and share not at GLD, 0-4 population share by IMD decile per district)."""
    raw_dir = Path(raw_dir)
    ey = pd.read_csv(raw_dir / EYFSP, dtype=str)
    ey = ey[
        ey["geographic_level"].eq("Local authority district")
        & ey["characteristic"].eq("Total")
        & ey["gender"].eq("Total")
    ]
    n = pd.to_numeric(ey["children_number"], errors="coerce")
    gld = pd.to_numeric(ey["gld_number"], errors="coerce")
    districts = pd.DataFrame(
        {"lad_code": ey["lad_code"].to_numpy(), "n": n.to_numpy(), "gld": gld.to_numpy()}
    ).dropna()
    districts["not_gld"] = 1 - districts["gld"] / districts["n"]

    lk = pd.read_csv(raw_dir / LOOKUP, dtype=str, usecols=["LSOA11CD", "LAD21CD"])
    imd = pd.read_csv(raw_dir / IMD2019, usecols=["lsoa11_code", "IMD_decile"])
    pop = pd.read_csv(raw_dir / POP2020, usecols=["lsoa11_code", "0", "1", "2", "3", "4"])
    pop["pop_0_4"] = pop[["0", "1", "2", "3", "4"]].sum(axis=1)
    lsoa = (
        lk.rename(columns={"LSOA11CD": "lsoa11_code"})
        .merge(imd, on="lsoa11_code")
        .merge(pop[["lsoa11_code", "pop_0_4"]], on="lsoa11_code")
    )
    mix = lsoa.pivot_table(
        index="LAD21CD", columns="IMD_decile", values="pop_0_4", aggfunc="sum", fill_value=0
    ).reindex(columns=range(1, 11), fill_value=0)
    mix = mix.div(mix.sum(axis=1), axis=0)
    districts = districts[districts["lad_code"].isin(mix.index)].reset_index(drop=True)
    return districts, mix.loc[districts["lad_code"]]


def fit_gradient(raw_dir: Path) -> GradientFit:
    """Fit the two-parameter probit gradient (see the module docstring)."""
    districts, mix = district_inputs(raw_dir)
    w = mix.to_numpy()
    y = districts["not_gld"].to_numpy()
    n = districts["n"].to_numpy()
    scale = np.sqrt(n / (y * (1 - y)))
    k = np.arange(1, 11) - DECILE_CENTRE

    def residuals(theta: np.ndarray) -> np.ndarray:
        return (w @ special.ndtr(theta[0] + theta[1] * k) - y) * scale

    theta = optimize.least_squares(residuals, x0=[0.0, 0.0]).x
    fitted = w @ special.ndtr(theta[0] + theta[1] * k)
    r2 = 1 - float(np.sum((fitted - y) ** 2) / np.sum((y - y.mean()) ** 2))
    return GradientFit(
        intercept=float(theta[0]),
        slope=float(theta[1]),
        n_districts=len(districts),
        r_squared=r2,
        england_observed=float(1 - districts["gld"].sum() / n.sum()),
        england_modelled=float(np.dot(n, fitted) / n.sum()),
    )


if __name__ == "__main__":  # pragma: no cover
    from needsbook import paths

    fit = fit_gradient(paths.default_raw_dir())
    print(fit)
    print("share not at GLD by IMD decile 1-10:", np.round(fit.decile_shares() * 100, 1))
