"""The special educational needs and vulnerable children chapter: its analysis and sections.

* :mod:`~needsbook.vulnerable.measures`: one area's benchmark rows (from the one engine,
  :mod:`needsbook.outcomes.compare`) as :class:`~needsbook.vulnerable.measures.Measure`
  objects that phrase themselves, and their series over time;
* :mod:`~needsbook.vulnerable.tables`: the indicator tables and trend charts every section uses;
* :mod:`~needsbook.vulnerable.send`: EHC plans, requests for assessment and timeliness;
* :mod:`~needsbook.vulnerable.children`: factors at assessment, looked-after children, care
  leavers, youth justice and child poverty.

Nothing here computes a comparison: every value, verdict, rank and trend is the engine's.
"""
