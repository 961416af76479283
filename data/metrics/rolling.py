"""Rolling volatility, Sharpe, Sortino and beta over any window, for every strategy at once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .panel import ReturnsLike, as_panel, deannualise

__all__ = ["rolling_beta", "rolling_sharpe", "rolling_sortino", "rolling_volatility"]


def _frame(returns: ReturnsLike) -> pd.DataFrame:
    """Validated returns as a DataFrame."""
    p = as_panel(returns)
    return pd.DataFrame(p.values, index=p.index, columns=p.columns)


def _finite(frame: pd.DataFrame) -> pd.DataFrame:
    """±inf (a zero denominator) becomes NaN."""
    return frame.where(np.isfinite(frame.to_numpy()))


def _roll(frame: pd.DataFrame, window: int, min_periods: int | None):
    """The rolling object; by default a value needs `window` observed periods."""
    if window < 2:
        raise ValueError("a rolling window needs at least 2 periods")
    return frame.rolling(window, min_periods=window if min_periods is None else min_periods)


def rolling_volatility(
    returns: ReturnsLike,
    window: int = 126,
    periods_per_year: float = 252,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """Annualised σ (ddof = 1) × √P over the trailing `window` rows, labelled at the window end."""
    return _roll(_frame(returns), window, min_periods).std() * np.sqrt(periods_per_year)


def rolling_sharpe(
    returns: ReturnsLike,
    window: int = 126,
    rf: float = 0.0,
    periods_per_year: float = 252,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """Annualised Sharpe (the `sharpe` metric's definition) over each trailing window."""
    rolled = _roll(_frame(returns), window, min_periods)
    excess = rolled.mean() - deannualise(rf, periods_per_year)
    return _finite(excess / rolled.std() * np.sqrt(periods_per_year))


def rolling_sortino(
    returns: ReturnsLike,
    window: int = 126,
    rf: float = 0.0,
    periods_per_year: float = 252,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """Annualised Sortino (the `sortino` metric's definition) over each trailing window."""
    frame = _frame(returns) - deannualise(rf, periods_per_year)
    mean = _roll(frame, window, min_periods).mean()
    downside = _roll(frame.clip(upper=0.0) ** 2, window, min_periods).mean() ** 0.5
    return _finite(mean / downside * np.sqrt(periods_per_year))


def rolling_beta(
    returns: ReturnsLike,
    benchmark: pd.Series,
    window: int = 126,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """cov(r, b) / var(b) over each trailing window, on paired observations (the `beta` metric)."""
    p = as_panel(returns)
    x, b = p.paired(benchmark)
    xs = pd.DataFrame(x.values, index=p.index, columns=p.columns)
    bs = pd.DataFrame(b.values, index=p.index, columns=p.columns)
    cov = _roll(xs, window, min_periods).cov(bs, pairwise=False)
    return _finite(cov / _roll(bs, window, min_periods).var())
