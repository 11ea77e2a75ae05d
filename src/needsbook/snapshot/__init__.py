"""Derive the compact national snapshot under ``data/snapshot/`` from ``../shared/data-raw``."""

from needsbook.snapshot.build import build_snapshot, registered_tables

__all__ = ["build_snapshot", "registered_tables"]
