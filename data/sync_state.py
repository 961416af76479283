"""Sync state: the watermark and health of each ingestion stream (a benchmark, an account)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from data.providers.resilience import BreakerState, BreakerStatus
from data.schema import Resolution, SyncState

ERROR_CHARS = 2000


def benchmark_key(symbol: str, resolution: Resolution | str) -> str:
    """The stream of one benchmark's bars at one resolution."""
    return f"benchmark:{symbol}:{Resolution(resolution).value}"


def account_key(label: str, stream: str) -> str:
    """The stream of one broker account: "daily" or "intraday" equity, or "fills"."""
    return f"account:{label}:{stream}"


ACCOUNT_STREAMS = ("daily", "intraday", "fills")


def forget_account(session: Session, label: str) -> None:
    """Drop an account's watermarks: its next sync reads the whole backfill window again.

    Needed when the strategies it serves change (a new mapping, a strategy promoted to paper or
    live): fills matching no synced strategy are passed over, and only a full re-read finds them.
    Trade keys and unchanged equity make the re-read write only what is new.
    """
    for stream in ACCOUNT_STREAMS:
        state = session.get(SyncState, account_key(label, stream))
        if state is not None:
            session.delete(state)
    session.flush()


def provider_key(name: str) -> str:
    """The health row of one provider's circuit breaker."""
    return f"provider:{name}"


def watermark(session: Session, key: str) -> dt.datetime | None:
    """The newest timestamp the stream has stored, or None before its first success."""
    state = session.get(SyncState, key)
    return state.watermark if state is not None else None


def mark_success(
    session: Session, key: str, now: dt.datetime, mark: dt.datetime | None = None
) -> None:
    """Record a successful run (in the caller's transaction, with the data it wrote)."""
    state = session.get(SyncState, key) or SyncState(key=key)
    if mark is not None and (state.watermark is None or mark > state.watermark):
        state.watermark = mark
    state.last_success_at, state.last_error, state.updated_at = now, None, now
    session.add(state)


def mark_failure(session: Session, key: str, now: dt.datetime, error: BaseException | str) -> None:
    """Record why a run failed; the watermark stays where the last success left it."""
    state = session.get(SyncState, key) or SyncState(key=key)
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    state.last_error, state.updated_at = message[:ERROR_CHARS], now
    session.add(state)


def record_breakers(session: Session, statuses: list[BreakerStatus], now: dt.datetime) -> None:
    """Persist providers' breaker states, so that every process (UI, metrics) can show them.

    Closed moves `last_success_at`; open and half-open are kept in `last_error` as "open: why".
    """
    for status in statuses:
        key = provider_key(status.name)
        state = session.get(SyncState, key) or SyncState(key=key)
        if status.state is BreakerState.CLOSED:
            state.last_success_at, state.last_error = now, None
        else:
            state.last_error = f"{status.state.value}: {status.last_error or ''}"[:ERROR_CHARS]
        state.updated_at = now
        session.add(state)
