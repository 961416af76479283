"""Drawdown-based ratios: Calmar, recovery factor, Ulcer index/performance, Serenity."""

from __future__ import annotations

import numpy as np

from .drawdown import max_drawdown
from .panel import ReturnsLike, as_panel, panel_cached, safe_div
from .returns import cagr, total_return

__all__ = [
    "calmar",
    "conditional_drawdown",
    "recovery_factor",
    "serenity_index",
    "ulcer_index",
    "ulcer_performance_index",
]


@panel_cached
def calmar(returns: ReturnsLike, periods_per_year: float = 252) -> np.ndarray:
    """CAGR / |max drawdown|; NaN without a drawdown (QuantStats, empyrical)."""
    p = as_panel(returns)
    return safe_div(cagr(p, periods_per_year), np.abs(max_drawdown(p)))


@panel_cached
def recovery_factor(returns: ReturnsLike) -> np.ndarray:
    """Total compounded return / |max drawdown| (QuantStats uses Σr − rf, in absolute value)."""
    p = as_panel(returns)
    return safe_div(total_return(p), np.abs(max_drawdown(p)))


@panel_cached
def ulcer_index(returns: ReturnsLike) -> np.ndarray:
    """√(Σ dd² / N) over observed periods, as a fraction (Martin; QuantStats divides by N − 1)."""
    p = as_panel(returns)
    ss = np.where(p.observed, p.drawdown**2, 0.0).sum(axis=0)
    return np.sqrt(safe_div(ss, p.count))


@panel_cached
def ulcer_performance_index(
    returns: ReturnsLike, rf: float = 0.0, periods_per_year: float = 252
) -> np.ndarray:
    """(CAGR − rf) / Ulcer index, Martin's ratio (QuantStats uses the total return instead)."""
    p = as_panel(returns)
    return safe_div(cagr(p, periods_per_year) - rf, ulcer_index(p))


@panel_cached
def conditional_drawdown(returns: ReturnsLike, cutoff: float = 0.05) -> np.ndarray:
    """CDaR: mean of the ⌊(N − 1)·cutoff⌋ + 1 deepest drawdown observations (≤ 0)."""
    p = as_panel(returns)
    k = (np.maximum(p.count - 1, 0) * cutoff).astype(int) + 1
    kmax = min(int(k.max(initial=1)), p.shape[0])
    dd = np.where(p.observed, p.drawdown, np.nan)
    if kmax < p.shape[0]:
        dd = np.partition(dd, kmax - 1, axis=0)[:kmax]  # NaN sort last, so stay out of the tail
    low = np.cumsum(np.nan_to_num(np.sort(dd[:kmax], axis=0)), axis=0)
    return np.where(p.count > 0, low[np.minimum(k, kmax) - 1, np.arange(p.shape[1])] / k, np.nan)


@panel_cached
def serenity_index(
    returns: ReturnsLike, rf: float = 0.0, periods_per_year: float = 252
) -> np.ndarray:
    """(CAGR − rf) / (Ulcer index × pitfall), pitfall = |CDaR₅%| / σ(r) (KeyQuant, historical)."""
    p = as_panel(returns)
    pitfall = safe_div(np.abs(conditional_drawdown(p)), p.std)
    return safe_div(cagr(p, periods_per_year) - rf, ulcer_index(p) * pitfall)
