"""Local data has a date: the same figures are historical context (no findings, headlines or
rules) when they end more than HISTORICAL_AFTER_YEARS (three) years before the book's data
year, and evidence about services now when they are recent. Empty templates count as present
but empty."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from IPython.display import Markdown

from needsbook.chapters import services
from needsbook.local import example_dir, write_templates
from needsbook.services.findings import service_findings
from needsbook.summary.headlines import service_headlines
from tests.local.shift import shift_folder

CODE, YEAR = "E10000034", 2025


def _local(items) -> list[str]:
    return [f.key for f in items if not f.key.startswith("demand:")]


@pytest.fixture(scope="module")
def old_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worked example's 2013-2015 figures in an ordinary local data folder."""
    folder = tmp_path_factory.mktemp("old") / CODE
    shutil.copytree(example_dir(), folder)
    return folder


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory: pytest.TempPathFactory, old_folder: Path) -> Path:
    """The 2013-2015 figures, except specialist midwifery moved to 2023-24."""
    folder = tmp_path_factory.mktemp("mixed") / CODE
    shutil.copytree(old_folder, folder)
    recent = shift_folder(old_folder, tmp_path_factory.mktemp("mixed-src") / CODE, 10)
    shutil.copy(recent / "specialist_midwifery.csv", folder / "specialist_midwifery.csv")
    return folder


def test_old_data_gives_no_finding_or_headline(old_folder):
    items = service_findings(CODE, YEAR, local_dir=old_folder)
    assert _local(items) == []
    assert all(h.chapter == "05_services" for h in service_headlines(items, len(items)))
    assert not [h for h in service_headlines(items, len(items)) if "2013" in h.period]


def test_the_same_data_in_recent_periods_gives_findings(recent_example):
    items = service_findings(CODE, YEAR, local_dir=recent_example)
    assert set(_local(items)) == {
        "eha_targeting:most_deprived_40",
        "eha_targeting:least_deprived_40",
        "eha_outcome_measure",
        "cc_reach:all",
        "cc_reach:most_deprived_30",
        "cc_no_deprived_lsoa",
        "specialist_midwifery_coverage",
    }
    heads = service_headlines(items, len(items))
    reach = [h for h in heads if h.sentence.startswith("Children's centres saw 56%")]
    assert reach and reach[0].period == "2024-25"
    assert reach[0].source == "the council's children's centre attendance records"


def test_old_data_is_shown_under_a_labelled_heading(old_folder):
    chapter = services.build(CODE, YEAR, local_dir=old_folder)
    assert chapter.has_local and not chapter.is_example
    assert chapter.historical["eha_targeting"] == (
        "Historical context: early help assessments, August 2013 to March 2015"
    )
    assert chapter.historical["specialist_midwifery"] == (
        "Historical context: specialist midwifery referrals, 2013-14"
    )
    assert "local_checks" not in chapter.historical  # the checks are about the files
    assert chapter.section("cc_ofsted").title == (
        "Historical context: Children's centre reach against the Ofsted 65% benchmark"
    )
    lines = chapter.key_findings
    assert lines[0].startswith("Some local data ends more than three years before 2025")
    assert "early help assessments, August 2013 to March 2015" in lines[0]
    assert not [x for x in lines if "targeting ratio" in x or "Children's centres saw" in x]


def test_each_dataset_is_dated_on_its_own(mixed_folder):
    items = service_findings(CODE, YEAR, local_dir=mixed_folder)
    assert _local(items) == ["specialist_midwifery_coverage"]
    assert items[-1].period == "2023-24"
    chapter = services.build(CODE, YEAR, local_dir=mixed_folder)
    assert "specialist_midwifery" not in chapter.historical
    assert chapter.section("specialist_midwifery").title == (
        "Specialist midwifery coverage against need"
    )
    assert chapter.section("eha_providers").title.startswith("Historical context: ")


def test_show_part_prints_the_heading_once_per_dataset(old_folder, monkeypatch):
    shown: list[str] = []

    def display(obj: Markdown) -> None:  # the Markdown shown, without its escapes
        shown.append(obj.data.replace("\\", ""))

    monkeypatch.setattr(services, "display", display)
    monkeypatch.setattr("needsbook.chapters.display.show", lambda section: None)
    chapter = services.build(CODE, YEAR, local_dir=old_folder)
    services.show_part(chapter, "eha")
    headings = [t for t in shown if t.startswith("### ")]
    assert headings == [
        "### Historical context: early help assessments, August 2013 to March 2015",
        "### Historical context: distance travelled during early help, August 2013 to March 2015",
    ]
    assert any("do not feed the key findings, headlines or recommendations" in t for t in shown)


@pytest.fixture()
def empty_templates(tmp_path: Path) -> Path:
    folder = tmp_path / CODE
    write_templates(CODE, folder)
    return folder


def test_header_only_templates_are_present_but_empty(empty_templates, recent_example):
    shutil.copy(recent_example / "specialist_midwifery.csv", empty_templates)
    chapter = services.build(CODE, YEAR, local_dir=empty_templates)
    t = chapter.section("local_templates")
    assert t.summary.startswith(
        "1 of the 9 kinds of local service data was supplied for Worcestershire: specialist "
        "midwifery referrals. 8 templates are present but empty (no data rows), so they add "
        "nothing: early help assessments"
    )
    assert t.table["Status"].value_counts().to_dict() == {
        "Present but empty (no data rows)": 8,
        "Supplied": 1,
    }
    checks = chapter.section("local_checks").table
    assert (checks["Check"] == "Present but empty (no data rows)").sum() == 8


def test_only_empty_templates_is_no_local_data(empty_templates):
    chapter = services.build(CODE, YEAR, local_dir=empty_templates)
    assert not chapter.has_local and chapter.parts == {"templates": ["local_templates"]}
    s = chapter.section("local_templates").summary
    assert s.startswith("No local service data has been supplied for Worcestershire")
    assert "9 templates are present but empty" in s
    assert "hold no data rows" in s and "local-template" not in s  # they are there already
    assert "No local service data was supplied" in chapter.key_findings[0]
