"""Cached reads: the UI's and the API's only door to data. Each is keyed by the versions it uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from flask import current_app

from app.cache import versioned
from app.store import Store
from data import account_state, audit, queries, summary
from data.benchmarks import BLENDS, KNOWN, blend
from data.metrics import compute_metrics
from data.metrics.frequency import benchmark_over
from data.versions import CATALOG, series_scope, strategy_scope

SPARK_DAYS = 252


def _store() -> Store:
    return current_app.extensions["stratwatch"]


@versioned(lambda: [CATALOG])
def strategies() -> pd.DataFrame:
    """Every strategy: id, slug, name, stage, style, tags, benchmark."""
    with _store().reading() as session:
        return queries.list_strategies(session)


@versioned(lambda slug: [CATALOG])
def strategy(slug: str) -> dict[str, object] | None:
    """One strategy by slug, or None."""
    with _store().reading() as session:
        return queries.get_strategy(session, slug)


@versioned(lambda strategy_id: [CATALOG, "account:*"])
def strategy_account(strategy_id: int) -> dict[str, object] | None:
    """The broker account a strategy trades in, as last synced; None when it has none."""
    with _store().reading() as session:
        return account_state.strategy_account(session, strategy_id)


@versioned(lambda: [CATALOG, "strategy:*", "benchmark:*"])
def overview() -> pd.DataFrame:
    """One row per strategy: identity, primary source, period returns, metrics and a sparkline.

    `relative` is the YTD return less its benchmark's over the same days; `sharpe` and
    `max_drawdown` are the registry metrics of the primary source over its whole life.
    """
    store = _store()
    with store.reading() as session:
        book = queries.list_strategies(session)
        series = queries.list_series(session)
        primary = queries.primary_sources(series)
        chosen = series[
            series["strategy_id"].map(primary).eq(series["source"])
            & series["resolution"].eq("daily")
        ]
        returns = queries.daily_returns(session, chosen["series_id"].tolist())
    returns = returns.rename(
        columns=dict(zip(chosen["series_id"], chosen["strategy_id"], strict=True))
    )
    periods = summary.period_returns(returns)
    recent = (
        (1 + returns.iloc[-SPARK_DAYS:].fillna(0.0))
        .cumprod()
        .where(returns.iloc[-SPARK_DAYS:].notna())
    )
    table = book.set_index("id")
    table["source"] = primary.reindex(table.index)
    table = table.join(periods)
    table["spark"] = [summary.sparkline(recent[i]) if i in recent else [] for i in table.index]
    table = table.join(_book_metrics(returns)).join(_relative(returns, table["benchmark"]))
    return table.reset_index().replace({np.nan: None})


def _book_metrics(returns: pd.DataFrame) -> pd.DataFrame:
    if returns.empty:
        return pd.DataFrame(columns=["sharpe", "max_drawdown"], dtype=float)
    metrics = compute_metrics(returns, keys=["sharpe", "max_drawdown"], periods_per_year=None)
    return metrics.T.astype(float)


def _relative(returns: pd.DataFrame, symbols: pd.Series) -> pd.Series:
    """Per strategy, YTD return less the benchmark's YTD over the days the strategy traded."""
    out = pd.Series(np.nan, index=symbols.index, name="relative")
    for symbol, ids in symbols.fillna("SPY").groupby(symbols.fillna("SPY")).groups.items():
        mine = returns[[i for i in ids if i in returns]]
        if mine.empty:
            continue
        closes = benchmark_closes(str(symbol), None, None, None)
        bench = pd.DataFrame(  # over each strategy's own periods
            {i: benchmark_over(closes, mine[i].dropna().index) for i in mine}, index=mine.index
        )
        masked = bench.where(mine.notna())
        own, theirs = summary.period_returns(mine)["ytd"], summary.period_returns(masked)["ytd"]
        out.loc[own.index] = (own - theirs).to_numpy()
    return out


@versioned(lambda strategy_id, source, *_a, **_k: [series_scope(strategy_id, str(source))])
def performance(
    strategy_id: int,
    source: str,
    resolution: str = "daily",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    max_points: int | None = 2000,
) -> pd.DataFrame:
    """A strategy's equity curve for a range, bucketed in SQL to at most `max_points`."""
    store = _store()
    with store.reading() as session:
        return queries.performance(
            session, store.db.capabilities, strategy_id, source, resolution, start, end, max_points
        )


@versioned(lambda symbol, *args, **kwargs: [f"benchmark:{symbol}"])
def benchmark_closes(
    symbol: str,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    max_points: int | None = 2000,
) -> pd.Series:
    """A benchmark's adjusted closes over a range."""
    store = _store()
    with store.reading() as session:
        return queries.benchmark_closes(
            session, store.db.capabilities, symbol, "daily", start, end, max_points
        )


def audit_log(limit: int = 200, action: str | None = None) -> pd.DataFrame:
    """The latest audit entries (not cached: every request and refusal adds to it)."""
    with _store().reading() as session:
        return audit.recent(session, limit, action)


PRESETS = ("1M", "3M", "YTD", "1Y", "3Y", "5Y", "All")
_OFFSETS = {
    "1M": pd.DateOffset(months=1),
    "3M": pd.DateOffset(months=3),
    "1Y": pd.DateOffset(years=1),
    "3Y": pd.DateOffset(years=3),
    "5Y": pd.DateOffset(years=5),
}


def preset_start(preset: str | None, last: pd.Timestamp) -> pd.Timestamp | None:
    """The first date a preset shows, counted back from `last` (None: the whole history)."""
    if preset == "YTD":
        return last.normalize().replace(month=1, day=1)
    offset = _OFFSETS.get(preset or "")
    return last - offset if offset is not None else None


@versioned(lambda strategy_id: [strategy_scope(strategy_id)])
def series_extents(strategy_id: int) -> pd.DataFrame:
    """A strategy's daily series: source, first, last and points, in backtest/paper/live order."""
    with _store().reading() as session:
        series = queries.list_series(session, strategy_id)
    return in_source_order(series[series["resolution"].eq("daily")])


def in_source_order(series: pd.DataFrame) -> pd.DataFrame:
    order = series["source"].map({s: i for i, s in enumerate(reversed(queries.SOURCE_PRIORITY))})
    return series.assign(order=order).sort_values("order").drop(columns="order")


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


def benchmark_pair(preferred: str | None = None, choices: Sequence[str] = ()) -> tuple[str, str]:
    """The equity benchmark and the bond index a strategy is measured against.

    Equity: the strategy's own, else the first stored equity benchmark among `choices` (the
    user's default benchmarks), else the first configured. Bond: the first stored bond index
    among `choices`, else the first configured one.
    """
    configured = [s for s in _store().settings.benchmarks if s not in BLENDS]
    bond = next((s for s in configured if KNOWN.get(s, ("", ""))[1] == "bond"), configured[-1])
    if choices:
        book = benchmarks()
        kinds = dict(zip(book["symbol"], book["asset_class"], strict=True))
        equity = next((s for s in choices if kinds.get(s) == "equity"), configured[0])
        bond = next((s for s in choices if kinds.get(s) == "bond" and s != preferred), bond)
    else:
        equity = configured[0]
    return (preferred or equity, bond)


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


@versioned(lambda: [CATALOG, "benchmark:*"])
def benchmarks() -> pd.DataFrame:
    """Every stored benchmark: symbol, name, asset class, provider, blend weights."""
    with _store().reading() as session:
        return queries.list_benchmarks(session)


def benchmark_returns(symbol: str) -> pd.Series:
    """Daily returns of a benchmark, or of a configured blend such as 60/40 (daily rebalanced)."""
    if symbol in BLENDS:
        weights = BLENDS[symbol]
        closes = pd.DataFrame({m: benchmark_closes(m, None, None, None) for m in weights})
        return blend(closes, weights).rename(symbol)
    closes = benchmark_closes(symbol, None, None, None)
    return closes.pct_change(fill_method=None).iloc[1:].rename(symbol)
