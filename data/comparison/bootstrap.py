"""Stationary (Politis–Romano) bootstrap confidence intervals for live − backtest differences."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.stats import norm

__all__ = [
    "STATISTICS",
    "Intervals",
    "bootstrap_intervals",
    "default_block_length",
    "stationary_indices",
]

_CELLS = 2**22  # resampled values held at once, to bound memory on long backtests


def _flat_top(t: np.ndarray) -> np.ndarray:
    """Politis' flat-top lag window: 1 up to |t| = ½, then linear down to 0 at |t| = 1."""
    t = np.abs(t)
    return np.where(t <= 0.5, 1.0, np.where(t <= 1.0, 2.0 * (1.0 - t), 0.0))


def default_block_length(x: np.ndarray) -> float:
    """Mean block length for the stationary bootstrap (Politis & White 2004, Patton et al. 2009).

    Near 1 for serially independent returns, longer as autocorrelation persists.
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n < 8 or np.std(x) == 0:
        return 1.0
    d = x - x.mean()
    max_lag = min(n - 1, int(np.ceil(np.sqrt(n))) + 5)
    acov = np.array([d[: n - k] @ d[k:] / n for k in range(max_lag + 1)])
    rho = acov / acov[0]
    span = max(5, int(np.ceil(np.sqrt(np.log10(n)))))
    small = np.abs(rho[1:]) < 2.0 * np.sqrt(np.log10(n) / n)
    m = next((k for k in range(max_lag - span + 1) if small[k : k + span].all()), max_lag - span)
    lags = np.arange(-2 * m, 2 * m + 1) if m > 0 else np.zeros(1, dtype=int)
    weights = _flat_top(lags / max(2 * m, 1)) * acov[np.minimum(np.abs(lags), max_lag)]
    g, spectrum = (weights * np.abs(lags)).sum(), weights.sum()
    if spectrum <= 0:
        return 1.0
    block = (2 * g * g / (2 * spectrum * spectrum)) ** (1 / 3) * n ** (1 / 3)
    return float(np.clip(block, 1.0, min(3 * np.sqrt(n), n / 3)))


def stationary_indices(n: int, n_boot: int, block: float, rng: np.random.Generator) -> np.ndarray:
    """Resample indices, shape (n_boot, n): blocks of geometric length (mean `block`), circular."""
    starts = rng.integers(0, n, size=(n_boot, n), dtype=np.int64)
    new = rng.random((n_boot, n)) < 1.0 / block
    new[:, 0] = True
    pos = np.arange(n)
    block_start = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    first = np.take_along_axis(starts, block_start, axis=1)
    return (first + pos - block_start) % n


STATISTICS = ("mean", "volatility", "sharpe")


class Intervals(NamedTuple):
    """Point estimates, bootstrap standard errors and normal intervals, one row per statistic."""

    estimate: np.ndarray
    std_error: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _statistics(mean: np.ndarray, std: np.ndarray, periods_per_year: float) -> np.ndarray:
    """Annualised mean, volatility and Sharpe stacked on a new first axis."""
    root = np.sqrt(periods_per_year)
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpe = np.where(std > 0, mean / std, np.nan) * root
    return np.stack([mean * periods_per_year, std * root, sharpe])


def _draws(x: np.ndarray, n_boot: int, block: float, rng, periods_per_year: float) -> np.ndarray:
    """Statistics of each resample of x (n, S): shape (3, n_boot, S); columns share indices."""
    n, cols = x.shape
    out = np.empty((3, n_boot, cols))
    chunk = max(1, _CELLS // (n * cols))
    for lo in range(0, n_boot, chunk):
        hi = min(lo + chunk, n_boot)
        sample = x[stationary_indices(n, hi - lo, block, rng)]  # (b, n, S)
        out[:, lo:hi] = _statistics(
            sample.mean(axis=1), sample.std(axis=1, ddof=1), periods_per_year
        )
    return out


def _nan_std(draws: np.ndarray) -> np.ndarray:
    """Std (ddof = 1) over the resample axis, ignoring NaN draws; NaN below two valid draws."""
    ok = ~np.isnan(draws)
    n = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, draws, 0.0).sum(axis=1) / n
        ss = (np.where(ok, draws - mean[:, None], 0.0) ** 2).sum(axis=1)
        return np.where(n > 1, np.sqrt(ss / (n - 1)), np.nan)


def _block(x: np.ndarray) -> float:
    """Politis–White block length; the median over columns when x holds replications."""
    return float(np.median([default_block_length(col) for col in x.T]))


def bootstrap_intervals(
    live: np.ndarray,
    ref: np.ndarray,
    rng: np.random.Generator,
    n_boot: int = 2000,
    alpha: float = 0.05,
    periods_per_year: float = 252,
) -> Intervals:
    """Intervals for live − reference in annualised mean, volatility and Sharpe.

    Each sample is resampled on its own with the stationary bootstrap (Politis & Romano 1994;
    mean block length by Politis & White), and the interval is estimate ± z₁₋α/₂ · SE*, SE*
    the std of the bootstrap differences. 2-D inputs (n, S) are S replications, as in the
    calibration tests; they share resampling indices and use the median block length.
    """
    lv, rv = np.atleast_2d(live.T).T, np.atleast_2d(ref.T).T
    point = _statistics(lv.mean(axis=0), lv.std(axis=0, ddof=1), periods_per_year) - _statistics(
        rv.mean(axis=0), rv.std(axis=0, ddof=1), periods_per_year
    )
    diffs = _draws(lv, n_boot, _block(lv), rng, periods_per_year) - _draws(
        rv, n_boot, _block(rv), rng, periods_per_year
    )
    se = _nan_std(diffs)
    z = norm.ppf(1 - alpha / 2)
    shape = point.shape if np.ndim(live) > 1 else (3,)
    return Intervals(*(a.reshape(shape) for a in (point, se, point - z * se, point + z * se)))
