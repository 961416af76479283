"""Win/loss statistics on periodic returns (period-based, not trades; QuantStats conventions)."""

from __future__ import annotations

import numpy as np

from .panel import ReturnsLike, as_panel, finite, panel_cached, safe_div
from .risk import tail_ratio

__all__ = [
    "avg_loss",
    "avg_win",
    "common_sense_ratio",
    "cpc_index",
    "kelly_criterion",
    "longest_streak",
    "max_consecutive_losses",
    "max_consecutive_wins",
    "payoff_ratio",
    "profit_factor",
    "profit_ratio",
    "risk_of_ruin",
    "win_rate",
]


def _masked_mean(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of x where mask holds, NaN where it never does."""
    return safe_div(np.where(mask, x, 0.0).sum(axis=0), mask.sum(axis=0))


@panel_cached
def win_rate(returns: ReturnsLike) -> np.ndarray:
    """Positive periods / non-zero periods: flat periods do not count (QuantStats)."""
    p = as_panel(returns)
    r = p.filled
    return safe_div((r > 0).sum(axis=0), (p.observed & (r != 0)).sum(axis=0))


@panel_cached
def avg_win(returns: ReturnsLike) -> np.ndarray:
    """Mean of positive returns (QuantStats)."""
    p = as_panel(returns)
    return _masked_mean(p.filled, p.filled > 0)


@panel_cached
def avg_loss(returns: ReturnsLike) -> np.ndarray:
    """Mean of negative returns, ≤ 0 (QuantStats)."""
    p = as_panel(returns)
    return _masked_mean(p.filled, p.filled < 0)


@panel_cached
def payoff_ratio(returns: ReturnsLike) -> np.ndarray:
    """Average win / |average loss| (QuantStats' Payoff Ratio, also its "Win/Loss Ratio")."""
    p = as_panel(returns)
    return safe_div(avg_win(p), np.abs(avg_loss(p)))


@panel_cached
def profit_ratio(returns: ReturnsLike) -> np.ndarray:
    """(mean win / #wins) / (|mean loss| / #losses), wins r ≥ 0: QuantStats' formula as is."""
    p = as_panel(returns)
    wins, losses = p.observed & (p.filled >= 0), p.filled < 0
    n_win, n_loss = wins.sum(axis=0), losses.sum(axis=0)
    win_part = np.abs(safe_div(_masked_mean(p.filled, wins), n_win))
    loss_part = np.abs(safe_div(_masked_mean(p.filled, losses), n_loss))
    return np.where((n_win == 0) & (p.count > 0), 0.0, safe_div(win_part, loss_part))


@panel_cached
def profit_factor(returns: ReturnsLike) -> np.ndarray:
    """Σ r≥0 / |Σ r<0| on periodic returns; NaN without losses (QuantStats reports inf or 0)."""
    p = as_panel(returns)
    r = p.filled
    return safe_div(np.maximum(r, 0.0).sum(axis=0), -np.minimum(r, 0.0).sum(axis=0))


@panel_cached
def cpc_index(returns: ReturnsLike) -> np.ndarray:
    """Profit factor × win rate × payoff ratio (QuantStats)."""
    p = as_panel(returns)
    with np.errstate(over="ignore", invalid="ignore"):
        return finite(profit_factor(p) * win_rate(p) * payoff_ratio(p))


@panel_cached
def common_sense_ratio(returns: ReturnsLike) -> np.ndarray:
    """Profit factor × tail ratio (QuantStats; pyfolio/vectorbt use tail × (1 + annual return))."""
    p = as_panel(returns)
    with np.errstate(over="ignore", invalid="ignore"):
        return finite(profit_factor(p) * tail_ratio(p))


@panel_cached
def kelly_criterion(returns: ReturnsLike) -> np.ndarray:
    """Fixed-odds Kelly fraction p − (1 − p) / b, p = win rate, b = payoff ratio (QuantStats)."""
    p = as_panel(returns)
    b = payoff_ratio(p)
    w = win_rate(p)
    return safe_div(b * w - (1 - w), b)


@panel_cached
def risk_of_ruin(returns: ReturnsLike) -> np.ndarray:
    """((1 − w) / (1 + w))^N with w = win rate, N = observations (QuantStats)."""
    p = as_panel(returns)
    w = win_rate(p)
    with np.errstate(invalid="ignore", over="ignore"):
        ruin = np.power(safe_div(1 - w, 1 + w), p.count)
    return np.where(p.count > 0, ruin, np.nan)  # NaN ** 0 is 1: no record is no 100 % ruin


def longest_streak(flags: np.ndarray) -> np.ndarray:
    """Longest run of True down each column."""
    if flags.shape[0] == 0:
        return np.zeros(flags.shape[1:], dtype=int)
    c = np.cumsum(flags, axis=0)
    reset = np.maximum.accumulate(np.where(flags, 0, c), axis=0)
    return (c - reset).max(axis=0)


@panel_cached
def max_consecutive_wins(returns: ReturnsLike) -> np.ndarray:
    """Longest run of positive periods; a flat or missing period ends it (QuantStats' report)."""
    p = as_panel(returns)
    return np.where(p.count > 0, longest_streak(p.filled > 0), np.nan)


@panel_cached
def max_consecutive_losses(returns: ReturnsLike) -> np.ndarray:
    """Longest run of negative periods; a flat or missing period ends it (QuantStats' report)."""
    p = as_panel(returns)
    return np.where(p.count > 0, longest_streak(p.filled < 0), np.nan)
