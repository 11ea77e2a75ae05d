"""The command line contract: commands, exit codes, and messages users see."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from needsbook.cli import main


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "needsbook", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_areas_lists_153_tab_separated_rows() -> None:
    proc = run("areas")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 153
    assert "E10000034\t885\tWorcestershire\tCounty council\tWest Midlands" in lines


def test_unknown_area_fails_fast_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "book"
    proc = run("build", "--area", "Narnia", "--out", str(out))
    assert proc.returncode == 2
    assert "unknown area 'Narnia'" in proc.stderr
    assert "needsbook areas" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_missing_year_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "book"
    code = main(["build", "--area", "Rutland", "--year", "1999", "--out", str(out), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "year 1999 is not available for Rutland: the data cover 2019-" in err
    assert not out.exists()


def test_build_needs_an_area(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # not inside a project made by `needsbook init`
    assert main(["build"]) == 2  # bad input
    assert "--area" in capsys.readouterr().err


def test_help_lists_the_contract_commands() -> None:
    proc = run("--help")
    commands = ("areas", "build", "validate", "snapshot", "local-template", "fetch", "export")
    for command in (*commands, "init"):
        assert command in proc.stdout
