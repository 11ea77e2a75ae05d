"""--local-dir in the build: invalid local data stops the build before any notebook runs,
with the file, column and rows named, and nothing is written to the output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from needsbook import paths
from needsbook.build import BuildOptions, build_area
from needsbook.build.fingerprint import fingerprint
from needsbook.cli import main
from needsbook.errors import InputError
from needsbook.local import example_dir
from tests.local.test_bad_input import CASES


@pytest.fixture()
def broken(tmp_path: Path) -> Path:
    folder = tmp_path / "local" / "E10000034"
    shutil.copytree(example_dir(), folder)
    path = folder / "specialist_midwifery.csv"
    path.write_text(path.read_text().replace("2013-14,450,6000", "2013-14,450,lots"))
    return folder


def test_broken_local_csv_fails_before_notebooks_and_writes_nothing(broken, tmp_path):
    out = tmp_path / "book"
    logs = paths.repo_root() / "_build" / "logs" / "E10000034"
    before = sorted(logs.glob("*")) if logs.is_dir() else []
    with pytest.raises(InputError) as exc:
        build_area(
            BuildOptions(area="E10000034", out=out, local_dir=broken, quiet=True, validate=False)
        )
    msg = str(exc.value)
    assert "specialist_midwifery.csv: column 'births', row 2: must be a number" in msg
    assert "nothing was used" in msg
    assert not out.exists()
    assert (sorted(logs.glob("*")) if logs.is_dir() else []) == before  # no notebook ran


def test_cli_exit_code_and_message(broken, tmp_path, capsys):
    out = tmp_path / "book"
    code = main(
        ["build", "--area", "E10000034", "--out", str(out), "--local-dir", str(broken), "--quiet"]
    )
    assert code == 2
    assert "specialist_midwifery.csv: column 'births'" in capsys.readouterr().err
    assert not out.exists()


def test_local_dir_holding_area_folders_is_resolved(broken):
    from needsbook.local.folder import local_folder

    assert local_folder("E10000034", broken.parent) == broken  # per-area sub-folder
    assert local_folder("E10000034", broken) == broken  # the folder itself
    with pytest.raises(InputError, match=r"--local-dir .*: folder does not exist"):
        local_folder("E10000034", broken / "nope")


def test_fingerprint_changes_with_local_data(tmp_path):
    data_dir = paths.default_data_dir()
    folder = tmp_path / "E10000034"
    shutil.copytree(example_dir(), folder)
    a = fingerprint("E10000034", 2024, data_dir, folder)
    (folder / "specialist_midwifery.csv").write_text(
        "period,referrals,births,specialist_midwives\n2013-14,451,6000,4\n"
    )
    assert fingerprint("E10000034", 2024, data_dir, folder) != a
    assert fingerprint("E10000034", 2024, data_dir, None) != a


@pytest.mark.parametrize(("case", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_bad_input_case_stops_the_build(tmp_path, case, mutate, expected):
    """Each bad-input case of tests/local/test_bad_input.py, through the build: the message
    names file, column and rows, and no book (not even an empty folder) is written."""
    folder = tmp_path / "E10000034"
    shutil.copytree(example_dir(), folder)
    mutate(folder)
    out = tmp_path / "book"
    with pytest.raises(InputError) as exc:
        build_area(
            BuildOptions(area="E10000034", out=out, local_dir=folder, quiet=True, validate=False)
        )
    assert expected in str(exc.value)
    assert not out.exists()
