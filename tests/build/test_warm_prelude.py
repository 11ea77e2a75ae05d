"""The warm kernel between notebooks: a clean namespace, the build's environment, no output
cache, and a heap frozen after each collection (:mod:`needsbook.build.heap`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from needsbook.build import batch, heap

PARAMS = "area_code = ''"
FIRST = "leftover = 1\nimport os\nos.environ['NEEDSBOOK_STALE'] = 'x'"
PROBE = (
    "import gc, json, os\n"
    "print(json.dumps({'names': sorted(n for n in dir() if not n.startswith('__')), "
    "'frozen': gc.get_freeze_count(), 'cache': get_ipython().displayhook.do_full_cache, "
    "'env': sorted(k for k in os.environ if k.startswith('NEEDSBOOK_'))}))"
)


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PARAMS, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_second_notebook_starts_clean_with_a_frozen_heap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch.shutdown_warm_kernel()
    first = _notebook(tmp_path / "first.ipynb", FIRST)
    probe = _notebook(tmp_path / "probe.ipynb", PROBE, "6 * 7")
    monkeypatch.setenv("NEEDSBOOK_KEPT", "yes")
    monkeypatch.delenv("NEEDSBOOK_STALE", raising=False)
    try:
        batch.warm_execute(first, tmp_path / "out" / "first.ipynb", {"area_code": "E06000017"})
        batch.warm_execute(probe, tmp_path / "out" / "probe.ipynb", {"area_code": "E06000017"})
    finally:
        batch.shutdown_warm_kernel()
    cells = nbformat.read(tmp_path / "out" / "probe.ipynb", as_version=4).cells
    seen = json.loads(cells[-2].outputs[0]["text"])
    # the probe's own names and the injected parameters only: nothing of the first notebook,
    # nothing of the prelude
    names = set(seen["names"])
    assert {n for n in names if not n.startswith("_")} - {
        "In",
        "Out",
        "exit",
        "get_ipython",
        "open",
        "quit",
    } == {"area_code", "target", "gc", "json", "os"}  # target: the book parameter
    assert not names & {"_gc", "_os", "_env", "_k", "k"}
    # this build's environment, the one the first notebook set gone
    assert "NEEDSBOOK_KEPT" in seen["env"] and "NEEDSBOOK_STALE" not in seen["env"]
    assert seen["env"] == sorted(k for k in os.environ if k.startswith("NEEDSBOOK_"))
    assert seen["cache"] == 0 and seen["frozen"] > 0
    # a last expression is still the cell's result, numbered as a fresh kernel numbers it
    result = cells[-1].outputs[0]
    assert result["output_type"] == "execute_result" and result["data"]["text/plain"] == "42"
    assert result["execution_count"] == cells[-1].execution_count == 4


def test_settle_unfreezes_every_full_every_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(heap, "_count", [0])
    monkeypatch.setattr(heap.gc, "unfreeze", lambda: calls.append("unfreeze"))
    monkeypatch.setattr(heap.gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(heap.gc, "freeze", lambda: calls.append("freeze"))
    for _ in range(heap.FULL_EVERY + 1):
        heap.settle()
    assert calls.count("unfreeze") == 2 and calls[:1] == ["unfreeze"]
    assert calls.count("collect") == calls.count("freeze") == heap.FULL_EVERY + 1
