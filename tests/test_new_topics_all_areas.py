"""The new topics' analysis for every one of the 153 areas: births and ethnic group, the
Healthy Child Programme's mandated contacts, the local offer page without local data, and the
assessment factors, each with a value or a plain "no data", never an error."""

from __future__ import annotations

import pandas as pd
import pytest

from needsbook.areas import resolve_area
from needsbook.chapters import healthy_child, local_offer, population_mix
from needsbook.data import load_table
from needsbook.offer import hcp as model
from needsbook.outcomes.compare import benchmarks
from needsbook.outcomes.findings import findings

YEAR = 2025


@pytest.fixture(scope="module")
def codes() -> list[str]:
    areas = load_table("areas")
    assert len(areas) == 153
    return areas["area_code"].tolist()


def test_births_and_ethnic_group_for_every_area(codes: list[str]) -> None:
    births = load_table("births").set_index("area_code")
    for code in codes:
        area = resolve_area(code)
        section = population_mix.births(area, YEAR, None)
        if code in births.index:
            n = births.loc[code, "births"]
            assert f"{n:,.0f} babies were born" in section.summary, code
        else:
            assert "not in the data" in section.summary, code
        ethnic = population_mix.ethnicity(area, None)
        assert area.name in ethnic.summary and len(ethnic.table), code


def test_mandated_contacts_for_every_area(codes: list[str]) -> None:
    hcp = model.load_hcp()
    for code in codes:
        items = {f.indicator_id: f for f in findings(code, YEAR, None)}
        rows = healthy_child.contact_rows(hcp, items, None)
        assert len(rows) >= 5, code  # the five mandated reviews at least


def test_local_offer_page_without_local_data_for_every_area(codes: list[str]) -> None:
    for code in codes:
        chapter = local_offer.build(code, YEAR)
        assert chapter.sections and all(s.summary for s in chapter.sections), code


def test_assessment_factors_have_a_value_or_no_data_for_every_area(codes: list[str]) -> None:
    bench = benchmarks(YEAR)
    c3 = bench[bench["indicator_id"].str.startswith("c3:")]
    assert c3["indicator_id"].nunique() == 30
    per_area = c3.groupby("area_code")["value"].apply(lambda v: v.notna().sum())
    assert set(per_area.index) == set(codes)
    assert (per_area > 0).sum() >= 150  # City of London's 2024/25 counts are suppressed
    no_data = c3[c3["value"].isna()]
    assert (no_data["comparison_label"] == "No data").all()
    assert pd.api.types.is_float_dtype(c3["value"])
