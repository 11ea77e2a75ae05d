"""Run in each build kernel as it starts: stream flushes that return at once when nothing waits.

ipykernel flushes stdout and stderr before every display output, and each flush hands work to
the kernel's I/O thread and waits for it to come back (a few milliseconds), even when nothing
was written: about 300 round trips a book, whose chapters print nothing. A build kernel's
streams skip the round trip when no text is pending; text that is pending (a warning, a
print) is flushed as before, so it still comes before the output that follows it.
"""

from __future__ import annotations

from typing import Any

_PENDING = ("_flush_pending", "_subprocess_flush_pending")


def has_pending(stream: Any) -> bool:
    """True unless ``stream`` is an ipykernel stream with nothing written since its last
    flush and no echo (a stream this module does not know is always flushed)."""
    if not all(hasattr(stream, name) for name in _PENDING):
        return True
    return getattr(stream, "echo", None) is not None or any(getattr(stream, n) for n in _PENDING)


def install() -> None:
    """Make ipykernel's output streams skip a flush with nothing to send (idempotent)."""
    from ipykernel.iostream import OutStream

    flush = OutStream.flush
    if getattr(flush, "_needsbook", False):
        return

    def flush_if_pending(self: Any) -> None:
        if has_pending(self):
            flush(self)

    flush_if_pending._needsbook = True  # type: ignore[attr-defined]
    flush_if_pending.__wrapped__ = flush  # type: ignore[attr-defined]
    OutStream.flush = flush_if_pending  # type: ignore[method-assign]
