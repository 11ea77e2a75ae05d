"""Publishing never loses data: what --out may be, how a book replaces only a book, clean-up of
stale temporary folders, no build-machine paths in a published book, and interrupts."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from needsbook.build import outdir
from needsbook.build.fingerprint import STAMP, book_files
from needsbook.build.scrub import machine_paths, scrub_text
from needsbook.errors import DataError, InputError
from needsbook.site.landing import write_landing

ROOT = Path(__file__).resolve().parents[2]


def fake_book(folder: Path, code: str = "E06000017", text: str = "old book") -> Path:
    """A folder shaped like a finished book, with a stamp listing its files."""
    (folder / "book").mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "book" / "intro.html").write_text(text)
    stamp = {"fingerprint": "x", "area_code": code, "year": 2024, "files": book_files(folder)}
    (folder / STAMP).write_text(json.dumps(stamp))
    return folder


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# --- what --out may be -------------------------------------------------------------------


def test_states_of_a_book_folder(tmp_path: Path) -> None:
    assert outdir.book_state(tmp_path / "new") == ("new", "")
    (tmp_path / "empty").mkdir()
    assert outdir.book_state(tmp_path / "empty") == ("empty", "")
    book = fake_book(tmp_path / "book")
    assert outdir.book_state(book) == ("ours", "")
    (book / "my-notes.txt").write_text("mine")
    state, reason = outdir.book_state(book)
    assert state == "foreign" and "my-notes.txt" in reason
    legacy = tmp_path / "legacy"  # stamped before stamps listed their files: all of it is ours
    legacy.mkdir()
    (legacy / STAMP).write_text(json.dumps({"area_code": "E06000017"}))
    (legacy / "page.html").write_text("x")
    assert outdir.book_state(legacy) == ("ours", "")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / STAMP).write_text("not json")
    assert outdir.book_state(tmp_path / "other")[0] == "foreign"


def test_states_of_a_batch_root(tmp_path: Path) -> None:
    root = tmp_path / "site"
    fake_book(root / "E06000017")
    assert outdir.site_state(root) == ("ours", "")
    (root / "index.html").write_text('<meta name="generator" content="needsbook 1">')
    assert outdir.site_state(root) == ("ours", "")
    (root / "index.html").write_text("<p>someone's site</p>")
    assert outdir.site_state(root)[0] == "foreign"
    outdir.stamp_site(root)  # a root needsbook stamped may also hold other people's files
    assert outdir.site_state(root) == ("ours", "")


def test_a_changed_book_or_foreign_folder_needs_force(tmp_path: Path) -> None:
    book = fake_book(tmp_path / "book")
    assert outdir.book_target(book).state == "ours"
    (book / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="--force"):
        outdir.book_target(book)
    assert outdir.book_target(book, force=True).state == "foreign"


# --- publishing --------------------------------------------------------------------------


def staged_html(tmp_path: Path, text: str = "new book") -> Path:
    html = tmp_path / "staging" / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text(text)
    (html / STAMP).write_text(json.dumps({"area_code": "E06000017", "files": ["index.html"]}))
    return html


def test_publish_replaces_a_book_and_leaves_nothing_behind(tmp_path: Path) -> None:
    out = fake_book(tmp_path / "out" / "rutland")
    target = outdir.book_target(out)
    assert outdir.publish(staged_html(tmp_path), target) is None
    assert (out / "index.html").read_text() == "new book"
    assert not (out / "book").exists()  # the old book's files went with it
    assert sorted(p.name for p in out.parent.iterdir()) == ["rutland"]


def test_publish_with_force_keeps_a_foreign_folder_as_a_backup(tmp_path: Path) -> None:
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.md").write_text("precious")
    backup = outdir.publish(staged_html(tmp_path), outdir.book_target(out, force=True), True)
    assert backup is not None and backup.parent == tmp_path
    assert backup.name.startswith("thesis.before-needsbook-")
    assert (backup / "chapter1.md").read_text() == "precious"
    assert (out / "index.html").read_text() == "new book"


def test_publish_checks_again_and_refuses_a_folder_that_changed_during_the_build(
    tmp_path: Path,
) -> None:
    out = tmp_path / "book"
    target = outdir.book_target(out)  # new at the start of the build ...
    out.mkdir()
    (out / "notes.txt").write_text("written meanwhile")  # ... but not at the end
    with pytest.raises(InputError, match="--force"):
        outdir.publish(staged_html(tmp_path), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book", "staging"]
    assert (out / "notes.txt").read_text() == "written meanwhile"


def test_a_full_disk_leaves_the_old_book_and_no_partial_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = fake_book(tmp_path / "book")
    target = outdir.book_target(out)

    def copy_until_full(src: str, dst: str) -> None:
        Path(dst).mkdir()
        (Path(dst) / "index.html").write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outdir.shutil, "move", copy_until_full)
    with pytest.raises(DataError, match="No space left on device; nothing was changed"):
        outdir.publish(staged_html(tmp_path), target)
    assert (out / "index.html").read_text() == "old book"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book", "staging"]


def test_landing_page_never_replaces_an_index_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>the council's own home page</p>")
    with pytest.raises(InputError, match="not written by needsbook"):
        write_landing(tmp_path)
    assert (tmp_path / "index.html").read_text() == "<p>the council's own home page</p>"
    (tmp_path / "index.html").unlink()
    page = write_landing(tmp_path)
    assert outdir.is_landing(page)
    assert write_landing(tmp_path) == page  # its own page is rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


# --- stale temporary folders ---------------------------------------------------------------


def test_sweep_removes_only_staging_folders_of_dead_processes(tmp_path: Path) -> None:
    dead = tmp_path / f".staging-E06000017-{dead_pid()}-abc_12"
    live = tmp_path / f".staging-E06000017-{os.getpid()}-def_34"
    legacy_old = tmp_path / ".staging-E06000017-k2j3h4l5"
    legacy_new = tmp_path / ".staging-E10000034-q9w8e7r6"
    for folder in (dead, live, legacy_old, legacy_new):
        (folder / "notebooks").mkdir(parents=True)
    an_hour_ago = time.time() - outdir.LEGACY_AGE - 60
    os.utime(legacy_old, (an_hour_ago, an_hour_ago))
    (tmp_path / "html").mkdir()
    assert sorted(outdir.sweep_staging(tmp_path)) == sorted([dead, legacy_old])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["html", live.name, legacy_new.name]
    )


def test_sweep_puts_back_a_book_a_killed_publish_had_moved_aside(tmp_path: Path) -> None:
    pid = dead_pid()
    out = tmp_path / "book"
    fake_book(tmp_path / f".book.old-{pid}")
    (tmp_path / f".book.incoming-{pid}").mkdir()
    (tmp_path / f".book.incoming-{os.getpid()}").mkdir()  # this (live) process's: kept
    (tmp_path / ".bookshelf.old-1").mkdir()  # another folder's: not ours to judge
    outdir.sweep_siblings(out)
    assert (out / "index.html").read_text() == "old book"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["book", f".book.incoming-{os.getpid()}", ".bookshelf.old-1"]
    )


# --- machine paths -------------------------------------------------------------------------


def test_scrub_replaces_machine_paths_on_path_boundaries(tmp_path: Path) -> None:
    root, data = tmp_path / "proj", tmp_path / "elsewhere" / "data"
    pairs = machine_paths(root, data, None, root / "_build" / ".staging-x")
    text = (
        f"{root}/_build/.staging-x/notebooks/a.ipynb; {data}/snapshot; {root}/src; "
        f"{root}2/other; {tempfile.gettempdir()}/z; see {root}."
    )
    assert scrub_text(text, pairs) == (
        "$BUILD_DIR/notebooks/a.ipynb; $NEEDSBOOK_DATA_DIR/snapshot; $NEEDSBOOK_ROOT/src; "
        f"$TMPDIR/{tmp_path.relative_to(tempfile.gettempdir())}/proj2/other; $TMPDIR/z; "
        "see $NEEDSBOOK_ROOT."
    )


# --- real builds ---------------------------------------------------------------------------


def machine_strings(tmp: Path) -> list[str]:
    home = str(Path.home())
    found = [str(ROOT), str(tmp), tempfile.gettempdir() + "/"]
    return found + ([home + "/"] if len(home) > 1 else [])


@pytest.fixture(scope="module")
def rutland(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Rutland built once (from a copy of the data, so its paths are temporary ones too)."""
    from needsbook.cli import main

    base = tmp_path_factory.mktemp("safety")
    shutil.copytree(ROOT / "data" / "snapshot", base / "data" / "snapshot")
    out = base / "rutland"
    args = ["build", "--area", "Rutland", "--out", str(out), "--data-dir", str(base / "data")]
    assert main([*args, "--quiet"]) == 0
    return out


@pytest.mark.slow
def test_published_book_and_zip_hold_no_machine_paths(rutland: Path) -> None:
    needles = machine_strings(rutland.parent)
    with zipfile.ZipFile(rutland / "downloads" / "E06000017-data.zip") as zf:
        for name in zf.namelist():
            text = zf.read(name).decode("utf-8")
            assert not [n for n in needles if n in text], name
        nb = json.loads(zf.read("notebooks/01_population.ipynb"))
    params = nb["metadata"]["papermill"]["parameters"]
    assert params["data_dir"] == "$NEEDSBOOK_DATA_DIR"
    for path in rutland.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".ipynb", ".csv", ".txt", ".json", ".js"}:
            text = path.read_text(errors="replace")
            assert not [n for n in needles if n in text], path
    assert outdir.book_state(rutland) == ("ours", "")  # the stamp lists every file


def interrupted_build(book: Path, sig: signal.Signals, phase: str) -> tuple[int, str]:
    """Rebuild ``book`` in a subprocess and send ``sig`` once ``phase`` (notebooks |
    jupyter-book) is under way; returns (exit code, stderr)."""
    args = ["build", "--area", "Rutland", "--out", str(book), "--force", "--quiet"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "needsbook", *args], stderr=subprocess.PIPE, text=True
    )
    marker = "notebooks/00_summary.ipynb" if phase == "notebooks" else "_build"
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            staging = list((ROOT / "_build").glob(f".staging-E06000017-{proc.pid}-*"))
            if staging and (staging[0] / marker).exists():
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"the build ended before the {phase} phase"
        if phase == "notebooks":
            time.sleep(1.0)  # inside the kernel's work
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not list((ROOT / "_build").glob(f".staging-*-{proc.pid}-*"))
    return proc.returncode, err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "phase"), [(signal.SIGINT, "notebooks"), (signal.SIGTERM, "jupyter-book")]
)
def test_interrupt_exits_130_and_keeps_the_previous_book(
    rutland: Path, tmp_path: Path, sig: signal.Signals, phase: str
) -> None:
    book = tmp_path / "rutland"
    shutil.copytree(rutland, book)
    before = {p: p.read_bytes() for p in book.rglob("*") if p.is_file()}
    code, err = interrupted_build(book, sig, phase)
    assert code == 130, err
    assert f"interrupted ({sig.name})" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in book.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rutland"]  # no .incoming/.old


def _in_group(staging: Path, group: int) -> bool:
    """True when the process named in a staging folder (``.staging-<code>-<pid>-*``) belongs to
    the process group ``group``."""
    try:
        return os.getpgid(int(staging.name.split("-")[2])) == group
    except (ProcessLookupError, ValueError):
        return False


@pytest.mark.slow
def test_interrupting_a_parallel_batch_stops_every_worker(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) during a --jobs 2
    build: exit 130, no worker left running, no staging folder left, nothing published."""
    site = tmp_path / "site"
    args = ["build", "--areas", "Rutland,Worcestershire", "--jobs", "2", "--out", str(site)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "needsbook", *args, "--quiet"],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    seen: set[Path] = set()
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            running = [  # this batch's workers only: other tests build these areas too
                s
                for code in ("E06000017", "E10000034")
                for s in (ROOT / "_build").glob(f".staging-{code}-*")
                if (s / "downloads").is_dir() and _in_group(s, proc.pid)
            ]
            seen.update(running)
            if len({s.name.split("-")[1] for s in running}) == 2:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the batch ended before both workers started"
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    workers = {int(s.name.split("-")[2]) for s in seen}
    assert not [p for p in workers if outdir._alive(p)]
    assert not [s for s in seen if s.exists()]
    assert not site.exists() or not list(site.glob("**/index.html"))  # no book, no page
