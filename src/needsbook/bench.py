"""Benchmark: wall time of each pipeline step for one area (prints figures; not a test).

Also measures the toolchain floor in the same run (a kernel start plus an empty book build),
so the one-area build can be compared with what the tools alone cost.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from needsbook.build import BuildOptions, build_area


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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--area", default="E10000034")
    args = p.parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="needsbook-bench-"))
    try:
        t = time.perf_counter()
        result = build_area(BuildOptions(area=args.area, out=out / "book", quiet=True))
        total = time.perf_counter() - t
        floor = toolchain_floor()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"needsbook build, {result.area.name} ({result.area.code}), data year {result.year}")
    for step, seconds in result.timings.items():
        print(f"  {step:<28} {seconds:7.2f} s")
    print(f"  {'total':<28} {total:7.2f} s")
    n_chapters = sum(1 for k in result.timings if k.startswith("execute "))
    floor_total = floor["kernel start"] * n_chapters + floor["empty book build"]
    print("toolchain floor (same run)")
    for step, seconds in floor.items():
        print(f"  {step:<28} {seconds:7.2f} s")
    print(f"  {'floor total':<28} {floor_total:7.2f} s  ({n_chapters} kernel start(s) + book)")
    print(f"ratio build / floor: {total / floor_total:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
