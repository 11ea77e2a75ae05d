"""The evidence review chapter: outcomes of concern, the searchable catalogue, the service-model
coverage from local data, for Worcestershire (with its example local data) and Rutland (none)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from needsbook import paths
from needsbook.chapters import evidence
from needsbook.evidence.concerns import concerns, is_concern
from needsbook.evidence.coverage import DESCRIBED, NO_LOCAL_DATA, NOT_DESCRIBED, grid
from needsbook.evidence.search_table import searchable_table
from needsbook.testing.reader_text import check_page, check_text

YEAR = 2024


def example_local_dir() -> Path | None:
    """The folder holding Worcestershire's example local data (moved from data/local)."""
    data = paths.repo_root() / "data"
    return next(
        (d for d in (data / "examples", data / "local") if (d / "E10000034").is_dir()), None
    )


@pytest.fixture(scope="module")
def worcs() -> evidence.EvidenceChapter:
    return evidence.build("E10000034", YEAR, local_dir=example_local_dir())


@pytest.fixture(scope="module")
def rutland() -> evidence.EvidenceChapter:
    return evidence.build("E06000017", YEAR)


def test_outcomes_of_concern_worcestershire(worcs) -> None:
    c = worcs.concerns
    assert all(is_concern(f) for f in c.findings)
    assert len(c.findings) == 9  # significantly worse, worst fifth or getting worse
    assert set(c.domains) == {"abuse_neglect", "school_employment"}
    assert "lait:FSP_Gooddev_FSM" in c.indicator_ids
    s = worcs.section("domains")
    assert s.summary.startswith(
        "In Worcestershire, 9 outcome indicators are worse than England or getting worse, 3 of "
        "them in the outcome domains abuse and neglect and school and employment."
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
    assert len(re.findall(r'data-concern="1"', html)) == 32
    assert '<label for="nb-programmes-q">' in html and 'type="search"' in html
    assert '<label for="nb-programmes-all">' in html
    assert '<caption id="nb-programmes-caption">Evidence catalogue for Worcestershire' in html
    assert 'role="status"' in html and "<script>" in html
    assert '<th scope="col">Strength of evidence</th>' in html
    t = worcs.section("programmes").table
    assert list(t.columns[:3]) == ["Programme", "Type", "Description"]
    assert {"Caveat", "Cost", "Criticisms and local issues", "References"} <= set(t.columns)
    assert t["Matches an outcome of concern"].tolist()[:32] == ["Yes"] * 32
    fnp = t.set_index("id").loc["family_nurse_partnership"]
    assert fnp["Check before use"].startswith("Out of date: The 2015 assessment says the UK trial")
    assert fnp["Rating source and date"].startswith(
        "Worcestershire 2015 needs assessment, Appendix 1 (Review of Parenting Interventions), "
        "PPET rating; WHO 2009; "
    )
    assert fnp["Evidence rating"].startswith("4 stars (PPET); ")
    assert fnp["Evidence rating"].endswith("; 4+ (EIF Guidebook, not checked)")
    assert fnp["Caveat"].startswith("The UK trial (Building Blocks")
    stay = t.set_index("id").loc["stay_and_play"]
    assert stay["Strength of evidence"] == "little or no evidence"
    assert (stay["Cost"], stay["Caveat"], stay["Check before use"]) == ("Not stated", "", "No")
    summary = worcs.section("programmes").summary
    assert "It is not a recommendation to commission it here" in summary
    assert "8 entries carry a caveat" in summary


def test_page_table_fits_the_page_and_shows_the_caveat_beside_the_rating(worcs) -> None:
    html = worcs.programmes_html
    heads = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert heads == list(evidence.PAGE_WIDTHS)
    widths = [float(w) for w in re.findall(r'<col style="width: ([\d.]+)%">', html)]
    assert len(widths) == len(heads) and sum(widths) == pytest.approx(100)
    assert "table-layout: fixed" in html and "min-width" not in html
    row = re.search(r'<tr id="programme-family_nurse_partnership".*?</tr>', html).group(0)
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
    assert cells[heads.index("Strength of evidence")] == "strong"
    caveat = cells[heads.index("Caveats and checks")]
    assert caveat.startswith("Caveat: The UK trial (Building Blocks, Robling et al. 2016) found")
    assert "Check before use: The Building Blocks 2-6 follow-up" in caveat
    assert "Out of date" not in caveat  # the caveat sums it up; the download has the note
    iy = re.search(r'<tr id="programme-incredible_years".*?</tr>', html).group(0)
    assert "Rating not checked against the current EIF Guidebook" in iy


def test_chapter_text_is_reader_text(worcs) -> None:
    """No internal vocabulary on the page or in any section's download."""
    problems = check_page("08_evidence", worcs.programmes_html)
    for s in worcs.sections:
        texts = [s.summary, s.source, *s.notes, *map(str, s.table.columns)]
        texts += [str(v) for v in s.table.drop(columns="id", errors="ignore").to_numpy().ravel()]
        problems += [p for text in texts for p in check_text(s.key, text)]
    assert problems == [], problems[:5]
    domains = worcs.section("domains")
    assert "Entries: little or no evidence" in domains.table.columns
    assert "2 have little or no evidence of effectiveness" in domains.summary


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
    assert len(re.findall(r'data-concern="1"', rutland.programmes_html)) == 5
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
    assert html.count('<col style="width: 50%">') == 2
    with pytest.raises(ValueError, match="widths"):
        searchable_table(pd.DataFrame({"A": [1]}), ["a"], [False], "c", False, widths=[50, 50])
