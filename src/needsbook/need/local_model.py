"""A council's own need model, supplied as shares per LSOA and age band (``need_model.csv``).

A council may hold its own model of need (e.g. a commercial tool scoring births). It supplies
that model's % of children likely to need additional, extra and intensive preventive help for
every 2011 LSOA of the area and age band, in the ``need_model`` local data template; the book
then uses those shares, as supplied, in place of its default model in every chapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from needsbook.errors import InputError
from needsbook.formatting import percent
from needsbook.need.model import AGE_BANDS, GROUPS, NEED_GROUPS

#: Supplied by: how the chapter and the parameters name who supplied the model.
SUPPLIER = "the council"


@dataclass(frozen=True, eq=False)
class SharesModel:
    """A need model given as shares: one row per (``lsoa11_code``, ``band``) with the
    proportion (0-1) of children in each of :data:`NEED_GROUPS`; the rest are ``good``."""

    name: str
    shares: pd.DataFrame = field(repr=False)
    supplier: str = SUPPLIER

    def __post_init__(self) -> None:
        cols = ["lsoa11_code", "band", *NEED_GROUPS]
        missing = [c for c in cols if c not in self.shares]
        if missing:
            raise InputError(f"council need model: the shares lack column(s) {missing}")
        values = self.shares[list(NEED_GROUPS)].to_numpy(dtype="float64")
        if np.isnan(values).any() or (values < 0).any() or (values.sum(axis=1) > 1 + 1e-9).any():
            raise InputError(
                "council need model: every share must be a proportion, the three adding to at "
                "most 1"
            )
        if self.shares.duplicated(["lsoa11_code", "band"]).any():
            raise InputError("council need model: an LSOA and age band appears more than once")

    def proportions(self, lsoas: pd.DataFrame, bands: Sequence[str] = AGE_BANDS) -> pd.DataFrame:
        """The supplied shares for ``lsoas`` and ``bands`` (``good`` = 1 - the three)."""
        want = pd.DataFrame(
            [(code, band) for band in bands for code in lsoas["lsoa11_code"]],
            columns=["lsoa11_code", "band"],
        )
        out = want.merge(
            self.shares[["lsoa11_code", "band", *NEED_GROUPS]],
            on=["lsoa11_code", "band"],
            how="left",
            validate="one_to_one",
        )
        gaps = out[out[list(NEED_GROUPS)].isna().any(axis=1)]
        if len(gaps):
            shown = "; ".join(f"{r.lsoa11_code} {r.band}" for r in gaps.head(10).itertuples())
            raise InputError(
                f"council need model ({self.name}): no shares for {len(gaps)} LSOA and age "
                f"band pair(s): {shown}"
            )
        out["good"] = (1 - out[list(NEED_GROUPS)].sum(axis=1)).clip(lower=0.0)
        return out[["lsoa11_code", "band", *GROUPS]]

    def calibrate(self, *_args: object, **_kwargs: object) -> SharesModel:
        """The model unchanged: a council's model is used as supplied, not calibrated."""
        return self

    def parameters(self) -> pd.DataFrame:
        """What the model is, who supplied it, what it covers, and its mean % per band."""
        need = self.shares.assign(need=self.shares[list(NEED_GROUPS)].sum(axis=1) * 100)
        bands = [b for b in AGE_BANDS if b in set(need["band"])]
        bands += sorted(set(need["band"]) - set(bands))
        rows = [
            (
                "Model",
                self.name,
                f"The need model supplied by {self.supplier} in place of the book's own model.",
            ),
            (
                "Supplied by",
                self.supplier,
                "Its shares are used as supplied: not calibrated to the area's observed "
                "outcomes, and with no 95% intervals.",
            ),
            (
                "Neighbourhoods (LSOAs) covered",
                f"{need['lsoa11_code'].nunique():,}",
                "2011 LSOAs with shares for every age band.",
            ),
            ("Age bands covered", ", ".join(bands), "Age bands in years."),
        ]
        for band in bands:
            mean = float(need.loc[need["band"] == band, "need"].mean())
            rows.append(
                (
                    f"Mean % needing help, age {band}",
                    percent(mean),
                    "Average over the neighbourhoods (not weighted by children) of the supplied "
                    "% likely to need additional, extra or intensive preventive help.",
                )
            )
        return pd.DataFrame(rows, columns=["Parameter", "Value", "Meaning"])


def shares_model(table: pd.DataFrame) -> SharesModel:
    """A :class:`SharesModel` from a validated ``need_model`` table (percentages)."""
    from needsbook.local.templates import NEED_MODEL_PERCENTS

    names = table["model"].dropna().astype(str).unique()
    if len(names) != 1:
        raise InputError("need_model.csv: column 'model' must name one model in every row")
    shares = pd.DataFrame(
        {
            "lsoa11_code": table["lsoa11_code"].astype(str).to_numpy(),
            "band": table["band"].astype(str).to_numpy(),
        }
    )
    for group, column in NEED_MODEL_PERCENTS.items():
        shares[group] = pd.to_numeric(table[column]).to_numpy(dtype="float64") / 100
    return SharesModel(name=str(names[0]), shares=shares)


def load_local_model(
    local_dir: Path | str | None,
    area_code: str,
    data_dir: Path | str | None = None,
) -> SharesModel | None:
    """The council's need model from the area's local folder (``--local-dir``, else
    ``data/local/<area code>/``), or None when it supplies none (no ``need_model.csv``, or
    only its header). The whole folder is validated first: any problem is an InputError.
    The shares are used as supplied, for any data year."""
    from needsbook.local import load_local
    from needsbook.local.folder import local_folder
    from needsbook.local.templates import NEED_MODEL, TEMPLATES

    folder = local_folder(area_code, local_dir or None, data_dir)
    if folder is None or not (folder / TEMPLATES[NEED_MODEL].file).is_file():
        return None
    table = load_local(folder, area_code, data_dir).tables.get(NEED_MODEL)
    if table is None or table.empty:
        return None
    return shares_model(table)
