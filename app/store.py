"""The app's door to storage: the database, the version clock, the event bus, and one write path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from redis import Redis
from sqlalchemy.orm import Session

from app.clock import LocalClock, RedisClock
from app.events import LocalBus, RedisBus
from app.settings import Settings
from data import versions
from data.db import Database
from data.versions import Change

T = TypeVar("T")


class Store:
    """Owns the Database, and after every committed write advances the clock and publishes."""

    def __init__(self, settings: Settings, redis: Redis | None = None) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self.redis = redis if redis is not None else _redis(settings)
        if self.redis is not None:
            self.clock: LocalClock | RedisClock = RedisClock(self._load_versions, self.redis)
            self.bus: LocalBus = RedisBus(self.redis)
        else:
            self.clock = LocalClock(self._load_versions, settings.data_dir / "versions.epoch")
            self.bus = LocalBus()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session."""
        with self.db.reading() as session:
            yield session

    def write(self, work: Callable[[Session], tuple[T, Change] | Change]) -> T | Change:
        """Run `work(session)` in one transaction; then announce its Change. Returns its result."""
        with self.db.transaction() as session:
            outcome = work(session)
        result, change = outcome if isinstance(outcome, tuple) else (outcome, outcome)
        self.announce(change)
        return result

    def announce(self, change: Change) -> None:
        """After a commit: advance the version clock, then publish a `data.changed` event."""
        if not change.scopes:
            return
        self.clock.advance(change.versions)
        self.bus.publish(
            {
                "type": "data.changed",
                "scopes": sorted(change.scopes),
                "versions": change.versions,
                "rows": change.rows,
                "at": dt.datetime.now(dt.UTC).isoformat(),
            }
        )

    def close(self) -> None:
        """Release connections and listeners."""
        self.bus.close()
        self.db.dispose()

    def _load_versions(self) -> dict[str, int]:
        with self.db.reading() as session:
            return versions.read_all(session)


def _redis(settings: Settings) -> Redis | None:
    return Redis.from_url(settings.redis_url) if settings.redis_url else None
