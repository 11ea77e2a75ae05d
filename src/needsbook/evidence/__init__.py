"""The evidence catalogue: programmes and interventions from the evidence review of the
Worcestershire 2015 needs assessment."""

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
