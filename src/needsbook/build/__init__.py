"""The book pipeline: validate -> execute chapter notebooks -> assemble -> Jupyter Book -> check."""

from needsbook.build.pipeline import BuildOptions, build_area

__all__ = ["BuildOptions", "build_area"]
