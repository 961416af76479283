"""Stratwatch tests/browser package."""
