"""Strategies and their time series: performance, trades, benchmarks and bars, metric snapshots."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.schema.base import (
    Base,
    JSONType,
    Resolution,
    Source,
    Stage,
    UTCDateTime,
    enum_column,
    utcnow,
)


class Strategy(Base):
    """A trading strategy, from research to retirement."""

    __tablename__ = "strategies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[Stage] = mapped_column(
        enum_column(Stage, "stage"), default=Stage.RESEARCH, index=True
    )
    style: Mapped[str] = mapped_column(String(40), default="")
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    benchmark: Mapped[str] = mapped_column(String(16), default="SPY")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Series(Base):
    """One equity curve: a strategy's performance from one source at one resolution."""

    __tablename__ = "series"
    __table_args__ = (UniqueConstraint("strategy_id", "source", "resolution"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategies.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(enum_column(Source, "source"))
    resolution: Mapped[str] = mapped_column(enum_column(Resolution, "resolution"))


class PerformancePoint(Base):
    """One point of an equity curve.

    No foreign key on this (hyper)table: COPY into it ran 4x slower with one (130k vs 500k rows/s);
    the write API creates the series row first and deletes points with their series.
    """

    __tablename__ = "performance"

    series_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    equity: Mapped[float] = mapped_column(Float)
    ret: Mapped[float | None] = mapped_column(Float)


class Trade(Base):
    """A fill or closed trade; `trade_key` (broker id or row hash) makes writes idempotent."""

    __tablename__ = "trades"
    __table_args__ = (
        UniqueConstraint("strategy_id", "source", "trade_key"),
        Index("ix_trades_strategy_ts", "strategy_id", "source", "ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategies.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(enum_column(Source, "source"))
    trade_key: Mapped[str] = mapped_column(String(96))
    ts: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    symbol: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[float] = mapped_column(Float)
    price: Mapped[float] = mapped_column(Float)
    fee: Mapped[float] = mapped_column(Float, default=0.0)
    pnl: Mapped[float | None] = mapped_column(Float)
    exit_ts: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Benchmark(Base):
    """A benchmark instrument (S&P 500 ETF, bond index ETF, ...) or a blend of them."""

    __tablename__ = "benchmarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    asset_class: Mapped[str] = mapped_column(String(24), default="equity")
    provider: Mapped[str] = mapped_column(String(24), default="demo")
    weights: Mapped[dict[str, float] | None] = mapped_column(JSONType)


class BenchmarkBar(Base):
    """One OHLCV bar of a benchmark; `close` is adjusted for splits and dividends."""

    __tablename__ = "benchmark_bars"

    benchmark_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no FK: see performance
    resolution: Mapped[str] = mapped_column(enum_column(Resolution, "resolution"), primary_key=True)
    ts: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    open: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    close: Mapped[float] = mapped_column(Float)
    volume: Mapped[float] = mapped_column(Float, default=0.0)


class MetricSnapshot(Base):
    """A metric's value for a strategy and source as of a date (history for alerts and reports)."""

    __tablename__ = "metric_snapshots"

    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("strategies.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(enum_column(Source, "source"), primary_key=True)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    metric: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    data_version: Mapped[int] = mapped_column(Integer, default=0)
