"""Stratwatch pages package."""
