"""Resilience for provider requests: backoff with jitter, Retry-After, circuit breakers."""

from __future__ import annotations

import datetime as dt
import email.utils
import enum
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from data.providers.base import (
    AuthError,
    CircuitOpenError,
    PermanentError,
    ProviderError,
    TransientError,
)

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently one request is retried; `sleep` and `random` are injectable."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0  # a provider asking for a longer pause fails the run instead
    # a 429 that says nothing of when to come back: rate limits are per minute (Massive's free
    # plan allows 5 requests a minute), so a pause of seconds, not milliseconds
    rate_limit_pause: float = 15.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    random: Callable[[], float] = field(default=random.random, compare=False)

    def delay(
        self, attempt: int, retry_after: float | None, *, rate_limited: bool = False
    ) -> float:
        """Seconds before retry `attempt` (0-based): full jitter, at least the Retry-After (or,
        rate-limited with none given, at least `rate_limit_pause`)."""
        jitter = min(self.max_delay, self.base_delay * 2**attempt) * self.random()
        if retry_after is None and rate_limited:
            retry_after = self.rate_limit_pause
        if retry_after is None:
            return jitter
        # honour the provider's pause, plus a little jitter so waiting clients do not stampede
        return retry_after + min(jitter, self.base_delay)


class BreakerState(enum.StrEnum):
    """Closed: calls flow. Open: calls fail fast. Half-open: one probe decides."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


GAUGE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


@dataclass(frozen=True)
class BreakerStatus:
    """A snapshot of one breaker, for the UI and the metrics endpoint."""

    name: str
    state: BreakerState
    failures: int
    opened_at: dt.datetime | None
    last_error: str | None

    @property
    def gauge(self) -> int:
        """0 closed, 1 half-open, 2 open."""
        return GAUGE[self.state]


class CircuitBreaker:
    """Opens after `threshold` failed calls in a row; after `cooldown` s lets one probe through."""

    def __init__(
        self,
        name: str,
        threshold: int = 5,
        cooldown: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self.threshold, self.cooldown, self.clock = name, threshold, cooldown, clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened: float | None = None
        self._opened_wall: dt.datetime | None = None
        self._probing = False
        self._last_error: str | None = None

    @property
    def state(self) -> BreakerState:
        """The current state (open turns half-open by itself once the cooldown has passed)."""
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened is None:
            return BreakerState.CLOSED
        if self.clock() - self._opened >= self.cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """Admit a call or raise CircuitOpenError; True when the call is the half-open probe."""
        with self._lock:
            state = self._state()
            if state is BreakerState.CLOSED:
                return False
            if state is BreakerState.HALF_OPEN and not self._probing:
                self._probing = True
                return True
        raise CircuitOpenError(
            f"{self.name}: circuit open after {self._failures} failed calls "
            f"(last: {self._last_error}); retrying after a {self.cooldown:.0f}s cooldown"
        )

    def success(self) -> None:
        """A call got an answer from the provider: close the circuit."""
        with self._lock:
            self._failures, self._opened, self._opened_wall, self._probing = 0, None, None, False

    def failure(self, error: BaseException) -> None:
        """A call failed for good: count it, and open (or re-open) the circuit when due."""
        with self._lock:
            self._failures += 1
            self._last_error = str(error)[:200]
            if self._probing or self._failures >= self.threshold:
                self._opened, self._opened_wall = self.clock(), dt.datetime.now(dt.UTC)
            self._probing = False

    def status(self) -> BreakerStatus:
        """A snapshot for display."""
        with self._lock:
            return BreakerStatus(
                self.name, self._state(), self._failures, self._opened_wall, self._last_error
            )


_BREAKERS: dict[str, CircuitBreaker] = {}
_REGISTRY_LOCK = threading.Lock()


def breaker(name: str) -> CircuitBreaker:
    """The process-wide breaker of provider `name`, created closed on first use."""
    with _REGISTRY_LOCK:
        return _BREAKERS.setdefault(name, CircuitBreaker(name))


def breaker_states() -> list[BreakerStatus]:
    """Every breaker in this process, by name."""
    with _REGISTRY_LOCK:
        breakers = sorted(_BREAKERS.values(), key=lambda b: b.name)
    return [b.status() for b in breakers]


def reset_breakers() -> None:
    """Forget every breaker (tests, and an admin's "retry now")."""
    with _REGISTRY_LOCK:
        _BREAKERS.clear()


DEFAULT_POLICY = RetryPolicy()


class Guard:
    """Runs one provider request under a retry policy and the provider's circuit breaker."""

    def __init__(
        self, name: str, policy: RetryPolicy | None = None, circuit: CircuitBreaker | None = None
    ) -> None:
        self.name = name
        self.policy = policy or DEFAULT_POLICY
        self.circuit = circuit or breaker(name)

    def call(self, send: Callable[[], T]) -> T:
        """`send()` until it answers, retrying transient errors; permanent ones pass straight up."""
        probe = self.circuit.allow()
        attempts = 1 if probe else self.policy.attempts  # a half-open probe gets one try
        for attempt in range(attempts):
            try:
                result = send()
            except PermanentError:
                self.circuit.success()  # the provider answered; the fault is ours
                raise
            except TransientError as error:
                if not self._wait(attempt, attempts, error):
                    self.circuit.failure(error)
                    raise
                continue
            except Exception as error:
                self.circuit.failure(error)  # never leave a half-open probe hanging
                raise
            self.circuit.success()
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, attempts: int, error: TransientError) -> bool:
        """Pause before retrying; False when there is none or the pause asked is too long."""
        if attempt + 1 >= attempts:
            return False
        if error.retry_after is not None and error.retry_after > self.policy.max_retry_after:
            return False
        delay = self.policy.delay(attempt, error.retry_after, rate_limited=error.status == 429)
        log.info("%s: %s; retry %d in %.2fs", self.name, error, attempt + 1, delay)
        self.policy.sleep(delay)
        return True


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


def parse_rate_limit_reset(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from an X-RateLimit-Reset header (epoch seconds, or seconds to go)."""
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    if number is None or number != number or number < 0:
        return None
    return max(0.0, number - now()) if number > 1e9 else number


def http_error(
    provider: str, status: int, headers: Mapping[str, str], body: bytes | str
) -> ProviderError:
    """Classify a non-2xx answer: transient on 408/429/5xx, auth on 401/403, else permanent."""
    message = f"{provider}: HTTP {status}: {_reason(body)}"
    if status in (408, 429) or status >= 500:
        pause = parse_retry_after(headers.get("Retry-After"))
        if pause is None and status == 429:  # Alpaca: when the window resets, in epoch seconds
            pause = parse_rate_limit_reset(headers.get("X-RateLimit-Reset"))
        return TransientError(message, status=status, retry_after=pause)
    if status in (401, 403):
        return AuthError(f"{message} (check the {provider} API key and plan)", status=status)
    return PermanentError(message, status=status)


def _reason(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        parsed = json.loads(text)
    except ValueError:
        return text[:200] or "(empty body)"
    if isinstance(parsed, dict):
        for key in ("error", "message"):
            if isinstance(parsed.get(key), str):
                return parsed[key][:200]
    return text[:200]


__all__ = [
    "DEFAULT_POLICY",
    "BreakerState",
    "BreakerStatus",
    "CircuitBreaker",
    "Guard",
    "ProviderError",
    "RetryPolicy",
    "breaker",
    "breaker_states",
    "http_error",
    "parse_retry_after",
    "reset_breakers",
]
