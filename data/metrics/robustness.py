"""Robustness of a track record: probabilistic and deflated Sharpe, MinTRL, stability."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from .panel import ReturnsLike, as_panel, deannualise, panel_cached, safe_div
from .risk import kurtosis, skew

__all__ = [
    "deflated_sharpe",
    "expected_max_sharpe",
    "min_track_record_length",
    "probabilistic_sharpe",
    "sharpe_std_error",
    "stability",
]

EULER_GAMMA = 0.5772156649015329


def _per_period_sharpe(p, rf: float, periods_per_year: float) -> np.ndarray:
    """Non-annualised Sharpe of excess returns, mean(r − rf_p) / σ(r)."""
    return safe_div(p.mean - deannualise(rf, periods_per_year), p.std)


def _moment_term(p, sr: np.ndarray) -> np.ndarray:
    """1 − γ₃·SR + (γ₄ − 1)/4 · SR², γ₄ the raw kurtosis (3 for a normal)."""
    raw_kurt = kurtosis(p) + 3.0
    term = 1.0 - skew(p) * sr + (raw_kurt - 1.0) / 4.0 * sr**2
    return np.where(term > 0, term, np.nan)


@panel_cached
def sharpe_std_error(
    returns: ReturnsLike, rf: float = 0.0, periods_per_year: float = 252
) -> np.ndarray:
    """Std error of the per-period Sharpe, √((1 − γ₃SR + (γ₄ − 1)/4·SR²)/(N − 1)) (Bailey–LdP)."""
    p = as_panel(returns)
    sr = _per_period_sharpe(p, rf, periods_per_year)
    return np.sqrt(safe_div(_moment_term(p, sr), p.count - 1))


@panel_cached
def probabilistic_sharpe(
    returns: ReturnsLike,
    rf: float = 0.0,
    periods_per_year: float = 252,
    benchmark_sharpe: float | np.ndarray = 0.0,
) -> np.ndarray:
    """PSR: Φ((SR − SR*) / σ̂(SR)) on per-period Sharpe; SR* given annualised, raw kurtosis."""
    p = as_panel(returns)
    sr = _per_period_sharpe(p, rf, periods_per_year)
    target = np.asarray(benchmark_sharpe, dtype=float) / np.sqrt(periods_per_year)
    z = safe_div(sr - target, sharpe_std_error(p, rf, periods_per_year))
    return np.where(np.isnan(z), np.nan, norm.cdf(z))


def expected_max_sharpe(n_trials: int, sharpe_var: float) -> float:
    """E[max SR] of n independent null trials: √V·((1 − γ)Φ⁻¹(1 − 1/n) + γΦ⁻¹(1 − 1/(n·e)))."""
    if n_trials < 1:
        raise ValueError("n_trials must be at least 1")
    if n_trials == 1:
        return 0.0
    z = (1 - EULER_GAMMA) * norm.ppf(1 - 1 / n_trials) + EULER_GAMMA * norm.ppf(
        1 - 1 / (n_trials * np.e)
    )
    return float(np.sqrt(sharpe_var) * z)


@panel_cached
def deflated_sharpe(
    returns: ReturnsLike,
    n_trials: int,
    trials_sharpe_std: float | None = None,
    rf: float = 0.0,
    periods_per_year: float = 252,
) -> np.ndarray:
    """DSR: PSR against the expected maximum Sharpe of `n_trials` trials (Bailey & López de Prado).

    `trials_sharpe_std` is the std of the trials' annualised Sharpe ratios; by default the
    columns are taken to be the trials and their cross-sectional std is used (NaN for one).
    """
    p = as_panel(returns)
    if trials_sharpe_std is None:
        srs = _per_period_sharpe(p, rf, periods_per_year)
        srs = srs[~np.isnan(srs)]
        var = float(np.var(srs, ddof=1)) if len(srs) > 1 else np.nan
    else:
        var = (trials_sharpe_std / np.sqrt(periods_per_year)) ** 2
    if np.isnan(var):
        return np.full(p.shape[1], np.nan)
    target = expected_max_sharpe(n_trials, var) * np.sqrt(periods_per_year)
    return probabilistic_sharpe(p, rf, periods_per_year, target)


@panel_cached
def min_track_record_length(
    returns: ReturnsLike,
    rf: float = 0.0,
    periods_per_year: float = 252,
    benchmark_sharpe: float = 0.0,
    confidence: float = 0.95,
) -> np.ndarray:
    """MinTRL in periods: 1 + (1 − γ₃SR + (γ₄ − 1)/4·SR²)(z_c / (SR − SR*))²; NaN if SR ≤ SR*."""
    p = as_panel(returns)
    sr = _per_period_sharpe(p, rf, periods_per_year)
    edge = sr - benchmark_sharpe / np.sqrt(periods_per_year)
    n = 1 + _moment_term(p, sr) * safe_div(norm.ppf(confidence), edge) ** 2
    return np.where(edge > 0, n, np.nan)


@panel_cached
def stability(returns: ReturnsLike) -> np.ndarray:
    """R² of cumulative log return regressed on time, over observed periods (empyrical)."""
    p = as_panel(returns)
    with np.errstate(invalid="ignore"):
        y = np.cumsum(p.log_growth, axis=0)
    # x is the observation's ordinal, so gaps are closed up as after empyrical's dropna
    x = np.arange(p.shape[0], dtype=float)[:, None] if p.complete else p.count0[1:] - 1.0
    obs, n = p.observed, p.count
    xm = safe_div(np.where(obs, x, 0.0).sum(axis=0), n)
    ym = safe_div(np.where(obs, y, 0.0).sum(axis=0), n)
    dx, dy = np.where(obs, x - xm, 0.0), np.where(obs, y - ym, 0.0)
    r = safe_div((dx * dy).sum(axis=0), np.sqrt((dx * dx).sum(axis=0) * (dy * dy).sum(axis=0)))
    return np.where(n >= 2, r**2, np.nan)
