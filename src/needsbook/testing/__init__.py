"""Helpers for the project's own test and CI workflow (not used by the book)."""
