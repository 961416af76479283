"""Writes: validated, idempotent upserts that bump the data versions of what they touch."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.bulk import upsert_frame
from data.schema import (
    Benchmark,
    BenchmarkBar,
    PerformancePoint,
    Resolution,
    Series,
    Source,
    Stage,
    Strategy,
    Trade,
)
from data.versions import CATALOG, Change, benchmark_scope, record, series_scope, strategy_scope

BAR_COLUMNS = ["open", "high", "low", "close", "volume"]
TRADE_COLUMNS = ["trade_key", "ts", "symbol", "side", "quantity", "price", "fee", "pnl", "exit_ts"]


class WriteError(ValueError):
    """A write was refused before touching the store; the message says why."""


def ensure_strategy(session: Session, slug: str, **fields: object) -> tuple[Strategy, Change]:
    """Fetch the strategy `slug`, creating it with `fields` when it does not exist."""
    strategy = session.scalar(select(Strategy).where(Strategy.slug == slug))
    if strategy is not None:
        return strategy, Change()
    fields.setdefault("name", slug.replace("-", " ").title())
    fields.setdefault("stage", Stage.BACKTEST)
    strategy = Strategy(slug=slug, **fields)
    session.add(strategy)
    session.flush()
    return strategy, record(session, [CATALOG, strategy_scope(strategy.id)], 1)


def ensure_benchmark(session: Session, symbol: str, **fields: object) -> tuple[Benchmark, Change]:
    """Fetch the benchmark `symbol`, creating it with `fields` when it does not exist."""
    benchmark = session.scalar(select(Benchmark).where(Benchmark.symbol == symbol))
    if benchmark is not None:
        return benchmark, Change()
    fields.setdefault("name", symbol)
    benchmark = Benchmark(symbol=symbol, **fields)
    session.add(benchmark)
    session.flush()
    return benchmark, record(session, [CATALOG, benchmark_scope(symbol)], 1)


def ensure_series(
    session: Session, strategy_id: int, source: Source | str, resolution: Resolution | str
) -> int:
    """The id of a strategy's series for `source` and `resolution`, created when missing."""
    source, resolution = Source(source).value, Resolution(resolution).value
    found = session.scalar(
        select(Series.id).where(
            Series.strategy_id == strategy_id,
            Series.source == source,
            Series.resolution == resolution,
        )
    )
    if found is not None:
        return found
    series = Series(strategy_id=strategy_id, source=source, resolution=resolution)
    session.add(series)
    session.flush()
    return series.id


def write_performance(
    session: Session,
    strategy_id: int,
    source: Source | str,
    frame: pd.DataFrame,
    resolution: Resolution | str = Resolution.DAILY,
) -> Change:
    """Upsert an equity curve: `frame` indexed by UTC timestamps with `equity` and `ret` columns."""
    _require_utc_index(frame)
    _require_finite(frame, ["equity"])
    if (frame["equity"] <= 0).any():
        raise WriteError("equity must be positive on every row")
    series_id = ensure_series(session, strategy_id, source, resolution)
    rows = pd.DataFrame(
        {
            "ts": frame.index,
            "equity": frame["equity"].to_numpy(float),
            "ret": frame["ret"].to_numpy(float),
        }
    )
    table = PerformancePoint.__table__
    count = upsert_frame(
        session, table, rows, ["series_id", "ts"], {"series_id": series_id}, time_column="ts"
    )
    scopes = [strategy_scope(strategy_id), series_scope(strategy_id, Source(source).value)]
    return _recorded(session, scopes, count)


def append_equity(
    session: Session,
    strategy_id: int,
    source: Source | str,
    equity: pd.Series,
    resolution: Resolution | str = Resolution.DAILY,
) -> Change:
    """Upsert equity points, deriving each return from the stored point before the first one."""
    if equity.empty:
        return Change()
    _require_utc_index(equity.to_frame("equity"))
    equity = equity.sort_index()
    series_id = ensure_series(session, strategy_id, source, resolution)
    previous = session.scalar(
        select(PerformancePoint.equity)
        .where(
            PerformancePoint.series_id == series_id,
            PerformancePoint.ts < equity.index[0].to_pydatetime(),
        )
        .order_by(PerformancePoint.ts.desc())
        .limit(1)
    )
    chained = pd.concat([pd.Series([previous], dtype=float), equity.reset_index(drop=True)])
    ret = chained.pct_change(fill_method=None).iloc[1:].to_numpy()
    frame = pd.DataFrame({"equity": equity.to_numpy(float), "ret": ret}, index=equity.index)
    return write_performance(session, strategy_id, source, frame, resolution)


def write_bars(
    session: Session,
    benchmark: Benchmark,
    frame: pd.DataFrame,
    resolution: Resolution | str = Resolution.DAILY,
) -> Change:
    """Upsert OHLCV bars: `frame` indexed by UTC timestamps with open/high/low/close/volume."""
    _require_utc_index(frame)
    missing = [c for c in BAR_COLUMNS if c not in frame.columns]
    if missing:
        raise WriteError(f"bars are missing column(s): {', '.join(missing)}")
    _require_finite(frame, ["open", "high", "low", "close"])
    if (frame[["open", "high", "low", "close"]] <= 0).any().any():
        raise WriteError(f"{benchmark.symbol}: prices must be positive")
    rows = frame[BAR_COLUMNS].astype(float).reset_index(names="ts")
    constants = {"benchmark_id": benchmark.id, "resolution": Resolution(resolution).value}
    keys = ["benchmark_id", "resolution", "ts"]
    count = upsert_frame(session, BenchmarkBar.__table__, rows, keys, constants, time_column="ts")
    return _recorded(session, [benchmark_scope(benchmark.symbol)], count)


def write_trades(
    session: Session, strategy_id: int, source: Source | str, frame: pd.DataFrame
) -> Change:
    """Upsert trades keyed by `trade_key` (a broker id, or a hash of the row)."""
    missing = [
        c for c in ["trade_key", "ts", "symbol", "side", "quantity", "price"] if c not in frame
    ]
    if missing:
        raise WriteError(f"trades are missing column(s): {', '.join(missing)}")
    if frame["trade_key"].duplicated().any():
        raise WriteError("trades contain the same trade_key twice")
    rows = frame.reindex(columns=TRADE_COLUMNS)
    rows["fee"] = rows["fee"].fillna(0.0)
    constants = {"strategy_id": strategy_id, "source": Source(source).value}
    keys = ["strategy_id", "source", "trade_key"]
    count = upsert_frame(session, Trade.__table__, rows, keys, constants)
    return _recorded(session, [strategy_scope(strategy_id)], count)


def set_stage(session: Session, strategy: Strategy, stage: Stage) -> Change:
    """Move a strategy to `stage` (the approval flow decides whether it may)."""
    strategy.stage = stage
    session.flush()
    return record(session, [CATALOG, strategy_scope(strategy.id)], 1)


def _recorded(session: Session, scopes: list[str], count: int) -> Change:
    """Bump versions only when rows really changed, so a repeated write keeps caches warm."""
    return record(session, scopes, count) if count else Change()


def _require_utc_index(frame: pd.DataFrame) -> None:
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise WriteError("rows must be indexed by tz-aware timestamps")
    if str(index.tz) != "UTC":
        raise WriteError(f"timestamps must be in UTC, not {index.tz}")
    if index.has_duplicates:
        raise WriteError(f"duplicate timestamp {index[index.duplicated()][0]}")


def _require_finite(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    for column in columns:
        values = frame[column].to_numpy(float)
        if not np.isfinite(values).all():
            raise WriteError(f"{column} must be a finite number on every row")
