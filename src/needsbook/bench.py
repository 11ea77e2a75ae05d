"""Benchmark the book build (prints figures; not a test).

For one area it prints the wall time of each pipeline step, summed into validate / execute
notebooks / book build / total, for a *cold* build (a fresh project folder: no validation or
bundle cache, empty output; the committed snapshot and its national tables are linked in) and a
*warm* one (the same folder again, its caches now present, into another empty output), the
HTML size of every chapter page, and the toolchain floor measured in the same run (one kernel
start per chapter plus an empty book build). Then, for a batch of areas (default 10: every
15th area, so all area types appear), the wall time per area with 1 and with 2 jobs
(``build_many``, ``force=True``, into a temporary output root), and what that makes for all
areas with 2 jobs. The load average (1 minute) is sampled through each measured run, since
other work on the machine slows every figure.

Targets (the performance issue): the cold build at most 2.0 times the floor; with 2 jobs at most
4 s per area (so ``needsbook build --all --jobs 2`` within 10 minutes); no chapter page over
3 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from needsbook import paths
from needsbook.build import BuildOptions, build_area
from needsbook.build.chapters import CHAPTERS

PROJECT_FILES = ("notebooks", "book", "_config.yml", "_toc.yml", "expectations", "data")
PAGE_LIMIT = 3 * 1024 * 1024
COLD_RATIO_TARGET = 2.0  # cold one-area build / toolchain floor
PER_AREA_TARGET = 4.0  # seconds per area in a batch with TARGET_JOBS jobs
TARGET_JOBS = 2
ALL_AREAS_TARGET = 600.0  # seconds for every area with TARGET_JOBS jobs


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


class LoadSampler:
    """The 1-minute load average, sampled every ``every`` seconds while in use."""

    def __init__(self, every: float = 2.0) -> None:
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def text(self) -> str:
        s = self.samples or [os.getloadavg()[0]]
        return (
            f"load average during the run: mean {sum(s) / len(s):.1f}, max {max(s):.1f} "
            f"({os.cpu_count()} CPUs)"
        )


def toolchain_floor() -> dict[str, float]:
    """Seconds for one kernel start/stop and for building a one-page Jupyter Book."""
    from jupyter_client.manager import start_new_kernel

    from needsbook.build.book import run_jupyter_book

    t = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3")
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    kernel = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp)
        (src / "_config.yml").write_text("title: empty\nexecute:\n  execute_notebooks: 'off'\n")
        (src / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
        (src / "intro.md").write_text("# Empty\n")
        t = time.perf_counter()
        run_jupyter_book(src)
        book = time.perf_counter() - t
    return {"kernel start": kernel, "empty book build": book}


@contextmanager
def fresh_project() -> Iterator[Path]:
    """A throw-away project root (links to the real templates and data, its own empty
    ``_build``), so a build there starts with no validation or chart-bundle cache."""
    root = paths.repo_root()
    tmp = Path(tempfile.mkdtemp(prefix="needsbook-bench-root-"))
    for name in PROJECT_FILES:
        if (root / name).exists():
            (tmp / name).symlink_to(root / name)
    before = os.environ.get("NEEDSBOOK_ROOT")
    os.environ["NEEDSBOOK_ROOT"] = str(tmp)
    try:
        yield tmp
    finally:
        if before is None:
            os.environ.pop("NEEDSBOOK_ROOT", None)
        else:
            os.environ["NEEDSBOOK_ROOT"] = before
        shutil.rmtree(tmp, ignore_errors=True)


def phases(timings: dict[str, float]) -> dict[str, float]:
    """Step timings summed into validate / execute notebooks / book build."""
    out = {"validate": 0.0, "execute notebooks": 0.0, "book build": 0.0}
    for step, seconds in timings.items():
        if step.startswith("validate"):
            out["validate"] += seconds
        elif step.startswith("execute "):
            out["execute notebooks"] += seconds
        elif step != "resolve area and year":
            out["book build"] += seconds  # assemble, jupyter-book, downloads, check pages
    return out


def _one(area: str, out: Path, data_dir: Path) -> tuple[float, dict[str, float], Path]:
    t = time.perf_counter()
    result = build_area(BuildOptions(area=area, out=out, data_dir=data_dir, quiet=True, force=True))
    return time.perf_counter() - t, result.timings, result.out


def page_sizes(book: Path) -> dict[str, int]:
    return {c.html: (book / c.html).stat().st_size for c in CHAPTERS if (book / c.html).is_file()}


def batch_sample(n: int) -> list[str]:
    from needsbook.areas import all_areas

    areas = all_areas()
    step = max(1, len(areas) // n)
    return [a.code for a in areas[::step][:n]]


def run_batch(codes: list[str], jobs: int) -> tuple[float, int]:
    from needsbook.build.batch import build_many

    out = Path(tempfile.mkdtemp(prefix=f"needsbook-bench-batch{jobs}-"))
    try:
        t = time.perf_counter()
        outcomes = build_many(
            codes, BuildOptions(area="", quiet=True, force=True), jobs=jobs, out_root=out
        )
        wall = time.perf_counter() - t
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return wall, sum(o.status == "built" for o in outcomes)


def _print_steps(label: str, total: float, timings: dict[str, float]) -> None:
    print(f"{label}: {total:6.2f} s")
    for phase, seconds in phases(timings).items():
        print(f"  {phase:<26} {seconds:6.2f} s")
    for step, seconds in timings.items():
        print(f"    {step:<24} {seconds:6.2f} s")


def print_need_model(data_dir: Path, year: int | None = None) -> None:
    """The need model's fitting time and cross-validated accuracy against its baseline."""
    from needsbook.national.store import current_index
    from needsbook.need.validation import validation_report
    from needsbook.years import latest_data_year

    year = year or latest_data_year(data_dir)
    stored = current_index(data_dir) is not None
    start = time.perf_counter()
    report = validation_report(year, data_dir)
    seconds = time.perf_counter() - start
    acc = report["accuracy"]
    how = "read from the national tables" if stored else "fitted and cross-validated"
    print(
        f"need model {year}: 10-fold cross-validation of {len(acc)} outcomes, {how} "
        f"in {seconds:.1f} s"
    )
    print(
        f"  {'outcome':<12} {'areas':>5} {'RMSE model':>11} {'RMSE income only':>17} "
        f"{'R2 model':>9}"
    )
    for row in acc.itertuples():
        print(
            f"  {row.outcome:<12} {row.areas:>5} {row.rmse_full:>11.3f} "
            f"{row.rmse_baseline:>17.3f} {row.r2_full:>9.2f}"
        )
    print(
        f"  model beats the income-only baseline on {int(acc['beats_baseline'].sum())} "
        f"of {len(acc)}"
    )
    calib, grad = report["calibration"], report["gradient"]
    print("  calibration (largest gap, predicted - observed % over tenths of areas) and")
    print("  gradient (% in IMD decile 1 / decile 10: model, income only)")
    for key, sub in calib.groupby("outcome", sort=False):
        gap = (sub["predicted"] - sub["observed"]).abs().max()
        g = grad[grad["outcome"] == key].set_index("imd_decile")
        print(
            f"  {key:<12} {gap:5.2f} points   "
            f"{g.loc[1, 'full'] / g.loc[10, 'full']:.2f}, "
            f"{g.loc[1, 'baseline'] / g.loc[10, 'baseline']:.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--area", default="E10000034")
    p.add_argument("--batch", type=int, default=10, help="areas in the batch (0: no batch)")
    p.add_argument("--jobs", default="1,2", help="job counts to time the batch with")
    args = p.parse_args(argv)
    data_dir = paths.default_data_dir()
    out = Path(tempfile.mkdtemp(prefix="needsbook-bench-"))
    try:
        with fresh_project():  # the warm build reuses the caches the cold one made
            with LoadSampler() as cold_load:
                cold, cold_steps, _ = _one(args.area, out / "cold", data_dir)
            with LoadSampler() as warm_load:
                warm, warm_steps, book = _one(args.area, out / "warm", data_dir)
            sizes = page_sizes(book)
        with LoadSampler() as floor_load:
            floor = toolchain_floor()
    finally:
        shutil.rmtree(out, ignore_errors=True)

    from needsbook.areas import resolve_area

    area = resolve_area(args.area)
    print(
        f"needsbook build, {area.name} ({area.code}), {len(CHAPTERS)} chapter(s), "
        f"{os.cpu_count()} CPUs"
    )
    _print_steps("cold (fresh project folder, no caches, empty output)", cold, cold_steps)
    print(f"  {cold_load.text()}")
    _print_steps("warm (same folder again: validation and bundle cached)", warm, warm_steps)
    print(f"  {warm_load.text()}")
    print("HTML size per chapter page")
    for page, size in sizes.items():
        print(f"  {page:<34} {size / 1024 / 1024:6.2f} MB")
    biggest = max(sizes.values(), default=0)
    print(f"target: no chapter page over 3 MB: {verdict(biggest <= PAGE_LIMIT)}")
    n_chapters = len(CHAPTERS)
    floor_total = floor["kernel start"] * n_chapters + floor["empty book build"]
    print("toolchain floor (same run)")
    for step, seconds in floor.items():
        print(f"  {step:<26} {seconds:6.2f} s")
    print(f"  {'floor total':<26} {floor_total:6.2f} s  ({n_chapters} kernel start(s) + book)")
    print(f"  {floor_load.text()}")
    ratio = cold / floor_total
    print(
        f"ratio cold build / floor: {ratio:.2f} (target at most {COLD_RATIO_TARGET:.1f}: "
        f"{verdict(ratio <= COLD_RATIO_TARGET)})"
    )
    print(f"ratio warm build / floor: {warm / floor_total:.2f}")

    print_need_model(data_dir)

    if args.batch > 0:
        codes = batch_sample(args.batch)
        print(f"batch of {len(codes)} areas ({', '.join(codes)}), force, temporary output root")
        for jobs in (int(j) for j in args.jobs.split(",") if j.strip()):
            with LoadSampler() as load:
                wall, built = run_batch(codes, jobs)
            per = wall / max(built, 1)
            line = (
                f"  {jobs} job(s): {wall:7.1f} s wall, {built}/{len(codes)} built, "
                f"{per:5.1f} s per area"
            )
            if jobs == TARGET_JOBS:
                ok = verdict(per <= PER_AREA_TARGET)
                line += f" (target at most {PER_AREA_TARGET:.0f}: {ok})"
            print(line)
            print(f"    {load.text()}")
            if jobs == TARGET_JOBS:
                n = len(all_codes())
                print(
                    f"    all {n} areas at this rate: {per * n / 60:5.1f} min (target at most "
                    f"{ALL_AREAS_TARGET / 60:.0f}: {verdict(per * n <= ALL_AREAS_TARGET)})"
                )
    return 0


def all_codes() -> list[str]:
    from needsbook.areas import all_areas

    return [a.code for a in all_areas()]


if __name__ == "__main__":
    sys.exit(main())
