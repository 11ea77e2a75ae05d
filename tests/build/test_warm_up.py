"""Work done ahead while the chapters run: the offline chart bundle is cached whole, and a
failure ahead of time never stops a build (the step that needs the work does it again)."""

from __future__ import annotations

from pathlib import Path

from needsbook.build import pipeline
from needsbook.build.book import warm_up
from needsbook.charts import offline


def test_warm_up_caches_the_bundle_the_book_step_reads(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(offline, "bundle_text", lambda: "/* bundle */\n")
    warm_up(tmp_path, in_process=False)
    [cached] = tmp_path.glob("vega-offline-*.js")
    assert cached.read_text() == "/* bundle */\n"
    assert not list(tmp_path.glob(".*.tmp"))  # written whole, through a temporary file
    monkeypatch.setattr(offline, "bundle_text", lambda: "made again")
    assert offline.cached_bundle(tmp_path) == "/* bundle */\n"


def test_work_in_the_background_that_fails_is_dropped() -> None:
    done: list[int] = []

    def fails(n: int) -> None:
        done.append(n)
        raise OSError("disk full")

    thread = pipeline._in_background(fails, 1)
    thread.join(10)
    assert done == [1] and not thread.is_alive()
