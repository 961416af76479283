"""A validated days × strategies matrix of simple returns with cached intermediates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, wraps
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .periodic import compound_by_period

__all__ = [
    "Panel",
    "ReturnsLike",
    "as_panel",
    "deannualise",
    "finite",
    "panel_cached",
    "safe_div",
]


def deannualise(rf: float, periods_per_year: float) -> float:
    """Per-period rate from an annual one: (1 + rf)^(1/P) − 1 (QuantStats' convention)."""
    return float((1.0 + rf) ** (1.0 / periods_per_year) - 1.0)


def finite(x: np.ndarray) -> np.ndarray:
    """Replace ±inf by NaN: an undefined ratio is NaN, never infinite."""
    x = np.asarray(x, dtype=float)
    return np.where(np.isfinite(x), x, np.nan)


def safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with NaN wherever den is zero or the result is not finite."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.divide(num, den)
    return finite(np.where(np.asarray(den) == 0, np.nan, out))


@dataclass(frozen=True, eq=False)
class Panel:
    """Simple periodic returns, shape (T, K); NaN means "not observed" (outside life or a gap)."""

    values: np.ndarray
    index: pd.DatetimeIndex
    columns: pd.Index

    @property
    def shape(self) -> tuple[int, int]:
        """(periods, strategies)."""
        return self.values.shape

    def take(self, columns: slice) -> Panel:
        """The strategies in a column slice, sharing memory with this panel."""
        return Panel(self.values[:, columns], self.index, self.columns[columns])

    @cached_property
    def observed(self) -> np.ndarray:
        """Boolean mask of observed returns."""
        return ~np.isnan(self.values)

    @cached_property
    def complete(self) -> bool:
        """True when every cell is observed, which lets masks be skipped."""
        return bool(self.observed.all())

    @cached_property
    def count(self) -> np.ndarray:
        """Observations per strategy."""
        return self.observed.sum(axis=0)

    @cached_property
    def filled(self) -> np.ndarray:
        """Returns with gaps as 0: a missing day leaves equity unchanged."""
        if self.complete:
            return self.values
        return np.asfortranarray(np.where(self.observed, self.values, 0.0))

    @cached_property
    def log_growth(self) -> np.ndarray:
        """log(1 + r), 0 where not observed; −inf after a −100% period."""
        with np.errstate(divide="ignore"):
            return np.log1p(self.filled)

    @cached_property
    def mean(self) -> np.ndarray:
        """Arithmetic mean per strategy over observed periods."""
        return safe_div(self.filled.sum(axis=0), self.count)

    @cached_property
    def centred(self) -> np.ndarray:
        """Deviations from the mean, 0 where not observed."""
        return np.asfortranarray(np.where(self.observed, self.values - self.mean, 0.0))

    @cached_property
    def constant(self) -> np.ndarray:
        """True where every observed return is the same value (zero dispersion)."""
        hi = np.fmax.reduce(self.values, axis=0, initial=-np.inf)
        lo = np.fmin.reduce(self.values, axis=0, initial=np.inf)
        return hi == lo

    @cached_property
    def std(self) -> np.ndarray:
        """Sample std (ddof = 1); exactly 0 if constant, NaN below two observations."""
        ss = np.where(self.constant, 0.0, (self.centred * self.centred).sum(axis=0))
        return np.sqrt(safe_div(ss, np.where(self.count > 1, self.count - 1, 0)))

    @cached_property
    def sorted(self) -> np.ndarray:
        """Each column sorted ascending, NaN last."""
        return np.sort(self.values, axis=0)

    @cached_property
    def first(self) -> np.ndarray:
        """Row of each strategy's first observation (0 when none)."""
        if self.shape[0] == 0:
            return np.zeros(self.shape[1], dtype=np.intp)
        return np.argmax(self.observed, axis=0)

    @cached_property
    def last(self) -> np.ndarray:
        """Row of each strategy's last observation (T − 1 when none)."""
        if self.shape[0] == 0:
            return np.full(self.shape[1], -1, dtype=np.intp)
        return self.shape[0] - 1 - np.argmax(self.observed[::-1], axis=0)

    @cached_property
    def alive(self) -> np.ndarray:
        """Rows between a strategy's first and last observation, inclusive."""
        rows = np.arange(self.shape[0])[:, None]
        return (rows >= self.first) & (rows <= self.last) & (self.count > 0)

    @cached_property
    def equity(self) -> np.ndarray:
        """Equity curve ∏(1 + r) from 1.0; flat over gaps and outside life."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.cumprod(1.0 + self.filled, axis=0)

    @cached_property
    def drawdown(self) -> np.ndarray:
        """E / max(1, running peak of E) − 1: ≤ 0, a first-period loss counts; NaN outside life."""
        peak = np.maximum.accumulate(np.maximum(self.equity, 1.0), axis=0)
        with np.errstate(invalid="ignore"):
            return np.where(self.alive, self.equity / peak - 1.0, np.nan)

    @cached_property
    def equity0(self) -> np.ndarray:
        """Equity with the 1.0 starting row prepended, shape (T + 1, K)."""
        return np.vstack([np.ones((1, self.shape[1])), self.equity])

    @cached_property
    def count0(self) -> np.ndarray:
        """Cumulative observation count with a leading zero row, shape (T + 1, K)."""
        return np.vstack([np.zeros((1, self.shape[1]), int), np.cumsum(self.observed, axis=0)])

    def paired(self, benchmark: pd.Series) -> tuple[Panel, Panel]:
        """(strategy, benchmark) panels on this panel's dates, NaN unless both are observed."""
        cache = self._pairs
        if id(benchmark) not in cache:
            b = _benchmark_values(benchmark, self.index)
            both = self.observed & ~np.isnan(b)[:, None]
            x = np.asfortranarray(np.where(both, self.values, np.nan))
            bb = np.asfortranarray(np.where(both, b[:, None], np.nan))
            # holding the benchmark keeps its id from being reused while cached
            cache[id(benchmark)] = (benchmark, self._like(x), self._like(bb))
        return cache[id(benchmark)][1:]

    @cached_property
    def _memo(self) -> dict[tuple, np.ndarray]:
        return {}

    @cached_property
    def _pairs(self) -> dict[int, tuple[object, Panel, Panel]]:
        return {}

    def _like(self, values: np.ndarray) -> Panel:
        return Panel(values, self.index, self.columns)

    def quantile(self, q: float) -> np.ndarray:
        """Linear-interpolated quantile per strategy (numpy/pandas 'linear')."""
        key = ("quantile", q)
        if key not in self._memo:
            self._memo[key] = self._quantile(q)
        return self._memo[key]

    def _quantile(self, q: float) -> np.ndarray:
        n = self.count
        pos = q * np.maximum(n - 1, 0)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
        cols = np.arange(self.shape[1])
        a, b = self.sorted[lo, cols], self.sorted[hi, cols]
        with np.errstate(invalid="ignore"):
            out = a + (pos - lo) * (b - a)
        return np.where(n > 0, out, np.nan)

    def period_returns(self, freq: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Compounded returns per calendar period ('W', 'ME', 'QE', 'YE'); NaN if unobserved."""
        key = ("periods", freq)
        if key not in self._memo:
            self._memo[key] = compound_by_period(self, freq)
        return self._memo[key]


def _benchmark_values(benchmark: pd.Series | pd.DataFrame, index: pd.DatetimeIndex) -> np.ndarray:
    """Benchmark returns on the strategies' dates (no resampling); NaN where it has none."""
    if isinstance(benchmark, pd.DataFrame):
        if benchmark.shape[1] != 1:
            raise ValueError("benchmark must be one series; blend several with blended_benchmark")
        benchmark = benchmark.iloc[:, 0]
    if not isinstance(benchmark, pd.Series) or not isinstance(benchmark.index, pd.DatetimeIndex):
        raise TypeError("benchmark must be a pandas Series of returns with a DatetimeIndex")
    if benchmark.index.has_duplicates:
        raise ValueError("benchmark has duplicate dates")
    if (benchmark.index.tz is None) != (index.tz is None) and len(benchmark) and len(index):
        raise ValueError(
            "returns and benchmark must both carry a time zone or both be naive: "
            f"{index.tz or 'naive'} vs {benchmark.index.tz or 'naive'}"
        )
    values = benchmark.reindex(index).to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any() or (values < -1).any():
        raise ValueError("benchmark returns must be finite simple returns ≥ −100%")
    return values


F = TypeVar("F", bound=Callable[..., Any])


def panel_cached(fn: F) -> F:
    """Memoise a metric on its Panel, keyed by its other (hashable) arguments.

    Metrics call one another (Calmar needs CAGR and max drawdown); within one compute pass
    each is evaluated once. Results are made read-only so a cached array cannot be altered.
    """

    @wraps(fn)
    def wrapper(returns, *args, **kwargs):
        p = as_panel(returns)
        try:
            key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:
            return fn(p, *args, **kwargs)
        if key not in p._memo:
            out = fn(p, *args, **kwargs)
            if isinstance(out, np.ndarray):
                out.flags.writeable = False
            p._memo[key] = out
        return p._memo[key]

    return wrapper  # type: ignore[return-value]


ReturnsLike = Panel | pd.DataFrame | pd.Series


def as_panel(returns: ReturnsLike) -> Panel:
    """Validate simple returns (Series or DataFrame with a DatetimeIndex) into a Panel."""
    if isinstance(returns, Panel):
        return returns
    if isinstance(returns, pd.Series):
        returns = returns.to_frame(returns.name if returns.name is not None else "returns")
    if not isinstance(returns, pd.DataFrame):
        raise TypeError(f"returns must be a pandas Series or DataFrame, not {type(returns)}")
    if not isinstance(returns.index, pd.DatetimeIndex):
        raise TypeError("returns need a DatetimeIndex (one row per period)")
    if returns.index.has_duplicates:
        dupes = returns.index[returns.index.duplicated()].unique()[:3]
        raise ValueError(f"returns have duplicate dates, e.g. {list(dupes.date)}")
    if not returns.index.is_monotonic_increasing:
        returns = returns.sort_index()
    values = np.asfortranarray(returns.to_numpy(dtype=float, na_value=np.nan))
    if np.isinf(values).any():
        raise ValueError("returns contain ±inf; pass NaN for missing periods")
    if (values < -1.0).any():
        raise ValueError("a simple return below −100% is impossible; are these log returns?")
    return Panel(values, returns.index, returns.columns)
