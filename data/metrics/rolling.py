"""Rolling volatility, Sharpe, Sortino and beta over any window, for every strategy at once.

A window is the trailing `window` observed periods of each strategy (for beta, the periods both
it and the benchmark have), so a missing day is skipped as every full-period metric skips it,
instead of blanking each window that spans it. Values are labelled at the window's last observed
period; rows where a strategy has no return (or no pair) are NaN.
"""

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


def _has_gaps(frame: pd.DataFrame) -> bool:
    """Whether a column misses a row inside its life (between its first and last value)."""
    return bool((frame.isna() & frame.ffill().notna() & frame.bfill().notna()).to_numpy().any())


def _observed(frame: pd.DataFrame, statistic) -> pd.DataFrame:
    """`statistic(column without its missing rows)` for each column, back on the whole index.

    Gap-free columns (the usual case) go through in one vectorised call.
    """
    if not _has_gaps(frame):  # (a short min_periods must not carry a value past a life's end)
        return statistic(frame).where(frame.notna())
    out = pd.DataFrame(np.nan, index=frame.index, columns=frame.columns)
    for i, column in enumerate(frame.columns):
        values = frame.iloc[:, [i]].dropna()
        if len(values):
            out.loc[values.index, column] = statistic(values).iloc[:, 0]
    return out


def rolling_volatility(
    returns: ReturnsLike,
    window: int = 126,
    periods_per_year: float = 252,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """Annualised σ (ddof = 1) × √P over the trailing `window` observed periods."""
    return _observed(_frame(returns), lambda f: _roll(f, window, min_periods).std()) * np.sqrt(
        periods_per_year
    )


def rolling_sharpe(
    returns: ReturnsLike,
    window: int = 126,
    rf: float = 0.0,
    periods_per_year: float = 252,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """Annualised Sharpe (the `sharpe` metric's definition) over each trailing window."""
    per_period = deannualise(rf, periods_per_year)

    def sharpe(frame: pd.DataFrame) -> pd.DataFrame:
        rolled = _roll(frame, window, min_periods)
        return (rolled.mean() - per_period) / rolled.std()

    return _finite(_observed(_frame(returns), sharpe) * np.sqrt(periods_per_year))


def rolling_sortino(
    returns: ReturnsLike,
    window: int = 126,
    rf: float = 0.0,
    periods_per_year: float = 252,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """Annualised Sortino (the `sortino` metric's definition) over each trailing window."""

    def sortino(frame: pd.DataFrame) -> pd.DataFrame:
        mean = _roll(frame, window, min_periods).mean()
        downside = _roll(frame.clip(upper=0.0) ** 2, window, min_periods).mean() ** 0.5
        return mean / downside

    excess = _frame(returns) - deannualise(rf, periods_per_year)
    return _finite(_observed(excess, sortino) * np.sqrt(periods_per_year))


def rolling_beta(
    returns: ReturnsLike,
    benchmark: pd.Series,
    window: int = 126,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """cov(r, b) / var(b) over each trailing window, on paired observations (the `beta` metric)."""
    p = as_panel(returns)
    x, b = p.paired(benchmark)  # NaN unless both are observed
    xs = pd.DataFrame(x.values, index=p.index, columns=p.columns)
    bs = pd.DataFrame(b.values, index=p.index, columns=p.columns)
    if not _has_gaps(xs):
        cov = _roll(xs, window, min_periods).cov(bs, pairwise=False)
        return _finite(cov / _roll(bs, window, min_periods).var()).where(xs.notna())
    out = pd.DataFrame(np.nan, index=p.index, columns=p.columns)
    for column in p.columns:
        pair = pd.DataFrame({"x": xs[column], "b": bs[column]}).dropna()
        if len(pair):
            cov = _roll(pair["x"], window, min_periods).cov(pair["b"])
            out.loc[pair.index, column] = cov / _roll(pair["b"], window, min_periods).var()
    return _finite(out)
