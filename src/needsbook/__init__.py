"""needsbook: children and young people's early-help needs assessments as reproducible books."""

__version__ = "0.1.0"
