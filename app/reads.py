"""Cached reads: the UI's and the API's only door to data. Each is keyed by the versions it uses."""

from __future__ import annotations

from collections.abc import Sequence

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
