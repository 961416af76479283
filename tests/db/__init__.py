"""Stratwatch tests/db package."""
