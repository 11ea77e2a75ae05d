"""The evidence review chapter: outcomes of concern, the searchable catalogue, the service-model
coverage from local data, for Worcestershire (with its example local data) and Rutland (none)."""

from __future__ import annotations

import re

import pytest

from needsbook.chapters import evidence
from needsbook.evidence.concerns import concerns, is_concern
from needsbook.evidence.coverage import DESCRIBED, NO_LOCAL_DATA, NOT_DESCRIBED, grid
from needsbook.evidence.search_table import searchable_table

YEAR = 2024


@pytest.fixture(scope="module")
def worcs() -> evidence.EvidenceChapter:
    return evidence.build("E10000034", YEAR)


@pytest.fixture(scope="module")
def rutland() -> evidence.EvidenceChapter:
    return evidence.build("E06000017", YEAR)


def test_outcomes_of_concern_worcestershire(worcs) -> None:
    c = worcs.concerns
    assert all(is_concern(f) for f in c.findings)
    assert len(c.findings) == 12
    assert set(c.domains) == {"abuse_neglect", "obesity_physical", "school_employment"}
    assert "lait:FSP_Gooddev_FSM" in c.indicator_ids
    s = worcs.section("domains")
    assert s.summary.startswith(
        "In Worcestershire, 12 outcome indicators are worse than England or getting worse, 5 of "
        "them in the outcome domains abuse and neglect, obesity and physical health and school "
        "and employment."
    )
    row = s.table.set_index("Outcome domain").loc["Abuse and neglect"]
    assert row["Of concern"] == "Yes"
    assert (row["Entries: strong"], row["Entries: all"]) == (5, 17)
    assert (
        "children on child protection plans (49.8 per 10,000 aged 0-17, 31 March 2024)"
        in (row["Findings of concern"])
    )
    assert s.chart is not None


def test_searchable_table_worcestershire(worcs) -> None:
    html = worcs.programmes_html
    assert html.count('<tr id="programme-') == 65
    assert len(re.findall(r'data-concern="1"', html)) == 36
    assert '<label for="nb-programmes-q">' in html and 'type="search"' in html
    assert '<label for="nb-programmes-all">' in html
    assert '<caption id="nb-programmes-caption">Evidence catalogue for Worcestershire' in html
    assert 'role="status"' in html and "<script>" in html
    assert '<th scope="col">Strength of evidence</th>' in html
    t = worcs.section("programmes").table
    assert list(t.columns[:3]) == ["Programme", "Type", "Life stages"]
    assert t["Matches an outcome of concern"].tolist()[:36] == ["Yes"] * 36
    fnp = t.set_index("id").loc["family_nurse_partnership"]
    assert fnp["Check before use"].startswith("Out of date:")
    assert fnp["Rating source and date"].startswith("seed 001 Appendix 1 (PPET), c. 2015; ")
    assert "(EIF Guidebook, to verify)" in fnp["Evidence rating"]
    summary = worcs.section("programmes").summary
    assert "It is not a recommendation to commission it here" in summary


def test_service_model_worcestershire_describes_cells_from_local_data(worcs) -> None:
    t = worcs.section("service_model").table
    assert len(t) == 16
    described = t[t["Local data"] == DESCRIBED]
    assert len(described) == 10
    cell = t[(t["Level"] == "Targeted") & (t["Life stage"] == "Antenatal (pregnancy)")]
    assert cell["Local services described"].item() == "specialist midwifery"
    universal = t[t["Level"] == "Universal"]
    assert universal["Local data"].tolist() == [
        NOT_DESCRIBED,
        DESCRIBED,
        NOT_DESCRIBED,
        NOT_DESCRIBED,
    ]
    assert "does not mean the area does not provide the service" in (
        worcs.section("service_model").summary
    )
    new_baby = t[(t["Level"] == "Universal") & (t["Life stage"] == "Early years (0-5)")]
    assert "New baby review (new birth visit)" in new_baby["Mandated contacts"].item()


def test_rutland_has_no_local_data(rutland) -> None:
    t = rutland.section("service_model").table
    assert set(t["Local data"]) == {NO_LOCAL_DATA}
    assert rutland.section("service_model").summary.startswith(
        "No local service data was supplied for Rutland"
    )
    assert len(re.findall(r'data-concern="1"', rutland.programmes_html)) == 11
    contacts = rutland.section("contacts").table
    assert (contacts["Mandated"] == "Yes").sum() == 5


def test_grid_marks_only_the_cells_a_template_describes() -> None:
    g = grid(["eha_assessments"]).set_index(["level", "life_stage"])["status"]
    assert g[("targeted", "0-5")] == DESCRIBED
    assert g[("targeted", "12-19")] == DESCRIBED
    assert g[("targeted", "antenatal")] == NOT_DESCRIBED
    assert (g == DESCRIBED).sum() == 3
    assert set(grid(None)["status"]) == {NO_LOCAL_DATA}
    assert set(grid([])["status"]) == {NOT_DESCRIBED}


def test_no_concerns_opens_on_the_whole_catalogue() -> None:
    assert not concerns([])
    import pandas as pd

    html = searchable_table(
        pd.DataFrame({"Programme": ["A"], "x": [1]}), ["a"], [False], "c", False
    )
    assert 'data-concerns="0"' in html and '<th scope="row">A</th>' in html
