"""The templates ship no partial rows: an empty template is its header alone (the register
alone lists the area's districts for the analyst to add centres to), and every row of the
worked examples is complete."""

from __future__ import annotations

import csv
from pathlib import Path

from needsbook import paths
from needsbook.areas import all_areas, resolve_area
from needsbook.local import TEMPLATES, write_templates
from needsbook.local.write import template_rows

REGISTER = "children_centres_register"


def test_only_the_register_is_prefilled_for_any_area() -> None:
    areas = all_areas()
    assert len(areas) == 153
    for area in areas:
        for name, t in TEMPLATES.items():
            rows = template_rows(area, name)
            if name != REGISTER:
                assert rows == [], (area.code, name)
                continue
            # one row per district, naming it; the centre and note are left to the analyst
            assert rows == [[d, "", ""] for _, d in area.districts], area.code
            assert t.column_names == ["district", "centre", "note"]


def test_written_templates_are_their_headers(tmp_path: Path) -> None:
    area = resolve_area("Rutland")
    write_templates(area, tmp_path)
    for name, t in TEMPLATES.items():
        lines = (tmp_path / t.file).read_text().splitlines()
        assert lines[0] == ",".join(t.column_names), name
        expected = [f"{d},," for _, d in area.districts] if name == REGISTER else []
        assert lines[1:] == expected, name
    assert (tmp_path / "eha_assessments.csv").read_text() == (
        "period,provider,district,imd_quintile,assessments\n"
    )


def test_every_worked_example_row_is_complete() -> None:
    files = sorted((paths.default_data_dir() / "examples").glob("*/*.csv"))
    assert {f.stem for f in files} >= {"eha_assessments", "local_offer", REGISTER}
    for path in files:
        t = TEMPLATES[path.stem]
        with path.open(newline="") as f:
            header, *rows = list(csv.reader(f))
        assert header == t.column_names, path
        assert rows, f"{path}: no data rows"
        for line, row in enumerate(rows, start=2):
            assert len(row) == len(header), f"{path}:{line}: {len(row)} fields"
            blank = [c.name for c, v in zip(t.columns, row, strict=True) if not v.strip()]
            required = [c for c in blank if t.column(c).required]
            assert required == [], f"{path}:{line}: required {required} left blank"
            assert len(blank) < len(row) - 1, f"{path}:{line}: a partial row"
