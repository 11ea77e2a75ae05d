"""Keep ``environment.yml`` describing exactly the pins in ``requirements.lock``."""

from __future__ import annotations

import sys
from pathlib import Path

HEADER = """\
# Conda description of the same locked set as requirements.lock (generated: do not edit).
# Regenerate with: python -m needsbook.testing.environment
name: needsbook
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def lock_pins(lock: Path) -> list[str]:
    lines = (ln.strip() for ln in lock.read_text().splitlines())
    return [ln for ln in lines if ln and not ln.startswith("#")]


def render(lock: Path) -> str:
    pins = "".join(f"      - {p}\n" for p in lock_pins(lock))
    return HEADER + pins + "      - -e .\n"


def main(root: Path) -> int:
    (root / "environment.yml").write_text(render(root / "requirements.lock"))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path.cwd()))
