"""One exception hierarchy for the project: every error names what was wrong and where."""

from __future__ import annotations


class NeedsbookError(Exception):
    """Base class for all errors raised deliberately by needsbook."""

    exit_code: int = 1


class InputError(NeedsbookError, ValueError):
    """An argument or input table breaks a stated rule (names the argument, column and rows)."""

    exit_code = 2


class AreaNotFoundError(InputError):
    """An --area value matched no current English upper-tier local authority."""


class DataError(NeedsbookError):
    """A data file is missing, unreadable or not in the expected shape."""


class ValidationFailedError(NeedsbookError):
    """One or more data expectations failed; carries the readable report."""

    exit_code = 3

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


class BuildError(NeedsbookError):
    """A step of the book pipeline failed (names the step, notebook and cell)."""

    exit_code = 4
