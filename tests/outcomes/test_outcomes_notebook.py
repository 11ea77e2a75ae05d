"""Execute the outcomes notebook with papermill for a tiny and a new area (slow).

Worcestershire and Rutland are executed and re-run by nbval in ``make test``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from needsbook import paths
from needsbook.build.execute import execute_notebook

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("code", "name", "charts"),
    [
        ("E06000053", "Isles of Scilly", 6),
        ("E06000063", "Cumberland", 6),
    ],
)
def test_notebook_executes_and_shows_every_section(
    tmp_path: Path, code: str, name: str, charts: int
) -> None:
    out = tmp_path / "03_outcomes.ipynb"
    template = paths.repo_root() / "notebooks" / "03_outcomes.ipynb"
    execute_notebook(
        template, out, {"area_code": code, "year": 2024, "data_dir": "", "local_dir": ""}
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(
        str(o.get("data", {}).get("text/markdown", ""))
        + str(o.get("data", {}).get("text/html", ""))
        for o in outputs
    )
    assert f"{name} has data for" in text
    assert text.count("altair-viz-") >= charts
    assert text.count("needsbook-table") >= 7
    # parameters and setup cells are hidden in the book
    tags = [c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code"]
    assert all("remove-cell" in t for t in tags[:3])  # parameters, injected, setup
