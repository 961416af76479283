"""Stratwatch data package."""
