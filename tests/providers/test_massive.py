"""The Massive adapter against the fake: pagination, adjustment, auth, retries, broken bodies."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data.providers import AuthError, IncompleteData, TransientError
from data.providers.massive import MassiveMarketData
from data.providers.resilience import RetryPolicy
from tests.providers.conftest import READ_TIMEOUT, SLOWER_THAN_TIMEOUT
from tests.providers.fake_market import raw_close, sessions
from tests.providers.fake_routes import _cursor
from tests.providers.fake_server import MASSIVE_KEY, FakeProviders, Fault

START, END = dt.date(2023, 6, 1), dt.date(2024, 6, 13)
AGGS = "/v2/aggs/ticker/SPY"


@pytest.fixture
def massive(fake: FakeProviders, policy: RetryPolicy) -> MassiveMarketData:
    return MassiveMarketData(MASSIVE_KEY, fake.url, timeout=READ_TIMEOUT, policy=policy)


def test_massive_daily_bars_follow_next_url_to_the_last_page(massive, fake):
    frame = massive.daily_bars("SPY", START, END)
    expected = sessions(START, END)
    assert frame.index.equals(expected)
    assert frame["close"].iloc[-1] == raw_close("SPY", expected[-1])
    pages = fake.requests_to(AGGS)
    assert len(pages) == -(-len(expected) // fake.routes.page_size) > 1
    assert all(p.headers["authorization"] == f"Bearer {MASSIVE_KEY}" for p in pages)
    assert pages[0].query["adjusted"] == "true"
    assert "cursor" in pages[1].query


def test_massive_daily_bars_are_adjusted_for_dividends(massive, fake):
    ex_date = dt.date(2024, 3, 15)
    fake.routes.dividends["SPY"] = [(ex_date, 2.0)]
    frame = massive.daily_bars("SPY", START, END)
    prior = pd.Timestamp("2024-03-14", tz="UTC")
    factor = 1 - 2.0 / raw_close("SPY", prior)
    assert frame.at[prior, "close"] == pytest.approx(raw_close("SPY", prior) * factor)
    on_ex = pd.Timestamp(ex_date, tz="UTC")
    assert frame.at[on_ex, "close"] == raw_close("SPY", on_ex)
    assert fake.requests_to("/stocks/v1/dividends")[0].query["ticker"] == "SPY"


def test_massive_index_bars_carry_no_volume(massive, fake, clock):
    # Massive's index aggregates (I:SPX) are prices only: no v, vw or n (the fake does the same)
    daily = massive.daily_bars("I:SPX", START, END)
    assert daily.index.equals(sessions(START, END)) and (daily["volume"] == 0).all()
    minutes = massive.minute_bars("I:SPX", clock.now - dt.timedelta(minutes=30), clock.now)
    assert len(minutes) == 31 and (minutes["volume"] == 0).all()
    assert not fake.requests_to("/stocks/v1/dividends")  # an index pays none
    stamp = int(pd.Timestamp("2024-06-14 13:30", tz="UTC").timestamp() * 1000)
    page = {
        "status": "OK",
        "resultsCount": 1,
        "results": [{"o": 1, "h": 1, "l": 1, "c": 1, "t": stamp}],
    }
    fake.fail(Fault(match=AGGS, payload=page))
    with pytest.raises(IncompleteData, match="missing or negative volume"):  # a stock must have it
        massive.minute_bars("SPY", clock.now - dt.timedelta(minutes=30), clock.now)


def test_massive_daily_bars_as_traded_skip_every_adjustment(massive, fake):
    fake.routes.dividends["SPY"] = [(dt.date(2024, 3, 15), 2.0)]
    frame = massive.daily_bars("SPY", START, END, adjusted=False)
    prior = pd.Timestamp("2024-03-14", tz="UTC")
    assert frame.at[prior, "close"] == raw_close("SPY", prior)
    assert {p.query["adjusted"] for p in fake.requests_to(AGGS)} == {"false"}
    assert not fake.requests_to("/stocks/v1/dividends")


def test_massive_minute_bars_within_the_window(massive, clock):
    start = dt.datetime(2024, 6, 14, 13, 30, tzinfo=dt.UTC)
    frame = massive.minute_bars("SPY", start, clock.now)
    assert frame.index[0] == start and frame.index[-1] == clock.now
    assert len(frame) == 91


def test_massive_bad_key_is_an_auth_error_and_not_retried(fake, policy, sleeps):
    bad = MassiveMarketData("wrong-key", fake.url, policy=policy)
    with pytest.raises(AuthError, match="Unknown API Key"):
        bad.daily_bars("SPY", START, END)
    assert len(fake.requests_to(AGGS)) == 1 and sleeps == []


def test_massive_429_waits_at_least_retry_after(massive, fake, sleeps):
    fake.fail(
        Fault(
            match=AGGS,
            status=429,
            headers={"Retry-After": "1"},
            body={"status": "ERROR", "error": "You've exceeded the maximum requests per minute"},
        )
    )
    frame = massive.daily_bars("SPY", START, END)
    assert len(frame) == len(sessions(START, END))
    assert len(sleeps) == 1 and sleeps[0] >= 1.0


def test_massive_burst_of_5xx_is_retried_with_growing_backoff(massive, fake, sleeps):
    fake.fail(Fault(match=AGGS, status=502, body="<html>Bad Gateway</html>", times=3))
    assert len(massive.daily_bars("SPY", START, END)) == len(sessions(START, END))
    assert sleeps == [0.1, 0.2, 0.4]  # base 0.2 · 2^n · jitter 0.5


def test_massive_gives_up_after_the_attempts_and_never_retries_inside_urllib3(
    massive, fake, sleeps
):
    fake.fail(Fault(match=AGGS, status=503, body={"status": "ERROR", "error": "down"}, times=10))
    with pytest.raises(TransientError, match="HTTP 503"):
        massive.daily_bars("SPY", START, END)
    assert len(fake.requests_to(AGGS)) == 4  # our 4 attempts; urllib3 added none


def test_massive_truncated_body_is_retried(massive, fake):
    fake.fail(Fault(match=AGGS, truncate=True))
    assert len(massive.daily_bars("SPY", START, END)) == len(sessions(START, END))


def test_massive_invalid_json_mid_pagination_is_retried(massive, fake):
    fake.fail(Fault(match=AGGS, invalid=True, skip=1))
    assert len(massive.daily_bars("SPY", START, END)) == len(sessions(START, END))


def test_massive_invalid_json_mid_pagination_never_yields_a_short_answer(massive, fake):
    # the bare client would log the error and return the first page as if it were everything
    fake.fail(Fault(match=AGGS, invalid=True, skip=1, times=10))
    with pytest.raises(TransientError, match="not valid JSON"):
        massive.daily_bars("SPY", START, END)


def test_massive_page_without_results_but_with_next_url_is_followed(massive, fake):
    # the client stops at a page with no `results`; the listing must go on to its next_url
    first = {
        "status": "OK",
        "request_id": "x",
        "resultsCount": 0,
        "next_url": f"{fake.url}{AGGS}/range/1/day/2023-06-01/2024-06-13?cursor={_cursor(0)}",
    }
    fake.fail(Fault(match=AGGS, payload=first))
    frame = massive.daily_bars("SPY", START, END)
    assert frame.index.equals(sessions(START, END))
    assert "cursor" in fake.requests_to(AGGS)[1].query


def test_massive_results_that_are_not_a_list_are_malformed(massive, fake, clock, sleeps):
    page = {"status": "OK", "request_id": "x", "resultsCount": 0, "results": None}
    for _ in range(4):  # every attempt
        fake.fail(Fault(match=AGGS, payload=page))
    start = dt.datetime(2024, 6, 14, 13, 30, tzinfo=dt.UTC)
    with pytest.raises(TransientError, match="`results` is not a list"):
        massive.minute_bars("SPY", start, clock.now)


def test_massive_null_next_url_ends_the_listing(massive, fake, clock):
    page = {"status": "OK", "request_id": "x", "resultsCount": 0, "results": [], "next_url": None}
    fake.fail(Fault(match=AGGS, payload=page))
    start = dt.datetime(2024, 6, 14, 13, 30, tzinfo=dt.UTC)
    assert massive.minute_bars("SPY", start, clock.now).empty


def test_massive_missing_session_is_refused(massive, fake):
    fake.routes.missing["SPY"] = {dt.date(2024, 2, 7)}
    with pytest.raises(IncompleteData, match="sessions missing"):
        massive.daily_bars("SPY", START, END)


def test_massive_slow_response_times_out_and_is_retried(massive, fake, sleeps):
    fake.fail(Fault(match=AGGS, delay=SLOWER_THAN_TIMEOUT))
    assert len(massive.daily_bars("SPY", START, END)) == len(sessions(START, END))
    assert len(sleeps) == 1


def test_massive_dropped_connection_is_retried(massive, fake):
    fake.fail(Fault(match=AGGS, drop=True))
    assert len(massive.daily_bars("SPY", START, END)) == len(sessions(START, END))


def test_massive_a_page_that_links_to_itself_fails_instead_of_looping(massive, fake):
    same = f"https://api.massive.com{AGGS}/range/1/day/2023-06-01/2024-06-13?cursor={_cursor(0)}"
    page = {"status": "OK", "resultsCount": 0, "results": [], "next_url": same}
    fake.fail(Fault(match=AGGS, payload=page, times=10_000))
    with pytest.raises(IncompleteData, match="pagination repeats"):
        massive.daily_bars("SPY", START, END)
    assert len(fake.requests_to(AGGS)) == 2  # the first page, then the repeat is refused
