"""Stratwatch tests/unit package."""
