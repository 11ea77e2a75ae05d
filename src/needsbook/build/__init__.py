"""The book pipeline: validate -> execute chapter notebooks -> assemble -> Jupyter Book -> check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from needsbook.build.pipeline import BuildOptions, build_area

__all__ = ["BuildOptions", "build_area"]


def __getattr__(name: str) -> Any:
    """Load the pipeline on first use, so commands that never build start quickly."""
    if name in __all__:
        from needsbook.build import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
