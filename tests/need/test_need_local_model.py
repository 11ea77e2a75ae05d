"""A council's own need model (need_model.csv): used as supplied in place of the default, by
every chapter that estimates need, and named by the need chapter."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from needsbook.areas import resolve_area
from needsbook.chapters import need
from needsbook.errors import InputError
from needsbook.local.templates import NEED_MODEL_PERCENTS, TEMPLATES
from needsbook.local.validate import area_lsoas
from needsbook.need.estimate import area_model_lsoas, estimate_need
from needsbook.need.inputs import band_populations
from needsbook.need.local_model import SharesModel, load_local_model
from needsbook.need.model import AGE_BANDS, GROUPS, NEED_GROUPS, NeedModel

AREA = "E06000017"  # Rutland: 23 LSOAs
NAME = "PREview, 2024 births"
HEADER = TEMPLATES["need_model"].column_names


def shares_rows(codes: list[str], name: str = NAME) -> list[list[str]]:
    """Varied shares (so weighting by population matters), one row per LSOA and band."""
    rows = []
    for i, code in enumerate(codes):
        for j, band in enumerate(AGE_BANDS):
            rows.append(
                [code, band, f"{20 + 3 * (i % 7)}", f"{8 + j + i % 4}.5", f"{2 + i % 5}", name]
            )
    return rows


def write_model(folder: Path, rows: list[list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "need_model.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def codes(snap: Path) -> list[str]:
    return area_lsoas(resolve_area(AREA, snap), snap)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, codes: list[str]) -> Path:
    return write_model(tmp_path_factory.mktemp("local") / AREA, shares_rows(codes))


@pytest.fixture(scope="module")
def chapter(snap: Path, folder: Path):
    return need.build(
        AREA, 2024, snap, only=("model", "need_area", "model_deciles"), local_dir=folder
    )


def test_the_model_is_a_need_model_used_as_supplied(snap: Path, folder: Path, codes: list[str]):
    model = load_local_model(folder, AREA, snap)
    assert isinstance(model, SharesModel) and isinstance(model, NeedModel)
    assert model.name == NAME
    lsoas = area_model_lsoas(AREA, 2024, snap)
    assert model.calibrate(lsoas, lsoas["pop_0_4"], 0.5, "x") is model  # not calibrated
    props = model.proportions(lsoas)
    assert len(props) == len(codes) * len(AGE_BANDS)
    assert np.allclose(props[list(GROUPS)].sum(axis=1), 1.0)
    first = props[(props.lsoa11_code == codes[0]) & (props.band == "0-4")].iloc[0]
    assert (first["additional"], first["extra"], first["intensive"]) == (0.2, 0.085, 0.02)
    params = model.parameters()
    assert list(params.columns) == ["Parameter", "Value", "Meaning"]
    values = dict(zip(params["Parameter"], params["Value"], strict=True))
    assert values["Model"] == NAME and values["Supplied by"] == "the council"
    assert values["Neighbourhoods (LSOAs) covered"] == str(len(codes))
    assert values["Age bands covered"] == ", ".join(AGE_BANDS)
    assert {f"Mean % needing help, age {b}" for b in AGE_BANDS} <= set(values)


def test_no_model_without_a_filled_file(snap: Path, tmp_path: Path):
    assert load_local_model(tmp_path, AREA, snap) is None  # no need_model.csv
    write_model(tmp_path, [])  # header only
    assert load_local_model(tmp_path, AREA, snap) is None


def test_need_by_band_is_the_supplied_shares_weighted_by_population(
    snap: Path, folder: Path, chapter
):
    lsoas = area_model_lsoas(AREA, 2024, snap)
    pops = band_populations(lsoas)
    shares = load_local_model(folder, AREA, snap).shares
    merged = pops.merge(shares, on=["lsoa11_code", "band"], validate="one_to_one")
    merged["need"] = merged[list(NEED_GROUPS)].sum(axis=1)
    table = chapter.sections[[s.key for s in chapter.sections].index("need_area")].table
    shown = table.set_index("Age")["Needing any preventive help: %"]
    for band in AGE_BANDS:
        g = merged[merged.band == band]
        expected = float((g["need"] * g["population"]).sum() / g["population"].sum() * 100)
        assert shown[band] == pytest.approx(expected, rel=1e-12, abs=1e-12), band
    expected = float((merged["need"] * merged["population"]).sum() / merged["population"].sum())
    assert shown["0-19"] == pytest.approx(expected * 100, rel=1e-12)
    # the estimate itself is not calibrated and has no intervals
    est = estimate_need(
        AREA, 2024, snap, model=load_local_model(folder, AREA, snap), calibrate=False
    )
    assert est.observations == {} and est.observation is None
    assert est.intervals("band")[["need_lower", "need_upper"]].isna().all(axis=None)


def test_the_chapter_names_the_model_and_prints_no_nan(chapter):
    by_key = {s.key: s for s in chapter.sections}
    model = by_key["model"]
    assert NAME in model.summary and "supplied by the council" in model.summary
    assert "not calibrated" in model.summary
    assert "95% intervals are not available for a supplied model" in model.summary
    assert NAME in model.source
    for s in chapter.sections:
        text = " ".join([s.summary, s.source, *s.notes])
        assert "nan" not in text.lower().split() and "nan%" not in text.lower(), s.key
        assert "open need model" not in s.source, s.key
        assert not any("interval" in c for c in s.table.columns), s.key
    assert "95% interval" not in by_key["need_area"].summary


def test_without_the_file_the_default_model_is_used(snap: Path, tmp_path: Path):
    write_model(tmp_path, [])  # header only: the book's own model
    c = need.build(AREA, 2024, snap, only=("model",), local_dir=tmp_path)
    assert "needsbook open need model" in c.sections[0].source


def test_an_invalid_model_stops_the_chapter(snap: Path, tmp_path: Path, codes: list[str]):
    rows = shares_rows(codes)
    rows[0][2] = "95"  # 95 + 8.5 + 2 > 100
    write_model(tmp_path, rows)
    with pytest.raises(InputError, match=r"need_model\.csv: column 'percent_additional', row 2"):
        need.build(AREA, 2024, snap, only=("model",), local_dir=tmp_path)


def test_the_services_context_uses_the_same_model(snap: Path, folder: Path):
    from needsbook.services.local_sections import load_context, template_status

    ctx = load_context(resolve_area(AREA, snap), 2024, folder, snap)
    model = ctx.need.attrs["model"]
    assert isinstance(model, SharesModel) and model.name == NAME
    assert ctx.model_words == f"the council's need model ({NAME})"
    assert ctx.need_source == f"need: the council's need model ({NAME})"
    est = estimate_need(AREA, 2024, snap, model=model, calibrate=False)
    pd.testing.assert_frame_equal(ctx.need_by_band, est.by_band())
    assert "need_model" not in template_status(ctx)  # a model, not service data


def test_percent_columns_are_the_need_groups():
    assert list(NEED_MODEL_PERCENTS) == list(NEED_GROUPS)
    assert TEMPLATES["need_model"].column("band").allowed == AGE_BANDS
