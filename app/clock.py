"""Version clocks: each data scope's current version, for cache keys, without a query per read.

The database's `data_versions` table is the truth (bumped in the write's own transaction).
After a commit the writer advances the clock; readers consult the clock, not the database:
- RedisClock keeps versions in a Redis hash shared by every process and host.
- LocalClock keeps them in memory and notices other local processes' writes (the CLI, a jobs
  process) through an epoch file they touch after committing: one stat() per read, no query.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from redis import Redis

Loader = Callable[[], dict[str, int]]

# Set a field only when the new version is higher: writers may finish out of order.
RAISE_TO = """
for i = 1, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > current then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
"""


class LocalClock:
    """Versions in this process, refreshed from the database when the epoch file changes."""

    def __init__(self, load: Loader, epoch_file: Path) -> None:
        self._load = load
        self._epoch_file = epoch_file
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None  # None: never loaded
        self._versions: dict[str, int] = {}

    def versions(self) -> dict[str, int]:
        """Current versions of every scope."""
        stamp = self._stamp()
        with self._lock:
            if stamp != self._seen:
                self._versions = self._load()
                self._seen = stamp
            return self._versions

    def advance(self, versions: dict[str, int]) -> None:
        """Record versions this process just committed, and tell other local processes."""
        if not versions:
            return
        with self._lock:
            merged = dict(self._versions)
            for scope, version in versions.items():
                merged[scope] = max(version, merged.get(scope, 0))
            self._versions = merged
            self._touch()

    def _stamp(self) -> tuple[int, int]:
        try:
            stat = self._epoch_file.stat()
        except FileNotFoundError:
            return (0, 0)
        return (stat.st_mtime_ns, stat.st_size)

    def _touch(self) -> None:
        self._epoch_file.parent.mkdir(parents=True, exist_ok=True)
        with self._epoch_file.open("a") as fh:  # appending changes size even within one mtime tick
            fh.write(".")
        if self._epoch_file.stat().st_size > 4096:
            os.truncate(self._epoch_file, 0)
        # _seen is left as it was: the next read reloads, which also catches any write another
        # process made between our commit and our touch.


class RedisClock:
    """Versions in a Redis hash, shared by every process that uses the same Redis."""

    def __init__(self, load: Loader, redis: Redis, key: str = "stratwatch:versions") -> None:
        self._load = load
        self._redis = redis
        self._key = key
        self._raise_to = redis.register_script(RAISE_TO)

    def versions(self) -> dict[str, int]:
        """Current versions of every scope (seeded from the database when Redis has none)."""
        raw = self._redis.hgetall(self._key)
        if not raw:
            loaded = self._load() or {"catalog": 0}
            self.advance(loaded)
            return loaded
        return {k.decode(): int(v) for k, v in raw.items()}

    def advance(self, versions: dict[str, int]) -> None:
        """Raise the shared versions to at least these."""
        if versions:
            args = [x for scope, v in versions.items() for x in (scope, v)]
            self._raise_to(keys=[self._key], args=args)
