"""Batches on a Dask cluster (``needsbook build --scheduler``): books come back as archives and
are published here, unchanged books are never sent, a dead worker's book is built again, and
the books hold the same data as books built on this machine."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from bs4 import BeautifulSoup

from needsbook import __version__, paths
from needsbook.build import BuildOptions, build_area, pipeline
from needsbook.build import distributed as remote
from needsbook.build.batch_report import AreaOutcome
from needsbook.build.distributed import (
    Cluster,
    RemoteBook,
    pack_book,
    run_on_cluster,
    unpack_book,
)
from needsbook.build.fingerprint import STAMP, read_stamp
from needsbook.build.jobs import log_path
from needsbook.build.pipeline import book_key
from needsbook.cli import main
from needsbook.errors import DataError, InputError

if TYPE_CHECKING:
    from tests.books import Books

RUTLAND, CITY, SCILLY = "E06000017", "E09000001", "E06000053"  # the smallest areas
AREAS, YEARS = (RUTLAND, CITY, SCILLY), (2024, 2025)
#: The latest year's books are compared with the session's books of the same areas, built on
#: this machine by the normal batch (tests/books.py).
LATEST = YEARS[-1]


def fake_book(folder: Path, code: str = RUTLAND, year: int = 2024, key: str = "k") -> Path:
    """A folder shaped like a finished book, with a stamp (``key`` its fingerprint)."""
    (folder / "downloads").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>Rutland</h1>")
    (folder / "downloads" / f"{code}-births.csv").write_bytes(b"year,value\n2024,7\n")
    (folder / "run.sh").write_text("#!/bin/sh\n")
    (folder / "run.sh").chmod(0o755)
    (folder / STAMP).write_text(
        f'{{"fingerprint": "{key}", "area_code": "{code}", "year": {year}}}'
    )
    return folder


def files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and permission bits."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mode & 0o777)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def build_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This process's ``_build`` (logs, staging) in a temporary folder."""
    folder = tmp_path / "_build"
    monkeypatch.setattr(paths, "build_dir", lambda: folder)
    return folder


# --- the book as bytes ---------------------------------------------------------------------


def test_a_book_survives_the_round_trip_byte_for_byte(tmp_path: Path) -> None:
    book = fake_book(tmp_path / "book")
    archive = pack_book(book)
    assert archive[:2] == b"\x1f\x8b"  # gzip
    back = unpack_book(archive, tmp_path / "back")
    assert back == tmp_path / "back" / "book"
    assert files(back) == files(book)
    assert files(back)["run.sh"][1] == 0o755


def _archive(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (_archive(("book/index.html", b"x"), ("other/x", b"y")), "not one book folder"),
        (_archive(("book/../../escaped.txt", b"x")), "could not be unpacked"),
        (_archive(("/book/abs.txt", b"x")), "not one book folder"),
        (b"not an archive", "could not be unpacked"),
    ],
    ids=["two-folders", "outside", "absolute", "damaged"],
)
def test_an_archive_that_is_not_one_book_is_refused(
    archive: bytes, message: str, tmp_path: Path
) -> None:
    with pytest.raises(DataError, match=message):
        unpack_book(archive, tmp_path / "into")
    assert not (tmp_path / "escaped.txt").exists()


# --- the client ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"year": 2022},
        {"comparators": ("Leicestershire", "E06000016", "Lincolnshire"), "compare_year": 2020},
        {"editions": ("--docx",)},
        {"area": "Worcestershire", "local_dir": paths.repo_root() / "data/examples/E10000034"},
    ],
    ids=["latest", "year", "comparators", "editions", "local-data"],
)
def test_the_client_computes_the_fingerprint_the_build_stores(
    options: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key that decides "unchanged" on the client is the build's own (taken as the build
    checks it, which then stops as for an unchanged book: nothing is built)."""
    seen = []
    monkeypatch.setattr(pipeline, "is_unchanged", lambda _out, key: seen.append(key) or True)
    opts = BuildOptions(**{"area": "Rutland", **options}, out=tmp_path / "book", quiet=True)
    assert build_area(opts).skipped
    assert seen == [book_key(opts)]
    assert len({book_key(replace(opts, year=y)) for y in (2021, 2022, 2023)}) == 3


def test_unchanged_books_are_not_sent_to_the_cluster(
    tmp_path: Path, build_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_cluster(_scheduler: str) -> None:
        raise AssertionError("connected to the cluster")

    monkeypatch.setattr(remote, "connect", no_cluster)
    books = [
        BuildOptions(area=RUTLAND, year=y, out=tmp_path / RUTLAND / str(y), validate=False)
        for y in YEARS
    ]
    for opts in books:
        fake_book(Path(opts.out or ""), year=int(opts.year or 0), key=book_key(opts))
    done = run_on_cluster(books, Cluster("tcp://127.0.0.1:9"))
    assert [(o.status, o.out) for o in done.values()] == [
        ("skipped", str(opts.out)) for opts in books
    ]
    assert "Unchanged since the last build" in log_path(RUTLAND, 2024).read_text()
    with pytest.raises(AssertionError, match="connected"):  # --force: sent again
        run_on_cluster([replace(books[0], force=True)], Cluster("tcp://127.0.0.1:9"))


@dataclass
class FakeFuture:
    """A finished Dask future: its result, or the exception it raises."""

    value: Any = None
    error: BaseException | None = None

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


def _built(log: str = "[1] resolve area and year ...\nBuilt Rutland (2024)\n") -> AreaOutcome:
    return AreaOutcome(
        RUTLAND,
        "built",
        31.5,
        RUTLAND,
        "Rutland",
        "/tmp/w",
        year=2024,
        worker="tcp://10.0.0.2:4000",
        peak_mb=900.0,
    )


def test_a_book_sent_back_is_published_with_its_log(tmp_path: Path, build_dir: Path) -> None:
    opts = BuildOptions(area=RUTLAND, year=2024, out=tmp_path / "site" / RUTLAND / "2024")
    book = pack_book(fake_book(tmp_path / "worker" / "book", key="abc"))
    sent = RemoteBook(_built(), "[1] resolve area and year ...\nBuilt Rutland (2024)\n", book)
    outcome = remote._receive(FakeFuture(sent), opts, shared_out=False)  # type: ignore[arg-type]
    assert (outcome.status, outcome.worker, outcome.peak_mb) == ("built", sent.outcome.worker, 900)
    assert files(Path(opts.out or "")) == files(tmp_path / "worker" / "book")
    published = f"Published {Path(opts.out or '') / 'index.html'} (built by tcp://10.0.0.2:4000)"
    assert log_path(RUTLAND, 2024).read_text() == f"{sent.log}{published}\n"
    assert not list(build_dir.glob(".staging-*"))  # the unpacked copy was moved, not left


@pytest.mark.parametrize(
    ("stamp", "message"),
    [
        ({"code": CITY}, "sent back no book of E06000017 for 2024"),
        ({"year": 2023}, "sent back no book of E06000017 for 2024"),
    ],
)
def test_a_book_that_is_not_the_one_asked_for_is_not_published(
    stamp: dict[str, Any], message: str, tmp_path: Path, build_dir: Path
) -> None:
    opts = BuildOptions(area=RUTLAND, year=2024, out=tmp_path / "site" / RUTLAND / "2024")
    book = pack_book(fake_book(tmp_path / "worker" / "book", **{"key": "abc", **stamp}))
    future = FakeFuture(RemoteBook(_built(), "Built\n", book))
    outcome = remote._receive(future, opts, shared_out=False)  # type: ignore[arg-type]
    assert outcome.status == "failed" and message in outcome.reason
    assert not Path(opts.out or "").exists()
    assert log_path(RUTLAND, 2024).read_text() == f"Built\nFAILED: {outcome.reason}\n"


def test_a_task_whose_workers_died_is_a_failed_book(tmp_path: Path, build_dir: Path) -> None:
    from distributed import KilledWorker

    opts = BuildOptions(area=RUTLAND, year=2023, out=tmp_path / RUTLAND / "2023")
    last = SimpleNamespace(address="tcp://10.0.0.2:4000")  # the scheduler's WorkerState
    died = KilledWorker("needsbook-E06000017-2023", last, 3)
    outcome = remote._receive(FakeFuture(error=died), opts, shared_out=False)  # type: ignore[arg-type]
    assert (outcome.status, outcome.area_code, outcome.year) == ("failed", RUTLAND, 2023)
    assert outcome.reason == (
        "the 4 Dask workers that tried to build it died (the last: tcp://10.0.0.2:4000)"
    )
    assert log_path(RUTLAND, 2023).read_text() == f"FAILED: {outcome.reason}\n"
    broken = FakeFuture(error=ModuleNotFoundError("No module named 'needsbook'"))
    outcome = remote._receive(broken, opts, shared_out=False)  # type: ignore[arg-type]
    assert outcome.reason == (
        "the Dask task failed: ModuleNotFoundError(\"No module named 'needsbook'\")"
    )


def test_a_worker_with_another_snapshot_builds_nothing(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_build(*_args: object) -> None:
        raise AssertionError("built")

    monkeypatch.setattr(remote, "build_one", no_build)
    ours = remote.snapshot_id(None)
    assert remote.snapshot_id(data_copy) == ours  # the same tables, elsewhere
    manifest = data_copy / "snapshot" / "MANIFEST"
    lines = manifest.read_text().splitlines()
    n = next(n for n, line in enumerate(lines) if line.startswith("areas,"))
    lines[n] = lines[n][:-1] + ("1" if lines[n].endswith("0") else "0")  # one table's hash
    manifest.write_text("\n".join(lines) + "\n")
    assert remote.snapshot_id(data_copy) != ours
    opts = BuildOptions(area=RUTLAND, year=2024, data_dir=data_copy, out=data_copy / "out")
    sent = remote.build_on_worker(opts, snapshot=ours)
    assert (sent.outcome.status, sent.outcome.year, sent.archive) == ("failed", 2024, None)
    assert sent.outcome.reason == (
        f"the Dask worker pid {os.getpid()} has another snapshot than this machine: give every "
        "worker the same needsbook and data"
    )
    assert sent.log == f"FAILED: {sent.outcome.reason}\n"


def test_a_scheduler_that_does_not_answer_is_bad_input() -> None:
    start = time.monotonic()
    with pytest.raises(InputError, match=r"could not reach the Dask scheduler at tcp://127\.0"):
        remote.connect("tcp://127.0.0.1:9", timeout=2)
    assert time.monotonic() - start < 30


def test_a_scheduler_without_workers_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    import distributed

    closed = []

    class Client:
        def __init__(self, address: str, **_kwargs: Any) -> None:
            self.address = address

        def wait_for_workers(self, n: int, timeout: float) -> None:
            raise TimeoutError(f"only 0 of {n} workers after {timeout} s")

        def close(self) -> None:
            closed.append(self.address)

    monkeypatch.setattr(distributed, "Client", Client)
    with pytest.raises(InputError) as error:
        remote.connect("tcp://a:8786", timeout=5)
    assert str(error.value) == (
        "no Dask worker joined the scheduler at tcp://a:8786 within 5 s: start one on each "
        "machine with `dask worker tcp://a:8786`"
    )
    assert closed == ["tcp://a:8786"]


def test_without_dask_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)
    with pytest.raises(InputError, match=r"pip install 'needsbook\[dask\]'"):
        remote.connect("tcp://127.0.0.1:9")


def test_workers_with_another_needsbook_are_refused() -> None:
    from importlib.metadata import PackageNotFoundError

    class Client:
        def __init__(self, found: dict[str, Any]) -> None:
            self.found = found

        def run(self, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
            return self.found

    same = {"tcp://a:1": __version__, "tcp://b:1": __version__}
    remote._check_versions(Client(same), "tcp://s:8786")  # type: ignore[arg-type]
    for other, has in (("0.0.1", "has needsbook 0.0.1"), (PackageNotFoundError(), "has no ne")):
        found = {**same, "tcp://c:1": other}
        with pytest.raises(InputError, match="1 of the 3 Dask workers") as error:
            remote._check_versions(Client(found), "tcp://s:8786")  # type: ignore[arg-type]
        assert f"tcp://c:1 {has}" in str(error.value)


# --- books built on a local cluster --------------------------------------------------------


@dataclass
class ClusterRun:
    """The batch built on the cluster, through the command line, and what happened."""

    site: Path
    scheduler: str
    code: int
    output: str
    logs: dict[tuple[str, int], str]
    killed: dict[str, Any] = field(default_factory=dict)  # worker, pid, the books it was building

    def rows(self) -> dict[tuple[str, int], list[str]]:
        """The summary table's rows by (code, year): area, code, year, status, seconds,
        output or reason."""
        found = {}
        for line in self.output.splitlines():
            cells = [c.strip() for c in line.split("│")[1:-1]]
            if len(cells) == 6 and cells[2].isdigit():
                found[(cells[1], int(cells[2]))] = cells
        return found

    def said(self) -> str:
        return " ".join(self.output.split())


def _executing(dask_worker: Any) -> list[str]:
    return [str(ts.key) for ts in dask_worker.state.executing]


def kill_a_busy_worker(scheduler: str, killed: dict[str, Any], after: float = 8.0) -> None:
    """SIGKILL the first worker seen building a book for ``after`` seconds (mid-build)."""
    from distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        pids = client.run(os.getpid)
        busy_since: dict[str, float] = {}
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            executing = client.run(lambda dask_worker: _executing(dask_worker))
            now = time.monotonic()
            for worker, keys in executing.items():
                if not keys:
                    busy_since.pop(worker, None)
                    continue
                busy_since.setdefault(worker, now)
                if now - busy_since[worker] >= after and worker in pids:
                    killed.update(worker=worker, pid=pids[worker], keys=keys)
                    os.kill(pids[worker], signal.SIGKILL)
                    return
            time.sleep(0.5)


@contextlib.contextmanager
def wide_console() -> Iterator[io.StringIO]:
    """The command line's output (stderr), in a console wide enough for one row per book."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "300")
        buffer = io.StringIO()
        with contextlib.redirect_stderr(buffer):
            yield buffer


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterRun]:
    """Three areas for two years built on a local Dask cluster of two worker processes, one of
    them killed mid-build."""
    from distributed import LocalCluster

    root = tmp_path_factory.mktemp("dask")
    site = root / "site"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
        killed: dict[str, Any] = {}
        killer = threading.Thread(
            target=kill_a_busy_worker, args=(cluster.scheduler_address, killed), daemon=True
        )
        killer.start()
        args = ["--areas", ",".join(AREAS), "--years", ",".join(map(str, YEARS))]
        with wide_console() as output:
            code = main(
                ["build", *args, "--scheduler", cluster.scheduler_address, "--out", str(site)]
            )
        killer.join(timeout=5)
        logs = {(c, y): log_path(c, y).read_text() for c in AREAS for y in YEARS}
        (root / "build-output.txt").write_text(output.getvalue())  # beside the books, to read
        yield ClusterRun(site, cluster.scheduler_address, code, output.getvalue(), logs, killed)


@pytest.mark.slow
def test_the_cluster_builds_every_area_for_every_year(cluster_run: ClusterRun) -> None:
    run = cluster_run
    assert run.code == 0, run.output
    for code in AREAS:
        for year in YEARS:
            book = run.site / code / str(year)
            stamp = read_stamp(book) or {}
            assert (stamp.get("area_code"), stamp.get("year")) == (code, year)
            assert len(list((book / "downloads").glob("*.csv"))) > 20
            *steps, built, published = run.logs[(code, year)].splitlines()
            assert steps[0] == "[1] resolve area and year ..." and f"({year}): " in built
            assert published.startswith(f"Published {book / 'index.html'} (built by tcp://")
            area, _, _, status, seconds, out = run.rows()[(code, year)]
            assert (status, out, float(seconds) > 0) == ("built", str(book), True)
            assert (
                area
                == {RUTLAND: "Rutland", CITY: "City of London", SCILLY: "Isles of Scilly"}[code]
            )
        area_page = (run.site / code / "index.html").read_text()
        assert all(f'href="{y}/index.html"' in area_page for y in YEARS)
    landing = (run.site / "index.html").read_text()
    assert all(f'href="{c}/index.html"' in landing for c in AREAS)
    said = run.said()
    assert "6 built, 0 skipped (unchanged), 0 failed." in said
    assert re.search(r"6 books built in [\d.]+ s: [\d.]+ books per minute, [\d.]+ s per book", said)
    peaks = re.findall(
        r"tcp://127\.0\.0\.1:\d+ ([\d,]+) MB", said.split("Peak memory per worker")[1]
    )
    assert len(peaks) >= 2 and all(int(mb.replace(",", "")) > 200 for mb in peaks)


@pytest.mark.slow
def test_a_killed_worker_s_book_is_built_again_and_the_others_are_built(
    cluster_run: ClusterRun,
) -> None:
    killed = cluster_run.killed
    assert killed, "no worker was seen building a book"
    assert len(killed["keys"]) == 1 and killed["keys"][0].startswith("needsbook-")
    _, code, year, _ = killed["keys"][0].split("-")
    assert cluster_run.rows()[(code, int(year))][3] == "built"  # given to a worker again
    built_by = cluster_run.logs[(code, int(year))].splitlines()[-1]
    assert built_by.startswith("Published") and killed["worker"] not in built_by
    said = cluster_run.said()
    assert killed["worker"] not in said  # the killed worker built nothing
    assert "6 built, 0 skipped (unchanged), 0 failed." in said


@pytest.mark.slow
def test_books_from_the_cluster_hold_the_same_data_as_books_built_here(
    cluster_run: ClusterRun, books: Books
) -> None:
    run = cluster_run
    for code in AREAS:
        assert (books / code).name == str(LATEST)
        here, there = book_data(books / code), book_data(run.site / code / str(LATEST))
        assert sorted(there) == sorted(here)
        assert sum(k.startswith("downloads/") for k in here) > 20
        assert sum(k.startswith("tables/") for k in here) > 5
        for key in here:
            assert there[key] == here[key], (code, key)


def book_data(book: Path) -> dict[str, Any]:
    """A book's data: each CSV under downloads/ and each file in its data zip but the executed
    notebooks (they differ in run times and cell ids), as bytes, and the tables of each page
    (rows of cell text)."""
    data: dict[str, Any] = {}
    for csv in sorted((book / "downloads").glob("*.csv")):
        data[f"downloads/{csv.name}"] = csv.read_bytes()
    for zipped in sorted((book / "downloads").glob("*-data.zip")):
        with zipfile.ZipFile(zipped) as z:
            for name in z.namelist():
                if not name.endswith(".ipynb"):
                    data[f"zip/{name}"] = z.read(name)
    for page in sorted([*book.glob("notebooks/*.html"), *book.glob("book/**/*.html")]):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        tables = [
            [
                [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
                for row in table.select("tr")
            ]
            for table in soup.select("table")
        ]
        if tables:
            data[f"tables/{page.relative_to(book)}"] = tables
    return data


@pytest.mark.slow
def test_a_second_run_sends_nothing_and_skips_every_book(
    cluster_run: ClusterRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_cluster(_scheduler: str) -> None:
        raise AssertionError("connected to the cluster")

    monkeypatch.setattr(remote, "connect", no_cluster)
    args = ["--areas", ",".join(AREAS), "--years", "2024-2025", "--out", str(cluster_run.site)]
    with wide_console() as output:
        code = main(["build", *args, "--scheduler", cluster_run.scheduler])
    assert code == 0, output.getvalue()
    said = " ".join(output.getvalue().split())
    assert "0 built, 6 skipped (unchanged), 0 failed." in said
    assert "books per minute" not in said
