"""Packaging hook: the wheel carries the project layout every build reads.

``pyproject.toml`` holds the metadata. This file only adds one step to ``build_py``: copy the book
templates and their inputs (``LAYOUT``) into ``needsbook/project/`` of the wheel, so an installed
needsbook builds books from any folder. Editable installs read the checkout instead.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: What a build reads, relative to the repository root (``needsbook.paths.repo_root``).
LAYOUT = ("_config.yml", "_toc.yml", "book", "notebooks", "expectations", "data")
#: Never shipped: a council's own data (only data/local/README.md is), old snapshots, caches.
SKIP = ("__pycache__", "*.pyc", ".ipynb_checkpoints", "snapshot.old", ".snapshot-*", "fetch-cache")


def layout_files() -> list[str]:
    """The layout's files: those git tracks in a checkout (never an executed notebook or a
    council's data left in the tree), else every file of the source distribution."""
    if (HERE / ".git").exists():
        listed = subprocess.run(
            ["git", "-C", str(HERE), "ls-files", "-z", "--", *LAYOUT],
            capture_output=True,
            check=True,
        ).stdout.decode()
        files = [f for f in listed.split("\0") if f]
    else:
        files = [
            str(p.relative_to(HERE))
            for name in LAYOUT
            for p in ([HERE / name] if (HERE / name).is_file() else (HERE / name).rglob("*"))
            if p.is_file()
        ]
    return sorted(f for f in files if _shipped(Path(f)))


def _shipped(rel: Path) -> bool:
    if rel.parts[:2] == ("data", "local"):
        return rel.as_posix() == "data/local/README.md"
    return not any(Path(part).match(pattern) for part in rel.parts for pattern in SKIP)


class BuildPyWithLayout(build_py):
    """``build_py`` that also copies the project layout into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "needsbook" / "project"
        if target.exists():
            shutil.rmtree(target)
        for rel in layout_files():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(HERE / rel, target / rel)


setup(cmdclass={"build_py": BuildPyWithLayout})
