"""The metric registry: label, group, unit, direction, definition and reference of every key."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

__all__ = ["CONVENTIONS", "GROUPS", "METRICS", "MISSING", "UNITS", "Metric", "format_value"]

Unit = Literal["percent", "ratio", "days", "date", "count", "amount"]
UNITS: tuple[str, ...] = ("percent", "ratio", "days", "date", "count", "amount")
GROUPS: tuple[str, ...] = (
    "Overview",
    "Returns",
    "Risk-adjusted",
    "Risk",
    "Drawdown",
    "Distribution",
    "Win/loss",
    "Periods",
    "Benchmark",
    "Robustness",
    "Trades",
)
MISSING = "—"

# Conventions every definition relies on; rendered once above any table of metrics.
CONVENTIONS = (
    "Inputs are simple (not log) periodic returns; P = periods per year (252 for daily data).",
    "rf is an annual rate, de-annualised as rf_p = (1 + rf)^(1/P) − 1 (QuantStats' convention).",
    "Standard deviations are sample estimates (ddof = 1); annualised by √P.",
    "Each strategy is measured over its own life, first to last observation; missing periods "
    "inside it are skipped by statistics and leave equity unchanged (never filled with 0).",
    "N is the number of observed periods; years = N / P for CAGR (QuantStats ≥ 0.0.70, empyrical).",
    "Equity starts at 1.0 before the first return, so a first-period loss is a drawdown; "
    "drawdowns are negative fractions (≤ 0).",
    "Undefined values (zero denominators, too few observations) are NaN, never ±inf.",
)


@dataclass(frozen=True)
class Metric:
    """One metric: how to label, group, format and read it, and exactly how it is defined."""

    key: str
    label: str
    group: str
    unit: Unit
    higher_is_better: bool | None
    definition: str
    reference: str

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"{self.key}: unknown group {self.group!r}")
        if self.unit not in UNITS:
            raise ValueError(f"{self.key}: unknown unit {self.unit!r}")


def _is_missing(value: object) -> bool:
    """True for None, NaN and NaT."""
    if value is None or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_value(key: str, value: object, decimals: int = 2) -> str:
    """Render a value by its metric's unit: 12.34%, 1.23, 123 d, 2024-01-31, 42, 1,234.56.

    `decimals` (the user's number format, 0–4) applies to percents, ratios and amounts.
    """
    unit = METRICS[key].unit
    if _is_missing(value):
        return MISSING
    if unit == "date":
        return pd.Timestamp(value).date().isoformat()
    number = float(value)
    if math.isnan(number):
        return MISSING
    if unit == "percent":
        return f"{number * 100:.{decimals}f}%"
    if unit == "days":
        return f"{number:.0f} d"
    if unit == "count":
        return f"{round(number):d}"
    if unit == "amount":
        return f"{number:,.{decimals}f}"
    return f"{number:.{decimals}f}"


def _build() -> dict[str, Metric]:
    """Collect the catalogue, ordered for display by group, and check keys are unique."""
    from .catalog_core import CORE
    from .catalog_more import MORE

    entries = [Metric(*row) for row in (*CORE, *MORE)]
    keys = [m.key for m in entries]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate metric keys in the catalogue")
    entries.sort(key=lambda m: GROUPS.index(m.group))  # stable: catalogue order within a group
    return {m.key: m for m in entries}


METRICS: dict[str, Metric] = _build()
