"""One error path: bad input is refused before anything is built, with one line and exit 2;
other failures print one line (no traceback) with the exit code the README documents."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest

from needsbook import cli
from needsbook.cli import main
from needsbook.local import write_templates

ROOT = Path(__file__).resolve().parents[1]


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` with its size and modification time (to prove no change)."""
    return {
        str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``needsbook ARGS`` in this process; assert exit 2 and one error line; return it.

    Data validation, the first step of building, fails the run (exit 1, not 2) if reached:
    the refusal must come before anything is built."""
    started = AssertionError("the build started")
    with mock.patch("needsbook.validate.validate_snapshot", side_effect=started):
        code = main(list(args))
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("needsbook: error: ")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def fake_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in project root (NEEDSBOOK_ROOT), so the real one is never at risk."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    (root / "_config.yml").write_text("title: x\n")
    (root / "notebooks" / "01.ipynb").write_text("{}")
    (root / "src").mkdir()
    (root / "src" / "keep.py").write_text("print('keep')\n")
    monkeypatch.setenv("NEEDSBOOK_ROOT", str(root))
    return root


BUILD = ("build", "--area", "Rutland", "--data-dir", str(ROOT / "data"), "--quiet")


@pytest.mark.parametrize("force", [False, True])
def test_out_at_the_project_root_or_above_is_refused(
    fake_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], force: bool
) -> None:
    before = tree(tmp_path)
    extra = ("--force",) if force else ()
    for out in (fake_root, tmp_path, Path("/")):
        line = refused(capsys, *BUILD, "--out", str(out), *extra)
        assert "the project root" in line and "never publishes there" in line
    line = refused(capsys, *BUILD, "--out", str(fake_root / "src"), *extra)
    assert "part of the project" in line
    assert tree(tmp_path) == before


def test_out_dot_in_the_project_root_is_refused(
    fake_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(fake_root)
    before = tree(fake_root)
    assert "is the project root" in refused(capsys, *BUILD, "--out", ".")
    assert "is the project root" in refused(capsys, *BUILD, "--out", ".", "--force")
    assert tree(fake_root) == before


def test_out_at_home_is_refused_even_with_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    assert "your home folder" in refused(capsys, *BUILD, "--out", str(home), "--force")
    assert (home / "Documents").is_dir()


def test_non_empty_folder_not_written_by_needsbook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "thesis"
    (out / "chapters").mkdir(parents=True)
    (out / "notes.txt").write_text("my notes")
    (out / "index.html").write_text("<p>my site</p>")
    before = tree(tmp_path)
    line = refused(capsys, *BUILD, "--out", str(out))
    assert "--force" in line and "notes.txt" in line
    batch = refused(capsys, "build", "--areas", "Rutland,Worcestershire", "--out", str(out))
    assert "--force" in batch
    assert tree(tmp_path) == before


def test_out_naming_a_file_is_refused_even_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.docx"
    report.write_bytes(b"precious")
    before = tree(tmp_path)
    for extra in ((), ("--force",)):
        assert "is a file" in refused(capsys, *BUILD, "--out", str(report), *extra)
    assert "is a file" in refused(capsys, *BUILD, "--out", str(report / "book"))
    assert tree(tmp_path) == before


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nothing can be written to: chmod for a normal user; a read-only bind mount
    for root (who ignores permissions); skipped if neither is possible."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-o", "bind,ro", str(folder), str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip("cannot make a read-only folder as root here (mount failed)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_read_only_out_is_refused_before_building(
    read_only_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = refused(capsys, *BUILD, "--out", str(read_only_dir / "book"))
    assert "is not writable" in line
    line = refused(capsys, *BUILD, "--out", str(read_only_dir))
    assert "is not writable" in line
    assert list(read_only_dir.iterdir()) == []


def test_areas_with_no_names_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert "names no area" in refused(capsys, "build", "--areas", ",,")
    assert "names no area" in refused(capsys, "build", "--areas", " , ")


@pytest.mark.parametrize("value", ["²", "", "  ", "Rut\nland", "12³"])
def test_odd_area_values_are_bad_input(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = refused(capsys, *BUILD, "--area", value, "--out", str(tmp_path / "book"))
    assert ("no area given" if not value.strip() else "unknown area") in line
    assert not (tmp_path / "book").exists()


def test_a_long_area_value_is_not_echoed_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = "Worcester" * 12_000  # ~100 KB
    line = refused(capsys, *BUILD, "--area", value, "--out", str(tmp_path / "book"))
    assert len(line) < 400 and "..." in line and "unknown area" in line
    assert len(refused(capsys, "export", "--area", value, "--out", str(tmp_path / "x.zip"))) < 400
    site = tmp_path / "site"
    assert main(["build", "--areas", f"{value},,", "--out", str(site), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert len(err) < 3000 and "Traceback" not in err and not site.exists()


def test_missing_data_dir_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    for command in (
        ["areas"],
        ["validate"],
        list(BUILD),
        ["export", "--area", "Rutland", "--out", str(tmp_path / "a.zip")],
    ):
        line = refused(capsys, *command, "--data-dir", str(missing))
        assert "does not exist" in line
    (tmp_path / "empty").mkdir()
    assert "holds no snapshot/" in refused(capsys, "areas", "--data-dir", str(tmp_path / "empty"))
    line = refused(
        capsys, "snapshot", "--raw-dir", str(missing), "--data-dir", str(tmp_path / "new")
    )
    assert "raw data folder not found" in line and "--raw-dir" in line
    assert not (tmp_path / "new").exists()  # nothing written


@pytest.fixture
def truncated(data_copy: Path) -> Path:
    path = data_copy / "snapshot" / "areas.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return data_copy


def test_truncated_table_is_one_line_for_areas(truncated: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "needsbook", "areas", "--data-dir", str(truncated)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert "snapshot table 'areas'" in proc.stderr and "damaged or truncated" in proc.stderr


def test_truncated_table_fails_validation_without_a_traceback(
    truncated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--data-dir", str(truncated), "--table", "areas"]) == 3
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "areas.parquet cannot be read" in out


def test_export_to_an_unwritable_path_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "is a file, not a folder" in refused(
        capsys, "export", "--area", "Rutland", "--out", str(blocker / "rutland.zip")
    )
    (tmp_path / "dir.zip").mkdir()
    assert "is a folder" in refused(
        capsys, "export", "--area", "Rutland", "--out", str(tmp_path / "dir.zip")
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.zip", "file"]


def test_export_to_a_read_only_folder_is_one_line(
    read_only_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = read_only_dir / "rutland.zip"
    assert "is not writable" in refused(capsys, "export", "--area", "Rutland", "--out", str(out))
    assert list(read_only_dir.iterdir()) == []


def _raising(exc: BaseException) -> Callable[[object], int]:
    """A stand-in command that raises ``exc``."""

    def command(_args: object) -> int:
        raise exc

    return command


def test_unexpected_errors_are_one_line_with_a_debug_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "cmd_areas", _raising(RuntimeError("boom\nsecond line")))
    monkeypatch.delenv("NEEDSBOOK_DEBUG", raising=False)
    assert main(["areas"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "needsbook: error: unexpected RuntimeError: boom\\nsecond line",
        "  (rerun with NEEDSBOOK_DEBUG=1 for the traceback)",
    ]
    monkeypatch.setenv("NEEDSBOOK_DEBUG", "1")
    assert main(["areas"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: boom" in err


def test_os_errors_are_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEEDSBOOK_DEBUG", raising=False)
    full = OSError(28, "No space left on device", "/data/out/x.html")
    monkeypatch.setattr(cli, "cmd_areas", _raising(full))
    assert main(["areas"]) == 1
    assert capsys.readouterr().err == (
        "needsbook: error: No space left on device: /data/out/x.html\n"
    )


def test_interrupts_exit_130_and_sigterm_is_handled(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "cmd_areas", _raising(KeyboardInterrupt()))
    assert main(["areas"]) == 130
    assert "interrupted" in capsys.readouterr().err

    def terminate(_args: object) -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
        return 0

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(cli, "cmd_areas", terminate)
    start = time.perf_counter()
    assert main(["areas"]) == 130
    assert time.perf_counter() - start < 4
    assert "interrupted (SIGTERM)" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) == before  # restored
    from needsbook.build import interrupts

    assert interrupts.requested() is None  # a later build in this process is not interrupted
    interrupts.check()


def error_line(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``needsbook ARGS`` in this process (usage errors included: argparse exits);
    assert exit 2 and exactly one line of output, ``needsbook: error: ...``; return it."""
    started = AssertionError("the build started")
    with mock.patch("needsbook.validate.validate_snapshot", side_effect=started):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == "" and err.count("\n") == 1 and err.startswith("needsbook: error: "), err
    return err.rstrip("\n")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("build", "--area", "Rutland", "--areas", "Halton"), "--areas: not allowed with"),
        (("build", "--area", "Rutland", "--all"), "--all: not allowed with argument --area"),
        (("build", "--areas", "Rutland,Halton", "--all"), "not allowed with argument --areas"),
        (("build", "--area", "Rutland", "--jobs", "2"), "--jobs applies to --areas, --all and"),
        (("build", "--all", "--year", "2024", "--years", "2023"), "--years: not allowed with"),
        (("build", "--all", "--years", "2023,twenty"), "'twenty' is not a year or a range"),
        (("build", "--all", "--years", "2024-2021"), "the range 2024-2021 ends before it"),
        (("build", "--all", "--years", " , "), "--years names no year"),
        (("build", "--all", "--shared-out", "--out", "x"), "--shared-out applies to --scheduler"),
        (
            ("build", "--all", "--scheduler", "tcp://127.0.0.1:9", "--shared-out"),
            "--shared-out needs --out",
        ),
        (
            ("build", "--all", "--scheduler", "tcp://127.0.0.1:9", "--jobs", "2"),
            "with --scheduler the cluster's workers build",
        ),
        (("build", "--areas", "Rutland,Halton", "--jobs", "0"), "--jobs must be 1 or more"),
        (("build", "--area", "Rutland", "--year", "twenty"), "invalid int value: 'twenty'"),
        (("build", "--area", "Rutland", "--comparators", " , "), "--comparators is empty"),
        (
            ("build", "--area", "Rutland", "--year", "2024", "--compare-year", "2024", "--quiet"),
            "--compare-year 2024 must be earlier than the book's data year (2024)",
        ),
        (
            ("build", "--area", "Rutland", "--year", "2024", "--compare-year", "2012", "--quiet"),
            "--compare-year 2012 is not available: the data years before 2024 are 2019-2023",
        ),
        (("build", "--area", "Rutland", "--compare-year", "x"), "invalid int value: 'x'"),
        (("build",), "say which area to build"),
        (("build", "--area", "Cumbria", "--quiet"), "split into Cumberland (E06000063) and"),
        (("validate", "--record", "--local-dir", "."), "omit --local-dir"),
        (("validate", "--area", "Rutland"), "--area applies to --local-dir"),
        (("fetch", "--list", "--sources", "ees"), "--list lists everything"),
        (("fetch", "--list", "--refresh"), "omit --refresh"),
        (("export", "--area", "Rutland"), "required: --out"),
        (("export", "--area", "Rutland", "--out", "x.csv"), "--out must name a .zip file"),
        (("local-template",), "required: --area"),
        (("local-template", "--area", "Narnia"), "unknown area 'Narnia'"),
        (("init",), "required: DIR"),
        (("init", "new-project", "--area", "Poole"), "merged into Bournemouth, Christchurch"),
        (("areas", "--bogus"), "unrecognized arguments: --bogus"),
        (("nonsense",), "invalid choice: 'nonsense'"),
        ((), "required: COMMAND"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    args: tuple[str, ...],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # outside any project; nothing may be written here
    assert expected in error_line(capsys, *args)
    assert list(tmp_path.iterdir()) == []


def test_former_areas_read_as_a_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    line = error_line(capsys, "build", "--area", "E10000006", "--quiet")
    assert line == (
        "needsbook: error: E10000006 (Cumbria) is a former area: it was split into Cumberland "
        "(E06000063) and Westmorland and Furness (E06000064) on 1 April 2023, so use one of "
        "those areas. Run `needsbook areas` to list current areas."
    )
    line = error_line(capsys, "export", "--area", "Bournemouth", "--out", "b.zip")
    assert (
        "merged into Bournemouth, Christchurch and Poole (E06000058) on 1 April 2019, so " in line
    )
    assert "into on" not in line


def test_usage_errors_from_the_command_line_are_one_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "needsbook", "build", "--all", "--area", "Rutland"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (
        "needsbook: error: argument --area: not allowed with argument --all "
        "(see `needsbook build --help`)\n"
    )


def test_init_refuses_a_folder_in_use_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine")
    (used / "README.md").write_text("our readme")
    (tmp_path / "file").write_text("x")
    before = tree(tmp_path)
    assert "is not empty (it holds README.md, notes.txt)" in error_line(capsys, "init", str(used))
    line = error_line(capsys, "init", str(used), "--force")
    assert "already holds README.md" in line and "never overwrites" in line
    assert "is a file" in error_line(capsys, "init", str(tmp_path / "file"))
    assert "unknown area" in error_line(capsys, "init", str(tmp_path / "new"), "--area", "Narnia")
    assert tree(tmp_path) == before


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[build]\narea = Rutland\n", "not a valid TOML file: Invalid value (at line 2"),
        ("[build]\nareas = 'Rutland'\n", "[build] has an unknown key 'areas' (did you mean area?"),
        ("[bulid]\narea = 'Rutland'\n", "unknown table 'bulid' (did you mean build?"),
        ("build = 3\n", "'build' must be a table"),
        ("[build]\nyear = '2024'\n", "build.year must be a whole number such as 2024, not '2024'"),
        ("[build]\nyear = true\n", "build.year must be a whole number"),
        ("[build]\ncomparators = 'Shropshire'\n", "build.comparators must be a list"),
        ("[build]\ncomparators = ['Shropshire', 3]\n", "build.comparators must be a list"),
        ("[build]\narea = ''\n", "build.area must be a non-empty text"),
        ("[build]\nlocal_dir = 5\n", "build.local_dir must be a non-empty text"),
        ("[build]\narea = 'Narnia'\n", "build.area: unknown area 'Narnia'"),
        ("[build]\narea = 'Cumbria'\n", "build.area: E10000006 (Cumbria) is a former area"),
        ("[build]\narea = 'Rutland'\nyear = 1999\n", "build.year: 1999 is not available for"),
    ],
)
def test_a_malformed_needsbook_toml_is_one_line_naming_file_and_key(
    toml: str,
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "needsbook.toml").write_text(toml)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    line = error_line(capsys, "build", "--quiet")
    assert line.startswith(f"needsbook: error: {tmp_path / 'needsbook.toml'}: ")
    assert expected in line


def test_a_malformed_needsbook_toml_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "needsbook.toml").write_bytes(b"[build]\narea = '\xff'\n")
    proc = subprocess.run(
        [sys.executable, "-m", "needsbook", "build"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"needsbook: error: {tmp_path / 'needsbook.toml'}: not a valid")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_bad_local_dir_is_the_same_error_for_validate_and_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "local"
    write_templates("Rutland", folder)
    (folder / "eha_assessments.csv").write_text(
        "period,provider,district,imd_quintile,assessments\n2014-15,x,Rutland,9,abc\n"
    )
    (folder / "EHA_reasons.CSV").write_text("x\n")
    assert main(["validate", "--local-dir", str(folder), "--area", "Rutland"]) == 2
    validate_err = capsys.readouterr().err
    assert main([*BUILD, "--local-dir", str(folder), "--out", str(tmp_path / "book")]) == 2
    assert capsys.readouterr().err == validate_err
    assert validate_err.startswith(f"needsbook: error: local data in {folder} is invalid (3 ")
    assert "rename it to eha_reasons.csv" in validate_err and "Traceback" not in validate_err
    missing = str(tmp_path / "nowhere")
    line = error_line(capsys, "validate", "--local-dir", missing, "--area", "Rutland")
    assert line == error_line(capsys, *BUILD, "--local-dir", missing)
    assert not (tmp_path / "book").exists()


def test_a_pdf_without_chromium_is_refused_before_building(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEEDSBOOK_CHROMIUM", str(tmp_path / "no-such-chromium"))
    for option in ("--pdf", "--summary-pdf"):
        line = refused(capsys, "build", "--area", "Rutland", "--out", str(tmp_path / "b"), option)
        assert "no-such-chromium is not an executable" in line
    assert not (tmp_path / "b").exists()
