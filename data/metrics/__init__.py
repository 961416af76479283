"""Performance analytics: the metric registry, compute_metrics, drawdowns, rolling stats, tables."""

from __future__ import annotations

from .compute import compute_metrics
from .drawdown import (
    drawdown_episodes,
    drawdown_series,
    drawdown_stats,
    max_drawdown,
    top_drawdowns,
)
from .panel import Panel, as_panel, deannualise
from .periods import period_returns
from .registry import CONVENTIONS, GROUPS, METRICS, Metric, format_value
from .rolling import rolling_beta, rolling_sharpe, rolling_sortino, rolling_volatility
from .tables import (
    blended_benchmark,
    cumulative_returns,
    monthly_returns_table,
    return_quantiles,
    yearly_returns,
)
from .trades import validate_trades

__all__ = [
    "CONVENTIONS",
    "GROUPS",
    "METRICS",
    "Metric",
    "Panel",
    "as_panel",
    "blended_benchmark",
    "compute_metrics",
    "cumulative_returns",
    "deannualise",
    "drawdown_episodes",
    "drawdown_series",
    "drawdown_stats",
    "format_value",
    "max_drawdown",
    "monthly_returns_table",
    "period_returns",
    "return_quantiles",
    "rolling_beta",
    "rolling_sharpe",
    "rolling_sortino",
    "rolling_volatility",
    "top_drawdowns",
    "validate_trades",
    "yearly_returns",
]
