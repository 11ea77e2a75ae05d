"""A chapter template's own prose, shown by code so it reads well in Jupyter and in the book.

A template's paragraphs name the area through ``{area_name}`` and ``{region_name}`` (filled
from the area, escaped) and link the glossary with MyST roles (``{term}`IMD```,
``{doc}`glossary </book/glossary>```). The book renders the MyST; Jupyter and nbconvert show
the HTML made here, where a term is plain text and a page link points at the page's file.
(MyST-NB reads an output's Markdown as CommonMark unless its cell's metadata says
``"mystnb": {"markdown_format": "myst"}``, which the templates' prose cells do.)
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from needsbook.areas import Area
from needsbook.escape import md

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}(?!`)")
_ROLE = re.compile(r"\{([a-z]+)\}`([^`]*)`")
_TITLED = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.DOTALL)


def values(area: Area) -> dict[str, str]:
    """What the placeholders stand for (the book's page substitutions of the same names)."""
    return {"area_name": area.name, "region_name": area.region_name}


def fill(paragraph: str, area: Area) -> str:
    """``paragraph`` with each placeholder replaced by its value, escaped as Markdown text."""
    known = values(area)

    def value(m: re.Match[str]) -> str:
        if m.group(1) not in known:
            raise ValueError(f"unknown placeholder {m.group(0)} (known: {', '.join(known)})")
        return md(known[m.group(1)])

    return _PLACEHOLDER.sub(value, paragraph)


def _plain_role(m: re.Match[str]) -> str:
    """A role as Jupyter shows it: its text (a notebook opened on its own has no book pages
    to link to)."""
    content = m.group(2)
    titled = _TITLED.match(content)
    return titled.group(1) if titled else content


def myst(paragraphs: tuple[str, ...], area: Area) -> str:
    """The paragraphs as MyST Markdown, for the book."""
    return "\n\n".join(fill(p, area) for p in paragraphs)


def html(paragraphs: tuple[str, ...], area: Area) -> str:
    """The paragraphs as HTML without MyST roles, for Jupyter and nbconvert."""
    text = _ROLE.sub(_plain_role, myst(paragraphs, area))
    return MarkdownIt("commonmark").render(text).strip()
