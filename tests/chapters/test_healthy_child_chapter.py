"""The Healthy Child Programme page: the levels by life stage, the mandated reviews with the
engine's values and verdicts (and the council's coverage when supplied, small numbers hidden),
the pathways with links to the outcomes chapter, and the health visitor's roles; for areas at
the edges of the data, with and without local data."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from needsbook.chapters import healthy_child as hc
from needsbook.chapters.display import table_html
from needsbook.errors import DataError
from needsbook.offer import hcp as model
from needsbook.outcomes.findings import findings
from needsbook.testing.reader_text import check_text

YEAR = 2025
AREAS = {"E10000034": "Worcestershire", "E06000017": "Rutland", "E06000053": "Isles of Scilly"}
ROOT = Path(__file__).resolve().parents[2]
OPEN_IDS = ["lait:6wksBreast", "cover:DTaPIPVHib3_12m", "lait:HCP_PHOF", "cover:MMR1_24m"]
#: quarter, review, completed, due (the new birth visit of 2024-Q3 is 3 of 4: not shown)
HV_ROWS = [  # small enough for the Isles of Scilly's ceilings
    ("2024-Q2", "antenatal", 12, 20),
    ("2024-Q3", "antenatal", 14, 20),
    ("2024-Q3", "new_birth_14_days", 3, 4),
    ("2024-Q3", "6_8_weeks", 17, 20),
    ("2024-Q3", "12_months", 18, 20),
    ("2024-Q3", "2_2_5_years", 0, 20),
]


@functools.cache
def chapter(code: str, local: str | None = None) -> hc.HealthyChildChapter:
    return hc.build(code, YEAR, local_dir=local)


def hv_folder(root: Path, code: str) -> Path:
    folder = root / code
    folder.mkdir(parents=True)
    with (folder / "health_visiting_reviews.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["quarter", "review", "completed", "due"])
        w.writerows(HV_ROWS)
    return folder


@pytest.fixture(scope="module")
def local_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hcp-local")
    for code in AREAS:
        hv_folder(root, code)
    return root


@pytest.mark.parametrize("code", list(AREAS))
def test_without_local_data_every_review_has_its_open_data_or_says_none(code: str) -> None:
    c = chapter(code)
    assert [s.key for s in c.sections] == ["levels", "contacts", "pathways", "roles"]
    t = c.section("contacts").table
    assert list(dict.fromkeys(t["Review"])) == [
        "Antenatal review (health promoting review)",
        "New baby review (new birth visit)",
        "6-8 week assessment",
        "1-year assessment",
        "2-2½ year review (integrated review)",
    ]
    none = t[t["Kind"] == hc.NONE]
    assert list(none["Review"]) == [
        "Antenatal review (health promoting review)",
        "New baby review (new birth visit)",
    ]
    local = t[t["Kind"] == hc.LOCAL]
    assert len(local) == 5 and (local["Compared with England"] == "Not supplied").all()
    assert (
        local["How it relates to the review"]
        .str.endswith("Health visiting mandated reviews: completed and due, by quarter")
        .all()
    )
    # every open value, England value and verdict is the engine's
    items = {f.indicator_id: f for f in findings(code, YEAR)}
    opened = t[t["Kind"] == hc.OPEN].reset_index(drop=True)
    assert list(opened["Measure"]) == [items[i].name for i in OPEN_IDS]
    for i, row in opened.iterrows():
        f = items[OPEN_IDS[i]]
        assert row["Compared with England"] == f.label
        assert row["Period"] == f.period
        assert row["Source"] == f.indicator.source
        for col, want in (("Value", f.value), ("England", f.england)):
            assert (pd.isna(row[col]) and want is None) or row[col] == pytest.approx(want, 1e-12)
    summary = c.section("contacts").summary
    assert "Open data bears on 3 of them through 4 indicators" in summary
    assert "no open figure on the antenatal review and new baby review" in summary
    assert "health visiting records were not supplied" in summary
    for i in OPEN_IDS:
        assert items[i].sentence in summary  # the engine's own sentence
    assert c.section("contacts").chart is not None  # England's values at least


def test_worcestershire_values_and_isles_of_scilly_has_no_data() -> None:
    w = chapter("E10000034").section("contacts").table.set_index("Measure")
    breast = w.loc["Breastfeeding at 6-8 weeks"]
    assert (breast["Value"], breast["England"]) == (pytest.approx(48.97), pytest.approx(52.71))
    assert breast["Compared with England"] == "Middle 20%"
    assert w.loc["MMR first dose at 24 months", "Compared with England"] == "Better"
    s = chapter("E06000053").section("contacts").table
    assert s.loc[s["Kind"] == hc.OPEN, "Value"].isna().all()
    assert (s.loc[s["Kind"] == hc.OPEN, "Compared with England"] == "No data").all()
    assert (
        "Breastfeeding at 6-8 weeks: no data for Isles of Scilly"
        in chapter("E06000053").section("contacts").summary
    )


@pytest.mark.parametrize("code", list(AREAS))
def test_with_local_data_each_review_shows_its_latest_coverage(code: str, local_root: Path) -> None:
    c = chapter(code, str(local_root))
    t = c.section("contacts").table
    local = t[t["Kind"] == hc.LOCAL].set_index("Review")
    assert local.loc["Antenatal review (health promoting review)", "Value"] == pytest.approx(70.0)
    assert local.loc["Antenatal review (health promoting review)", "Period"] == "2024 quarter 3"
    assert pd.isna(local.loc["New baby review (new birth visit)", "Value"])  # 3 of 4: hidden
    assert local.loc["6-8 week assessment", "Value"] == pytest.approx(85.0)
    assert local.loc["1-year assessment", "Value"] == pytest.approx(90.0)
    assert local.loc["2-2½ year review (integrated review)", "Value"] == 0.0  # zero is shown
    assert (local["Compared with England"] == "No national figure").all()
    assert (local["Source"] == "the health-visiting service's mandated review records").all()
    summary = c.section("contacts").summary
    assert (
        "in time in the latest quarter (2024 quarter 3): antenatal review 70.0%, new" not in summary
    )
    assert (
        "in time in the latest quarter (2024 quarter 3): antenatal review 70.0%, 6-8 week"
        in summary
    )
    assert "1 is not shown (fewer than 5)" in summary
    assert "75.0" not in summary and "75.0" not in t.to_string()  # 3 of 4 never shown
    chart = c.section("contacts").chart.to_dict()
    values = chart["datasets"][next(iter(chart["datasets"]))]
    assert {v["Series"] for v in values} >= {f"{AREAS[code]} (local)", "England"}


def test_old_local_data_is_marked_historical(tmp_path: Path) -> None:
    folder = tmp_path / "E06000017"
    folder.mkdir()
    (folder / "health_visiting_reviews.csv").write_text(
        "quarter,review,completed,due\n2014-Q3,antenatal,14,20\n"
    )
    t = hc.build("E06000017", YEAR, local_dir=folder).section("contacts").table
    row = t[(t["Kind"] == hc.LOCAL) & t["Value"].notna()].iloc[0]
    assert row["Period"] == "2014 quarter 3 (historical context)"


def test_levels_grid_reads_the_service_model() -> None:
    hcp = model.load_hcp()
    g = chapter("E06000017").section("levels").table
    assert list(g["Level"]) == [
        "Community",
        "Universal",
        "Universal Plus",
        "Universal Partnership Plus",
    ]
    assert list(g["Name in the current model"]) == [
        "Community",
        "Universal",
        "Targeted",
        "Specialist",
    ]
    assert list(g.columns) == [
        "Level",
        "Name in the current model",
        "Pregnancy (midwives and health visitors)",
        "0-5 years (health visiting service)",
        "5-19 years (school nursing service)",
        "Source",
        "Also described in",
    ]
    grid = {(x["level"], x["life_stage"]): x["offer"] for x in hcp.model["grid"]}
    universal = g.set_index("Level").loc["Universal"]
    assert universal["0-5 years (health visiting service)"] == grid[("universal", "0-5")]
    # school nursing spans the service model's 5-11 and 12-19, named where they differ
    assert universal["5-19 years (school nursing service)"] == (
        f"School age (5-11): {grid[('universal', '5-11')]}; "
        f"Adolescence (12-19): {grid[('universal', '12-19')]}"
    )
    specialist = g.set_index("Level").loc["Universal Partnership Plus"]
    assert specialist["5-19 years (school nursing service)"] == grid[("specialist", "5-11")]
    assert g["Source"].map(lambda s: ";" not in s).all()  # one publication per row


def test_pathways_link_to_where_the_outcomes_chapter_reports_them() -> None:
    c = chapter("E10000034")
    p = c.section("pathways").table
    assert len(p) == 8 and p["Pathway"].iloc[0] == "Antenatal"
    assert set(p["Levels"]) == {"Universal Plus and Universal Partnership Plus"}
    links = dict(zip(p["Pathway"], c.pathway_links, strict=True))
    assert links["Safeguarding"][0] == (
        "Children in need",
        "03_outcomes.html#children-in-need-on-child-protection-plans-and-looked-after",
    )
    assert (
        "Breastfeeding at 6-8 weeks",
        "03_outcomes.html#what-the-indicators-show-by-life-stage",
    ) in (links["Nutritional Healthy Start"])
    assert links["Parenting Support"] == []
    row = p.set_index("Pathway").loc["Parenting Support"]
    assert row["Outcome indicators in this book"] == "None in this book"
    # the anchors are the outcomes chapter's headings
    nb = json.loads((ROOT / "notebooks" / "03_outcomes.ipynb").read_text())
    headings = {
        "".join(cell["source"]).strip() for cell in nb["cells"] if cell["cell_type"] == "markdown"
    }
    for heading in hc.OUTCOMES_HEADINGS.values():
        assert f"## {heading}" in headings
    html = hc.pathways_html(c.section("pathways"), c.pathway_links)
    assert "<a href='03_outcomes.html#what-the-indicators-show-by-life-stage'>" in html
    assert html.count("<tr>") == 9


def test_pathway_html_escapes_text() -> None:
    section = chapter("E06000017").section("pathways")
    table = section.table.copy()
    table.loc[0, "Pathway"] = "<script>x</script>"
    hostile = hc.Section("pathways", "t", "s", table)
    html = hc.pathways_html(hostile, [[("<b>", "03_outcomes.html#x'onmouseover='y")]] + [[]] * 7)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "onmouseover='y" not in html


def test_roles_and_reader_text() -> None:
    c = chapter("E10000034")
    roles = c.section("roles").table
    assert len(roles) == 5
    assert roles["Role"].iloc[1] == "The named health visitor in each Sure Start Children's Centre"
    assert (
        roles["Source"] == "Department of Health (2009) Getting it right for children and families"
    ).all()
    texts = [*c.key_findings]
    for s in c.sections:
        texts += [s.title, s.summary, s.source, *s.notes, *map(str, s.table.columns)]
        texts += [str(v) for v in s.table.to_numpy().ravel() if isinstance(v, str)]
        texts.append(table_html(s.table, s.title))
    problems = [p for t in texts for p in check_text("healthy child", t)]
    assert problems == [], problems[:3]


def test_the_file_is_checked(tmp_path: Path) -> None:
    raw = yaml.safe_load(model.default_path().read_text())
    raw["pathways"][0]["source"] = ["nowhere"]
    raw["pathways"][1]["indicators"] = ["lait:NotAnIndicator"]
    raw["contact_measures"][0]["review"] = "antenatal_contact"
    raw["offer_levels"].reverse()
    bad = tmp_path / "hcp.yml"
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(DataError) as err:
        model.load_hcp(bad)
    message = str(err.value)
    assert "source 'nowhere' is not a service model publication" in message
    assert "indicator 'lait:NotAnIndicator' is not in the catalogue" in message
    assert "reviews must be the template's" in message
    assert "offer_levels must be the template's levels, in order" in message
