"""Execute every chapter template for a few areas, for nbval to re-run and compare in CI."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from needsbook import paths
from needsbook.areas import resolve_area
from needsbook.build.chapters import CHAPTERS
from needsbook.build.execute import execute_notebook
from needsbook.years import resolve_year


def prepare(out: Path, areas: list[str]) -> list[Path]:
    root = paths.repo_root()
    shutil.rmtree(out, ignore_errors=True)
    written = []
    for query in areas:
        area = resolve_area(query)
        year = resolve_year(None, area)
        for chapter in CHAPTERS:
            target = out / area.code / f"{chapter.slug}.ipynb"
            params = {"area_code": area.code, "year": year, "data_dir": "", "local_dir": ""}
            execute_notebook(root / chapter.notebook, target, params)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, default=Path("_build/nbval"))
    p.add_argument("areas", nargs="+")
    args = p.parse_args(argv)
    for path in prepare(args.out, args.areas):
        print(f"executed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
