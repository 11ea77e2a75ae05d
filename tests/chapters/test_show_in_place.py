"""Sections whose content replaces the collapsed data table (the local offer's open tables, the
Healthy Child Programme pathways, the evidence catalogue): the summary, every note, then the
content with its source and CSV link, in that order, and the CSV written for the downloads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from IPython.display import HTML, Markdown

from needsbook.build import downloads
from needsbook.chapters import display, evidence, healthy_child, local_offer
from needsbook.chapters.base import Chapter
from needsbook.chapters.display import table_html
from needsbook.escape import html_text, md

WORCS, YEAR = "E10000034", 2025


def _offer_needs(c: Any) -> str:
    local_offer.show_open(c, "needs")
    return table_html(c.section("needs").table, f"{c.section('needs').title} for Worcestershire")


def _pathways(c: Any) -> str:
    healthy_child.show_pathways(c)
    return healthy_child.pathways_html(c.section("pathways"), c.pathway_links)


def _programmes(c: Any) -> str:
    evidence.show_programmes(c)
    return c.programmes_html


#: section key: the chapter's build, and a call that shows it and returns the content expected.
CASES: dict[str, tuple[Callable[[str, int], Chapter], Callable[[Any], str]]] = {
    "needs": (local_offer.build, _offer_needs),
    "pathways": (healthy_child.build, _pathways),
    "programmes": (evidence.build, _programmes),
}


@pytest.mark.parametrize("key", list(CASES))
def test_summary_notes_then_the_content_with_its_source_and_csv(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, show = CASES[key]
    chapter: Chapter = build(WORCS, YEAR)
    section = chapter.section(key)
    shown: list[object] = []
    monkeypatch.setattr(display, "display", shown.append)
    monkeypatch.setitem(display._current, "downloads", tmp_path)
    content = show(chapter)

    assert len(shown) == 2 + len(section.notes) and section.notes
    assert isinstance(shown[0], Markdown) and shown[0].data == md(section.summary)
    notes = [s.data for s in shown[1:-1] if isinstance(s, Markdown)]
    assert notes == [f"*Note: {md(n)}*" for n in section.notes]
    body = shown[-1]
    assert isinstance(body, HTML)
    head, _, tail = body.data.partition("\n<p><small>Source: ")
    assert head == content
    assert tail.startswith(f"{html_text(section.source)}</small></p>\n")
    csv = downloads.section_filename(section.title, WORCS)
    assert f"href='../{downloads.DIRNAME}/{html_text(csv)}' download>" in tail
    assert (tmp_path / csv).is_file()
