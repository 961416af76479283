"""The benchmark ingestion jobs end to end: fake provider -> adapter -> job -> database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from data.freshness import provider_health
from data.providers import breaker_states, resilience
from data.providers.massive import MassiveMarketData
from data.providers.resilience import BreakerState, RetryPolicy
from data.schema import SyncState
from data.stored import stored_bars
from data.writes import ensure_benchmark, write_bars
from jobs import ingest
from jobs.context import JobConfig, JobContext
from jobs.ingest import IngestError, ingest_daily, ingest_intraday
from tests.providers.conftest import READ_TIMEOUT
from tests.providers.fake_market import raw_close, sessions
from tests.providers.fake_server import MASSIVE_KEY, Fault

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
FIRST = dt.date(2023, 6, 14)  # one year before the clock
LAST = dt.date(2024, 6, 13)  # the last settled session at Friday 11:00 New York


@pytest.fixture
def massive(fake, policy):
    return MassiveMarketData(MASSIVE_KEY, fake.url, timeout=READ_TIMEOUT, policy=policy)


def bars(ctx: JobContext, symbol: str, resolution: str = "daily") -> pd.DataFrame:
    with ctx.db.reading() as session:
        return stored_bars(session, symbol, resolution, EPOCH)


def state(ctx: JobContext, key: str) -> SyncState | None:
    with ctx.db.reading() as session:
        return session.get(SyncState, key)


def test_ingest_backfills_then_continues_from_the_watermark(ctx, massive, fake, clock, changes):
    summary = ingest_daily(ctx, massive)
    assert summary == "massive daily bars: SPY +252, AGG +252"
    spy = bars(ctx, "SPY")
    assert spy.index.equals(sessions(FIRST, LAST))
    assert spy["close"].iloc[-1] == raw_close("SPY", spy.index[-1])
    assert state(ctx, "benchmark:SPY:daily").watermark == pd.Timestamp(LAST, tz="UTC")
    assert {s for c in changes for s in c.scopes} >= {"benchmark:SPY", "benchmark:AGG"}

    clock.advance(days=3)  # Monday 11:00: Friday has settled
    fake.seen.clear()
    assert ingest_daily(ctx, massive) == "massive daily bars: SPY +1, AGG +1"
    assert fake.requests_to("/v2/aggs/ticker/SPY")[0].path.endswith("/2024-06-06/2024-06-14")
    assert bars(ctx, "SPY").index.equals(sessions(FIRST, "2024-06-14"))


def test_ingest_rerun_is_idempotent(ctx, massive, changes):
    ingest_daily(ctx, massive)
    before, announced = bars(ctx, "AGG"), len(changes)
    assert ingest_daily(ctx, massive) == "massive daily bars: SPY +0, AGG +0"
    pd.testing.assert_frame_equal(bars(ctx, "AGG"), before)
    assert len(changes) == announced  # nothing written, nothing announced
    assert state(ctx, "benchmark:AGG:daily").last_success_at == ctx.now()


def test_ingest_outage_then_catch_up_without_gaps_or_duplicates(ctx, massive, fake, clock):
    ingest_daily(ctx, massive)
    clock.advance(days=10)  # Monday 24 June
    fake.fail(
        Fault(match="/v2/aggs/", status=503, body={"status": "ERROR", "error": "x"}, times=99)
    )
    with pytest.raises(IngestError, match="HTTP 503"):
        ingest_daily(ctx, massive)
    failed = state(ctx, "benchmark:SPY:daily")
    assert "HTTP 503" in failed.last_error and failed.watermark == pd.Timestamp(LAST, tz="UTC")
    assert len(bars(ctx, "SPY")) == 252

    fake.faults.clear()
    clock.advance(days=1)
    ingest_daily(ctx, massive)
    spy = bars(ctx, "SPY")
    assert spy.index.equals(sessions(FIRST, "2024-06-24"))  # no gap, no duplicate
    assert state(ctx, "benchmark:SPY:daily").last_error is None


def test_ingest_refuses_partial_data_and_keeps_the_others(ctx, massive, fake):
    fake.routes.missing["SPY"] = {dt.date(2024, 1, 10)}
    with pytest.raises(IngestError, match=r"SPY: .*sessions missing"):
        ingest_daily(ctx, massive)
    assert bars(ctx, "SPY").empty and len(bars(ctx, "AGG")) == 252
    assert "sessions missing" in state(ctx, "benchmark:SPY:daily").last_error


def test_ingest_rewrites_history_when_a_new_dividend_re_adjusts_it(ctx, massive, fake, clock):
    ingest_daily(ctx, massive)
    fake.routes.dividends["SPY"] = [(dt.date(2024, 6, 14), 1.5)]
    clock.advance(days=3)
    ingest_daily(ctx, massive)
    spy = bars(ctx, "SPY")
    factor = 1 - 1.5 / raw_close("SPY", pd.Timestamp(LAST, tz="UTC"))
    first = spy.index[0]
    assert spy.at[first, "close"] == pytest.approx(raw_close("SPY", first) * factor)
    assert spy["close"].iloc[-1] == raw_close("SPY", spy.index[-1])


def test_ingest_computes_blends_from_stored_members(ctx, massive):
    ctx = dataclasses.replace(ctx, config=dataclasses.replace(ctx.config, benchmarks=("60/40",)))
    assert ingest_daily(ctx, massive) == "massive daily bars: SPY +252, AGG +252, 60/40 +252"
    blend, spy, agg = (
        bars(ctx, "60/40")["close"],
        bars(ctx, "SPY")["close"],
        bars(ctx, "AGG")["close"],
    )
    assert blend.iloc[0] == 100.0
    expected = 0.6 * spy.pct_change() + 0.4 * agg.pct_change()
    pd.testing.assert_series_equal(
        blend.pct_change().iloc[1:], expected.iloc[1:], check_names=False
    )


def test_intraday_ingests_minutes_while_the_market_trades(ctx, massive, clock):
    assert ingest_intraday(ctx, massive) == "massive intraday bars: SPY +91, AGG +91"
    clock.advance(minutes=2)
    # the re-read last minute is unchanged (the fake's bars are final), so only the new ones count
    assert ingest_intraday(ctx, massive) == "massive intraday bars: SPY +2, AGG +2"
    minutes = bars(ctx, "SPY", "intraday")
    assert minutes.index[0] == pd.Timestamp("2024-06-14 13:30", tz="UTC") and len(minutes) == 93


def test_intraday_does_nothing_when_the_market_is_closed(ctx, massive, clock, fake):
    clock.advance(days=1)  # Saturday
    assert ingest_intraday(ctx, massive) == "market closed: no minute bars to fetch"
    assert fake.seen == []


def test_run_daily_defaults_to_the_demo_provider(db, clock):
    ctx = JobContext(db=db, config=JobConfig(backfill_years=1), now=clock)
    assert ingest.run_daily(ctx) == "demo daily bars: SPY +252, AGG +252"
    assert ingest.run_daily(ctx) == "demo daily bars: SPY +0, AGG +0"


def test_the_demo_provider_never_overwrites_bars_from_another_source(db, clock):
    book = pd.DataFrame(
        {"open": 100.0, "high": 101.0, "low": 99.0, "close": 100.5, "volume": 1e6},
        index=sessions("2024-06-10", "2024-06-13").as_unit("us"),
    )
    with db.transaction() as session:  # as the demo book (or an import) writes them
        benchmark, _ = ensure_benchmark(session, "SPY")
        write_bars(session, benchmark, book)
    ctx = JobContext(db=db, config=JobConfig(backfill_years=1), now=clock)
    summary = ingest.run_daily(ctx)
    assert summary.startswith("demo daily bars: SPY kept") and summary.endswith("AGG +252")
    assert ingest.run_intraday(ctx).startswith("demo intraday bars: SPY kept")
    pd.testing.assert_frame_equal(bars(ctx, "SPY"), book, check_freq=False, check_names=False)


def test_run_daily_picks_massive_and_the_breaker_opens_in_a_long_outage(ctx, fake, monkeypatch):
    monkeypatch.setattr(resilience, "DEFAULT_POLICY", RetryPolicy(attempts=1))
    fake.fail(
        Fault(match="/v2/aggs/", status=500, body={"status": "ERROR", "error": "x"}, times=99)
    )
    for _ in range(3):  # SPY and AGG each fail once per run: 5 failures open the circuit
        with pytest.raises(IngestError):
            ingest.run_daily(ctx)
    states = {s.name: s for s in breaker_states()}
    assert states["massive"].state is BreakerState.OPEN
    requests = len(fake.requests_to("/v2/aggs/"))
    with pytest.raises(IngestError, match="circuit open"):
        ingest.run_daily(ctx)
    assert len(fake.requests_to("/v2/aggs/")) == requests  # failing fast: no requests sent
    with ctx.db.reading() as session:
        assert [(p.name, p.state) for p in provider_health(session)] == [
            ("massive", BreakerState.OPEN)
        ]


def test_intraday_after_an_outage_fills_the_rest_of_the_marked_session(ctx, fake, policy, clock):
    massive = MassiveMarketData(MASSIVE_KEY, fake.url, timeout=5, policy=policy)  # longer reads
    ingest_intraday(ctx, massive)  # Friday 11:00 New York
    clock.now = dt.datetime(2024, 6, 17, 14, 0, tzinfo=dt.UTC)  # down until Monday 10:00 New York
    ingest_intraday(ctx, massive)
    minutes = bars(ctx, "SPY", "intraday").index
    friday = minutes[minutes < pd.Timestamp("2024-06-15", tz="UTC")]
    assert friday[-1] >= pd.Timestamp("2024-06-14 19:59", tz="UTC")  # up to Friday's close
    assert (friday.to_series().diff().dropna() == pd.Timedelta(minutes=1)).all()  # no gap
    assert minutes[-1] == pd.Timestamp("2024-06-17 14:00", tz="UTC")
