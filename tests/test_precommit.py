"""The pre-commit hooks: local only, check-only, and each catches what its name promises."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

CONFIG = ".pre-commit-config.yaml"
#: pre-commit-hooks' entry points that rewrite files (the config must use none of them).
FIXERS = {
    "end-of-file-fixer",
    "trailing-whitespace-fixer",
    "mixed-line-ending",
    "requirements-txt-fixer",
    "double-quote-string-fixer",
    "fix-byte-order-marker",
    "pretty-format-json",
}


#: The essential checks; the scratch repository in the slow test trips each of them.
ESSENTIAL = (
    "ruff-check",
    "ruff-format",
    "nbstripout",
    "check-added-large-files",
    "detect-private-key",
    "check-yaml",
    "end-of-file",
    "trailing-whitespace",
)


def hooks(root: Path) -> list[dict]:
    config = yaml.safe_load((root / CONFIG).read_text())
    return [h for repo in config["repos"] for h in repo["hooks"]]


def run_precommit(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``pre-commit run --all-files`` in ``repo`` with this environment's tools first on PATH."""
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "SKIP": "",
    }
    return subprocess.run(
        [
            str(bin_dir / "pre-commit"),
            "run",
            "--all-files",
            "--show-diff-on-failure",
            "--color=never",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_every_hook_is_local_and_only_checks(root: Path) -> None:
    config = yaml.safe_load((root / CONFIG).read_text())
    assert [r["repo"] for r in config["repos"]] == ["local"]  # nothing cloned from a git host
    ids = {h["id"] for h in hooks(root)}
    assert set(ESSENTIAL) <= ids
    for h in hooks(root):
        assert h["language"] in {"system", "pygrep"}, h["id"]
        assert h["entry"].split()[0] not in FIXERS, h["id"]
    by_id = {h["id"]: h for h in hooks(root)}
    assert "--check" in by_id["ruff-format"]["entry"]
    assert "--fix" not in by_id["ruff-check"]["entry"]
    assert "--verify" in by_id["nbstripout"]["entry"]


@pytest.mark.slow
def test_the_repository_passes_every_hook(root: Path, tmp_path: Path) -> None:
    if not (root / ".git").exists():
        pytest.skip("not a git checkout: pre-commit runs on tracked files")
    result = run_precommit(root, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for h in hooks(root):
        assert any(line.startswith(h["name"]) for line in result.stdout.splitlines()), h["id"]


def _notebook_with_output() -> str:
    cell = {
        "cell_type": "code",
        "execution_count": 3,
        "id": "a1",
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": ["1\n"]}],
        "source": ["print(1)"],
    }
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1) + "\n"


@pytest.mark.slow
def test_each_hook_fails_on_what_it_guards(root: Path, tmp_path: Path) -> None:
    """A scratch repository with one offending file per hook: every hook fails, naming it,
    and no file is rewritten."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "data" / "snapshot").mkdir(parents=True)
    shutil.copy(root / CONFIG, repo / CONFIG)
    files = {
        "notebooks/01_x.ipynb": _notebook_with_output(),
        "big.bin": "\0" * (1100 * 1024),
        "data/snapshot/table.parquet": "\0" * (1100 * 1024),  # the snapshot is allowed
        "key.txt": "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIB\n",  # split: not a key here
        "bad.yml": "a: [1, 2\n",
        "spaces.md": "a line   \n",
        "noeol.md": "no newline at the end",
        "blank.md": "two newlines\n\n",
        "unused.py": "import os\n",
        "unformatted.py": "x = {  'a':1 }\n",
    }
    for name, text in files.items():
        (repo / name).write_text(text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    result = run_precommit(repo, tmp_path)
    out = result.stdout
    assert result.returncode == 1, out
    failed = {h["id"]: h["name"] for h in hooks(root) if f"- hook id: {h['id']}\n" in out}
    assert set(failed) == set(ESSENTIAL), out
    assert "big.bin" in out and "table.parquet" not in out
    assert "spaces.md" in out and "noeol.md" in out and "blank.md" in out
    for name, text in files.items():
        assert (repo / name).read_text() == text, f"{name} was rewritten"
