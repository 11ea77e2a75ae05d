"""End to end, offline: fetch from recorded APIs -> rebuild the snapshot -> validate -> a book.

The recorded responses here are full-size: the Fingertips export is the real one in the raw
folder (``dfe_csc/la_hospital_admissions_2324.csv.gz``) plus a 2024/25 release, and the EES CLA
data set is the real raw file plus a 2026 release and a revised 2025 value for Rutland, so
that every chapter has the data it expects.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from needsbook.cli import main
from needsbook.snapshot.manifest import read_manifest

from .conftest import CLA_DS, RAW, SNAPSHOT, Routes, ok

pytestmark = [
    pytest.mark.slow,
    pytest.mark.needs_raw,
    pytest.mark.skipif(not RAW.is_dir(), reason=f"raw data not found at {RAW}"),
]


def fingertips_release() -> bytes:
    """The real 90284 export, parents re-pointed to regions, plus a 2024/25 period."""
    d = pd.read_csv(RAW / "dfe_csc/la_hospital_admissions_2324.csv.gz", dtype=str)
    new = d[d["Time period"] == "2023/24"].copy()
    new["Time period"] = "2024/25"
    new["Time period Sortable"] = "20240000"
    rutland = (
        (new["Area Code"] == "E06000017") & (new["Sex"] == "Persons") & new["Category Type"].isna()
    )
    new.loc[rutland, ["Value", "Count"]] = ["63.0", "37"]
    new.loc[rutland, ["Lower CI 95.0 limit", "Upper CI 95.0 limit"]] = ["44.4", "86.9"]
    new.loc[rutland, ["Lower CI 99.8 limit", "Upper CI 99.8 limit"]] = ["36.1", "102.2"]
    return pd.concat([d, new]).to_csv(index=False).encode()


def cla_release() -> bytes:
    raw = (RAW / "dfe_csc/cla_number_and_rate_per_10k_children.csv").read_bytes()
    d = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    new = d[d["time_period"] == "2025"].copy()
    new["time_period"] = "2026"
    rev = (
        (d["time_period"] == "2025")
        & (d["new_la_code"] == "E06000017")
        & (d["population_type"] == "Children looked after on 31 March each year")
    )
    d.loc[rev, "children_count"] = str(int(d.loc[rev, "children_count"].iloc[0]) + 4)
    return b"\xef\xbb\xbf" + pd.concat([new, d]).to_csv(index=False).encode()


def test_fetch_rebuild_validate_and_build_a_book(
    routes: Routes,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    national_requests: list[Path],
) -> None:
    data = tmp_path / "data"
    shutil.copytree(SNAPSHOT, data / "snapshot")
    routes.add("/api/all_data/csv/by_indicator_id", ok(fingertips_release()), indicator_ids="90284")
    routes.add(f"/statistics/v1/data-sets/{CLA_DS}/csv", ok(cla_release()))

    # 1. fetch
    code = main(["fetch", "--data-dir", str(data), "--indicators", "90284,93085", "ees:cla"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "3 of 3 items fetched" in err
    assert re.search(r"ok +ft:90284 .*: [\d,]+ rows, 151 UTLAs, 2011-2025 \(15 periods\)", out)

    # 2. rebuild from the cache; the report comes before the snapshot is replaced
    code = main(["snapshot", "--from-cache", "--data-dir", str(data)])
    out, err = capsys.readouterr()
    assert code == 0, err
    report, _, written = out.partition("snapshot written to")
    assert "new indicator ft:93085 Smoking status at time of delivery" in report
    assert (
        "new periods: csc:cla_ceased_rate 2026; csc:cla_rate 2026; "
        "csc:cla_started_rate 2026; ft:90284 2024/25" in report
    )
    assert "csc:cla_rate Rutland (E06000017) 2025:" in report
    assert "unchanged (" in report and "population_syoa" in report
    assert str(data / "snapshot") in written
    assert national_requests == [data]  # then worked out beside it (recorded here)
    entries = {e.table: e for e in read_manifest(data / "snapshot")}
    assert "refreshed" in entries["indicators"].source_dataset
    ind = pd.read_parquet(data / "snapshot" / "indicators.parquet")
    rut = ind[(ind["indicator_id"] == "ft:90284") & (ind["area_code"] == "E06000017")]
    assert rut.set_index("period").loc["2024/25", "value"] == pytest.approx(63.0)
    assert ind[(ind["indicator_id"] == "ft:90284") & (ind["area_type"] == "Region")].empty
    old = pd.read_parquet(SNAPSHOT / "indicators.parquet", columns=["indicator_id", "period"])
    old_cla = old[old["indicator_id"] == "csc:cla_rate"]
    new_cla = ind[ind["indicator_id"] == "csc:cla_rate"]
    assert len(new_cla) == len(old_cla) + (old_cla["period"] == "2025").sum()
    meta = pd.read_parquet(data / "snapshot" / "indicator_meta.parquet").set_index("indicator_id")
    assert meta.loc["csc:cla_rate", "last_year"] == 2026  # derived together with indicators
    assert meta.loc["ft:90284", "last_year"] == 2025 and "ft:93085" in meta.index
    assert "ees:cla" in entries["indicator_meta"].source_dataset

    # 3. validate, 4. build one area's book from the refreshed snapshot
    assert main(["validate", "--data-dir", str(data)]) == 0
    book = tmp_path / "book"
    code = main(
        ["build", "--area", "Rutland", "--data-dir", str(data), "--out", str(book), "--quiet"]
    )
    assert code == 0, capsys.readouterr().err
    assert (book / "index.html").is_file()
    sources = (book / "book" / "data-sources.html").read_text()
    assert "refreshed" in sources and "needsbook fetch" in sources
