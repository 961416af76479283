"""The Alpaca data adapter against the fake: bars, pages, feeds, and the resilience traps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data.providers import AuthError, IncompleteData, TransientError
from data.providers.alpaca import AlpacaMarketData
from data.providers.resilience import RetryPolicy
from tests.providers.conftest import READ_TIMEOUT, SLOWER_THAN_TIMEOUT
from tests.providers.fake_market import raw_close, sessions
from tests.providers.fake_routes import _cursor
from tests.providers.fake_server import ALPACA_KEY, ALPACA_SECRET, FakeProviders, Fault

START, END = dt.date(2023, 6, 1), dt.date(2024, 6, 13)
BARS = "/v2/stocks/bars"


@pytest.fixture
def data(fake: FakeProviders, policy: RetryPolicy) -> AlpacaMarketData:
    return AlpacaMarketData(
        ALPACA_KEY, ALPACA_SECRET, data_url=fake.url, timeout=READ_TIMEOUT, policy=policy
    )


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


def test_alpaca_daily_bars_as_traded_ask_for_raw_prices(data, fake):
    fake.routes.dividends["SPY"] = [(dt.date(2024, 3, 15), 2.0)]
    frame = data.daily_bars("SPY", START, END, adjusted=False)
    prior = pd.Timestamp("2024-03-14", tz="UTC")
    assert frame.at[prior, "close"] == raw_close("SPY", prior)
    assert {p.query["adjustment"] for p in fake.requests_to(BARS)} == {"raw"}


def test_alpaca_daily_bars_come_from_the_consolidated_tape(fake, policy):
    # IEX alone misses sessions without an IEX trade; settled days are SIP on every plan
    iex = AlpacaMarketData(
        ALPACA_KEY,
        ALPACA_SECRET,
        data_url=fake.url,
        feed="iex",
        timeout=READ_TIMEOUT,
        policy=policy,
    )
    iex.daily_bars("SPY", START, END)
    iex.minute_bars("SPY", dt.datetime(2024, 6, 14, 13, 30, tzinfo=dt.UTC), fake.routes.now())
    feeds = [(p.query["timeframe"], p.query.get("feed")) for p in fake.requests_to(BARS)]
    assert {f for t, f in feeds if t == "1Day"} == {"sip"}
    assert {f for t, f in feeds if t == "1Min"} == {"iex"}


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
    fake.fail(Fault(match=BARS, delay=SLOWER_THAN_TIMEOUT))
    assert len(data.daily_bars("SPY", START, END)) == len(sessions(START, END))
    assert len(sleeps) == 1


def test_alpaca_missing_session_is_refused(data, fake):
    fake.routes.missing["SPY"] = {dt.date(2023, 12, 1)}
    with pytest.raises(IncompleteData, match="sessions missing"):
        data.daily_bars("SPY", START, END)


def test_alpaca_a_repeated_page_token_fails_instead_of_looping(data, fake):
    page = {"bars": {"SPY": []}, "next_page_token": _cursor(0)}
    fake.fail(Fault(match=BARS, payload=page, times=10_000))
    with pytest.raises(IncompleteData, match="pagination repeats"):
        data.daily_bars("SPY", START, END)
    assert len(fake.requests_to(BARS)) == 2
