"""One source of truth per fact: the polarity words and each indicator's polarity, unit and name
live in the catalogue (data/indicators.yml), and the snapshot's metadata agrees with it."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from needsbook.data import load_table
from needsbook.outcomes.catalogue import default_path, load_catalogue, validate
from needsbook.polarity import vocabulary
from needsbook.services.demand import MEASURES

ROOT = Path(__file__).resolve().parents[1]


def _sources() -> list[Path]:
    files = [*(ROOT / "src").rglob("*.py"), *(ROOT / "notebooks").glob("*.ipynb")]
    files += [*(ROOT / "book").rglob("*.md"), ROOT / "_config.yml", ROOT / "_toc.yml"]
    return files


def test_polarity_words_are_written_only_in_the_catalogue() -> None:
    words = vocabulary()
    catalogue = default_path().read_text(encoding="utf-8")
    assert all(w in catalogue for w in words.values())
    needles = [words["high"], words["low"], words["none"], f'"{words["not_applicable"]}"']
    hits = [
        f"{path.relative_to(ROOT)}: {needle}"
        for path in _sources()
        if path.name != "polarity.py"  # reads the words from the catalogue
        for needle in needles
        if needle in path.read_text(encoding="utf-8")
    ]
    assert not hits, hits


def test_the_snapshot_metadata_is_the_catalogues() -> None:
    cat = load_catalogue()
    meta = load_table("indicator_meta").set_index("indicator_id")
    assert validate(cat, meta.reset_index()) == []
    for ind in (*cat.indicators, *cat.snapshot_only):
        row = meta.loc[ind.id]
        assert (row["polarity"], row["unit"], row["value_type"]) == (
            ind.polarity,
            ind.unit,
            ind.value_type,
        ), ind.id
        assert row["indicator_name"] == ind.name, ind.id


def test_every_derived_indicator_is_catalogued() -> None:
    meta = load_table("indicator_meta")
    derived = meta.loc[~meta["indicator_id"].str.startswith("lait:"), "indicator_id"]
    cat = load_catalogue()
    assert {i for i in derived if cat.entry(i) is None} == set()


def test_every_demand_finding_a_rule_names_is_a_catalogued_measure() -> None:
    """A recommendation rule citing ``demand:<key>`` must find that measure in the services
    chapter, or the rule could never fire."""
    raw = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    assert len(MEASURES) == sum("services" in e.get("use", []) for e in raw["indicators"]) == 14
    rules = (ROOT / "data" / "recommendations" / "rules.yml").read_text(encoding="utf-8")
    cited = set(re.findall(r"service: (demand:\w+)", rules))
    assert cited and cited <= {m.finding_key for m in MEASURES}
