"""Run a test's asyncio or Playwright work in a thread of its own.

A test that runs after another in the same process may find an event loop registered as
running in the main thread (the browser checks' session-wide Playwright, a kernel client), and
both ``asyncio.run`` and Playwright's sync API refuse to start inside one. A new thread has no
running loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def in_own_thread(work: Callable[[], T], timeout: float = 300.0) -> T:
    """``work()`` in a new thread: its result, or its exception raised here."""
    result: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # re-raised in the test's thread
            failed.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"{getattr(work, '__name__', 'work')} did not end in {timeout:.0f} s")
    if failed:
        raise failed[0]
    return result[0]
