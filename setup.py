"""Packaging hook: the wheel carries the project layout every build reads.

``pyproject.toml`` holds the metadata. This file only adds one step to ``build_py``: copy the book
templates and their inputs (``LAYOUT``) into ``needsbook/project/`` of the wheel, so an installed
needsbook builds books from any folder. Editable installs read the checkout instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: What a build reads, relative to the repository root (``needsbook.paths.repo_root``).
LAYOUT = ("_config.yml", "_toc.yml", "book", "notebooks", "expectations", "data")
#: Never shipped: a council's own data, old snapshots, download caches, editor leftovers.
SKIP = ("__pycache__", "*.pyc", ".ipynb_checkpoints", "snapshot.old", ".snapshot-*", "fetch-cache")
LOCAL_KEEP = "README.md"  # of data/local/, only the README ships


class BuildPyWithLayout(build_py):
    """``build_py`` that also copies the project layout into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "needsbook" / "project"
        if target.exists():
            shutil.rmtree(target)
        for name in LAYOUT:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(*SKIP))
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
        local = target / "data" / "local"
        for entry in local.iterdir() if local.is_dir() else ():
            if entry.name != LOCAL_KEEP:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


setup(cmdclass={"build_py": BuildPyWithLayout})
