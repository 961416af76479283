"""Declarative base, shared column types and the vocabularies every table uses."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every Stratwatch table; constraint names are deterministic for Alembic."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC (`timestamptz` on PostgreSQL) and always returned tz-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: Stratwatch stores UTC, pass tz-aware")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    """Now, in UTC, tz-aware."""
    return dt.datetime.now(dt.UTC)


def enum_column(kind: type[enum.Enum], column: str) -> Enum:
    """A portable enum: VARCHAR with a CHECK constraint (named after `column`) on member values."""
    return Enum(
        kind,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        name=column,
    )


class Stage(enum.StrEnum):
    """Where a strategy is in its life."""

    RESEARCH = "research"
    BACKTEST = "backtest"
    PAPER = "paper"
    LIVE = "live"
    RETIRED = "retired"


class Source(enum.StrEnum):
    """Where a performance series comes from."""

    BACKTEST = "backtest"
    PAPER = "paper"
    LIVE = "live"


class Resolution(enum.StrEnum):
    """Sampling of a series: one point per trading day, or intraday points."""

    DAILY = "daily"
    INTRADAY = "intraday"


class Role(enum.StrEnum):
    """What a user may do; each role includes the ones before it."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    TRADER = "trader"
    ADMIN = "admin"


class Severity(enum.StrEnum):
    """How loudly an alert or a check speaks."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Status(enum.StrEnum):
    """Outcome of a job run, a validation run, a check or a report run."""

    RUNNING = "running"
    SUCCESS = "success"
    PASSED = "passed"
    WARNING = "warning"
    FAILED = "failed"
    SKIPPED = "skipped"


class Decision(enum.StrEnum):
    """State of a stage-transition request, and of each approval on it."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
