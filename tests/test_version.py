"""One version (``needsbook.__version__``), and `needsbook --version` prints it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from needsbook import __version__
from needsbook.cli import main


def test_version_is_a_release_number() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_pyproject_takes_the_version_from_the_package(root: Path) -> None:
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "needsbook.__version__"}


def test_installed_metadata_carries_the_same_version() -> None:
    assert metadata.version("needsbook") == __version__, "reinstall: pip install -e ."


def test_version_option_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"needsbook {__version__}\n"


def test_version_from_the_command_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "needsbook", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout == f"needsbook {__version__}\n"
