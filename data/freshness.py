"""Freshness of synced data: per benchmark and account, its last update and whether it is stale.

Read from SyncState. Age is measured from the last successful sync, not from the newest bar: a
benchmark checked two minutes ago is current even on a Sunday. Intraday streams only go stale
while the market trades (their job has nothing to do otherwise).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.providers.resilience import GAUGE, BreakerState
from data.providers.sessions import active_session
from data.schema import SyncState

STALE_AFTER = dt.timedelta(hours=1)  # the requirement: benchmarks and accounts under one hour old
KINDS = ("benchmark", "account")


@dataclass(frozen=True)
class Freshness:
    """One stream: a benchmark's daily or intraday bars, an account's equity or fills."""

    kind: str
    subject: str
    stream: str
    watermark: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str | None
    age: dt.timedelta | None
    stale: bool

    @property
    def text(self) -> str:
        """ "updated 3 min ago", for the UI."""
        return updated_text(self.age)


@dataclass(frozen=True)
class ProviderHealth:
    """A provider's circuit-breaker state as the jobs last recorded it."""

    name: str
    state: BreakerState
    detail: str | None
    updated_at: dt.datetime

    @property
    def gauge(self) -> int:
        """0 closed, 1 half-open, 2 open."""
        return GAUGE[self.state]


@dataclass(frozen=True)
class Gauge:
    """One metrics sample: name, labels, value."""

    name: str
    labels: dict[str, str]
    value: float


def updated_text(age: dt.timedelta | None) -> str:
    """A human age: "updated just now", "updated 7 min ago", "updated 3 h ago", "never updated"."""
    if age is None:
        return "never updated"
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "updated just now"
    if minutes < 120:
        return f"updated {minutes} min ago"
    if minutes < 48 * 60:
        return f"updated {minutes // 60} h ago"
    return f"updated {minutes // 1440} days ago"


def freshness(
    session: Session,
    now: dt.datetime,
    kind: str | None = None,
    stale_after: dt.timedelta = STALE_AFTER,
) -> list[Freshness]:
    """Every stream (of one `kind`, "benchmark" or "account", when given), by subject."""
    market_open = active_session(now) is not None
    items = []
    for state in session.scalars(select(SyncState).order_by(SyncState.key)):
        head, _, rest = state.key.partition(":")
        subject, _, stream = rest.rpartition(":")  # symbols like I:SPX contain colons
        if head not in KINDS or (kind is not None and head != kind):
            continue
        age = now - state.last_success_at if state.last_success_at is not None else None
        watched = stream != "intraday" or market_open
        stale = watched and (age is None or age > stale_after)
        items.append(
            Freshness(
                head,
                subject,
                stream,
                state.watermark,
                state.last_success_at,
                state.last_error,
                age,
                stale,
            )
        )
    return items


def benchmark_freshness(session: Session, now: dt.datetime) -> list[Freshness]:
    """Every benchmark stream."""
    return freshness(session, now, "benchmark")


def account_freshness(session: Session, now: dt.datetime) -> list[Freshness]:
    """Every broker-account stream."""
    return freshness(session, now, "account")


def by_subject(items: list[Freshness]) -> dict[tuple[str, str], Freshness]:
    """Per (kind, subject), its most recently updated stream, marked stale if any stream is."""
    groups: dict[tuple[str, str], list[Freshness]] = {}
    for item in items:
        groups.setdefault((item.kind, item.subject), []).append(item)
    return {
        key: replace(min(group, key=_age), stale=any(i.stale for i in group))
        for key, group in groups.items()
    }


def _age(item: Freshness) -> dt.timedelta:
    return item.age if item.age is not None else dt.timedelta.max


def stale_warnings(items: list[Freshness]) -> list[str]:
    """One line per stale stream, for the warning banner (empty when all is current)."""
    lines = []
    for item in items:
        if item.stale:
            why = f": {item.last_error}" if item.last_error else ""
            lines.append(f"{item.kind} {item.subject} ({item.stream}) {item.text}{why}")
    return lines


def provider_health(session: Session) -> list[ProviderHealth]:
    """Every provider's breaker state, as recorded by the jobs (whichever process ran them)."""
    rows = session.scalars(select(SyncState).where(SyncState.key.startswith("provider:")))
    health = []
    for row in rows:
        state, _, detail = (row.last_error or "closed: ").partition(": ")
        health.append(
            ProviderHealth(
                row.key.partition(":")[2], BreakerState(state), detail or None, row.updated_at
            )
        )
    return sorted(health, key=lambda h: h.name)


def gauges(items: list[Freshness], providers: list[ProviderHealth]) -> list[Gauge]:
    """Metrics: sync age in seconds (-1 before the first success) and staleness per stream,
    and each provider's circuit-breaker state (0 closed, 1 half-open, 2 open)."""
    samples = []
    for item in items:
        labels = {"kind": item.kind, "subject": item.subject, "stream": item.stream}
        age = item.age.total_seconds() if item.age is not None else -1.0
        samples.append(Gauge("stratwatch_sync_age_seconds", labels, age))
        samples.append(Gauge("stratwatch_sync_stale", labels, float(item.stale)))
    for provider in providers:
        samples.append(
            Gauge("stratwatch_provider_circuit_state", {"provider": provider.name}, provider.gauge)
        )
    return samples
