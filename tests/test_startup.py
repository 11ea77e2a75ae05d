"""needsbook's processes start without the IRI parser jsonschema would import (about 2 s each,
never used: Vega-Lite's schema and the notebook format's have no IRI format), and still
validate charts and notebooks in full."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import json, sys
import needsbook.build.pipeline, altair, nbformat
def fails(check):
    try:
        check()
    except Exception as e:
        return type(e).__name__
def bad_chart():
    return altair.Chart(altair.Data(values=[])).mark_point(size="big").to_dict()
def bad_notebook():
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append({"cell_type": "code", "source": 1})
    nbformat.validate(notebook)
print(json.dumps({
    "blocked": sys.modules.get("rfc3987_syntax", 0) is None,
    "chart": fails(bad_chart),
    "notebook": fails(bad_notebook),
    "good": fails(lambda: nbformat.validate(nbformat.v4.new_notebook())),
}))
"""


def test_a_build_process_goes_without_the_iri_parser_and_still_validates() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == {
        "blocked": True,
        "chart": "SchemaValidationError",
        "notebook": "NotebookValidationError",
        "good": None,
    }
