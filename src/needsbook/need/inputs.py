"""Read the snapshot tables the need chapter uses into one LSOA table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from needsbook.data import load_table
from needsbook.errors import DataError
from needsbook.need.deprivation import quintile
from needsbook.need.model import AGE_BANDS

# LSOA population columns for each age band of the model (see :func:`add_school_bands`).
BAND_COLUMNS = {"0-4": "pop_0_4", "5-10": "pop_5_10", "11-15": "pop_11_15", "16-19": "pop_16_19"}


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
        pop[
            [
                "lsoa11_code",
                "pop_0_4",
                "pop_5_9",
                "pop_10_14",
                "pop_15_17",
                "pop_18_19",
                "pop_15_19",
                "pop_0_17",
                "pop_0_19",
            ]
        ],
        on="lsoa11_code",
        how="left",
        validate="one_to_one",
    )
    if out["pop_0_19"].isna().any():
        raise DataError(f"lsoa_population has no mid-{pop_year} figures for some LSOAs")
    for c in ["pop_0_4", "pop_5_9", "pop_10_14", "pop_15_19", "pop_0_17", "pop_0_19"]:
        out[c] = out[c].astype("int64")
    out = add_school_bands(out, pop_year, data_dir)
    out["imd_decile"] = out["imd_decile"].astype("int64")
    out["imd_quintile"] = quintile(out["imd_decile"])
    out.attrs["population_year"] = pop_year
    return out


def add_school_bands(lsoas: pd.DataFrame, year: int, data_dir: Path | str | None) -> pd.DataFrame:
    """Add ``pop_5_10``, ``pop_11_15`` and ``pop_16_19`` (the model's school-phase age bands),
    and ``pop_16_17`` and ``pop_10_17`` (the ages two of its outcomes cover).

    LSOA estimates come in five-year bands (10-14, 15-17), so the age-10 share of each LSOA's
    10-14 year olds and the age-15 share of its 15-17 year olds are taken from its area's ONS
    single-year-of-age estimate for the same (or nearest) year.
    """
    syoa = load_table("population_syoa", data_dir)
    syoa = syoa[syoa["area_type"] == "UTLA"]
    years = sorted(int(y) for y in syoa["year"].unique())
    use = min(years, key=lambda y: abs(y - int(year)))
    by_age = syoa[syoa["year"] == use].pivot_table(
        index="area_code", columns="age", values="population", aggfunc="sum"
    )
    s10 = by_age[10] / by_age[[10, 11, 12, 13, 14]].sum(axis=1)
    s15 = by_age[15] / by_age[[15, 16, 17]].sum(axis=1)
    share10 = lsoas["utla_code"].map(s10).fillna(0.2).to_numpy()
    share15 = lsoas["utla_code"].map(s15).fillna(1 / 3).to_numpy()
    p15_17 = lsoas["pop_15_17"].to_numpy(dtype="float64")
    p10_14 = lsoas["pop_10_14"].to_numpy(dtype="float64")
    lsoas = lsoas.copy()
    lsoas["pop_5_10"] = lsoas["pop_5_9"] + share10 * p10_14
    lsoas["pop_11_15"] = (1 - share10) * p10_14 + share15 * p15_17
    lsoas["pop_16_19"] = (1 - share15) * p15_17 + lsoas["pop_18_19"]
    lsoas["pop_16_17"] = (1 - share15) * p15_17
    lsoas["pop_10_17"] = p10_14 + p15_17
    return lsoas


def area_rows(national: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """The rows of a national LSOA table in one current UTLA (DataError if none)."""
    out = national[national["utla_code"] == area_code].reset_index(drop=True)
    if out.empty:
        raise DataError(f"no LSOAs for {area_code} in imd2019_lsoa11")
    out.attrs = dict(national.attrs)
    return out


def area_lsoas(area_code: str, year: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """The LSOAs of one current UTLA (see :func:`england_lsoas`)."""
    return area_rows(england_lsoas(year, data_dir), area_code)


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
