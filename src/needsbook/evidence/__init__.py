"""The evidence catalogue: programmes and interventions from the seed's evidence review."""

from needsbook.evidence.catalogue import (
    Catalogue,
    build_catalogue,
    load_catalogue,
    load_service_model,
    programmes_for,
)

__all__ = [
    "Catalogue",
    "build_catalogue",
    "load_catalogue",
    "load_service_model",
    "programmes_for",
]
