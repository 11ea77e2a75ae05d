"""environment.yml (runtime) and environment-dev.yml (test tools) describe exactly the locked
set in requirements.lock, at the lock's versions, with conda-forge's package names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from needsbook.testing.environment import (
    DEV_FILE,
    PIP_ONLY,
    RUNTIME_FILE,
    lock_pins,
    normalise,
    parse_pins,
    render,
    split,
)

TEST_TOOLS = {"pytest", "pytest-xdist", "hypothesis", "ruff", "nbval", "playwright", "coverage"}


def _entries(path: Path) -> tuple[list[str], list[str]]:
    """(conda specs, pip lines) of an environment file."""
    deps = yaml.safe_load(path.read_text())["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    pip = [line for d in deps if isinstance(d, dict) for line in d["pip"]]
    return conda, pip


def test_environment_files_match_the_lock(root: Path) -> None:
    runtime, dev = render(root / "requirements.lock", root / "pyproject.toml")
    hint = "run `python -m needsbook.testing.environment`"
    assert (root / RUNTIME_FILE).read_text() == runtime, f"{RUNTIME_FILE} is out of date: {hint}"
    assert (root / DEV_FILE).read_text() == dev, f"{DEV_FILE} is out of date: {hint}"


def test_every_locked_package_is_in_exactly_one_file_at_the_locked_version(root: Path) -> None:
    pins = parse_pins(root / "requirements.lock")
    runtime, dev = split(root / "requirements.lock", root / "pyproject.toml")
    assert sorted(p.key for p in runtime + dev) == sorted(pins)
    assert not {p.key for p in runtime} & {p.key for p in dev}
    for file, part in ((RUNTIME_FILE, runtime), (DEV_FILE, dev)):
        conda, pip = _entries(root / file)
        for p in part:
            line = p.pip if p.key in PIP_ONLY else p.conda
            assert line in (pip if p.key in PIP_ONLY else conda), (file, line)


def test_runtime_is_conda_forge_with_test_tools_apart(root: Path) -> None:
    doc = yaml.safe_load((root / RUNTIME_FILE).read_text())
    assert doc["name"] == "needsbook" and doc["channels"] == ["conda-forge"]
    conda, pip = _entries(root / RUNTIME_FILE)
    assert conda[:2] == ["python=3.11", "pip"]
    names = {normalise(c.split("==")[0]) for c in conda}
    # what a book build imports, under conda-forge's names
    assert {
        "jupyter-book",
        "papermill",
        "great-expectations",
        "altair",
        "vl-convert-python",
        "pandas",
        "pyarrow",
        "ipykernel",
        "httpx",
        "python-fastjsonschema",
        "jupyter-client",
    } <= names
    assert not names & TEST_TOOLS
    assert pip[-1] == "-e ."  # needsbook itself
    assert all(normalise(line.split("==")[0]) in PIP_ONLY for line in pip[:-1])
    dev_conda, _ = _entries(root / DEV_FILE)
    dev_names = {normalise(c.split("==")[0]) for c in dev_conda}
    assert {"pytest", "pytest-xdist", "hypothesis", "ruff", "nbval", "playwright-python"} <= (
        dev_names
    )
    assert "conda env update -n needsbook -f environment-dev.yml" in (root / DEV_FILE).read_text()


def test_lock_pins_every_package_exactly(root: Path) -> None:
    pins = lock_pins(root / "requirements.lock")
    assert all("==" in p for p in pins)
    names = {normalise(p.split("==")[0]) for p in pins}
    assert {
        "jupyter-book",
        "papermill",
        "great-expectations",
        "altair",
        "pandas",
        "nbval",
        "pytest",
        "hypothesis",
        "ruff",
        "vl-convert-python",
    } <= names
    jb = next(p for p in pins if p.lower().startswith("jupyter-book=="))
    assert jb == "jupyter-book==1.0.4.post1"


def test_the_split_follows_pyproject_extras(tmp_path: Path) -> None:
    """A feature extra goes to the runtime, the test extra to the dev file, with what they
    need; a package the lock holds but nothing needs goes to the dev file."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["pyyaml"]\n'
        '[project.optional-dependencies]\ntest = ["pytest"]\nfeature = ["httpx"]\n'
    )
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "# comment\nPyYAML==6.0.3\npytest==9.2.0\npluggy==1.7.0\nhttpx==0.28.1\nh11==0.16.0\n"
        "anyio==4.16.0\nidna==3.20\ncertifi==2026.10.18\nhttpcore==1.0.9\n"
        "typing_extensions==4.16.0\niniconfig==2.3.1\npackaging==26.3\nPygments==2.21.0\n"
        "stray==1.0\n"
    )
    runtime, dev = split(lock, tmp_path / "pyproject.toml")
    assert {"pyyaml", "httpx", "h11", "anyio", "idna", "certifi", "httpcore"} <= {
        p.key for p in runtime
    }
    assert {"pytest", "pluggy", "iniconfig", "stray"} <= {p.key for p in dev}
    assert "pytest" not in {p.key for p in runtime}


def test_an_unpinned_lock_line_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "requirements.lock").write_text("pandas>=2\n")
    with pytest.raises(ValueError, match="not pinned exactly"):
        parse_pins(tmp_path / "requirements.lock")


def test_the_dask_extra_is_locked_and_in_the_runtime(root: Path) -> None:
    """`needsbook build --scheduler` needs Dask distributed (the ``dask`` extra): locked, and
    installed by environment.yml with what it needs, none of it in the dev file."""
    import tomllib

    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert [r.split(">")[0] for r in extras["optional-dependencies"]["dask"]] == ["distributed"]
    pins = parse_pins(root / "requirements.lock")
    assert pins["distributed"].version.split(".")[0] == pins["dask"].version.split(".")[0]
    runtime, dev = split(root / "requirements.lock", root / "pyproject.toml")
    needed = {"distributed", "dask", "cloudpickle", "msgpack", "tblib", "toolz", "zict"}
    assert needed <= {p.key for p in runtime}
    assert not needed & {p.key for p in dev}
