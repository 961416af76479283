"""Return tables: monthly/yearly grids, quantiles by period, cumulative and blended benchmarks."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .panel import as_panel

__all__ = [
    "blended_benchmark",
    "cumulative_returns",
    "monthly_returns_table",
    "return_quantiles",
    "yearly_returns",
]

QUANTILES = (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0)
_PERIOD_NAMES = {None: "day", "W": "week", "ME": "month", "QE": "quarter", "YE": "year"}


def _one(returns: pd.Series | pd.DataFrame) -> pd.Series:
    """A single strategy's returns as a Series."""
    if isinstance(returns, pd.DataFrame):
        if returns.shape[1] != 1:
            raise ValueError("this table is for one strategy; pass a Series")
        returns = returns.iloc[:, 0]
    return returns


def monthly_returns_table(returns: pd.Series) -> pd.DataFrame:
    """Compounded returns, years × months 1–12, plus a compounded 'year' column."""
    p = as_panel(_one(returns))
    labels, months = p.period_returns("ME")
    year_labels, years = p.period_returns("YE")
    long = pd.DataFrame({"year": labels.year, "month": labels.month, "r": months[:, 0]})
    table = long.pivot(index="year", columns="month", values="r")
    table = table.reindex(columns=range(1, 13))
    table["year"] = pd.Series(years[:, 0], index=year_labels.year)
    table.columns.name = None
    return table


def yearly_returns(returns: pd.Series | pd.DataFrame) -> pd.DataFrame:
    """Compounded calendar-year returns, years × strategies (partial years included)."""
    p = as_panel(returns)
    labels, years = p.period_returns("YE")
    return pd.DataFrame(years, index=pd.Index(labels.year, name="year"), columns=p.columns)


def return_quantiles(returns: pd.Series, quantiles: tuple[float, ...] = QUANTILES) -> pd.DataFrame:
    """Quantiles (linear) of daily, weekly, monthly, quarterly and yearly compounded returns."""
    p = as_panel(_one(returns))
    rows = {}
    for freq, name in _PERIOD_NAMES.items():
        r = p.values[:, 0] if freq is None else p.period_returns(freq)[1][:, 0]
        r = r[~np.isnan(r)]
        rows[name] = np.quantile(r, quantiles) if len(r) else np.full(len(quantiles), np.nan)
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(quantiles))


def cumulative_returns(returns: pd.Series, benchmark: pd.Series) -> pd.DataFrame:
    """Cumulative return of the strategy, its benchmark, and the benchmark scaled to its volatility.

    The strategy compounds every return it has; the benchmark legs compound on the strategy's
    dates where the benchmark has one too (a day it lacks leaves it flat), over the strategy's
    life. The volatility-matched benchmark is b × σ(r) / σ(b), both σ over the dates both have,
    as QuantStats' match_volatility.
    """
    p = as_panel(_one(returns))
    x, b = p.paired(benchmark)
    scale = x.std[0] / b.std[0] if b.std[0] > 0 else np.nan
    legs = {
        "strategy": p.values[:, 0],
        "benchmark": b.values[:, 0],
        "benchmark_vol_matched": b.values[:, 0] * scale,
    }
    frame = pd.DataFrame(legs, index=p.index)
    alive = p.alive[:, 0] if p.count[0] else np.zeros(len(frame), bool)
    cumulative = (1 + frame.fillna(0)).cumprod() - 1
    return cumulative.where(np.broadcast_to(alive[:, None], cumulative.shape))


def blended_benchmark(
    components: pd.DataFrame, weights: Mapping[str, float], rebalance: str | None = None
) -> pd.Series:
    """Returns of a weighted blend of benchmark return columns.

    With `rebalance` None the weights are restored every period (Σ wᵢrᵢ); with 'ME', 'QE' or
    'YE' they are set at each period's start and drift with performance inside it. Weights
    must sum to 1; a period where any weighted component is missing is NaN.
    """
    missing = set(weights) - set(components.columns)
    if missing:
        raise ValueError(f"no returns for benchmark components {sorted(missing)}")
    w = pd.Series(weights, dtype=float)
    if not np.isclose(w.sum(), 1.0, atol=1e-9):
        raise ValueError(f"blend weights must sum to 1, not {w.sum():.6g}")
    r = components[list(w.index)]
    complete = r.notna().all(axis=1)
    if rebalance is None:
        blend = r.fillna(0).to_numpy() @ w.to_numpy()
        return pd.Series(blend, index=r.index, name="blend").where(complete)
    labels, _ = as_panel(r).period_returns(rebalance)
    period = np.searchsorted(labels.values, r.index.values)  # each row's period number
    growth = np.log1p(r.fillna(0)).groupby(period).cumsum()
    value = np.exp(growth).to_numpy() @ w.to_numpy()  # blend value since the period start
    prior = pd.Series(value, index=r.index).groupby(period).shift(1).fillna(1.0)
    return (pd.Series(value, index=r.index) / prior - 1).rename("blend").where(complete)
