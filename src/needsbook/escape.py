"""The one boundary where text from data is escaped for the place it is shown.

Everything the analysis layer produces (findings, sentences, table cells, names from local
CSVs, the snapshot or upstream indicator metadata) is plain text. Chapters show it through
these functions, chosen by context:

- :func:`md` for Markdown shown in a page (MyST-NB parses it as CommonMark with raw HTML):
  every ASCII punctuation character is backslash-escaped, so no HTML, link, image, emphasis,
  code span, role, fence, maths or substitution can start inside the text;
- :func:`html_text` for HTML text and attribute values;
- :func:`script_safe_html` for HTML that embeds JSON in a ``<script>`` (Altair's chart output),
  so a ``</script>`` inside a label cannot end the script.

Text we author ourselves and mean as Markdown is marked with :func:`trusted` and passed
through unchanged. A ``{{`` or ``}}`` in data is broken with a zero-width space, so it can never
read as an unfilled page placeholder.
"""

from __future__ import annotations

import html
import re
import string

__all__ = ["Trusted", "html_text", "md", "plain", "script_safe_html", "trusted"]

_PUNCTUATION = frozenset(string.punctuation)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
_BRACES = re.compile(r"([{}])(?=[{}])")
_SCRIPT = re.compile(r"(<script\b[^>]*>)(.*)(</script>)", re.DOTALL | re.IGNORECASE)
ZERO_WIDTH_SPACE = "\u200b"


class Trusted(str):
    """Markdown written by needsbook itself (never data): :func:`md` leaves it as it is."""


def trusted(markdown: str) -> Trusted:
    """Mark ``markdown`` as authored by us, to be shown as Markdown without escaping."""
    return Trusted(markdown)


def plain(value: object) -> str:
    """``value`` as one line of text: control characters dropped, line breaks made spaces."""
    text = "" if value is None else str(value)
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", text))


def _break_braces(text: str) -> str:
    return _BRACES.sub(lambda m: m.group(1) + ZERO_WIDTH_SPACE, text)


def md(value: object) -> str:
    """Plain text (or :class:`Trusted` Markdown) made safe to show as Markdown."""
    if isinstance(value, Trusted):
        return str(value)
    text = _break_braces(plain(value))
    return "".join("\\" + c if c in _PUNCTUATION else c for c in text)


def html_text(value: object) -> str:
    """Plain text made safe as HTML text or a quoted attribute value."""
    return _break_braces(html.escape(plain(value), quote=True))


def script_safe_html(fragment: str) -> str:
    """``fragment`` (holding one inline script) with its body unable to end the script early.

    The body runs from the first ``<script>`` to the last ``</script>``; in it ``</`` becomes
    ``<\\/`` and ``<!--`` becomes ``<\\!--``. In a JavaScript string (where data is) both mean
    the same characters, and the HTML parser no longer sees an end tag or a comment opener.
    """

    def fix(m: re.Match[str]) -> str:
        body = m.group(2).replace("</", "<\\/").replace("<!--", "<\\!--")
        return m.group(1) + body + m.group(3)

    return _SCRIPT.sub(fix, fragment)
