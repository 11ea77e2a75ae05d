"""Garbage collection in the long-lived processes of a build (batch workers, warm kernels).

Once a worker has loaded its modules and cached tables, each full collection walks that
whole heap (about 0.15 s) though almost none of it is garbage. Before each piece of work
(a book, a notebook) :func:`settle` collects what the last one left and freezes what survives
(``gc.freeze``), so later collections skip it; every :data:`FULL_EVERY` pieces it unfreezes
everything first, so nothing frozen is kept for good.
"""

from __future__ import annotations

import gc

#: Pieces of work between two collections of the whole heap.
FULL_EVERY = 12

_count = [0]


def settle() -> None:
    """Collect the garbage of the last piece of work and freeze what survives (this process)."""
    if _count[0] % FULL_EVERY == 0:
        gc.unfreeze()
    _count[0] += 1
    gc.collect()
    gc.freeze()
