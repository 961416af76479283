"""The event bus: writes announce what changed; real-time features subscribe (local or Redis)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from redis import Redis

Event = dict[str, Any]
Handler = Callable[[Event], None]
log = logging.getLogger(__name__)


class LocalBus:
    """Delivers each event to this process's subscribers, synchronously."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._lock = threading.Lock()

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        """Call `handler` with every event from now on; returns a function that stops it."""
        with self._lock:
            self._handlers.append(handler)
        return lambda: self._remove(handler)

    def publish(self, event: Event) -> None:
        """Hand `event` to every subscriber; one failing subscriber does not stop the others."""
        self.deliver(event)

    def deliver(self, event: Event) -> None:
        """Run the local handlers."""
        with self._lock:
            handlers = list(self._handlers)
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                log.exception("event handler %r failed on %s", handler, event.get("type"))

    def close(self) -> None:
        """Nothing to release in-process."""

    def _remove(self, handler: Handler) -> None:
        with self._lock:
            if handler in self._handlers:
                self._handlers.remove(handler)


class RedisBus(LocalBus):
    """Publishes to a Redis channel; a listener thread delivers every process's events locally."""

    def __init__(self, redis: Redis, channel: str = "stratwatch:events") -> None:
        super().__init__()
        self._redis = redis
        self._channel = channel
        self._pubsub = redis.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(**{channel: self._on_message})
        self._thread = self._pubsub.run_in_thread(
            sleep_time=0.1, daemon=True, exception_handler=self._on_error
        )

    def publish(self, event: Event) -> None:
        """Send to Redis; this process receives it back through its own subscription."""
        self._redis.publish(self._channel, json.dumps(event, default=str))

    def close(self) -> None:
        """Stop listening, letting the listener finish its current wait first."""
        self._thread.stop()
        self._thread.join(timeout=2)
        self._pubsub.close()

    def _on_error(self, exc: BaseException, pubsub: Any, thread: Any) -> None:
        """Redis went away: say so, wait a moment; the pub/sub reconnects on the next read."""
        running = getattr(thread, "_running", None)
        if running is not None and running.is_set():
            log.warning("event bus lost Redis (%s); retrying", exc)
            time.sleep(1.0)

    def _on_message(self, message: dict[str, Any]) -> None:
        self.deliver(json.loads(message["data"]))
