"""Stratwatch tests package."""
