"""`needsbook validate --local-dir`: the local data only, the build's report, exit 0 or 2;
the generated READMEs document every rule; the templates ship no partial rows."""

from __future__ import annotations

import shutil
from pathlib import Path

from needsbook.cli import main
from needsbook.local import TEMPLATES, example_dir, write_templates
from needsbook.local.example import PREAMBLE
from needsbook.local.rules import TEXT_MAX_CHARS
from needsbook.local.write import index_readme, readme_name, template_readme


def test_valid_folder_prints_the_report_and_exits_0(capsys):
    assert main(["validate", "--local-dir", str(example_dir())]) == 0
    out = capsys.readouterr().out
    assert "E10000034: valid: 6 templates with data (eha_assessments.csv," in out
    assert "not supplied: eha_reasons.csv, health_visiting_reviews.csv" in out
    assert "4 warnings" in out
    assert "  warning: eha_assessments.csv: period 2013-08/2015-03: rows by imd_quintile" in out
    assert "snapshot" not in out.lower()  # the snapshot is not validated


def test_header_only_templates_are_reported_as_not_used(tmp_path: Path, capsys):
    folder = tmp_path / "E06000017"
    write_templates("E06000017", folder)  # every template, header only
    assert main(["validate", "--local-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    empty = "header only, so left out of the book: "
    assert f"E06000017: valid: no template holds data yet; {empty}" in out
    assert "eha_assessments.csv" in out.split(empty)[1]


def test_invalid_folder_lists_every_problem_and_exits_2(example_copy: Path, capsys):
    (example_copy / "children_centres.xlsx").write_bytes(b"PK")
    path = example_copy / "specialist_midwifery.csv"
    path.write_text(path.read_text().replace("2013-14,450,6000,4", "2099-00,450,1e300,4,"))
    assert main(["validate", "--local-dir", str(example_copy)]) == 2
    err = capsys.readouterr().err
    assert "(4 problem(s); nothing was used)" in err
    for fragment in (
        "children_centres.xlsx: a spreadsheet",
        "specialist_midwifery.csv: row 2: a comma after the last column",
        "specialist_midwifery.csv: column 'period', row 2: must be a period",
        "specialist_midwifery.csv: column 'births', row 2: must be at most 10,000,000",
    ):
        assert fragment in err, err
    assert "Traceback" not in err


def test_area_from_option_or_folder_name(tmp_path: Path, capsys):
    plain = tmp_path / "worcs csvs"
    shutil.copytree(example_dir(), plain)
    assert main(["validate", "--local-dir", str(plain)]) == 2
    assert "say which area the data are for with --area" in capsys.readouterr().err
    assert main(["validate", "--local-dir", str(plain), "--area", "Worcestershire"]) == 0
    capsys.readouterr()
    parent = tmp_path / "all areas"
    shutil.copytree(example_dir(), parent / "E10000034")
    assert main(["validate", "--local-dir", str(parent), "--area", "E10000034"]) == 0
    assert "E10000034: valid: 6 templates with data" in capsys.readouterr().out
    assert main(["validate", "--local-dir", str(tmp_path / "nowhere"), "--area", "E10000034"]) == 2
    assert "folder does not exist" in capsys.readouterr().err


def test_area_without_local_dir_is_refused(capsys):
    assert main(["validate", "--area", "E10000034"]) == 2
    assert "--area applies to --local-dir" in capsys.readouterr().err


def test_example_readmes_are_generated_from_the_specs():
    """Regenerate with `python -m needsbook.local` after changing templates.py."""
    from needsbook.areas import resolve_area

    folder = example_dir()
    assert (folder / "README.md").read_text() == index_readme(resolve_area("E10000034"), PREAMBLE)
    for t in TEMPLATES.values():
        assert (folder / readme_name(t.name)).read_text() == template_readme(t, PREAMBLE), t.name


def test_readmes_document_formats_ceilings_and_text_rules():
    text = template_readme(TEMPLATES["eha_assessments"])
    row = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")}
    assert "financial or academic year (`2014-15`)" in row["`period`"]
    assert "years from 2000 to next year" in row["`period`"]
    assert "whole number from 0 to 1,000,000" in row["`assessments`"]
    assert "2 x the area's resident 0-19 population x the years" in row["`assessments`"]
    assert f"text of at most {TEXT_MAX_CHARS} characters" in row["`provider`"]
    assert "no tabs, line breaks, control, invisible formatting or private-use" in row["`provider`"]
    hv = template_readme(TEMPLATES["health_visiting_reviews"])
    assert "a quarter `YYYY-Qn`, e.g. `2014-Q3`" in hv
    for t in TEMPLATES.values():  # a pipe inside a rule would break the Markdown table
        for line in template_readme(t).splitlines():
            if line.startswith("| `"):
                assert line.count("|") - line.count("\\|") == 5, line


def test_unitary_templates_have_no_stray_rows(tmp_path: Path):
    write_templates("Rutland", tmp_path)
    assert (tmp_path / "eha_assessments.csv").read_text() == (
        "period,provider,district,imd_quintile,assessments\n"
    )
    assert (tmp_path / "children_centres_register.csv").read_text().splitlines()[1:] == [
        "Rutland,,"
    ]
