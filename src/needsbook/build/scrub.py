"""Keep the build machine's paths out of what a book publishes.

Executed notebooks carry absolute paths (papermill's metadata and parameters, warnings and
tracebacks in cell output), and so do pages and downloads made from them. Before publishing,
every such path is replaced by a placeholder named after the setting it stands for:
``$BUILD_DIR`` (the staging folder), ``$LOCAL_DIR``, ``$NEEDSBOOK_DATA_DIR``,
``$NEEDSBOOK_ROOT`` (the project layout), ``$WORKSPACE`` (where ``_build`` is),
``$PYTHON`` (the environment needsbook runs in), ``$HOME`` and ``$TMPDIR``.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from needsbook import paths

TEXT_SUFFIXES = {".html", ".ipynb", ".csv", ".txt", ".json", ".md", ".js", ".xml"}
#: Theme and chart assets copied from packages, and the downloads (scrubbed in staging).
SKIP_DIRS = {"_static", "downloads"}


def machine_paths(
    root: Path, data_dir: Path, local_dir: Path | None, staging: Path
) -> list[tuple[str, str]]:
    """(path, placeholder) pairs, longest path first, each path also in its resolved form."""
    named = [
        (staging, "$BUILD_DIR"),
        (local_dir, "$LOCAL_DIR"),
        (data_dir, "$NEEDSBOOK_DATA_DIR"),
        (root, "$NEEDSBOOK_ROOT"),
        (paths.workspace(), "$WORKSPACE"),
        (Path(sys.prefix), "$PYTHON"),
        (Path.home(), "$HOME"),
        (Path(tempfile.gettempdir()), "$TMPDIR"),
    ]
    pairs: dict[str, str] = {}
    for path, placeholder in named:
        if path is None:
            continue
        for form in (str(Path(path).absolute()), str(Path(path).resolve())):
            if len(form) > 1:  # never "/"
                pairs.setdefault(form.rstrip("/"), placeholder)
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


@lru_cache(maxsize=8)
def _pattern(pairs: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    table = dict(pairs)
    alternatives = "|".join(re.escape(p) for p in table)  # longest first: sorted by the caller
    return re.compile(rf"(?:{alternatives})(?![A-Za-z0-9_\-]|\.[A-Za-z0-9_])"), table


def scrub_text(text: str, pairs: list[tuple[str, str]]) -> str:
    """``text`` with every machine path replaced by its placeholder."""
    if not pairs:
        return text
    pattern, table = _pattern(tuple(pairs))
    return pattern.sub(lambda m: table[m.group(0)], text)


def scrub_files(files: Iterable[Path], pairs: list[tuple[str, str]]) -> list[Path]:
    """Rewrite the given text files in place where they hold a machine path; returns those."""
    if not pairs:
        return []
    pattern, table = _pattern(tuple(pairs))
    changed = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        new = pattern.sub(lambda m: table[m.group(0)], text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def text_files(folder: Path) -> list[Path]:
    """The text files of a built book that can carry build output (not assets or downloads)."""
    found = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        found += [Path(top) / f for f in sorted(files) if Path(f).suffix in TEXT_SUFFIXES]
    return found


def scrub_tree(folder: Path, pairs: list[tuple[str, str]]) -> list[Path]:
    return scrub_files(text_files(folder), pairs)
