"""compute_metrics: every registry metric for a days × strategies matrix in one vectorised pass."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.stats import norm

from . import robustness
from .frequency import periods_per_year
from .panel import Panel, ReturnsLike, as_panel, finite
from .registry import METRICS
from .specs import BENCHMARK_SPECS, DD_KEYS, SPECS, Ctx, Spec, drawdown_rows
from .trades import TRADE_KEYS, trade_metrics

__all__ = ["compute_metrics"]

_BLOCK_CELLS = 2**18


def compute_metrics(
    returns: ReturnsLike,
    benchmark: pd.Series | pd.DataFrame | None = None,
    *,
    rf: float = 0.0,
    periods_per_year: float | None = 252,
    trades: pd.DataFrame | None = None,
    n_trials: int | None = None,
    trials_sharpe_std: float | None = None,
    keys: Iterable[str] | None = None,
) -> pd.DataFrame:
    """All registry metrics: rows are metric keys (registry order), columns are strategies.

    `returns` are simple periodic returns (DataFrame, one column per strategy, or a Series)
    on a DatetimeIndex; NaN marks periods a strategy was not observed. `rf` is annual.
    Benchmark rows appear only with a benchmark (a return Series on the same dates), trade
    rows only with `trades` (schema: data.metrics.trades.validate_trades), and
    deflated_sharpe only with `n_trials` (the columns are the trials unless
    `trials_sharpe_std`, the std of the trials' annualised Sharpe ratios, is given).
    `keys` restricts the rows to those metrics. Cells are floats, and Timestamps (NaT if
    undefined) in the date rows, so the frame has object dtype; ``result.T.infer_objects()``
    gives one typed column per metric. ``periods_per_year=None`` reads each strategy's from
    the spacing of its own observations (data.metrics.frequency: 252 daily, 52 weekly, 12
    monthly…), so daily and monthly records can share one call.
    """
    if periods_per_year is None:
        return _by_frequency(
            as_panel(returns), benchmark, rf, trades, n_trials, trials_sharpe_std, keys
        )
    p = as_panel(returns)
    wanted = _wanted(keys, benchmark is not None, trades is not None, n_trials is not None)
    needed = set(wanted) | (
        {"sharpe", "sharpe_std_error"} if "deflated_sharpe" in wanted else set()
    )
    specs = tuple(s for s in SPECS + BENCHMARK_SPECS if s[0] in needed)
    ctx = Ctx(p, float(rf), float(periods_per_year), benchmark)
    with_dd = bool(needed & set(DD_KEYS))
    if p.shape[0] == 0:
        values: dict[str, object] = {key: np.full(p.shape[1], np.nan) for key in needed}
    else:
        blocks = [_block(replace(ctx, p=p.take(cols)), specs, with_dd) for cols in _blocks(p)]
        values = _join(blocks)
    if "deflated_sharpe" in wanted:
        values["deflated_sharpe"] = _deflated(values, n_trials, trials_sharpe_std, ctx.P)
    if trades is not None:
        values |= trade_metrics(trades, p.columns)
    return _assemble({key: values[key] for key in wanted}, p.columns)


def _by_frequency(p: Panel, benchmark, rf, trades, n_trials, trials_sharpe_std, keys):
    """compute_metrics once per group of strategies observed at the same frequency."""
    frame = pd.DataFrame(p.values, index=p.index, columns=p.columns)
    inferred = pd.Series(
        [periods_per_year(frame.index[~np.isnan(p.values[:, i])]) for i in range(p.shape[1])],
        index=range(p.shape[1]),
    )
    parts = []
    for periods, positions in inferred.groupby(inferred).groups.items():
        group = frame.iloc[:, list(positions)].dropna(how="all")
        parts.append(
            compute_metrics(
                group,
                benchmark,
                rf=rf,
                periods_per_year=float(periods),
                trades=trades,
                n_trials=n_trials,
                trials_sharpe_std=trials_sharpe_std,
                keys=keys,
            ).set_axis(list(positions), axis=1)
        )
    if not parts:  # no strategies at all
        return compute_metrics(frame, benchmark, rf=rf, trades=trades, keys=keys)
    joined = pd.concat(parts, axis=1)
    return joined[list(range(p.shape[1]))].set_axis(p.columns, axis=1)


def _wanted(keys, has_benchmark: bool, has_trades: bool, has_trials: bool) -> list[str]:
    """Output rows in registry order; refuses keys that are unknown or lack their input."""
    available = {key for key, _ in SPECS} | set(DD_KEYS)
    available |= {key for key, _ in BENCHMARK_SPECS} if has_benchmark else set()
    available |= set(TRADE_KEYS) if has_trades else set()
    available |= {"deflated_sharpe"} if has_trials else set()
    if keys is None:
        return [key for key in METRICS if key in available]
    keys = set(keys)
    unknown = keys - set(METRICS)
    if unknown:
        raise ValueError(f"unknown metric keys: {sorted(unknown)}")
    missing = keys - available
    if missing:
        raise ValueError(f"{sorted(missing)} need a benchmark, trades or n_trials")
    return [key for key in METRICS if key in keys]


def _blocks(p: Panel) -> list[slice]:
    """Column blocks of about 2**18 cells.

    Blocks keep every intermediate small enough to stay in cache and to reuse freed memory;
    whole-matrix temporaries cost more in page faults than in arithmetic.
    """
    width = max(1, _BLOCK_CELLS // max(p.shape[0], 1))
    return [slice(lo, lo + width) for lo in range(0, p.shape[1], width)] or [slice(0, 0)]


def _block(ctx: Ctx, specs: tuple[Spec, ...], with_dd: bool) -> dict[str, object]:
    """The requested metrics for one block of strategies."""
    values = {key: fn(ctx) for key, fn in specs}
    return values | drawdown_rows(ctx.p) if with_dd else values


def _join(blocks: list[dict[str, object]]) -> dict[str, object]:
    """Concatenate per-block rows, keeping date rows as DatetimeIndex."""
    out: dict[str, object] = {}
    for key, first in blocks[0].items():
        parts = [block[key] for block in blocks]
        if isinstance(first, pd.DatetimeIndex):
            out[key] = first.append(parts[1:]) if len(parts) > 1 else first
        else:
            out[key] = np.concatenate([np.asarray(part, dtype=float) for part in parts])
    return out


def _deflated(values: dict, n_trials: int, trials_sharpe_std: float | None, P: float):
    """DSR from the annualised Sharpe and its standard error (see robustness.deflated_sharpe)."""
    sharpe, se = np.asarray(values["sharpe"]), np.asarray(values["sharpe_std_error"])
    if trials_sharpe_std is None:
        valid = sharpe[~np.isnan(sharpe)]
        trials_sharpe_std = float(np.std(valid, ddof=1)) if len(valid) > 1 else np.nan
    if np.isnan(trials_sharpe_std):
        return np.full(len(sharpe), np.nan)
    var = (trials_sharpe_std / np.sqrt(P)) ** 2
    target = robustness.expected_max_sharpe(n_trials, var) * np.sqrt(P)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (sharpe - target) / se
    return np.where(np.isfinite(z), norm.cdf(z), np.nan)


def _assemble(values: dict[str, object], columns: pd.Index) -> pd.DataFrame:
    """Stack rows in registry order into an object frame; numbers are made finite-or-NaN."""
    table = np.empty((len(values), len(columns)), dtype=object)
    for i, (key, row) in enumerate(values.items()):
        if METRICS[key].unit == "date":
            table[i] = pd.DatetimeIndex(row).astype(object)
        else:
            table[i] = finite(np.asarray(row, dtype=float)).tolist()
    index = pd.Index(list(values), name="metric")
    return pd.DataFrame(table, index=index, columns=columns, dtype=object)
