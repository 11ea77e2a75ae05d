"""The wheel is complete: installed alone in a fresh environment, it builds a book anywhere.

Builds the wheel from the project's files, installs it with the locked dependencies into a new
virtual environment, then runs the commands a new analyst would from an empty folder, with no
needsbook environment variable set.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from needsbook.build.chapters import CHAPTERS, STATIC_PAGES

ROOT = Path(__file__).resolve().parents[2]


def _setup_layout() -> tuple[str, ...]:
    """``LAYOUT`` as setup.py declares it (read, not imported: importing runs setup())."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    (value,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "LAYOUT"
    ]
    return ast.literal_eval(value)


LAYOUT = _setup_layout()

pytestmark = pytest.mark.slow


def _git_files(*args: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", *args], capture_output=True, check=True
    ).stdout.decode()
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


def _source_copy(dest: Path) -> Path:
    """The project's own files (tracked and new, never ignored) copied to ``dest``."""
    for rel in _git_files("--cached", "--others", "--exclude-standard"):
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest / rel)
    return dest


def _clean_env(venv: Path, home: Path) -> dict[str, str]:
    """No NEEDSBOOK_* setting and no PYTHONPATH: the installed package must stand alone."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("NEEDSBOOK", "PYTHON"))}
    keep.pop("VIRTUAL_ENV", None)
    return {**keep, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(wheel, venv, env) with needsbook installed from the wheel plus the lock."""
    base = tmp_path_factory.mktemp("wheel")
    src = _source_copy(base / "src")
    dist = base / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(src)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("needsbook-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    vpip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*vpip, "install", "-r", str(ROOT / "requirements.lock")], check=True)
    subprocess.run([*vpip, "install", "--no-deps", str(wheel)], check=True)
    return wheel, venv, _clean_env(venv, base)


def test_the_wheel_carries_every_file_a_build_reads(
    installed: tuple[Path, Path, dict[str, str]],
) -> None:
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = [f for f in _git_files("--cached", *LAYOUT) if not f.startswith("data/local/")]
    missing = [f for f in tracked if f"needsbook/project/{f}" not in names]
    assert not missing, missing[:10]
    assert "needsbook/project/data/local/README.md" in names
    local = [n for n in names if n.startswith("needsbook/project/data/local/")]
    assert local == ["needsbook/project/data/local/README.md"]  # never a council's own data
    assert "needsbook/resources/sphinx/needsbook-layout.css" in names


def test_a_new_analyst_builds_a_book_from_an_empty_folder(
    installed: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    _, venv, env = installed
    work = tmp_path / "empty"
    work.mkdir()

    def run(*args: str, cwd: Path = work) -> str:
        done = subprocess.run(
            [str(venv / "bin" / "needsbook"), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        assert "Traceback" not in done.stderr
        return done.stdout

    version = run("--version")
    assert version.startswith("needsbook ")
    areas = run("areas")
    assert "E06000017\t857\tRutland" in areas and len(areas.splitlines()) == 153
    run("init", "rutland-jsna", "--area", "Rutland")
    project = work / "rutland-jsna"
    assert (project / "needsbook.toml").is_file() and (project / "README.md").is_file()
    report = run("validate", "--local-dir", str(project / "local"), "--area", "Rutland")
    assert report.strip()
    run("build", "--area", "Rutland", "--out", str(work / "book"), "--quiet")
    book = work / "book"
    pages = [c.html for c in CHAPTERS] + list(STATIC_PAGES) + ["index.html"]
    assert [p for p in pages if not (book / p).is_file()] == []
    intro = (book / "notebooks" / "01_population.html").read_text()
    assert "Rutland" in intro
