"""Data expectations: Great Expectations suites in ``expectations/`` plus cross-row checks."""

from needsbook.validate.report import Failure, SnapshotReport, TableReport
from needsbook.validate.runner import validate_frame, validate_snapshot

__all__ = ["Failure", "SnapshotReport", "TableReport", "validate_frame", "validate_snapshot"]
