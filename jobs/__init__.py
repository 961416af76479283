"""Stratwatch jobs package."""
