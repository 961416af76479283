"""Benchmark-relative metrics, estimated on the dates where strategy and benchmark both exist."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .panel import ReturnsLike, as_panel, deannualise, safe_div
from .returns import cagr

__all__ = [
    "alpha",
    "beta",
    "correlation",
    "down_capture",
    "information_ratio",
    "r_squared",
    "tracking_error",
    "treynor_ratio",
    "up_capture",
]

BenchmarkLike = pd.Series | pd.DataFrame


def _cov_parts(returns: ReturnsLike, benchmark: BenchmarkLike):
    """Centred cross- and auto-products of the paired observations."""
    x, b = as_panel(returns).paired(benchmark)
    sxb = (x.centred * b.centred).sum(axis=0)
    return x, b, sxb, (x.centred**2).sum(axis=0), (b.centred**2).sum(axis=0)


def beta(returns: ReturnsLike, benchmark: BenchmarkLike) -> np.ndarray:
    """cov(r, b) / var(b) on paired observations (QuantStats = empyrical); NaN if var(b) = 0."""
    _, b, sxb, _, sbb = _cov_parts(returns, benchmark)
    return safe_div(sxb, np.where(b.constant | (sbb < 1e-30), 0.0, sbb))


def alpha(
    returns: ReturnsLike, benchmark: BenchmarkLike, rf: float = 0.0, periods_per_year: float = 252
) -> np.ndarray:
    """Jensen's alpha, compounded: (1 + mean(r − rf_p − β(b − rf_p)))^P − 1 (empyrical).

    QuantStats reports the arithmetic P · mean(r − βb) without rf instead.
    """
    x, b = as_panel(returns).paired(benchmark)
    rf_p = deannualise(rf, periods_per_year)
    daily = x.mean - rf_p - beta(returns, benchmark) * (b.mean - rf_p)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(daily > -1, np.power(1 + daily, periods_per_year) - 1, np.nan)


def correlation(returns: ReturnsLike, benchmark: BenchmarkLike) -> np.ndarray:
    """Pearson correlation with the benchmark on paired observations."""
    x, b, sxb, sxx, sbb = _cov_parts(returns, benchmark)
    den = np.where(x.constant | b.constant, 0.0, np.sqrt(sxx * sbb))
    return np.clip(safe_div(sxb, den), -1.0, 1.0)


def r_squared(returns: ReturnsLike, benchmark: BenchmarkLike) -> np.ndarray:
    """Squared correlation, R² of the regression of r on b (QuantStats)."""
    return correlation(returns, benchmark) ** 2


def _active(returns: ReturnsLike, benchmark: BenchmarkLike):
    """Active returns r − b on paired observations, as a panel."""
    x, b = as_panel(returns).paired(benchmark)
    return x._like(x.values - b.values)


def tracking_error(
    returns: ReturnsLike, benchmark: BenchmarkLike, periods_per_year: float = 252
) -> np.ndarray:
    """Annualised σ(r − b), ddof = 1, × √P."""
    return _active(returns, benchmark).std * np.sqrt(periods_per_year)


def information_ratio(
    returns: ReturnsLike, benchmark: BenchmarkLike, periods_per_year: float = 252
) -> np.ndarray:
    """Annualised mean(r − b) / σ(r − b) × √P; QuantStats and empyrical omit the √P (≈ 15.87×)."""
    a = _active(returns, benchmark)
    return safe_div(a.mean, a.std) * np.sqrt(periods_per_year)


def treynor_ratio(
    returns: ReturnsLike, benchmark: BenchmarkLike, rf: float = 0.0, periods_per_year: float = 252
) -> np.ndarray:
    """(CAGR − rf) / β, annualised (LEAN); QuantStats uses the total return instead of CAGR.

    NaN when β is indistinguishable from 0 (|correlation| < 1e-10, or undefined because the
    returns are constant): a rounding-error β would otherwise turn into an enormous ratio.
    """
    p = as_panel(returns)
    with np.errstate(invalid="ignore"):
        related = np.abs(correlation(p, benchmark)) >= 1e-10  # False for a NaN correlation
    b = np.where(related, beta(p, benchmark), 0.0)
    return safe_div(cagr(p, periods_per_year) - rf, b)


def _capture(returns, benchmark, up: bool, periods_per_year: float) -> np.ndarray:
    """Annualised strategy return over annualised benchmark return on its up or down days."""
    x, b = as_panel(returns).paired(benchmark)
    side = (b.filled > 0) if up else (b.filled < 0)
    n = side.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        gx = np.exp(np.where(side, x.log_growth, 0.0).sum(axis=0))
        gb = np.exp(np.where(side, b.log_growth, 0.0).sum(axis=0))
        ann = safe_div(periods_per_year, n)
        return safe_div(np.power(gx, ann) - 1, np.power(gb, ann) - 1)


def up_capture(
    returns: ReturnsLike, benchmark: BenchmarkLike, periods_per_year: float = 252
) -> np.ndarray:
    """Annualised return on benchmark-up days / the benchmark's on those days (empyrical)."""
    return _capture(returns, benchmark, True, periods_per_year)


def down_capture(
    returns: ReturnsLike, benchmark: BenchmarkLike, periods_per_year: float = 252
) -> np.ndarray:
    """Annualised return on benchmark-down days / the benchmark's on those days (empyrical)."""
    return _capture(returns, benchmark, False, periods_per_year)
