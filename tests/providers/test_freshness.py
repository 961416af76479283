"""Freshness: ages, staleness, the banner lines and the metrics gauges, from SyncState."""

from __future__ import annotations

import datetime as dt

from data.freshness import (
    benchmark_freshness,
    by_subject,
    freshness,
    gauges,
    provider_health,
    stale_warnings,
    updated_text,
)
from data.providers import TransientError
from data.providers.resilience import BreakerState, breaker, breaker_states
from data.sync_state import mark_failure, mark_success, record_breakers
from tests.providers.conftest import MARKET_OPEN

NOW = MARKET_OPEN


def test_updated_text():
    assert updated_text(None) == "never updated"
    assert updated_text(dt.timedelta(seconds=30)) == "updated just now"
    assert updated_text(dt.timedelta(minutes=7, seconds=59)) == "updated 7 min ago"
    assert updated_text(dt.timedelta(hours=5)) == "updated 5 h ago"
    assert updated_text(dt.timedelta(days=3)) == "updated 3 days ago"


def test_freshness_per_benchmark_and_account(db):
    with db.transaction() as session:
        mark_success(session, "benchmark:SPY:daily", NOW - dt.timedelta(minutes=3))
        mark_success(session, "benchmark:I:SPX:daily", NOW - dt.timedelta(minutes=90))
        mark_success(session, "benchmark:SPY:intraday", NOW - dt.timedelta(minutes=70))
        mark_success(session, "account:solo:fills", NOW - dt.timedelta(minutes=1))
        mark_failure(session, "account:solo:daily", NOW, "TransientError: HTTP 503")
    with db.reading() as session:
        items = freshness(session, NOW)
        benchmarks = benchmark_freshness(session, NOW)
    assert {(i.kind, i.subject, i.stream) for i in benchmarks} == {
        ("benchmark", "I:SPX", "daily"),
        ("benchmark", "SPY", "daily"),
        ("benchmark", "SPY", "intraday"),
    }
    subjects = by_subject(items)
    spy = subjects[("benchmark", "SPY")]
    assert spy.text == "updated 3 min ago" and spy.stale  # intraday is 70 min old while trading
    assert subjects[("benchmark", "I:SPX")].stale
    solo = subjects[("account", "solo")]
    assert solo.text == "updated 1 min ago" and solo.stale  # its equity stream never succeeded
    banner = stale_warnings(items)
    assert any(b == "account solo (daily) never updated: TransientError: HTTP 503" for b in banner)


def test_intraday_is_not_stale_when_the_market_is_closed(db):
    saturday = NOW + dt.timedelta(days=1)
    with db.transaction() as session:
        mark_success(session, "benchmark:SPY:intraday", NOW)
        mark_success(session, "benchmark:SPY:daily", saturday - dt.timedelta(minutes=10))
    with db.reading() as session:
        items = freshness(session, saturday)
    assert stale_warnings(items) == []


def test_gauges_include_ages_and_breaker_states_recorded_by_the_jobs(db):
    breaker("alpaca-data")
    breaker("massive").failure(TransientError("HTTP 503"))
    for _ in range(4):
        breaker("massive").failure(TransientError("HTTP 503"))
    with db.transaction() as session:
        mark_success(session, "benchmark:AGG:daily", NOW - dt.timedelta(seconds=90))
        record_breakers(session, breaker_states(), NOW)
    with db.reading() as session:
        providers = provider_health(session)
        samples = gauges(freshness(session, NOW), providers)
    assert [(p.name, p.state) for p in providers] == [
        ("alpaca-data", BreakerState.CLOSED),
        ("massive", BreakerState.OPEN),
    ]
    assert providers[1].detail == "HTTP 503"
    values = {(g.name, tuple(sorted(g.labels.items()))): g.value for g in samples}
    labels = (("kind", "benchmark"), ("stream", "daily"), ("subject", "AGG"))
    assert values[("stratwatch_sync_age_seconds", labels)] == 90.0
    assert values[("stratwatch_provider_circuit_state", (("provider", "massive"),))] == 2
    assert values[("stratwatch_provider_circuit_state", (("provider", "alpaca-data"),))] == 0
