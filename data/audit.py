"""The audit log: who did what, to what, when and from where."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.db import rows_frame
from data.schema import AuditEntry


def record(
    session: Session,
    action: str,
    *,
    actor: str,
    user_id: int | None = None,
    target_type: str = "",
    target_id: str | int = "",
    ip: str = "",
    detail: dict[str, object] | None = None,
) -> None:
    """Add one entry in the caller's transaction (so it lands with the change it describes)."""
    session.add(
        AuditEntry(
            action=action,
            actor=actor[:254],
            user_id=user_id,
            target_type=target_type,
            target_id=str(target_id)[:64],
            ip=ip[:64],
            detail=detail or {},
        )
    )


def recent(session: Session, limit: int = 200, action: str | None = None) -> pd.DataFrame:
    """The latest entries, newest first."""
    columns = ["ts", "actor", "action", "target_type", "target_id", "ip", "detail"]
    stmt = select(*(getattr(AuditEntry, c) for c in columns)).order_by(AuditEntry.id.desc())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return rows_frame(session.execute(stmt.limit(limit)).all(), columns)
