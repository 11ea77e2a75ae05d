"""Accessible Altair charts in the GOV.UK / Analysis Function palette, rendered offline."""

from needsbook.charts.theme import PALETTE, RAG, enable

__all__ = ["PALETTE", "RAG", "enable"]
