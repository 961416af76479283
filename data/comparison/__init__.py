"""Backtest vs live comparison: significance tests, bootstrap intervals, drift and a verdict."""

from __future__ import annotations

from .analysis import MIN_OBS, BootstrapCI, Comparison, TestResult, compare, verdict

__all__ = ["MIN_OBS", "BootstrapCI", "Comparison", "TestResult", "compare", "verdict"]
