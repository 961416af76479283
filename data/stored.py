"""What the ingestion jobs read back before writing: stored bars, equity and trade keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.db import rows_frame
from data.schema import Benchmark, BenchmarkBar, PerformancePoint, Resolution, Series, Trade
from data.writes import BAR_COLUMNS

TOLERANCE = 1e-9  # relative: a re-computed float that differs by less is the same value


def stored_bars(
    session: Session, symbol: str, resolution: Resolution | str, since: dt.datetime
) -> pd.DataFrame:
    """A benchmark's bars from `since` on, indexed by UTC timestamp (empty if it has none)."""
    rows = session.execute(
        select(BenchmarkBar.ts, *(getattr(BenchmarkBar, c) for c in BAR_COLUMNS))
        .join(Benchmark, Benchmark.id == BenchmarkBar.benchmark_id)
        .where(
            Benchmark.symbol == symbol,
            BenchmarkBar.resolution == Resolution(resolution).value,
            BenchmarkBar.ts >= since,
        )
        .order_by(BenchmarkBar.ts)
    ).all()
    return _indexed(rows_frame(rows, ["ts", *BAR_COLUMNS]))


def first_bar(session: Session, symbol: str, resolution: Resolution | str) -> dt.datetime | None:
    """The timestamp of a benchmark's oldest stored bar."""
    return session.scalar(
        select(func.min(BenchmarkBar.ts))
        .join(Benchmark, Benchmark.id == BenchmarkBar.benchmark_id)
        .where(Benchmark.symbol == symbol, BenchmarkBar.resolution == Resolution(resolution).value)
    )


def stored_closes(session: Session, symbols: Collection[str]) -> pd.DataFrame:
    """Daily closes of `symbols`, one column each, on the union of their dates."""
    rows = session.execute(
        select(Benchmark.symbol, BenchmarkBar.ts, BenchmarkBar.close)
        .join(Benchmark, Benchmark.id == BenchmarkBar.benchmark_id)
        .where(
            Benchmark.symbol.in_(list(symbols)),
            BenchmarkBar.resolution == Resolution.DAILY.value,
        )
    ).all()
    frame = rows_frame(rows, ["symbol", "ts", "close"])
    wide = frame.pivot(index="ts", columns="symbol", values="close")
    return _indexed(wide.reset_index()).reindex(columns=list(symbols))


def stored_equity(
    session: Session,
    strategy_id: int,
    source: str,
    resolution: Resolution | str,
    since: dt.datetime,
) -> pd.Series:
    """A strategy's stored equity for one source and resolution from `since` on."""
    rows = session.execute(
        select(PerformancePoint.ts, PerformancePoint.equity)
        .join(Series, Series.id == PerformancePoint.series_id)
        .where(
            Series.strategy_id == strategy_id,
            Series.source == source,
            Series.resolution == Resolution(resolution).value,
            PerformancePoint.ts >= since,
        )
        .order_by(PerformancePoint.ts)
    ).all()
    return _indexed(rows_frame(rows, ["ts", "equity"]))["equity"]


def stored_trade_keys(
    session: Session, strategy_id: int, source: str, keys: Collection[str]
) -> set[str]:
    """Which of `keys` a strategy already has trades for."""
    if not keys:
        return set()
    found = session.scalars(
        select(Trade.trade_key).where(
            Trade.strategy_id == strategy_id,
            Trade.source == source,
            Trade.trade_key.in_(list(keys)),
        )
    )
    return set(found)


FILL_COLUMNS = ["trade_key", "ts", "symbol", "side", "quantity", "price", "fee"]


def stored_fills(session: Session, strategy_id: int, source: str) -> pd.DataFrame:
    """Every stored fill of a strategy's source, oldest first (columns FILL_COLUMNS)."""
    rows = session.execute(
        select(*(getattr(Trade, c) for c in FILL_COLUMNS))
        .where(Trade.strategy_id == strategy_id, Trade.source == source)
        .order_by(Trade.ts)
    ).all()
    frame = rows_frame(rows, FILL_COLUMNS)
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame


def last_point(
    session: Session, strategy_id: int, source: str, resolution: Resolution | str
) -> dt.datetime | None:
    """The timestamp of a strategy's newest stored point for one source and resolution."""
    return session.scalar(
        select(func.max(PerformancePoint.ts))
        .join(Series, Series.id == PerformancePoint.series_id)
        .where(
            Series.strategy_id == strategy_id,
            Series.source == source,
            Series.resolution == Resolution(resolution).value,
        )
    )


def from_first_change(fresh: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """`fresh` from its first row that is new or differs from `stored`; empty when nothing changed.

    Rows after the first change are kept even when equal, so returns derived from consecutive
    rows are recomputed over an unbroken run.
    """
    columns = list(fresh.columns)
    aligned = stored.reindex(index=fresh.index, columns=columns)
    a, b = fresh.to_numpy(float), aligned.to_numpy(float)
    same = np.isclose(a, b, rtol=TOLERANCE, atol=0.0).all(axis=1)
    if same.all():
        return fresh.iloc[:0]
    return fresh.iloc[int((~same).argmax()) :]


def _indexed(frame: pd.DataFrame) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.to_datetime(frame["ts"], utc=True)).as_unit("us")
    return frame.drop(columns="ts").set_axis(index).astype(float)
