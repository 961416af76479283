"""Stratwatch callbacks package."""
