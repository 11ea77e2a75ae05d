"""Where needsbook reads its layout and writes its builds, in a clone, a project and a wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from needsbook import paths

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEEDSBOOK_ROOT", "NEEDSBOOK_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_env: None) -> Path:
    """As if running from a wheel: no checkout above the package, the layout in the package."""
    packaged = tmp_path / "site-packages" / "needsbook" / "project"
    (packaged / "notebooks").mkdir(parents=True)
    (packaged / "_config.yml").write_text("title: x\n")
    monkeypatch.setattr(paths, "PACKAGED_ROOT", packaged)
    monkeypatch.setattr(paths, "_clone_root", lambda: None)
    return packaged


def test_a_clone_reads_and_writes_in_the_checkout(
    no_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert paths.repo_root() == ROOT
    assert not paths.is_installed_copy()
    assert paths.build_dir() == ROOT / "_build"
    assert paths.local_data_root() == ROOT / "data" / "local"


def test_an_installed_copy_reads_the_package_and_writes_in_the_current_folder(
    installed: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    work = tmp_path / "anywhere"
    work.mkdir()
    monkeypatch.chdir(work)
    assert paths.repo_root() == installed and paths.is_installed_copy()
    assert paths.default_data_dir() == installed / "data"
    assert paths.build_dir() == work / "_build"
    assert paths.local_data_root() == work / "local"


def test_a_project_folder_holds_the_builds_and_local_data(
    installed: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = tmp_path / "jsna"
    (project / "notes").mkdir(parents=True)
    (project / paths.PROJECT_FILE).write_text("[build]\n")
    monkeypatch.chdir(project / "notes")
    assert paths.find_project() == project
    assert paths.build_dir() == project / "_build"
    assert paths.local_data_root() == project / "local"


def test_an_installation_without_templates_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_env: None
) -> None:
    monkeypatch.setattr(paths, "PACKAGED_ROOT", tmp_path / "missing")
    monkeypatch.setattr(paths, "_clone_root", lambda: None)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="reinstall it from a complete wheel"):
        paths.repo_root()


@pytest.mark.parametrize(
    "command",
    [["snapshot"], ["snapshot", "--from-cache"], ["fetch"], ["validate", "--record"]],
)
def test_an_installed_copy_never_writes_its_own_data(
    installed: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    from needsbook.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("needsbook: error: ") and "--data-dir" in err
    assert "read-only" in err and "Traceback" not in err
    assert sorted(p.name for p in installed.iterdir()) == ["_config.yml", "notebooks"]
