"""Risk and distribution metrics: volatility, downside deviation, VaR/CVaR, moments, tails."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from .panel import ReturnsLike, as_panel, deannualise, panel_cached, safe_div

__all__ = [
    "cvar",
    "downside_deviation",
    "kurtosis",
    "outlier_loss_ratio",
    "outlier_win_ratio",
    "parametric_cvar",
    "parametric_var",
    "skew",
    "tail_ratio",
    "value_at_risk",
    "volatility",
]


@panel_cached
def volatility(returns: ReturnsLike, periods_per_year: float = 252) -> np.ndarray:
    """Annualised volatility: sample std (ddof = 1) × √P."""
    return as_panel(returns).std * np.sqrt(periods_per_year)


@panel_cached
def downside_deviation(
    returns: ReturnsLike, rf: float = 0.0, periods_per_year: float = 252
) -> np.ndarray:
    """Annualised √(Σ min(r − rf_p, 0)² / N) × √P, all N in the denominator (empyrical)."""
    p = as_panel(returns)
    below = np.minimum(p.filled - deannualise(rf, periods_per_year), 0.0)
    ss = np.where(p.observed, below * below, 0.0).sum(axis=0)
    return np.sqrt(safe_div(ss, p.count)) * np.sqrt(periods_per_year)


@panel_cached
def _central_sums(returns: ReturnsLike) -> np.ndarray:
    """Σd², Σd³, Σd⁴ of deviations from the mean, stacked as rows."""
    p = as_panel(returns)
    d2 = p.centred * p.centred
    return np.vstack([d2.sum(axis=0), (d2 * p.centred).sum(axis=0), (d2 * d2).sum(axis=0)])


@panel_cached
def skew(returns: ReturnsLike) -> np.ndarray:
    """Bias-corrected sample skewness G1 (pandas, QuantStats); NaN below 3 obs or zero spread."""
    p = as_panel(returns)
    n = p.count.astype(float)
    s2, s3, _ = _central_sums(p)
    with np.errstate(invalid="ignore", divide="ignore"):
        g1 = safe_div(s3 / n, (s2 / n) ** 1.5) * np.sqrt(n * (n - 1)) / (n - 2)
    return np.where((n >= 3) & ~p.constant, g1, np.nan)


@panel_cached
def kurtosis(returns: ReturnsLike) -> np.ndarray:
    """Bias-corrected excess kurtosis G2 (pandas, QuantStats; 0 for a normal distribution)."""
    p = as_panel(returns)
    n = p.count.astype(float)
    s2, _, s4 = _central_sums(p)
    with np.errstate(invalid="ignore", divide="ignore"):
        g2 = (n + 1) * n * (n - 1) * safe_div(s4, s2 * s2) / ((n - 2) * (n - 3))
        g2 = g2 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    return np.where((n >= 4) & ~p.constant, g2, np.nan)


@panel_cached
def value_at_risk(returns: ReturnsLike, cutoff: float = 0.05) -> np.ndarray:
    """Historical VaR: the `cutoff` quantile of returns, linear interpolation (empyrical)."""
    return as_panel(returns).quantile(cutoff)


@panel_cached
def cvar(returns: ReturnsLike, cutoff: float = 0.05) -> np.ndarray:
    """Historical CVaR: mean of the ⌊(N − 1)·cutoff⌋ + 1 lowest returns (empyrical)."""
    p = as_panel(returns)
    k = (np.maximum(p.count - 1, 0) * cutoff).astype(int) + 1
    kmax = int(k.max(initial=1))
    low = np.cumsum(np.nan_to_num(p.sorted[:kmax]), axis=0)
    total = low[np.minimum(k, kmax) - 1, np.arange(p.shape[1])]
    return np.where(p.count > 0, total / k, np.nan)


@panel_cached
def parametric_var(returns: ReturnsLike, confidence: float = 0.95) -> np.ndarray:
    """Gaussian VaR Φ⁻¹(1 − c; μ, σ) on per-period returns (QuantStats' "Daily Value-at-Risk")."""
    p = as_panel(returns)
    return p.mean + p.std * norm.ppf(1 - confidence)


@panel_cached
def parametric_cvar(returns: ReturnsLike, confidence: float = 0.95) -> np.ndarray:
    """Gaussian expected shortfall μ − σ·φ(Φ⁻¹(α))/α, α = 1 − c (QuantStats ≥ 0.0.83 default)."""
    p = as_panel(returns)
    alpha = 1 - confidence
    return p.mean - p.std * norm.pdf(norm.ppf(alpha)) / alpha


@panel_cached
def tail_ratio(returns: ReturnsLike, cutoff: float = 0.95) -> np.ndarray:
    """|q₉₅ / q₅| with linear quantiles (QuantStats = empyrical); NaN when q₅ = 0."""
    p = as_panel(returns)
    return np.abs(safe_div(p.quantile(cutoff), p.quantile(1 - cutoff)))


@panel_cached
def outlier_win_ratio(returns: ReturnsLike, quantile: float = 0.99) -> np.ndarray:
    """q₉₉ of returns over the mean of returns ≥ 0 (QuantStats)."""
    p = as_panel(returns)
    up = p.observed & (p.filled >= 0)
    mean_up = safe_div(np.where(up, p.filled, 0.0).sum(axis=0), up.sum(axis=0))
    return safe_div(p.quantile(quantile), mean_up)


@panel_cached
def outlier_loss_ratio(returns: ReturnsLike, quantile: float = 0.01) -> np.ndarray:
    """q₁ of returns over the mean of returns < 0 (QuantStats)."""
    p = as_panel(returns)
    down = p.observed & (p.filled < 0)
    mean_down = safe_div(np.where(down, p.filled, 0.0).sum(axis=0), down.sum(axis=0))
    return safe_div(p.quantile(quantile), mean_down)
