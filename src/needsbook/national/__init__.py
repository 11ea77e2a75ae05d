"""National tables: what is worked out once for all of England per snapshot and kept beside it.

The benchmarking table of every indicator and area (one per data year), the need model's
national fits and cross-validation, and the observed-against-expected ratios are the same for
every area's book. ``needsbook snapshot`` works them out once (:mod:`needsbook.national.derive`)
into ``<data dir>/national``; every chapter, area and process then reads them
(:mod:`needsbook.national.store`) instead of working them out again. A table is read only while
the key it was made under still holds (the snapshot, the catalogue and the code that made it),
else its reader works it out as before: the same numbers, more slowly.
"""

from needsbook.national.store import latest_data_year, read_frame, read_frames

__all__ = ["latest_data_year", "read_frame", "read_frames"]
