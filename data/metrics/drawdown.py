"""Drawdowns: the series, its episodes, and per-strategy episode statistics, vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .panel import Panel, ReturnsLike, as_panel, panel_cached

__all__ = [
    "DrawdownStats",
    "drawdown_episodes",
    "drawdown_series",
    "drawdown_stats",
    "max_drawdown",
    "top_drawdowns",
]

EPISODE_COLUMNS = ["start", "valley", "end", "recovery", "depth", "days", "periods"]


@panel_cached
def drawdown_series(returns: ReturnsLike) -> pd.DataFrame:
    """Drawdown from the running peak of equity started at 1.0; ≤ 0, NaN outside each life."""
    p = as_panel(returns)
    return pd.DataFrame(p.drawdown, index=p.index, columns=p.columns)


@panel_cached
def max_drawdown(returns: ReturnsLike) -> np.ndarray:
    """Deepest drawdown as a negative fraction; a first-period loss counts (empyrical, QS)."""
    p = as_panel(returns)
    return np.where(p.count > 0, np.where(p.alive, p.drawdown, 0.0).min(axis=0), np.nan)


@dataclass(frozen=True)
class _Runs:
    """Underwater runs of all strategies: column, first row, last observed row under water
    (`end`), last row of the run (`stop`: later than `end` when days with no return precede the
    recovery, which is the row after `stop`), depth, and observed rows under water."""

    col: np.ndarray
    start: np.ndarray
    end: np.ndarray
    stop: np.ndarray
    depth: np.ndarray
    periods: np.ndarray


def _underwater_runs(p: Panel) -> _Runs:
    """Find every maximal run of dd < 0 in one pass over the column-major flattened matrix."""
    t = p.shape[0]
    if t == 0:
        none = np.empty(0, dtype=int)
        return _Runs(none, none, none, none, np.empty(0), none)
    dd = np.where(p.alive & (p.drawdown < 0), p.drawdown, 0.0)
    flat = dd.ravel(order="F")
    under = flat < 0
    before = np.r_[False, under[:-1]]
    after = np.r_[under[1:], False]
    before[::t] = False  # a run never continues across a column boundary
    after[t - 1 :: t] = False
    starts = np.flatnonzero(under & ~before)
    ends = np.flatnonzero(under & ~after)
    depth = np.minimum.reduceat(flat, starts) if len(starts) else np.empty(0)
    # a run starts on a loss (an observed row) and may run on through missing days: it ends, as
    # an episode, on its last observed row
    seen = p.observed.ravel(order="F")
    last_seen = np.maximum.accumulate(np.where(seen, np.arange(len(seen)), -1))
    counted = np.cumsum(seen)
    periods = counted[ends] - counted[starts] + 1
    return _Runs(starts // t, starts % t, last_seen[ends] % t, ends % t, depth, periods)


@dataclass(frozen=True)
class DrawdownStats:
    """Per-strategy episode statistics (QuantStats' drawdown_details conventions)."""

    start: pd.DatetimeIndex
    valley: pd.DatetimeIndex
    end: pd.DatetimeIndex
    longest_days: np.ndarray
    avg_depth: np.ndarray
    avg_days: np.ndarray
    max_days: np.ndarray


@panel_cached
def drawdown_stats(returns: ReturnsLike) -> DrawdownStats:
    """Start/valley/end of the deepest episode, longest and average episodes, per strategy.

    An episode runs from the first period under the previous peak to the last observed one
    before the recovery (or the last observation if still under water); days are calendar days,
    inclusive.
    """
    p = as_panel(returns)
    k = p.shape[1]
    runs = _underwater_runs(p)
    days = np.asarray((p.index[runs.end] - p.index[runs.start]).days, dtype=float) + 1
    n_runs = np.bincount(runs.col, minlength=k)
    has = n_runs > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        avg_depth = np.bincount(runs.col, runs.depth, minlength=k) / n_runs
        avg_days = np.bincount(runs.col, days, minlength=k) / n_runs
    longest = np.zeros(k)
    np.maximum.at(longest, runs.col, days)
    order = np.lexsort((runs.depth, runs.col))
    firsts = np.flatnonzero(np.diff(runs.col[order], prepend=-1))
    deepest = order[firsts]  # runs are in time order, so ties go to the earliest episode
    start_row, end_row = np.zeros(k, dtype=int), np.zeros(k, dtype=int)
    start_row[runs.col[deepest]] = runs.start[deepest]
    end_row[runs.col[deepest]] = runs.end[deepest]
    valley = (
        np.argmin(np.where(p.alive, p.drawdown, 0.0), axis=0)
        if p.shape[0]
        else np.zeros(k, dtype=int)
    )
    max_days = np.zeros(k)
    max_days[runs.col[deepest]] = days[deepest]
    empty = p.count == 0
    return DrawdownStats(
        start=_dates(p.index, start_row, has),
        valley=_dates(p.index, valley, has),
        end=_dates(p.index, end_row, has),
        longest_days=np.where(empty, np.nan, longest),
        avg_depth=np.where(empty, np.nan, np.where(has, avg_depth, 0.0)),
        avg_days=np.where(empty, np.nan, np.where(has, avg_days, 0.0)),
        max_days=np.where(empty, np.nan, max_days),
    )


def _dates(index: pd.DatetimeIndex, rows: np.ndarray, valid: np.ndarray) -> pd.DatetimeIndex:
    """Dates at rows, NaT where not valid."""
    if len(index) == 0:
        return pd.DatetimeIndex([pd.NaT] * len(rows))
    return pd.DatetimeIndex(index[np.clip(rows, 0, len(index) - 1)]).where(valid)


def drawdown_episodes(returns: pd.Series) -> pd.DataFrame:
    """Every drawdown episode of one strategy, deepest first.

    Columns: start (first day under water), valley (deepest day), end (last day under water),
    recovery (first day back at the peak, NaT if not yet), depth (≤ 0), days (calendar days
    start→end inclusive, as QuantStats) and periods (rows under water).
    """
    if isinstance(returns, pd.DataFrame):
        if returns.shape[1] != 1:
            raise ValueError("drawdown_episodes takes one strategy; pass a Series")
        returns = returns.iloc[:, 0]
    p = as_panel(returns)
    runs = _underwater_runs(p)
    dd = np.where(p.alive[:, 0], p.drawdown[:, 0], 0.0)
    valley = [s + int(np.argmin(dd[s : e + 1])) for s, e in zip(runs.start, runs.end, strict=True)]
    last = p.last[0]
    recovered = runs.stop < last
    recovery = pd.DatetimeIndex(p.index[np.minimum(runs.stop + 1, last)]).where(recovered)
    episodes = pd.DataFrame(
        {
            "start": p.index[runs.start],
            "valley": p.index[np.asarray(valley, dtype=int)],
            "end": p.index[runs.end],
            "recovery": recovery,
            "depth": runs.depth,
            "days": (p.index[runs.end] - p.index[runs.start]).days + 1,
            "periods": runs.periods,
        },
        columns=EPISODE_COLUMNS,
    )
    return episodes.sort_values("depth", kind="stable").reset_index(drop=True)


def top_drawdowns(returns: pd.Series, n: int = 5) -> pd.DataFrame:
    """The n deepest drawdown episodes of one strategy (see drawdown_episodes)."""
    return drawdown_episodes(returns).head(n)
