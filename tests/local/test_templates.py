"""Templates: specs, generated suites and READMEs, and `needsbook local-template`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from needsbook import paths
from needsbook.cli import main
from needsbook.errors import InputError
from needsbook.local import TEMPLATES, example_dir, load_local, suite_for, write_templates
from needsbook.local.write import readme_name


def test_committed_suites_match_specs():
    for t in TEMPLATES.values():
        on_disk = json.loads((paths.expectations_dir() / "local" / f"{t.name}.json").read_text())
        assert on_disk == suite_for(t), f"regenerate expectations/local/{t.name}.json"


def test_suites_load_in_great_expectations():
    from needsbook.validate.runner import load_suite

    for t in TEMPLATES.values():
        load_suite(t.name, suite_for(t))


def test_example_readmes_describe_every_column_and_the_2015_source():
    assert example_dir().parts[-2:] == ("examples", "E10000034")  # not picked up by default
    top = (example_dir() / "README.md").read_text()
    assert "Early Help Needs Assessment* (2015)" in top and "100.28%" in top
    assert "--local-dir data/examples/E10000034" in top and "historical context" in top
    assert "shared/spec" not in top and "section 8.4" not in top
    for t in TEMPLATES.values():
        text = (example_dir() / readme_name(t.name)).read_text()
        assert "transcribed for demonstration" in text
        for c in t.columns:
            assert f"| `{c.name}` |" in text


def test_local_template_cli_writes_and_refuses_to_overwrite(tmp_path: Path, capsys):
    out = tmp_path / "worcs"
    assert main(["local-template", "--area", "Worcestershire", "--out", str(out)]) == 0
    for t in TEMPLATES.values():
        header = (out / t.file).read_text().splitlines()[0]
        assert header == ",".join(t.column_names)
        assert (out / readme_name(t.name)).is_file()
    assert (out / "README.md").is_file()
    # only the register is pre-filled (one row per district); the EHA template is the header
    # alone (its key has four parts: pre-filled district rows were stray partial rows)
    assert (out / "eha_assessments.csv").read_text() == ",".join(
        TEMPLATES["eha_assessments"].column_names
    ) + "\n"
    lines = (out / "children_centres_register.csv").read_text().splitlines()
    assert lines[1:] == [
        f"{d},,"
        for d in ("Bromsgrove", "Malvern Hills", "Redditch", "Worcester", "Wychavon", "Wyre Forest")
    ]
    (out / "eha_assessments.csv").write_text("kept\n")
    assert main(["local-template", "--area", "Worcestershire", "--out", str(out)]) == 2
    assert "use --force" in capsys.readouterr().err
    assert (out / "eha_assessments.csv").read_text() == "kept\n"
    assert main(["local-template", "--area", "E10000034", "--out", str(out), "--force"]) == 0
    assert (out / "eha_assessments.csv").read_text().startswith("period,")


def test_refusal_writes_nothing(tmp_path: Path):
    (tmp_path / "README.md").write_text("mine")
    with pytest.raises(InputError, match=r"README\.md"):
        write_templates("Rutland", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


def test_empty_templates_validate_as_empty(tmp_path: Path):
    write_templates("Worcestershire", tmp_path)
    data = load_local(tmp_path, "Worcestershire")
    assert all(len(df) == 0 for df in data.tables.values())
    assert data.missing == [] and data.warnings == []


def test_districts_accepted_by_code_and_normalised(example_copy: Path):
    path = example_copy / "children_centres_register.csv"
    path.write_text(path.read_text().replace("\nRedditch,Cherry Trees", "\nE07000236,Cherry Trees"))
    data = load_local(example_copy, "E10000034")
    reg = data["children_centres_register"]
    assert reg.loc[reg.centre == "Cherry Trees", "district"].item() == "Redditch"
