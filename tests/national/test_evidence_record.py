"""Loading the evidence catalogue runs its expectation suite only when no pass of that very
table (content, suite and check code) is recorded with the national tables."""

from __future__ import annotations

import pytest

from needsbook.evidence import catalogue
from needsbook.validate import runner


def test_a_recorded_pass_skips_the_suite(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = catalogue.read_entries()
    key = runner.frame_key(catalogue.TABLE, catalogue.programmes_frame(entries))
    monkeypatch.setattr(
        "needsbook.national.store.validated", lambda table, k, data_dir=None: k == key
    )

    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("the suite ran although its pass was recorded")

    monkeypatch.setattr("needsbook.validate.validate_frame", never)
    assert len(catalogue.build_catalogue(entries).programmes) == len(entries)


def test_a_changed_table_runs_the_suite_again(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = catalogue.read_entries()
    before = runner.frame_key(catalogue.TABLE, catalogue.programmes_frame(entries))
    entries[0]["name"] += " (renamed)"
    after = runner.frame_key(catalogue.TABLE, catalogue.programmes_frame(entries))
    assert after != before
    ran: list[str] = []
    real = runner.validate_frame

    def spy(table: str, df: object, **kw: object) -> object:
        ran.append(table)
        return real(table, df, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(
        "needsbook.national.store.validated", lambda table, k, data_dir=None: k == before
    )
    monkeypatch.setattr("needsbook.validate.validate_frame", spy)
    catalogue.build_catalogue(entries)
    assert ran == [catalogue.TABLE]
