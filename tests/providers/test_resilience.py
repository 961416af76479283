"""Retry policy, Retry-After parsing, the circuit breaker and its registry."""

from __future__ import annotations

import email.utils

import pytest

from data.providers import AuthError, CircuitOpenError, TransientError
from data.providers.resilience import (
    BreakerState,
    CircuitBreaker,
    Guard,
    RetryPolicy,
    breaker,
    breaker_states,
    http_error,
    parse_rate_limit_reset,
    parse_retry_after,
)


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def failing(times: int, error: Exception, result: str = "ok"):
    calls = {"n": 0}

    def send() -> str:
        calls["n"] += 1
        if calls["n"] <= times:
            raise error
        return result

    return send, calls


def test_retry_policy_full_jitter_backoff_is_capped():
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, random=lambda: 1.0)
    assert [policy.delay(n, None) for n in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert RetryPolicy(random=lambda: 0.0).delay(3, None) == 0.0


def test_retry_policy_waits_at_least_retry_after():
    policy = RetryPolicy(base_delay=0.5, random=lambda: 0.9)
    assert 7.0 <= policy.delay(0, 7.0) <= 7.5


def test_a_rate_limit_without_retry_after_pauses_for_seconds():
    policy = RetryPolicy(base_delay=0.5, rate_limit_pause=15.0, random=lambda: 0.9)
    assert 15.0 <= policy.delay(0, None, rate_limited=True) <= 15.5
    assert policy.delay(0, None) < 1.0  # a 5xx keeps the short backoff
    assert http_error("x", 429, {"X-RateLimit-Reset": "7"}, b"{}").retry_after == 7.0
    assert http_error("x", 503, {"X-RateLimit-Reset": "7"}, b"{}").retry_after is None
    assert parse_rate_limit_reset("1700000042", now=lambda: 1_700_000_000) == 42.0
    assert parse_rate_limit_reset("7") == 7.0  # seconds to go
    assert parse_rate_limit_reset("soon") is None and parse_rate_limit_reset(None) is None
    sleeps: list[float] = []
    guard = Guard("rate", RetryPolicy(sleep=sleeps.append, random=lambda: 0.0), CircuitBreaker("r"))
    answers = iter([http_error("x", 429, {}, b"{}"), "ok"])

    def send() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert guard.call(send) == "ok" and sleeps == [15.0]


def test_parse_retry_after_seconds_and_http_date():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert parse_retry_after(date, now=lambda: 1_000_000) == pytest.approx(30.0)


def test_http_error_classifies_statuses():
    assert isinstance(http_error("x", 429, {"Retry-After": "2"}, b"{}"), TransientError)
    assert http_error("x", 429, {"Retry-After": "2"}, b"{}").retry_after == 2.0
    assert isinstance(http_error("x", 503, {}, b""), TransientError)
    assert isinstance(http_error("x", 401, {}, b'{"message": "nope"}'), AuthError)
    assert "nope" in str(http_error("x", 403, {}, b'{"message": "nope"}'))


def test_guard_retries_transient_errors_then_succeeds():
    sleeps: list[float] = []
    guard = Guard("p", RetryPolicy(sleep=sleeps.append, random=lambda: 0.0), CircuitBreaker("p"))
    send, calls = failing(2, TransientError("boom", status=503))
    assert guard.call(send) == "ok" and calls["n"] == 3 and len(sleeps) == 2


def test_guard_gives_up_when_retry_after_is_too_long():
    sleeps: list[float] = []
    policy = RetryPolicy(sleep=sleeps.append, max_retry_after=60)
    guard = Guard("p", policy, CircuitBreaker("p"))
    send, calls = failing(1, TransientError("slow down", status=429, retry_after=600))
    with pytest.raises(TransientError):
        guard.call(send)
    assert calls["n"] == 1 and sleeps == []


def test_breaker_opens_after_threshold_and_fails_fast():
    ticker = Ticker()
    circuit = CircuitBreaker("p", threshold=2, cooldown=30, clock=ticker)
    guard = Guard("p", RetryPolicy(attempts=1), circuit)
    send, calls = failing(99, TransientError("down", status=503))
    for _ in range(2):
        with pytest.raises(TransientError):
            guard.call(send)
    assert circuit.state is BreakerState.OPEN
    with pytest.raises(CircuitOpenError):
        guard.call(send)
    assert calls["n"] == 2


def test_breaker_half_open_probe_closes_on_success_or_reopens_on_failure():
    ticker = Ticker()
    circuit = CircuitBreaker("p", threshold=1, cooldown=30, clock=ticker)
    guard = Guard("p", RetryPolicy(attempts=3, sleep=lambda _: None), circuit)
    with pytest.raises(TransientError):
        guard.call(failing(99, TransientError("down"))[0])
    ticker.t += 31
    assert circuit.state is BreakerState.HALF_OPEN
    send, calls = failing(99, TransientError("still down"))
    with pytest.raises(TransientError):
        guard.call(send)
    assert calls["n"] == 1 and circuit.state is BreakerState.OPEN  # one probe, no retries
    ticker.t += 31
    assert guard.call(lambda: "back") == "back"
    assert circuit.state is BreakerState.CLOSED and circuit.status().failures == 0


def test_auth_errors_do_not_trip_the_breaker():
    circuit = CircuitBreaker("p", threshold=1)
    guard = Guard("p", RetryPolicy(), circuit)
    with pytest.raises(AuthError):
        guard.call(failing(1, AuthError("bad key", status=401))[0])
    assert circuit.state is BreakerState.CLOSED


def test_registry_lists_every_provider_breaker():
    breaker("massive").failure(TransientError("x"))
    breaker("alpaca-data")
    states = {s.name: s for s in breaker_states()}
    assert set(states) == {"alpaca-data", "massive"}
    assert states["massive"].failures == 1 and states["massive"].gauge == 0
    assert breaker("massive") is breaker("massive")
