"""The glossary defines every term it lists, and every abbreviation the chapters' text uses."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "book" / "glossary.md"

#: Terms the book uses that readers must be able to look up (issue 7, point 5).
KEY_TERMS = (
    "IMD",
    "LSOA",
    "IDACI",
    "Decile",
    "Fifths",
    "Quintile comparison",
    "Confidence interval",
    "Statistically significant",
    "Trend test",
    "Rate per 10,000",
    "DSR",
    "GLD",
    "EYFS",
    "EHA",
    "CIN",
    "CPP",
    "CLA",
    "EHC plan",
    "NEET",
    "HCP",
    "Universal, universal plus and universal partnership plus",
    "Targeting ratio",
    "Reach",
    "Footfall",
    "Concentration curve",
    "Modelled need",
    "Statistical neighbours",
    "Small-number suppression",
    "Fold-change",
    "SEND",
    "FSM",
)

#: Capitalised tokens in chapter code that are not jargon for readers: codes, colours, file
#: formats, method numbers, and map-source names that appear only inside source citations.
NOT_TERMS = {
    "ARIA",
    "BGC",
    "BUC",
    "CHAPTERS",
    "CSV",
    "CTYUA",
    "HTML",
    "LAD",
    "OGL",
    "OS",
    "WCAG",
}


def glossary_entries() -> dict[str, str]:
    """Term -> definition, read from the ``{glossary}`` directive (aliases share one)."""
    text = GLOSSARY.read_text()
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    entries: dict[str, str] = {}
    terms: list[str] = []
    definition: list[str] = []

    def flush() -> None:
        for t in terms:
            entries[t] = " ".join(definition).strip()

    for line in block.splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if line.startswith("  "):
            definition.append(line.strip())
        else:
            if definition:
                flush()
                terms, definition = [], []
            terms.append(line.strip())
    flush()
    return entries


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of a module's docstring nodes (developer text, not what readers see)."""
    owners = [tree, *(n for n in ast.walk(tree) if isinstance(n, DOCUMENTED))]
    return {
        id(o.body[0].value)
        for o in owners
        if o.body
        and isinstance(o.body[0], ast.Expr)
        and isinstance(o.body[0].value, ast.Constant)
        and isinstance(o.body[0].value.value, str)
    }


DOCUMENTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def chapter_abbreviations() -> set[str]:
    """Capitalised abbreviations in the string literals (not docstrings) of the chapter
    modules."""
    found: set[str] = set()
    files = [*sorted((ROOT / "src" / "needsbook" / "chapters").glob("*.py"))]
    files.append(ROOT / "src" / "needsbook" / "outcomes" / "findings.py")
    for path in files:
        tree = ast.parse(path.read_text())
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if id(node) in docs:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for token in re.findall(r"\b[A-Z][A-Z0-9]+s?\b", node.value):
                    token = token.removesuffix("s")
                    if re.fullmatch(r"[A-Z]\d+|E\d{8}|[0-9A-F]{6}", token):
                        continue  # method ids (M2), area codes, colours
                    found.add(token)
    return found


def test_every_glossary_term_is_defined() -> None:
    entries = glossary_entries()
    assert len(entries) >= 80
    for term, definition in entries.items():
        assert len(definition.split()) >= 5, f"{term!r} has no real definition"
        assert definition.endswith("."), term


def test_key_terms_are_in_the_glossary() -> None:
    entries = glossary_entries()
    missing = [t for t in KEY_TERMS if t not in entries]
    assert not missing, f"not in book/glossary.md: {missing}"


def test_abbreviations_in_chapter_text_are_in_the_glossary() -> None:
    entries = glossary_entries()
    used = chapter_abbreviations()
    assert {"IMD", "LSOA", "IDACI"} <= used  # the scan sees the chapters' text
    known = set(entries) | {part for term in entries for part in term.split("/")}  # DTaP/IPV/Hib
    missing = sorted(used - known - NOT_TERMS)
    assert not missing, f"abbreviations used in chapter text but not in the glossary: {missing}"


def test_glossary_is_linked_from_the_introduction_and_the_summary() -> None:
    assert "(glossary.md)" in (ROOT / "book" / "intro.md").read_text()
    from needsbook.chapters import summary

    assert summary.GLOSSARY == "../book/glossary.html"
    toc = (ROOT / "_toc.yml").read_text()
    assert "file: book/glossary" in toc


def test_glossary_names_the_model_report_for_readers() -> None:
    from needsbook.testing.reader_text import check_text

    entries = glossary_entries()
    assert "Worcestershire 2015 needs assessment" in entries
    assert entries["2015 assessment"] == entries["Worcestershire 2015 needs assessment"]
    assert not any(t.lower().startswith("seed") for t in entries)
    problems = check_text("glossary", GLOSSARY.read_text())
    assert not problems, "\n".join(map(str, problems))


def test_book_pages_speak_to_readers() -> None:
    """The introduction, glossary and methods pages name no internals in their prose, and the
    rebuild command is a code block (copyable: plain "--" and straight quotes)."""
    from needsbook.testing.reader_text import check_text

    problems = []
    for page in sorted([*(ROOT / "book").glob("*.md"), *(ROOT / "book" / "methods").glob("*.md")]):
        text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.DOTALL | re.MULTILINE)
        text = re.sub(r"\{\{.*?\}\}|`[^`\n]*`", "", text)  # substitutions and inline code
        problems += check_text(page.name, text)
    assert not problems, "\n".join(map(str, problems))
    intro = (ROOT / "book" / "intro.md").read_text()
    assert "{{ '```bash\\nneedsbook build --area \"' ~ area_name ~ '\" --year ' ~ year" in intro
