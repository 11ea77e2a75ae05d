"""Signals during a build: one interrupt stops it, a second one cannot break off the clean-up,
and an interrupt lost in a finaliser is neither printed nor forgotten."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from needsbook.build import interrupts
from needsbook.build.interrupts import Interrupted


def _signal_self(sig: signal.Signals = signal.SIGINT) -> None:
    """Send ``sig`` to this process and give Python the moment it needs to run the handler."""
    os.kill(os.getpid(), sig)
    time.sleep(0.5)


class _Finalised:
    """An object whose finaliser is running when the signal arrives (as the import system's
    module-lock callbacks can be)."""

    def __del__(self) -> None:
        _signal_self()


def test_a_signal_raises_and_a_second_one_during_the_clean_up_does_not() -> None:
    cleaned = False
    with pytest.raises(Interrupted), interrupts.handled():
        try:
            _signal_self(signal.SIGINT)
        finally:
            _signal_self(signal.SIGTERM)  # e.g. a batch stopping its workers
            cleaned = True
    assert cleaned
    assert interrupts.last_requested() == "SIGINT"


def test_an_interrupt_lost_in_a_finaliser_is_silent_and_raised_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reported: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    with interrupts.handled():
        obj = _Finalised()
        del obj  # the handler raises inside __del__: Python can only report it
        assert interrupts.requested() == "SIGINT"
        with pytest.raises(Interrupted, match="SIGINT"):
            interrupts.check()  # the pipeline's check after each step
    assert reported == []  # nothing printed


def test_after_a_lost_interrupt_the_next_signal_raises() -> None:
    with pytest.raises(Interrupted), interrupts.handled():
        obj = _Finalised()
        del obj
        _signal_self(signal.SIGTERM)
    assert interrupts.last_requested() == "SIGINT"


def test_other_unraisable_errors_still_reach_the_previous_hook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Broken:
        def __del__(self) -> None:
            raise ValueError("a finaliser failed")

    seen: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda args: seen.append(args.exc_value))
    with interrupts.handled():
        obj = Broken()
        del obj
    assert [type(e) for e in seen] == [ValueError]
    assert sys.unraisablehook is not None and sys.unraisablehook.__name__ == "<lambda>"
