"""Preferences, reports, job runs, provider accounts and sync state, and data versions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.schema.base import Base, JSONType, Status, UTCDateTime, enum_column, utcnow


class Preference(Base):
    """A user's dashboard preferences, as one validated JSON document."""

    __tablename__ = "preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    prefs: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Report(Base):
    """A report definition: which strategies, which format, and an optional schedule."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    fmt: Mapped[str] = mapped_column(String(8))
    params: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    schedule: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportRun(Base):
    """One generated report file."""

    __tablename__ = "report_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[Status] = mapped_column(enum_column(Status, "status"), default=Status.RUNNING)
    path: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class JobRun(Base):
    """One run of a scheduled job: when, where, and how it ended."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[Status] = mapped_column(enum_column(Status, "status"), default=Status.RUNNING)
    host: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)


class BrokerAccount(Base):
    """A broker account whose equity and fills are synced (Alpaca paper or live)."""

    __tablename__ = "broker_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(24))
    label: Mapped[str] = mapped_column(String(80), unique=True)
    paper: Mapped[bool] = mapped_column(Boolean, default=True)
    # the name of its key pair (ALPACA_API_KEY_ID__<NAME>); None: the default keys
    credentials: Mapped[str | None] = mapped_column(String(32))
    # as the broker reported it at the last successful sync (None before the first)
    account_number: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(32))
    trading_blocked: Mapped[bool | None] = mapped_column(Boolean)
    equity: Mapped[float | None] = mapped_column(Float)
    cash: Mapped[float | None] = mapped_column(Float)


class AccountPosition(Base):
    """An open position of a broker account at its last successful sync (replaced by each)."""

    __tablename__ = "account_positions"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("broker_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    symbol: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[float] = mapped_column(Float)
    market_value: Mapped[float | None] = mapped_column(Float)
    unrealized_pnl: Mapped[float | None] = mapped_column(Float)


class StrategyAccount(Base):
    """Maps a strategy onto a broker account; fills are attributed by client order id prefix."""

    __tablename__ = "strategy_accounts"

    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("strategies.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("broker_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    order_prefix: Mapped[str] = mapped_column(String(32), default="")
    # sharing an account: the capital allotted to the strategy, from which its equity is rebuilt
    capital: Mapped[float | None] = mapped_column(Float)


class SyncState(Base):
    """Watermark and health of one ingestion stream (a benchmark, an account)."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    watermark: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DataVersion(Base):
    """A counter per scope ('catalog', 'strategy:42', 'benchmark:SPY'), bumped by each write."""

    __tablename__ = "data_versions"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
