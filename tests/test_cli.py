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


# --- batches: --years, --scheduler and the summary -----------------------------------------


def batch_call(monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, object]:
    """The arguments ``needsbook build ARGS`` passes to the batch build (nothing is built)."""
    from unittest import mock

    with (
        mock.patch("needsbook.cli._build_batch", return_value=0) as batch,
        mock.patch("needsbook.build.build_area", side_effect=AssertionError("single build")),
    ):
        assert main(["build", *args]) == 0
    names = ("areas", "template", "jobs", "quiet", "out_root", "years", "cluster")
    return dict(zip(names, batch.call_args.args, strict=True))


def test_years_and_a_scheduler_make_a_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from needsbook.build.distributed import Cluster

    monkeypatch.chdir(tmp_path)
    call = batch_call(monkeypatch, "--area", "Rutland", "--years", "2024,2021-2022")
    assert (call["areas"], call["years"], call["cluster"]) == (
        ["Rutland"],
        (2021, 2022, 2024),
        None,
    )
    call = batch_call(
        monkeypatch, "--all", "--years", "2023-2024", "--scheduler", "tcp://a:8786", "--out", "x"
    )
    assert len(call["areas"]) == 153 and call["years"] == (2023, 2024)  # type: ignore[arg-type]
    assert call["cluster"] == Cluster("tcp://a:8786", shared_out=False)
    assert call["out_root"] == Path("x") and call["jobs"] == 1
    call = batch_call(
        monkeypatch,
        "--area",
        "Rutland",
        "--scheduler",
        "tcp://a:8786",
        "--shared-out",
        "--out",
        "x",
    )
    assert call["years"] is None and call["cluster"] == Cluster("tcp://a:8786", shared_out=True)


def _result() -> object:
    from needsbook.build.batch_report import AreaOutcome, BatchResult

    rutland = dict(area_code="E06000017", area_name="Rutland")
    return BatchResult(
        [
            AreaOutcome("Narnia", "failed", 0.0, reason="unknown area 'Narnia'"),
            AreaOutcome(
                "E06000017",
                "built",
                41.0,
                **rutland,
                out="/b/E06000017/2023",
                year=2023,
                worker="pid 7",
                peak_mb=1234.0,
            ),
            AreaOutcome(
                "E06000017",
                "skipped",
                2.0,
                **rutland,
                out="/b/E06000017/2024",
                year=2024,
                worker="pid 8",
                peak_mb=800.0,
            ),
        ],
        wall_seconds=60.0,
    )


@pytest.mark.parametrize("quiet", [False, True])
def test_the_batch_summary_lists_each_book_and_the_figures(
    quiet: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from needsbook import cli
    from needsbook.build import BuildOptions

    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr("needsbook.build.batch.build_batch", lambda *_a, **_k: _result())
    assert cli._build_batch(["Narnia", "Rutland"], BuildOptions(area=""), 2, quiet) == 1
    err = capsys.readouterr().err
    rows = [[c.strip() for c in ln.split("│")[1:-1]] for ln in err.splitlines() if "│" in ln]
    assert rows == [  # the table is printed, even with --quiet, as a book failed
        ["Narnia", "", "", "failed", "0.0", "unknown area 'Narnia'"],
        ["Rutland", "E06000017", "2023", "built", "41.0", "/b/E06000017/2023"],
        ["Rutland", "E06000017", "2024", "skipped", "2.0", "/b/E06000017/2024"],
    ]
    assert "1 built, 1 skipped (unchanged), 1 failed. Logs: " in err
    figures = (
        "1 book built in 60.0 s: 1.00 books per minute, 60.0 s per book.",
        "Peak memory per worker (process and notebook kernel): pid 7 1,234 MB, pid 8 800 MB.",
    )
    assert all((f in err) != quiet for f in figures)
