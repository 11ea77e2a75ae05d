"""Read the snapshot tables the need chapter uses into one LSOA table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.data import load_table
from needsbook.errors import DataError
from needsbook.need.deprivation import quintile
from needsbook.need.model import AGE_BANDS

# LSOA population columns for each age band of the model (15-19 = 15-17 + 18-19).
BAND_COLUMNS = {"0-4": "pop_0_4", "5-9": "pop_5_9", "10-14": "pop_10_14", "15-19": "pop_15_19"}


def lsoa_year(year: int, data_dir: Path | str | None = None) -> int:
    """The LSOA population year to use for a data year: the latest at or before it (else the
    earliest available)."""
    years = sorted(int(y) for y in load_table("lsoa_population", data_dir)["year"].unique())
    earlier = [y for y in years if y <= int(year)]
    return earlier[-1] if earlier else years[0]


def england_lsoas(year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Every English LSOA11 with district, UTLA, IMD 2019 rank/decile/quintile and populations
    (``pop_0_4`` ... ``pop_15_19``, ``pop_0_17``, ``pop_0_19``) for :func:`lsoa_year`."""
    pop_year = lsoa_year(year, data_dir)
    imd = load_table("imd2019_lsoa11", data_dir)
    pop = load_table("lsoa_population", data_dir)
    pop = pop[pop["year"] == pop_year].copy()
    pop["pop_15_19"] = pop["pop_15_17"] + pop["pop_18_19"]
    cols = ["lsoa11_code", "lsoa11_name", "lad_code", "utla_code", "imd_rank", "imd_decile"]
    out = imd[cols].merge(
        pop[["lsoa11_code", *BAND_COLUMNS.values(), "pop_0_17", "pop_0_19"]],
        on="lsoa11_code",
        how="left",
        validate="one_to_one",
    )
    if out["pop_0_19"].isna().any():
        raise DataError(f"lsoa_population has no mid-{pop_year} figures for some LSOAs")
    for c in [*BAND_COLUMNS.values(), "pop_0_17", "pop_0_19"]:
        out[c] = out[c].astype("int64")
    out["imd_decile"] = out["imd_decile"].astype("int64")
    out["imd_quintile"] = quintile(out["imd_decile"])
    out.attrs["population_year"] = pop_year
    return out


def area_lsoas(area_code: str, year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """The LSOAs of one current UTLA (see :func:`england_lsoas`)."""
    eng = england_lsoas(year, data_dir)
    out = eng[eng["utla_code"] == area_code].reset_index(drop=True)
    if out.empty:
        raise DataError(f"no LSOAs for {area_code} in imd2019_lsoa11")
    out.attrs = dict(eng.attrs)
    return out


def band_populations(lsoas: pd.DataFrame) -> pd.DataFrame:
    """Long populations: ``lsoa11_code, band, population`` for the model's age bands."""
    long = lsoas.melt(
        id_vars=["lsoa11_code"],
        value_vars=[BAND_COLUMNS[b] for b in AGE_BANDS],
        var_name="band",
        value_name="population",
    )
    long["band"] = long["band"].map({v: k for k, v in BAND_COLUMNS.items()})
    long["population"] = long["population"].astype("float64")
    return long
