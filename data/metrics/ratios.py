"""Risk-adjusted ratios on periodic returns: Sharpe, Sortino (plain, smart, /√2), Omega, GPR."""

from __future__ import annotations

import numpy as np

from .panel import ReturnsLike, as_panel, deannualise, panel_cached, safe_div
from .risk import downside_deviation

__all__ = [
    "adjusted_sortino",
    "autocorr_penalty",
    "gain_to_pain",
    "lag1_autocorr",
    "omega",
    "risk_return_ratio",
    "sharpe",
    "smart_sharpe",
    "smart_sortino",
    "sortino",
]


@panel_cached
def sharpe(returns: ReturnsLike, rf: float = 0.0, periods_per_year: float = 252) -> np.ndarray:
    """Annualised Sharpe: mean(r − rf_p) / σ(r) × √P, rf_p = (1 + rf)^(1/P) − 1 (QuantStats)."""
    p = as_panel(returns)
    excess = p.mean - deannualise(rf, periods_per_year)
    return safe_div(excess, p.std) * np.sqrt(periods_per_year)


@panel_cached
def sortino(returns: ReturnsLike, rf: float = 0.0, periods_per_year: float = 252) -> np.ndarray:
    """Annualised Sortino: mean(r − rf_p) / √(Σ min(r − rf_p, 0)² / N) × √P (QS, empyrical)."""
    p = as_panel(returns)
    excess = p.mean - deannualise(rf, periods_per_year)
    return safe_div(excess * periods_per_year, downside_deviation(p, rf, periods_per_year))


@panel_cached
def adjusted_sortino(
    returns: ReturnsLike, rf: float = 0.0, periods_per_year: float = 252
) -> np.ndarray:
    """Sortino / √2, Schwager's adjustment to compare with Sharpe (QuantStats' "Sortino/√2")."""
    return sortino(returns, rf, periods_per_year) / np.sqrt(2.0)


@panel_cached
def lag1_autocorr(returns: ReturnsLike) -> np.ndarray:
    """Pearson correlation of consecutive observed returns (gaps closed up, as after dropna)."""
    p = as_panel(returns)
    if p.shape[0] < 3:
        return np.full(p.shape[1], np.nan)
    x = p.values
    if not p.complete:
        x = np.take_along_axis(x, np.argsort(~p.observed, axis=0, kind="stable"), axis=0)
    a, b = x[:-1], x[1:]
    m = np.maximum(p.count - 1, 0)
    if p.complete:
        da, db = a - a.mean(axis=0), b - b.mean(axis=0)
    else:
        pair = np.arange(len(a))[:, None] < m  # compacted: the first n − 1 rows pair up
        da = np.where(pair, a - safe_div(np.where(pair, a, 0.0).sum(axis=0), m), 0.0)
        db = np.where(pair, b - safe_div(np.where(pair, b, 0.0).sum(axis=0), m), 0.0)
    den = np.sqrt((da * da).sum(axis=0) * (db * db).sum(axis=0))
    return np.where(p.constant | (m < 2), np.nan, safe_div((da * db).sum(axis=0), den))


@panel_cached
def autocorr_penalty(returns: ReturnsLike) -> np.ndarray:
    """√(1 + 2 Σₓ (N − x)/N · |ρ₁|ˣ), x = 1 … N − 1; 1 when ρ₁ is undefined (QuantStats)."""
    p = as_panel(returns)
    c = np.abs(lag1_autocorr(p))
    n = p.count.astype(float)
    c = np.where(np.isnan(c) | (n < 2), 0.0, c)
    near_one = c > 1 - 1e-9
    cs = np.where(near_one, 0.5, c)  # keeps the closed form finite where it is not used
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        s1 = cs * (1 - cs ** (n - 1)) / (1 - cs)
        s2 = cs * (1 - n * cs ** (n - 1) + (n - 1) * cs**n) / (1 - cs) ** 2
    total = np.where(near_one, (n - 1) / 2, s1 - s2 / np.maximum(n, 1))
    return np.where(n < 2, 1.0, np.sqrt(1 + 2 * total))


@panel_cached
def smart_sharpe(
    returns: ReturnsLike, rf: float = 0.0, periods_per_year: float = 252
) -> np.ndarray:
    """Sharpe divided by the autocorrelation penalty (QuantStats' "Smart Sharpe")."""
    p = as_panel(returns)
    return sharpe(p, rf, periods_per_year) / autocorr_penalty(p)


@panel_cached
def smart_sortino(
    returns: ReturnsLike, rf: float = 0.0, periods_per_year: float = 252
) -> np.ndarray:
    """Sortino divided by the autocorrelation penalty (QuantStats' "Smart Sortino")."""
    p = as_panel(returns)
    return sortino(p, rf, periods_per_year) / autocorr_penalty(p)


@panel_cached
def omega(returns: ReturnsLike, rf: float = 0.0, periods_per_year: float = 252) -> np.ndarray:
    """Σ(x)⁺ / Σ(−x)⁺ with x = r − rf_p, threshold 0 (QuantStats; empyrical with rf per period)."""
    p = as_panel(returns)
    x = np.where(p.observed, p.filled - deannualise(rf, periods_per_year), 0.0)
    gains = np.maximum(x, 0.0).sum(axis=0)
    losses = np.maximum(-x, 0.0).sum(axis=0)
    return np.where(p.count >= 2, safe_div(gains, losses), np.nan)


@panel_cached
def risk_return_ratio(returns: ReturnsLike) -> np.ndarray:
    """mean(r) / σ(r), per period, no rf, not annualised (QuantStats)."""
    p = as_panel(returns)
    return safe_div(p.mean, p.std)


@panel_cached
def gain_to_pain(returns: ReturnsLike, period: str | None = None) -> np.ndarray:
    """Σ r / |Σ r<0| (Schwager); with `period`, on compounded period returns (QuantStats sums)."""
    p = as_panel(returns)
    r = p.filled if period is None else np.nan_to_num(p.period_returns(period)[1])
    pain = -np.minimum(r, 0.0).sum(axis=0)
    return np.where(p.count > 0, safe_div(r.sum(axis=0), pain), np.nan)
