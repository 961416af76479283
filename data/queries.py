"""Reads: functions that take a session and return pandas objects (new ones, never shared)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Select, String, cast, func, select, tuple_, type_coerce
from sqlalchemy.orm import Session

from data.bucketing import bucket_width, read_bucketed
from data.db import Capabilities, rows_frame
from data.schema import (
    Benchmark,
    BenchmarkBar,
    JobRun,
    PerformancePoint,
    Resolution,
    Series,
    Source,
    Strategy,
    Trade,
)

SOURCE_PRIORITY = [Source.LIVE.value, Source.PAPER.value, Source.BACKTEST.value]
STRATEGY_COLUMNS = ["id", "slug", "name", "stage", "style", "tags", "benchmark", "team_id"]


def list_strategies(session: Session) -> pd.DataFrame:
    """Every strategy, one row each, ordered by name."""
    rows = session.execute(
        select(*(getattr(Strategy, c) for c in STRATEGY_COLUMNS)).order_by(Strategy.name)
    ).all()
    frame = rows_frame(rows, STRATEGY_COLUMNS)
    frame["stage"] = frame["stage"].map(str)
    return frame


def get_strategy(session: Session, slug: str) -> dict[str, object] | None:
    """One strategy as a plain dict, or None."""
    row = session.execute(
        select(*(getattr(Strategy, c) for c in [*STRATEGY_COLUMNS, "description"])).where(
            Strategy.slug == slug
        )
    ).first()
    if row is None:
        return None
    found = dict(row._mapping)
    found["stage"] = str(found["stage"])
    return found


def list_series(session: Session, strategy_id: int | None = None) -> pd.DataFrame:
    """Every series (or one strategy's) with its extent: strategy, source, resolution,
    first/last timestamp, points, and `history`: the sum of its returns before the last point.

    `history` moves when a past value is corrected but not when the newest point is updated
    in place (a live day in progress), so results keyed on it are redone only when needed.
    """
    stmt = (
        select(
            Series.id,
            Series.strategy_id,
            Series.source,
            Series.resolution,
            func.min(PerformancePoint.ts),
            func.max(PerformancePoint.ts),
            func.count(PerformancePoint.ts),
            func.sum(PerformancePoint.ret),
        )
        .join(PerformancePoint, PerformancePoint.series_id == Series.id)
        .group_by(Series.id, Series.strategy_id, Series.source, Series.resolution)
    )
    if strategy_id is not None:
        stmt = stmt.where(Series.strategy_id == strategy_id)
    columns = ["series_id", "strategy_id", "source", "resolution", "first", "last", "points"]
    frame = rows_frame(session.execute(stmt).all(), [*columns, "ret_sum"])
    for column in ("source", "resolution"):
        frame[column] = frame[column].map(str)
    newest = (
        dict(
            session.execute(
                select(PerformancePoint.series_id, PerformancePoint.ret).where(
                    tuple_(PerformancePoint.series_id, PerformancePoint.ts).in_(
                        list(zip(frame["series_id"], frame["last"], strict=True))
                    )
                )
            ).all()
        )
        if len(frame)
        else {}
    )
    last_ret = frame["series_id"].map(newest).astype(float).fillna(0.0)
    frame["history"] = frame["ret_sum"].astype(float).fillna(0.0) - last_ret
    return frame.drop(columns="ret_sum")


def primary_sources(series: pd.DataFrame) -> pd.Series:
    """Per strategy, the source that best describes it now: live, else paper, else backtest."""
    daily = series[series["resolution"] == Resolution.DAILY.value]
    rank = daily["source"].map({s: i for i, s in enumerate(SOURCE_PRIORITY)})
    best = daily.assign(rank=rank).sort_values("rank").drop_duplicates("strategy_id")
    return best.set_index("strategy_id")["source"]


def performance(
    session: Session,
    caps: Capabilities,
    strategy_id: int,
    source: Source | str,
    resolution: Resolution | str = Resolution.DAILY,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    max_points: int | None = None,
) -> pd.DataFrame:
    """An equity curve (`equity`, `ret`) for a range, bucketed in SQL to at most `max_points`."""
    series_id = session.scalar(
        select(Series.id).where(
            Series.strategy_id == strategy_id,
            Series.source == Source(source).value,
            Series.resolution == Resolution(resolution).value,
        )
    )
    if series_id is None:
        return _empty(["equity", "ret"])
    stmt = _in_range(
        select(PerformancePoint.ts, PerformancePoint.equity, PerformancePoint.ret).where(
            PerformancePoint.series_id == series_id
        ),
        PerformancePoint.ts,
        start,
        end,
    )
    if max_points:
        lo, hi, count = _extent(session, stmt)
        if count > max_points:
            width = bucket_width(lo, hi, max_points)
            key = ("series_id = :series_id", {"series_id": series_id})
            frame = read_bucketed(session, caps, "performance", key, ["equity"], lo, hi, width)
            return frame.assign(ret=frame["equity"].pct_change(fill_method=None))
    return _frame(session, stmt.order_by(PerformancePoint.ts), ["equity", "ret"])


def daily_returns(
    session: Session, series_ids: list[int], start: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Daily returns of several series at once: days x series_id (NaN outside each life)."""
    if not series_ids:
        return _empty([])
    stmt = _in_range(
        select(PerformancePoint.ts, PerformancePoint.series_id, PerformancePoint.ret).where(
            PerformancePoint.series_id.in_(series_ids)
        ),
        PerformancePoint.ts,
        start,
        None,
    )
    long = rows_frame(session.execute(stmt).all(), ["ts", "series_id", "ret"])
    long["ts"] = pd.to_datetime(long["ts"], utc=True)
    wide = long.pivot(index="ts", columns="series_id", values="ret").sort_index()
    return wide.astype(float)


def list_benchmarks(session: Session) -> pd.DataFrame:
    """Every benchmark: symbol, name, asset class, provider, blend weights."""
    columns = ["id", "symbol", "name", "asset_class", "provider", "weights"]
    rows = session.execute(select(*(getattr(Benchmark, c) for c in columns)).order_by(Benchmark.id))
    return rows_frame(rows.all(), columns)


def benchmark_closes(
    session: Session,
    caps: Capabilities,
    symbol: str,
    resolution: Resolution | str = Resolution.DAILY,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    max_points: int | None = None,
) -> pd.Series:
    """A benchmark's adjusted closes over a range, bucketed in SQL to at most `max_points`."""
    benchmark_id = session.scalar(select(Benchmark.id).where(Benchmark.symbol == symbol))
    if benchmark_id is None:
        return pd.Series(dtype=float, name=symbol, index=pd.DatetimeIndex([], tz="UTC"))
    res = Resolution(resolution).value
    stmt = _in_range(
        select(BenchmarkBar.ts, BenchmarkBar.close).where(
            BenchmarkBar.benchmark_id == benchmark_id, BenchmarkBar.resolution == res
        ),
        BenchmarkBar.ts,
        start,
        end,
    )
    if max_points:
        lo, hi, count = _extent(session, stmt)
        if count > max_points:
            width = bucket_width(lo, hi, max_points)
            key = ("benchmark_id = :b AND resolution = :r", {"b": benchmark_id, "r": res})
            frame = read_bucketed(session, caps, "benchmark_bars", key, ["close"], lo, hi, width)
            return frame["close"].rename(symbol)
    return _frame(session, stmt.order_by(BenchmarkBar.ts), ["close"])["close"].rename(symbol)


def trades(session: Session, strategy_id: int, source: Source | str | None = None) -> pd.DataFrame:
    """A strategy's trades, newest first."""
    columns = ["ts", "source", "symbol", "side", "quantity", "price", "fee", "pnl", "exit_ts"]
    stmt = select(*(getattr(Trade, c) for c in columns)).where(Trade.strategy_id == strategy_id)
    if source is not None:
        stmt = stmt.where(Trade.source == Source(source).value)
    frame = rows_frame(session.execute(stmt.order_by(Trade.ts.desc())).all(), columns)
    frame["source"] = frame["source"].map(str)
    return frame


def recent_job_runs(session: Session, limit: int = 50) -> pd.DataFrame:
    """The latest job runs, newest first."""
    columns = ["id", "job_id", "status", "host", "started_at", "finished_at", "detail", "error"]
    stmt = select(*(getattr(JobRun, c) for c in columns)).order_by(JobRun.id.desc()).limit(limit)
    frame = rows_frame(session.execute(stmt).all(), columns)
    frame["status"] = frame["status"].map(str)
    return frame


def _in_range(
    stmt: Select, column: object, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> Select:
    if start is not None:
        stmt = stmt.where(column >= start.to_pydatetime())
    if end is not None:
        stmt = stmt.where(column <= end.to_pydatetime())
    return stmt


def _extent(session: Session, stmt: Select) -> tuple[pd.Timestamp, pd.Timestamp, int]:
    sub = stmt.subquery()
    lo, hi, count = session.execute(
        select(func.min(sub.c.ts), func.max(sub.c.ts), func.count())
    ).one()
    if not count:
        return pd.NaT, pd.NaT, 0
    return pd.Timestamp(lo), pd.Timestamp(hi), int(count)


def _frame(session: Session, stmt: Select, columns: list[str]) -> pd.DataFrame:
    """A time series read as (ts, value…) rows, built column-wise with a UTC index.

    Timestamps travel as plain values pandas converts in one pass — whole microseconds since
    the epoch on PostgreSQL (exact: EXTRACT gives a numeric), ISO text on SQLite — rather than
    as datetime objects built and then inspected one at a time (most of a long read's cost).
    """
    ts, *values = stmt.selected_columns
    postgres = session.get_bind().dialect.name == "postgresql"
    stamp = (
        cast(func.extract("epoch", ts) * 1_000_000, BigInteger)
        if postgres
        else type_coerce(ts, String)
    )
    rows = session.execute(stmt.with_only_columns(stamp.label("ts"), *values)).all()
    if not rows:
        return _empty(columns)
    stamps, *data = zip(*rows, strict=True)
    index = (
        pd.to_datetime(np.asarray(stamps, dtype=np.int64), unit="us", utc=True)
        if postgres
        else pd.to_datetime(pd.Index(stamps), utc=True, format="ISO8601")
    )
    return pd.DataFrame(
        {name: np.asarray(column, dtype=float) for name, column in zip(columns, data, strict=True)},
        index=pd.DatetimeIndex(index, name="ts"),
    )


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        columns=columns, index=pd.DatetimeIndex([], tz="UTC", name="ts"), dtype=float
    )
