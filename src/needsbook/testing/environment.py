"""Write the conda-forge environments from ``requirements.lock`` (``make lock`` runs this).

``environment.yml`` holds the runtime: the packages ``pyproject.toml``'s dependencies and its
feature extras (``jupyter``) need, found by walking the installed packages' requirements.
``environment-dev.yml`` holds the rest of the lock (the ``test`` extra: pytest, ruff,
pre-commit, ...); conda has no optional groups, so it is a second file applied on top::

    conda env create -f environment.yml
    conda env update -n needsbook -f environment-dev.yml

Every pin keeps the lock's version; a package goes to the ``pip:`` section only where
conda-forge has no package of that name (``PIP_ONLY``). Walking the requirements reads the
installed metadata, so run it in an environment installed from the lock (``make setup``).
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

RUNTIME_FILE = "environment.yml"
DEV_FILE = "environment-dev.yml"
PYTHON = "3.11"  # the Python version requirements.lock was resolved for
#: Extras that add test or development tools; every other extra adds a feature (runtime).
DEV_EXTRAS = frozenset({"test", "dev"})
#: conda-forge names that are not the PyPI name in lower case with dashes.
CONDA_NAMES = {
    "fastjsonschema": "python-fastjsonschema",
    "tzdata": "python-tzdata",  # conda-forge's `tzdata` is the system time zone database
    "playwright": "playwright-python",
    "ruamel-yaml": "ruamel.yaml",
    "ipython-pygments-lexers": "ipython_pygments_lexers",
    "jupyter-client": "jupyter_client",
    "jupyter-core": "jupyter_core",
    "jupyter-events": "jupyter_events",
    "jupyter-server": "jupyter_server",
    "jupyter-server-terminals": "jupyter_server_terminals",
    "jupyterlab-pygments": "jupyterlab_pygments",
    "jupyterlab-server": "jupyterlab_server",
    "prometheus-client": "prometheus_client",
    "pure-eval": "pure_eval",
    "stack-data": "stack_data",
    "msgpack": "msgpack-python",  # conda-forge's name for the msgpack Python package
    "dask": "dask-core",  # conda-forge's `dask` also pulls in bokeh and the dataframe extras
    "typing-extensions": "typing_extensions",
}
#: Locked packages conda-forge does not carry: installed with pip inside the environment.
PIP_ONLY = frozenset({"lazy-importer", "nest-asyncio2", "python-discovery"})
PIP_NOTE = "PyPI only: not on conda-forge"

HOW_TO = """\
#   conda env create -f environment.yml                      # the runtime: build books
#   conda env update -n needsbook -f environment-dev.yml     # optional: tests, ruff, pre-commit
# Generated from requirements.lock (same versions) by `python -m needsbook.testing.environment`
# (`make lock` runs it); do not edit. tests/test_environment.py checks both files.
"""


@dataclass(frozen=True)
class Pin:
    """One line of the lock: ``name==version``."""

    name: str
    version: str

    @property
    def key(self) -> str:
        return normalise(self.name)

    @property
    def conda(self) -> str:
        return f"{CONDA_NAMES.get(self.key, self.key)}=={self.version}"

    @property
    def pip(self) -> str:
        return f"{self.name}=={self.version}"


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares it (lower case, runs of ``-_.`` as ``-``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(lock: Path) -> list[str]:
    """The lock's ``name==version`` lines, comments and blanks left out."""
    lines = (ln.strip() for ln in lock.read_text().splitlines())
    return [ln for ln in lines if ln and not ln.startswith("#")]


def parse_pins(lock: Path) -> dict[str, Pin]:
    """The lock's pins by normalised name."""
    pins = {}
    for line in lock_pins(lock):
        name, sep, version = line.partition("==")
        if not sep:
            raise ValueError(f"{lock}: '{line}' is not pinned exactly (name==version)")
        pin = Pin(name.strip(), version.strip())
        pins[pin.key] = pin
    return pins


def project_roots(pyproject: Path) -> tuple[list[Requirement], list[Requirement]]:
    """``pyproject.toml``'s requirements: (runtime, development)."""
    project = tomllib.loads(pyproject.read_text())["project"]
    runtime = [Requirement(r) for r in project.get("dependencies", [])]
    dev = []
    for extra, reqs in project.get("optional-dependencies", {}).items():
        (dev if extra in DEV_EXTRAS else runtime).extend(Requirement(r) for r in reqs)
    return runtime, dev


def _wanted(req: Requirement, extras: set[str]) -> bool:
    """Whether a requirement applies here for a package installed with ``extras``."""
    if req.marker is None:
        return True
    return any(req.marker.evaluate({"extra": e}) for e in extras | {""})


def closure(roots: list[Requirement], pins: dict[str, Pin]) -> set[str]:
    """The locked packages ``roots`` need, directly or through the packages they need."""
    seen: set[str] = set()
    walked: set[tuple[str, frozenset[str]]] = set()
    todo = [(normalise(r.name), frozenset(r.extras)) for r in roots if _wanted(r, set())]
    while todo:
        name, extras = todo.pop()
        if name not in pins or (name, extras) in walked:
            continue
        walked.add((name, extras))
        seen.add(name)
        try:
            requires = metadata.distribution(pins[name].name).requires or []
        except metadata.PackageNotFoundError as e:
            raise RuntimeError(
                f"{pins[name].name} is in the lock but not installed: install the lock first "
                "(make setup), then run this again"
            ) from e
        for r in map(Requirement, requires):
            if _wanted(r, set(extras)):
                todo.append((normalise(r.name), frozenset(r.extras)))
    return seen


def split(lock: Path, pyproject: Path) -> tuple[list[Pin], list[Pin]]:
    """The lock's pins, split into (runtime, development), each in the lock's order."""
    pins = parse_pins(lock)
    runtime_roots, _ = project_roots(pyproject)
    runtime = closure(runtime_roots, pins)
    return (
        [p for k, p in pins.items() if k in runtime],
        [p for k, p in pins.items() if k not in runtime],
    )


def _dependencies(pins: list[Pin], tail: list[str]) -> list[str]:
    lines = [f"  - {p.conda}" for p in pins if p.key not in PIP_ONLY]
    pip = [f"      - {p.pip}  # {PIP_NOTE}" for p in pins if p.key in PIP_ONLY]
    pip += [f"      - {t}" for t in tail]
    return lines + (["  - pip:", *pip] if pip else [])


def render(lock: Path, pyproject: Path | None = None) -> tuple[str, str]:
    """The text of (environment.yml, environment-dev.yml) for ``lock``."""
    pyproject = pyproject or lock.parent / "pyproject.toml"
    runtime, dev = split(lock, pyproject)
    head = ["name: needsbook", "channels:", "  - conda-forge", "dependencies:"]
    runtime_text = [
        "# needsbook's runtime as a conda-forge environment: everything a book build needs.",
        *HOW_TO.splitlines(),
        *head,
        f"  - python={PYTHON}",
        "  - pip",
        *_dependencies(runtime, ["-e ."]),
    ]
    dev_text = [
        "# needsbook's test and development tools, added to the runtime environment.",
        *HOW_TO.splitlines(),
        *head,
        *_dependencies(dev, []),
    ]
    return "\n".join(runtime_text) + "\n", "\n".join(dev_text) + "\n"


def main(root: Path) -> int:
    runtime, dev = render(root / "requirements.lock", root / "pyproject.toml")
    (root / RUNTIME_FILE).write_text(runtime)
    (root / DEV_FILE).write_text(dev)
    print(f"wrote {RUNTIME_FILE} and {DEV_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path.cwd()))
