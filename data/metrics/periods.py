"""Calendar-period metrics on compounded week/month/quarter/year returns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .panel import ReturnsLike, as_panel, safe_div

__all__ = [
    "avg_period_loss",
    "avg_period_win",
    "best_period",
    "period_returns",
    "period_win_rate",
    "worst_period",
]


def period_returns(returns: ReturnsLike, freq: str = "ME") -> pd.DataFrame:
    """Compounded returns per calendar period ('W', 'ME', 'QE', 'YE'), labelled by the last row.

    A partial first or last period is its compounded partial return; NaN if unobserved.
    """
    p = as_panel(returns)
    labels, rets = p.period_returns(freq)
    return pd.DataFrame(rets, index=labels, columns=p.columns)


def _periodic(returns: ReturnsLike, freq: str | None) -> np.ndarray:
    """Observed returns at the given frequency (NaN where unobserved)."""
    p = as_panel(returns)
    return p.values if freq is None else p.period_returns(freq)[1]


def best_period(returns: ReturnsLike, freq: str | None = None) -> np.ndarray:
    """Highest daily (freq None) or compounded period return (QuantStats' best)."""
    r = _periodic(returns, freq)
    return np.where(np.isnan(r).all(axis=0), np.nan, np.fmax.reduce(r, axis=0, initial=-np.inf))


def worst_period(returns: ReturnsLike, freq: str | None = None) -> np.ndarray:
    """Lowest daily (freq None) or compounded period return (QuantStats' worst)."""
    r = _periodic(returns, freq)
    return np.where(np.isnan(r).all(axis=0), np.nan, np.fmin.reduce(r, axis=0, initial=np.inf))


def period_win_rate(returns: ReturnsLike, freq: str | None = None) -> np.ndarray:
    """Share of positive periods among non-zero periods (QuantStats' win_rate with aggregate)."""
    r = np.nan_to_num(_periodic(returns, freq))
    return safe_div((r > 0).sum(axis=0), (r != 0).sum(axis=0))


def avg_period_win(returns: ReturnsLike, freq: str = "ME") -> np.ndarray:
    """Mean of the positive compounded period returns (QuantStats' "Avg. Up Month")."""
    r = np.nan_to_num(_periodic(returns, freq))
    return safe_div(np.maximum(r, 0.0).sum(axis=0), (r > 0).sum(axis=0))


def avg_period_loss(returns: ReturnsLike, freq: str = "ME") -> np.ndarray:
    """Mean of the negative compounded period returns (QuantStats' "Avg. Down Month")."""
    r = np.nan_to_num(_periodic(returns, freq))
    return safe_div(np.minimum(r, 0.0).sum(axis=0), (r < 0).sum(axis=0))
