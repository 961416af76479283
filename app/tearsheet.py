"""A strategy's record measured: the tearsheet over a range, and every metric of one series.

Each source is measured at its own frequency and against the benchmark over its own periods
(data.metrics.frequency), so a monthly backtest beside a daily live record holds up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from flask import current_app

from app.cache import versioned
from app.reads import benchmark_closes, performance, series_extents
from app.store import Store
from data import queries
from data.metrics import compute_metrics
from data.metrics.frequency import benchmark_over
from data.versions import series_scope, strategy_scope


def _store() -> Store:
    return current_app.extensions["stratwatch"]


@dataclass(frozen=True)
class Tearsheet:
    """Everything the strategy page draws for one range: series, benchmarks, metrics, trades."""

    source: str
    returns: pd.Series
    equity: pd.Series
    benchmarks: dict[str, pd.Series]
    benchmark_returns: pd.Series
    metrics: pd.DataFrame
    trades: pd.DataFrame


def _tearsheet_scopes(strategy_id: int, _source: str, symbols: tuple[str, ...], *_a) -> list[str]:
    return [strategy_scope(strategy_id), *(f"benchmark:{s}" for s in symbols)]


@versioned(_tearsheet_scopes)
def tearsheet(
    strategy_id: int,
    source: str | None,
    symbols: tuple[str, ...],
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> Tearsheet:
    """A strategy's tearsheet over a range: one source (default: primary) against `symbols`.

    Metrics cover every source side by side; the first symbol is the benchmark they use.
    """
    sources = series_extents(strategy_id)["source"].tolist()
    returns = {s: performance(strategy_id, s, "daily", start, end, None)["ret"] for s in sources}
    frame = pd.DataFrame(returns).astype(float)
    if source not in returns:
        source = next((s for s in queries.SOURCE_PRIORITY if s in returns), None)
    closes = {s: benchmark_closes(s, start, end, None) for s in symbols}
    with _store().reading() as session:
        trades = queries.trades(session, strategy_id)
    trades = trades[_between(trades["exit_ts"], start, end)]
    if frame.empty or source is None:
        none = pd.Series(dtype=float)
        return Tearsheet("", none, none, {}, none, pd.DataFrame(), trades)
    book = trades.rename(columns={"source": "strategy", "ts": "entry_time", "exit_ts": "exit_time"})
    book = book[book["strategy"].isin(sources)]
    own = {s: frame[s].dropna() for s in frame}
    bench = {s: benchmark_over(closes[symbols[0]], own[s].index) for s in own}  # its periods
    metrics = pd.concat(
        [
            compute_metrics(
                own[s], bench[s], trades=book[book["strategy"] == s], periods_per_year=None
            )
            for s in own
        ],
        axis=1,
    )
    equity = performance(strategy_id, source, "daily", start, end)["equity"]
    span = (equity.index.min(), equity.index.max())  # the benchmarks' lines share its dates
    bars = {s: benchmark_closes(s, *span) for s in symbols}
    return Tearsheet(source, own[source], equity, bars, bench[source], metrics, trades)


def _between(ts: pd.Series, start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.Series:
    stamps = pd.to_datetime(ts, utc=True)
    keep = pd.Series(True, index=ts.index)
    if start is not None:
        keep &= stamps >= start
    if end is not None:
        keep &= stamps <= end
    return keep


def _metrics_scopes(strategy_id: int, source: str, benchmark: str, *_args) -> list[str]:
    return [series_scope(strategy_id, source), f"benchmark:{benchmark}"]


@versioned(_metrics_scopes)
def series_metrics(
    strategy_id: int,
    source: str,
    benchmark: str,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> dict[str, object]:
    """Every registry metric of one daily series over a range, against `benchmark`, JSON-ready."""
    returns = performance(strategy_id, source, "daily", start, end, None)["ret"].dropna()
    closes = benchmark_closes(benchmark, start, end, None)
    bench = benchmark_over(closes, returns.index)
    column = compute_metrics(returns.rename(source), bench, periods_per_year=None).iloc[:, 0]
    return {key: _plain(value) for key, value in column.items()}


def _plain(value: object) -> object:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.isoformat() if isinstance(value, pd.Timestamp) else value
