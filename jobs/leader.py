"""Leader election: one scheduler across processes (PostgreSQL advisory lock, or a file lock)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout
from sqlalchemy import Connection, text

from data.db import Database

LOCK_KEY = 0x57A7_3A7C  # "stratwatch": any constant shared by every process of one deployment
log = logging.getLogger(__name__)


class Elector(Protocol):
    """Acquire and keep leadership; `still_leader` notices a lost lock."""

    def try_acquire(self) -> bool: ...
    def still_leader(self) -> bool: ...
    def release(self) -> None: ...


class AdvisoryLockElector:
    """Holds a session-level advisory lock on its own connection; losing that loses the lock."""

    def __init__(self, db: Database, key: int = LOCK_KEY) -> None:
        self._db = db
        self._key = key
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it."""
        conn = self._db.engine.connect()
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}).scalar()
            conn.commit()
        except Exception:
            conn.close()
            raise
        if got:
            self._conn = conn
            return True
        conn.close()
        return False

    def still_leader(self) -> bool:
        """Whether our connection, and so our lock, is still alive."""
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1")).scalar()
            self._conn.commit()
            return True
        except Exception:
            log.warning("lost the scheduler lock's connection")
            self._conn = None
            return False

    def release(self) -> None:
        """Give up the lock."""
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None


class FileLockElector:
    """For SQLite: an OS file lock in the data directory, released when the process ends."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(path), thread_local=False)

    def try_acquire(self) -> bool:
        """Take the lock if no other process holds it."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def still_leader(self) -> bool:
        """A file lock is held until released or the process exits."""
        return self._lock.is_locked

    def release(self) -> None:
        """Give up the lock."""
        if self._lock.is_locked:
            self._lock.release(force=True)


def elector_for(db: Database, data_dir: Path) -> Elector:
    """The right elector for the database in use."""
    if db.capabilities.postgres:
        return AdvisoryLockElector(db)
    return FileLockElector(data_dir / "scheduler.lock")
