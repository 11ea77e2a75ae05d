"""Ctrl-C and SIGTERM: one exception (:class:`Interrupted`), one flag, exit code 130.

:func:`handled` installs handlers for SIGINT and SIGTERM that record the signal and raise
:class:`Interrupted` (a ``KeyboardInterrupt``) in the main thread. Code that catches broad
exceptions (a notebook client, Sphinx) can turn an interrupt into an ordinary failure; the
pipeline calls :func:`check` after each step so a swallowed interrupt still stops the build.
:func:`deferred` holds an interrupt back during short critical sections (renames, clean-up).

Once an interrupt is on its way up, a further signal (a second Ctrl-C, or the SIGTERM a batch
sends its workers after the terminal's SIGINT) is recorded but not raised, so it cannot break
off the clean-up. An interrupt raised where Python cannot pass it on (a finaliser or a
weak-reference callback, such as the import system's) is not printed as an error: the next
signal raises again, and :func:`check` raises at the end of the step.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

EXIT_CODE = 130
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """SIGINT (Ctrl-C) or SIGTERM asked needsbook to stop."""


_state: dict[str, Any] = {
    "signal": None,
    "last": None,
    "defer": 0,
    "pending": False,
    "busy": True,
    "stopping": False,
}


def requested() -> str | None:
    """The name of the signal that asked this process to stop, if any (while handled)."""
    return _state["signal"]


def last_requested() -> str | None:
    """The signal that ended the last :func:`handled` block, if one did."""
    return _state["last"]


def check() -> None:
    """Raise :class:`Interrupted` if a signal was received (even if something swallowed it)."""
    if _state["signal"]:
        _raise()


def _raise() -> None:
    _state["stopping"] = True
    raise Interrupted(_state["signal"])


def _handler(signum: int, _frame: FrameType | None) -> None:
    if _state["stopping"]:  # already stopping: let the clean-up finish
        return
    _state["signal"] = _state["signal"] or signal.Signals(signum).name
    if _state["defer"]:
        _state["pending"] = True
        return
    if not _state["busy"]:  # an idle pool worker: nothing to clean up
        os._exit(EXIT_CODE)
    _raise()


def _unraisable(previous: Callable[[Any], object], args: Any) -> None:
    """``sys.unraisablehook``: an interrupt lost in a finaliser or callback is not reported
    (the next signal raises again; :func:`check` raises after the step); anything else goes to
    ``previous`` with interrupts held back, so none is raised inside the hook."""
    if isinstance(args.exc_value, Interrupted):
        _state["stopping"] = False
        return
    _state["defer"] += 1
    try:
        previous(args)
    finally:
        _state["defer"] -= 1


def _install_unraisable() -> Callable[[Any], object]:
    previous = sys.unraisablehook
    sys.unraisablehook = functools.partial(_unraisable, previous)
    return previous


def _install(handler: Callable[[int, FrameType | None], None] | int) -> dict[int, Any]:
    return {sig: signal.signal(sig, handler) for sig in SIGNALS}


@contextmanager
def handled() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _state.update(signal=None, last=None, defer=0, pending=False, busy=True, stopping=False)
    previous = _install(_handler)
    previous_hook = _install_unraisable()
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)
        sys.unraisablehook = previous_hook
        # a later build in this process (tests, notebooks) must not see this signal
        _state.update(last=_state["signal"], signal=None, pending=False, stopping=False)


def worker_init() -> None:
    """Process-pool initializer: a worker exits at once on a signal when idle, and raises
    :class:`Interrupted` (cleaning up its staging folder) while it builds."""
    _state.update(signal=None, defer=0, pending=False, busy=False, stopping=False)
    _install(_handler)
    _install_unraisable()


@contextmanager
def busy() -> Iterator[None]:
    """Mark a pool worker as working (a signal then raises instead of exiting)."""
    _state["busy"] = True
    try:
        yield
    finally:
        _state["busy"] = False


@contextmanager
def deferred() -> Iterator[None]:
    """Hold back interrupts until the block ends (it must be short), then raise."""
    _state["defer"] += 1
    try:
        yield
    finally:
        _state["defer"] -= 1
        if not _state["defer"] and _state["pending"]:
            _state["pending"] = False
            _raise()


@contextmanager
def keep_handlers() -> Iterator[None]:
    """Stop nbclient from replacing our handlers with its own while it runs a notebook.

    ``NotebookClient.execute`` adds asyncio signal handlers that shut the kernel down on SIGINT
    or SIGTERM (so the build fails with "kernel died" instead of stopping) and, on the way out,
    reset SIGTERM to the default. It skips them when ``add_signal_handler`` raises
    ``RuntimeError`` (as outside the main thread), which this block makes it do.
    """
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("needsbook handles signals itself")

    loop.add_signal_handler = refuse  # type: ignore[method-assign]
    loop.remove_signal_handler = refuse  # type: ignore[method-assign,assignment]
    try:
        yield
    except KeyboardInterrupt:
        _drain(loop)  # the interrupted execution's tasks, so none logs an unretrieved error
        raise
    finally:
        del loop.add_signal_handler
        del loop.remove_signal_handler


def _drain(loop: asyncio.AbstractEventLoop, timeout: float = 5.0) -> None:
    """Cancel the loop's unfinished tasks and let them end (at most ``timeout`` seconds)."""
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if not tasks or loop.is_running():
        return
    for task in tasks:
        task.cancel()
    with deferred(), contextlib.suppress(Exception):
        loop.run_until_complete(asyncio.wait(tasks, timeout=timeout))
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: not logged at garbage collection
