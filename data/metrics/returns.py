"""Return metrics: total, CAGR, expected (geometric) returns, exposure and trailing windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.tseries.offsets import DateOffset

from .panel import Panel, ReturnsLike, as_panel, panel_cached, safe_div

__all__ = [
    "annualised_window",
    "avg_return",
    "cagr",
    "expected_return",
    "risk_adjusted_return",
    "time_in_market",
    "total_return",
    "trailing_return",
]


@panel_cached
def total_return(returns: ReturnsLike) -> np.ndarray:
    """Compounded return ∏(1 + r) − 1 over observed periods; NaN without observations."""
    p = as_panel(returns)
    return np.where(p.count > 0, p.equity0[-1] - 1.0, np.nan)


def _annualise(growth: np.ndarray, n: np.ndarray, periods_per_year: float) -> np.ndarray:
    """(growth)^(P / n) − 1, NaN where n = 0 or growth ≤ 0 would be undefined."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.power(growth, safe_div(periods_per_year, n)) - 1.0
    return np.where((n > 0) & (growth >= 0), out, np.nan)


@panel_cached
def cagr(returns: ReturnsLike, periods_per_year: float = 252) -> np.ndarray:
    """CAGR with years = N_obs / P over the strategy's own life (QuantStats ≥ 0.0.70, empyrical)."""
    p = as_panel(returns)
    return _annualise(p.equity0[-1], p.count, periods_per_year)


@panel_cached
def expected_return(returns: ReturnsLike, period: str | None = None) -> np.ndarray:
    """Geometric mean return per period (day, or 'ME'/'QE'/'YE' compounded), as QuantStats."""
    p = as_panel(returns)
    if period is None:
        return _annualise(p.equity0[-1], p.count, 1.0)
    _, rets = p.period_returns(period)
    seen = ~np.isnan(rets)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.exp(np.where(seen, np.log1p(rets), 0.0).sum(axis=0))
    return _annualise(growth, seen.sum(axis=0), 1.0)


@panel_cached
def avg_return(returns: ReturnsLike) -> np.ndarray:
    """Mean of the non-zero observed returns (QuantStats' "Avg. Return": flat days excluded)."""
    p = as_panel(returns)
    active = p.observed & (p.filled != 0)
    return safe_div(np.where(active, p.filled, 0.0).sum(axis=0), active.sum(axis=0))


@panel_cached
def time_in_market(returns: ReturnsLike) -> np.ndarray:
    """Share of observed periods with a non-zero return (QuantStats rounds this up to 1 %)."""
    p = as_panel(returns)
    return safe_div((p.observed & (p.filled != 0)).sum(axis=0), p.count)


@panel_cached
def risk_adjusted_return(returns: ReturnsLike, periods_per_year: float = 252) -> np.ndarray:
    """CAGR divided by time in market (QuantStats' RaR, without its 1 % rounding)."""
    return safe_div(cagr(returns, periods_per_year), time_in_market(returns))


def _window_growth(p: Panel, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Growth factor and observation count over rows [start, last] per strategy."""
    cols = np.arange(p.shape[1])
    end = p.last + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = p.equity0[end, cols] / p.equity0[starts, cols]
    return growth, p.count0[end, cols] - p.count0[starts, cols]


def _window_starts(p: Panel, window: DateOffset | str) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """First row strictly after the window's boundary date, and that date, per strategy."""
    index = p.index.tz_localize(None) if p.index.tz is not None else p.index
    asof = index[p.last]
    if window in ("mtd", "ytd"):
        # calendar periods go by date: any time of day on the period's first day is inside it
        elapsed = asof.day_of_year if window == "ytd" else asof.day
        first = asof.normalize() - pd.to_timedelta(elapsed - 1, unit="D")
        return index.normalize().searchsorted(first, side="left"), first - pd.Timedelta(days=1)
    bound = asof - window
    return index.searchsorted(bound, side="right"), bound


@panel_cached
def trailing_return(returns: ReturnsLike, window: DateOffset | str) -> np.ndarray:
    """Compounded return over (as-of − window, as-of]; as-of is each strategy's last observation.

    `window` is a DateOffset, or "mtd"/"ytd" for month- and year-to-date.
    """
    p = as_panel(returns)
    growth, n = _window_growth(p, _window_starts(p, window)[0])
    return np.where(n > 0, growth - 1.0, np.nan)


@panel_cached
def annualised_window(
    returns: ReturnsLike, years: int, periods_per_year: float = 252, slack_days: int = 7
) -> np.ndarray:
    """CAGR over the trailing `years`; NaN unless the history reaches back to the window start.

    A history starting at most `slack_days` after the boundary counts as covering it, which
    tolerates weekends and holidays at the boundary.
    """
    p = as_panel(returns)
    starts, bound = _window_starts(p, DateOffset(years=years))
    index = p.index.tz_localize(None) if p.index.tz is not None else p.index
    covered = np.asarray((index[p.first] - bound).days) <= slack_days
    growth, n = _window_growth(p, starts)
    return np.where(covered & (p.count > 0), _annualise(growth, n, periods_per_year), np.nan)
