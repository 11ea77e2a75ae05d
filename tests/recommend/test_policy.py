"""The national policy context (data/policy/policy.yml): it loads, every entry is dated and
linked, and a broken file gives errors naming the entry and the field."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

from needsbook.errors import DataError
from needsbook.recommend.policy import check_policy, date_label, default_path, load_policy

EXPECTED = {
    "working_together_2023": ("Department for Education", "15 December 2023"),
    "families_first": (
        "Department for Education",
        "published 20 March 2025, updated 26 March 2026",
    ),
    "family_hubs_start_for_life": (
        "Department for Education and Department of Health and Social Care",
        "8 August 2022",
    ),
    "supporting_families_outcomes": (
        "Department for Levelling Up, Housing and Communities",
        "2 April 2022",
    ),
}


@pytest.fixture(scope="module")
def doc() -> dict:
    return yaml.safe_load(default_path().read_text(encoding="utf-8"))


def test_the_policy_documents_with_publishers_and_dates() -> None:
    found = load_policy()
    assert {k: (p.publisher, p.dated) for k, p in found.items()} == EXPECTED
    for p in found.values():
        assert p.url.startswith("https://www.gov.uk/government/publications/")
        assert 200 < len(p.summary) < 800, p.id
        assert not any(sign in p.summary for sign in ("%", "£", "[", "§")), p.id


def test_date_labels() -> None:
    assert date_label("2023-12-15") == "15 December 2023"
    assert date_label("2025-03") == "March 2025"


def _broken(doc: dict, edit) -> list[str]:
    bad = copy.deepcopy(doc)
    edit(bad["policies"])
    return check_policy(bad)[1]


def test_problems_name_the_entry_and_field(doc) -> None:
    def edit(items):
        items[0]["published"] = "March 2025"
        items[0]["url"] = "http://example.org"
        items[1]["updated"] = dt.date(2020, 1, 1)
        del items[2]["summary"]
        items[3]["id"] = items[0]["id"]
        items[3]["note"] = "x"

    assert _broken(doc, edit) == [
        "policy 'families_first', field 'published': 'March 2025' is not a YYYY-MM-DD or "
        "YYYY-MM date",
        "policy 'families_first', field 'url': must start with https://",
        "policy 'working_together_2023', field 'updated': is before the date published",
        "policy 'family_hubs_start_for_life', field 'summary': missing or empty",
        "policy 'families_first', field 'id': duplicate id",
        "policy 'families_first', field '(entry)': unknown field(s) ['note']",
    ]


def test_load_policy_raises_one_error(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("policies: [unclosed")
    with pytest.raises(DataError, match="cannot read the policy list"):
        load_policy(path)
    path.write_text(yaml.safe_dump({"policies": [{"id": "x"}]}))
    with pytest.raises(DataError, match="policy 'x', field 'title': missing or empty"):
        load_policy(path)
