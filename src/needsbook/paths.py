"""Where things live: the project layout, the writable workspace and the shared raw data.

The *project layout* (``_config.yml``, ``_toc.yml``, ``book/``, ``notebooks/``, ``data/``,
``expectations/``) is read-only input to every build: the repository in a clone, or the copy an
installed wheel carries under ``needsbook/project``. The *workspace* is where builds write
``_build/``: a council project folder made by ``needsbook init`` (it holds ``needsbook.toml``), else
the repository in a clone, else the current folder.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The project layout as an installed wheel carries it (absent in a source checkout).
PACKAGED_ROOT = PACKAGE_DIR / "project"
#: The file that marks a council's project folder (written by ``needsbook init``).
PROJECT_FILE = "needsbook.toml"


def _is_layout(folder: Path) -> bool:
    return (folder / "_config.yml").is_file() and (folder / "notebooks").is_dir()


def _clone_root() -> Path | None:
    """The source checkout this package runs from (an editable install of ``src/needsbook``)."""
    root = PACKAGE_DIR.parents[1]
    return root if PACKAGE_DIR.parent.name == "src" and _is_layout(root) else None


def repo_root() -> Path:
    """The project layout: ``$NEEDSBOOK_ROOT``, the wheel's copy, the checkout, or the cwd's."""
    env = os.environ.get("NEEDSBOOK_ROOT")
    if env:
        return Path(env).resolve()
    if _is_layout(PACKAGED_ROOT):
        return PACKAGED_ROOT
    clone = _clone_root()
    if clone is not None:
        return clone
    cwd = Path.cwd().resolve()
    found = next((p for p in (cwd, *cwd.parents) if _is_layout(p)), None)
    if found is None:
        raise FileNotFoundError(
            "this needsbook installation has no book templates (a folder with _config.yml and "
            "notebooks/): reinstall it from a complete wheel, or run it inside a clone"
        )
    return found


def is_installed_copy() -> bool:
    """Whether the layout in use is the one an installed wheel carries."""
    return repo_root() == PACKAGED_ROOT


def find_project(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the cwd) holding ``needsbook.toml``."""
    try:
        here = Path(start or Path.cwd()).resolve()
    except OSError:  # the current folder was deleted
        return None
    return next((p for p in (here, *here.parents) if (p / PROJECT_FILE).is_file()), None)


def workspace() -> Path:
    """Where builds write ``_build/``: the project folder, else the checkout, else the cwd."""
    project = find_project()
    if project is not None:
        return project
    root = repo_root()
    return Path.cwd().resolve() if root == PACKAGED_ROOT else root


def build_dir() -> Path:
    """``<workspace>/_build``: staging, logs, caches and (by default) the books."""
    return workspace() / "_build"


def local_data_root() -> Path:
    """Where a council's own data lives by default (one folder per area code, or the CSVs
    themselves in a project): ``<project>/local``, else the checkout's ``data/local``, else
    ``./local``."""
    project = find_project()
    if project is not None:
        return project / "local"
    if not is_installed_copy():
        return default_data_dir() / "local"
    return Path.cwd().resolve() / "local"


def default_data_dir() -> Path:
    """The folder holding ``snapshot/`` (the committed national snapshot)."""
    env = os.environ.get("NEEDSBOOK_DATA_DIR")
    return Path(env).resolve() if env else repo_root() / "data"


def snapshot_dir(data_dir: Path | None = None) -> Path:
    return (Path(data_dir) if data_dir else default_data_dir()) / "snapshot"


def default_raw_dir() -> Path:
    """The official open data the snapshot is derived from: ``../shared/data-raw``."""
    env = os.environ.get("NEEDSBOOK_RAW_DIR")
    return Path(env).resolve() if env else repo_root().parent / "shared" / "data-raw"


def expectations_dir() -> Path:
    return repo_root() / "expectations"
