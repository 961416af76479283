"""The Alpaca adapters against the fake: bars, account, equity, fills, and the resilience traps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data.providers import AuthError, IncompleteData, TransientError
from data.providers.alpaca import AlpacaMarketData
from data.providers.alpaca_broker import AlpacaBroker
from data.providers.resilience import RetryPolicy
from data.schema import Resolution
from tests.providers.fake_market import raw_close, sessions
from tests.providers.fake_routes import _cursor
from tests.providers.fake_server import ALPACA_KEY, ALPACA_SECRET, FakeProviders, Fault

START, END = dt.date(2023, 6, 1), dt.date(2024, 6, 13)
BARS = "/v2/stocks/bars"


@pytest.fixture
def data(fake: FakeProviders, policy: RetryPolicy) -> AlpacaMarketData:
    return AlpacaMarketData(
        ALPACA_KEY, ALPACA_SECRET, data_url=fake.url, timeout=0.2, policy=policy
    )


@pytest.fixture
def broker(fake: FakeProviders, policy: RetryPolicy) -> AlpacaBroker:
    return AlpacaBroker(ALPACA_KEY, ALPACA_SECRET, trading_url=fake.url, timeout=0.2, policy=policy)


def test_alpaca_daily_bars_follow_next_page_token(data, fake):
    frame = data.daily_bars("SPY", START, END)
    assert frame.index.equals(sessions(START, END))
    pages = fake.requests_to(BARS)
    assert len(pages) == 3 and "page_token" in pages[1].query
    first = pages[0]
    assert first.headers["apca-api-key-id"] == ALPACA_KEY
    assert first.headers["apca-api-secret-key"] == ALPACA_SECRET
    assert (first.query["symbols"], first.query["timeframe"]) == ("SPY", "1Day")
    assert first.query["adjustment"] == "all"


def test_alpaca_daily_bars_come_dividend_adjusted(data, fake):
    fake.routes.dividends["SPY"] = [(dt.date(2024, 3, 15), 2.0)]
    frame = data.daily_bars("SPY", START, END)
    prior = pd.Timestamp("2024-03-14", tz="UTC")
    factor = 1 - 2.0 / raw_close("SPY", prior)
    assert frame.at[prior, "close"] == pytest.approx(raw_close("SPY", prior) * factor)


def test_alpaca_minute_bars(data, clock):
    start = dt.datetime(2024, 6, 14, 14, 0, tzinfo=dt.UTC)
    frame = data.minute_bars("AGG", start, clock.now)
    assert len(frame) == 61 and frame.index[-1] == clock.now


def test_alpaca_bad_keys_are_an_auth_error(fake, policy, sleeps):
    bad = AlpacaMarketData(ALPACA_KEY, "wrong", data_url=fake.url, policy=policy)
    with pytest.raises(AuthError, match="request is not authorized"):
        bad.daily_bars("SPY", START, END)
    assert len(fake.requests_to(BARS)) == 1 and sleeps == []


def test_alpaca_429_honours_retry_after_instead_of_the_clients_fixed_sleep(data, fake, sleeps):
    fake.fail(
        Fault(
            match=BARS,
            status=429,
            headers={"Retry-After": "2"},
            body={"message": "too many requests."},
        )
    )
    assert len(data.daily_bars("SPY", START, END)) == len(sessions(START, END))
    assert len(sleeps) == 1 and sleeps[0] >= 2.0


def test_alpaca_burst_of_5xx_recovers(data, fake, sleeps):
    fake.fail(
        Fault(match=BARS, status=500, body={"message": "internal server error"}, times=2, skip=1)
    )
    assert len(data.daily_bars("SPY", START, END)) == len(sessions(START, END))
    assert len(sleeps) == 2


def test_alpaca_truncated_body_never_becomes_partial_data(data, fake):
    fake.fail(Fault(match=BARS, truncate=True, skip=1, times=10))
    with pytest.raises(TransientError):
        data.daily_bars("SPY", START, END)
    assert len(fake.requests_to(BARS)) == 1 + 4


def test_alpaca_client_now_has_a_timeout(data, fake, sleeps):
    fake.fail(Fault(match=BARS, delay=0.5))
    assert len(data.daily_bars("SPY", START, END)) == len(sessions(START, END))
    assert len(sleeps) == 1


def test_alpaca_missing_session_is_refused(data, fake):
    fake.routes.missing["SPY"] = {dt.date(2023, 12, 1)}
    with pytest.raises(IncompleteData, match="sessions missing"):
        data.daily_bars("SPY", START, END)


def test_alpaca_account_and_positions(broker):
    account = broker.account()
    assert account.status == "ACTIVE" and account.active
    assert [p.symbol for p in broker.positions()] == ["SPY"]


def test_alpaca_daily_equity_drops_the_days_before_funding(broker, fake, clock):
    fake.routes.account.funded = dt.date(2024, 3, 1)
    equity = broker.equity_history(
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC), clock.now, Resolution.DAILY
    )
    assert equity.index[0] == pd.Timestamp("2024-03-01", tz="UTC")
    assert equity.index[-1] == pd.Timestamp("2024-06-14", tz="UTC")  # today, as of now
    query = fake.requests_to("/portfolio/history")[0].query
    assert query["timeframe"] == "1D" and query["start"].startswith("2024-01-01")


def test_alpaca_intraday_equity(broker, clock):
    start = dt.datetime(2024, 6, 14, 13, 30, tzinfo=dt.UTC)
    equity = broker.equity_history(start, clock.now, Resolution.INTRADAY)
    assert len(equity) == 91 and (equity > 0).all()


def test_alpaca_equity_gap_is_refused(broker, fake, clock):
    good = fake.routes._history(
        {"timeframe": "1D", "start": "2024-05-01T00:00:00Z", "end": "2024-06-14T15:00:00Z"}
    )[1]
    del good["timestamp"][5], good["equity"][5]
    fake.fail(Fault(match="/portfolio/history", payload=good))
    with pytest.raises(IncompleteData, match="sessions missing"):
        broker.equity_history(dt.datetime(2024, 5, 1, tzinfo=dt.UTC), clock.now, Resolution.DAILY)


def test_alpaca_fills_read_every_page(broker, fake):
    account = fake.routes.account
    for i in range(230):
        ts = dt.datetime(2024, 6, 13, 14, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=30 * i)
        account.add_fill(ts, "SPY", "buy" if i % 2 else "sell", 1 + i, 400 + i / 10, f"mom-{i}")
    fills = broker.fills(
        dt.datetime(2024, 6, 13, tzinfo=dt.UTC), dt.datetime(2024, 6, 14, tzinfo=dt.UTC)
    )
    assert len(fills) == 230 and fills[0].quantity == 1 and fills[-1].side == "buy"
    tokens = [s.query.get("page_token") for s in fake.requests_to("/activities/FILL")]
    assert tokens[0] is None and all(tokens[1:]) and len(tokens) == 3


def test_alpaca_client_order_ids_in_bulk_and_one_by_one(broker, fake):
    account = fake.routes.account
    old = account.add_fill(
        dt.datetime(2024, 5, 1, 15, tzinfo=dt.UTC), "SPY", "buy", 1, 400, "mom-old"
    )
    new = account.add_fill(
        dt.datetime(2024, 6, 13, 15, tzinfo=dt.UTC), "AGG", "sell", 2, 100, "carry-1"
    )
    ids = broker.client_order_ids(
        {old["order_id"], new["order_id"]}, dt.datetime(2024, 6, 13, tzinfo=dt.UTC)
    )
    assert ids == {old["order_id"]: "mom-old", new["order_id"]: "carry-1"}
    assert len(fake.requests_to(f"/v2/orders/{old['order_id']}")) == 1


def test_alpaca_trading_retries_5xx_and_refuses_bad_keys(broker, fake, sleeps, policy):
    fake.fail(Fault(match="/v2/account", status=503, body={"message": "unavailable"}, times=2))
    assert broker.account().account_number == "PA3FAKE00001"
    assert len(sleeps) == 2
    bad = AlpacaBroker(ALPACA_KEY, "wrong", trading_url=fake.url, policy=policy)
    with pytest.raises(AuthError, match="request is not authorized"):
        bad.positions()


def test_alpaca_malformed_activity_is_refused(broker, fake):
    fake.routes.account.add_fill(
        dt.datetime(2024, 6, 13, 14, tzinfo=dt.UTC), "SPY", "buy", 1, 400, "x"
    )
    del fake.routes.account.fills[0]["order_id"]
    with pytest.raises(IncompleteData, match="malformed activity"):
        broker.fills(
            dt.datetime(2024, 6, 13, tzinfo=dt.UTC), dt.datetime(2024, 6, 14, tzinfo=dt.UTC)
        )


def test_alpaca_a_repeated_page_token_fails_instead_of_looping(data, fake):
    page = {"bars": {"SPY": []}, "next_page_token": _cursor(0)}
    fake.fail(Fault(match=BARS, payload=page, times=10_000))
    with pytest.raises(IncompleteData, match="pagination repeats"):
        data.daily_bars("SPY", START, END)
    assert len(fake.requests_to(BARS)) == 2
