"""What a batch build reports: each book's outcome, and the batch's throughput and memory.

Each book's outcome says which worker built it and that worker's peak memory so far (the
worker process and the notebook kernel it keeps, :func:`peak_memory_mb`); :class:`BatchResult`
adds the batch's wall time, giving books per minute, seconds per book and the peak memory of
each worker. The command line prints :meth:`BatchResult.summary_lines`; the benchmark prints
the same figures.
"""

from __future__ import annotations

import os
import resource
import sys
from dataclasses import dataclass, field
from pathlib import Path

STATUSES = ("built", "skipped", "failed")


@dataclass
class AreaOutcome:
    """One book of a batch (or an area that could not be resolved): ``status`` is built,
    skipped (unchanged) or failed (``reason``); ``worker`` names the process that built it
    and ``peak_mb`` its peak memory in MB after this book (0 when not measured)."""

    query: str
    status: str  # "built" | "skipped" | "failed"
    seconds: float
    area_code: str = ""
    area_name: str = ""
    out: str = ""
    reason: str = ""
    year: int | None = None
    worker: str = ""
    peak_mb: float = 0.0


@dataclass
class BatchResult:
    """A batch's outcomes (in the order asked) and its wall time, start to end (validation,
    builds and pages)."""

    outcomes: list[AreaOutcome] = field(default_factory=list)
    wall_seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def built(self) -> int:
        return self.count("built")

    @property
    def books_per_minute(self) -> float | None:
        """Books built per minute of wall time (None when none was built)."""
        if not self.built or self.wall_seconds <= 0:
            return None
        return 60.0 * self.built / self.wall_seconds

    @property
    def seconds_per_book(self) -> float | None:
        """Wall time per book built: the batch's cost of one book, amortised."""
        return self.wall_seconds / self.built if self.built else None

    @property
    def peak_mb(self) -> dict[str, float]:
        """Each worker's peak memory (MB, process and kernel), over the books it built."""
        peaks: dict[str, float] = {}
        for o in self.outcomes:
            if o.worker and o.peak_mb > 0:
                peaks[o.worker] = max(peaks.get(o.worker, 0.0), o.peak_mb)
        return peaks

    def summary_lines(self) -> list[str]:
        """The figures as the command line prints them (counts, throughput, memory)."""
        lines = [
            f"{self.built} built, {self.count('skipped')} skipped (unchanged), "
            f"{self.count('failed')} failed."
        ]
        if self.built:
            lines.append(
                f"{self.built} {'book' if self.built == 1 else 'books'} built in "
                f"{self.wall_seconds:.1f} s: {self.books_per_minute:.2f} books per minute, "
                f"{self.seconds_per_book:.1f} s per book."
            )
        peaks = self.peak_mb
        if peaks:
            each = ", ".join(f"{w} {mb:,.0f} MB" for w, mb in sorted(peaks.items()))
            lines.append(f"Peak memory per worker (process and notebook kernel): {each}.")
        return lines


def worker_label() -> str:
    """This process as a batch names its workers: ``pid <n>`` (a Dask worker: its address)."""
    if "distributed" in sys.modules:  # never imported just to ask (it takes a second)
        from distributed import get_worker

        try:
            return str(get_worker().address)
        except ValueError:  # not in a Dask worker
            pass
    return f"pid {os.getpid()}"


def _maxrss_mb(who: int) -> float:
    """``getrusage``'s peak resident set in MB (kilobytes on Linux, bytes on macOS)."""
    rss = resource.getrusage(who).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _child_peak_mb(pid: int, rss: int) -> float:
    """A live child's peak resident set (Linux's VmHWM), else its resident set now."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return rss / (1024 * 1024)


def peak_memory_mb() -> float:
    """Peak memory of this process and the processes it started (the notebook kernel), MB.

    This process's peak resident set plus the larger of its live children's peaks (added up)
    and the peak of the largest child that has ended (a kernel replaced after a failure)."""
    own = _maxrss_mb(resource.RUSAGE_SELF)
    ended = _maxrss_mb(resource.RUSAGE_CHILDREN)
    live = 0.0
    try:
        import psutil

        for child in psutil.Process().children(recursive=True):
            try:
                live += _child_peak_mb(child.pid, child.memory_info().rss)
            except psutil.Error:  # ended meanwhile
                continue
    except ImportError:  # psutil comes with ipykernel; without it, ended children only
        pass
    return own + max(live, ended)
