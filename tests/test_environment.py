"""environment.yml describes exactly the locked set in requirements.lock; the pins are exact."""

from __future__ import annotations

from pathlib import Path

from needsbook.testing.environment import lock_pins, render


def test_environment_yml_matches_the_lock(root: Path) -> None:
    assert (root / "environment.yml").read_text() == render(root / "requirements.lock"), (
        "environment.yml is out of date: run `python -m needsbook.testing.environment`"
    )


def test_lock_pins_every_package_exactly(root: Path) -> None:
    pins = lock_pins(root / "requirements.lock")
    assert all("==" in p for p in pins)
    names = {p.split("==")[0].lower().replace("_", "-") for p in pins}
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
