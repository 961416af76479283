"""Thresholds, alerts, validation runs and checks, stage transitions, approvals, the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.schema.base import (
    Base,
    Decision,
    JSONType,
    Severity,
    Stage,
    Status,
    UTCDateTime,
    enum_column,
    utcnow,
)


class Threshold(Base):
    """A rule on a metric (`sharpe < 0.5` over 63 days); global when `strategy_id` is null."""

    __tablename__ = "thresholds"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int | None] = mapped_column(
        ForeignKey("strategies.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[str] = mapped_column(String(48))
    operator: Mapped[str] = mapped_column(String(2))
    value: Mapped[float] = mapped_column(Float)
    window_days: Mapped[int | None] = mapped_column(Integer)
    severity: Mapped[Severity] = mapped_column(
        enum_column(Severity, "severity"), default=Severity.WARNING
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Alert(Base):
    """A raised alert: a threshold breached, drift detected, or data gone stale."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_open", "strategy_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int | None] = mapped_column(ForeignKey("strategies.id", ondelete="CASCADE"))
    threshold_id: Mapped[int | None] = mapped_column(
        ForeignKey("thresholds.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(24))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "severity"))
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    observed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ValidationRun(Base):
    """One run of the validation pipeline over a strategy."""

    __tablename__ = "validation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("strategies.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[Status] = mapped_column(enum_column(Status, "status"), default=Status.RUNNING)
    triggered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    data_version: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ValidationCheck(Base):
    """One check inside a validation run, with what it measured against what it required."""

    __tablename__ = "validation_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("validation_runs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[Status] = mapped_column(enum_column(Status, "status"))
    value: Mapped[float | None] = mapped_column(Float)
    limit: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")


class StageTransition(Base):
    """A request to move a strategy between stages, and its outcome."""

    __tablename__ = "stage_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("strategies.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "from_stage"))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "to_stage"))
    status: Mapped[Decision] = mapped_column(
        enum_column(Decision, "status"), default=Decision.PENDING
    )
    validation_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("validation_runs.id", ondelete="SET NULL")
    )
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Approval(Base):
    """One person's decision on a stage transition."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    transition_id: Mapped[int] = mapped_column(
        ForeignKey("stage_transitions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, "decision"))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Who did what, to what, when and from where."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    ts: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
