"""Background warming: slow cached reads computed off the request, one at a time, each once."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from flask import current_app

log = logging.getLogger(__name__)


class Warmer:
    """A daemon thread that runs submitted reads in the app's context; a key queued twice runs
    once. Daemon, so a process never waits at exit for reads nobody is waiting for.

    It rests `rest` times as long as each read took before the next, so a backlog (a large book's
    first overview) takes at most 1 / (1 + rest) of the interpreter from the requests being served.
    """

    def __init__(self, rest: float = 2.0, retry_after: float = 300.0) -> None:
        self.rest = rest
        self.retry_after = retry_after
        self._failed: dict[str, float] = {}  # key -> when it last failed (monotonic)
        self._queue: queue.SimpleQueue[tuple[str, Callable[[], object]]] = queue.SimpleQueue()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, key: str, read: Callable[[], object]) -> None:
        """Run `read()` soon, in the current app's context, unless `key` is already queued."""
        app = current_app._get_current_object()  # type: ignore[attr-defined]

        def in_context() -> object:
            with app.app_context():
                return read()

        with self._lock:
            if key in self._pending or self.failed(key):
                return
            self._pending.add(key)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="warmer", daemon=True)
                self._thread.start()
        self._queue.put((key, in_context))

    def failed(self, key: str) -> bool:
        """Whether `key` failed recently: not retried (nor shown as coming) for a while."""
        when = self._failed.get(key)
        return when is not None and time.monotonic() - when < self.retry_after

    def pending(self, key: str | None = None) -> int:
        """How many reads are queued or running (of `key`, when given: 0 or 1)."""
        with self._lock:
            return len(self._pending) if key is None else int(key in self._pending)

    def _run(self) -> None:
        while True:
            key, read = self._queue.get()
            started = time.perf_counter()
            try:
                read()
            except Exception:  # retried after `retry_after`
                log.exception("warming %s failed", key)
                self._failed[key] = time.monotonic()
            finally:
                with self._lock:
                    self._pending.discard(key)
            time.sleep(self.rest * (time.perf_counter() - started))


warmer = Warmer()
