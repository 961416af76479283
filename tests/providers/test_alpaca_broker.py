"""The Alpaca trading adapter against the fake: account, positions, equity history, fills."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data.providers import AuthError, IncompleteData
from data.providers.alpaca_broker import AlpacaBroker
from data.providers.resilience import RetryPolicy
from data.schema import Resolution
from tests.providers.conftest import READ_TIMEOUT
from tests.providers.fake_market import sessions
from tests.providers.fake_server import ALPACA_KEY, ALPACA_SECRET, FakeProviders, Fault


@pytest.fixture
def broker(fake: FakeProviders, policy: RetryPolicy) -> AlpacaBroker:
    return AlpacaBroker(
        ALPACA_KEY, ALPACA_SECRET, trading_url=fake.url, timeout=READ_TIMEOUT, policy=policy
    )


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


@pytest.mark.parametrize(
    ("now", "last"),
    [
        (dt.datetime(2024, 6, 14, 12, tzinfo=dt.UTC), dt.date(2024, 6, 13)),  # Fri 08:00 New York
        (dt.datetime(2024, 6, 15, 0, 30, tzinfo=dt.UTC), dt.date(2024, 6, 13)),  # Fri 20:30 NY
        (dt.datetime(2024, 6, 18, 1, tzinfo=dt.UTC), dt.date(2024, 6, 14)),  # Mon 21:00 NY
    ],
)
def test_alpaca_daily_equity_does_not_require_todays_point(broker, fake, now, last):
    # today's point shows while it trades, or only after the broker's end-of-day processing
    fake.routes.now = lambda: now
    today = pd.Timestamp(now).tz_convert("America/New_York").date()
    body = fake.routes._history(
        {"timeframe": "1D", "start": "2024-05-01T04:00:00Z", "end": now.isoformat()}
    )[1]
    if pd.Timestamp(body["timestamp"][-1], unit="s", tz="UTC").date() == today:
        del body["timestamp"][-1], body["equity"][-1]  # a provider that leaves today out
    fake.fail(Fault(match="/portfolio/history", payload=body))
    equity = broker.equity_history(dt.datetime(2024, 5, 1, tzinfo=dt.UTC), now, Resolution.DAILY)
    assert equity.index[-1].date() == last
    del body["timestamp"][-1], body["equity"][-1]  # but a day before today is required
    fake.fail(Fault(match="/portfolio/history", payload=body))
    with pytest.raises(IncompleteData, match=f"sessions missing \\(first {last}\\)"):
        broker.equity_history(dt.datetime(2024, 5, 1, tzinfo=dt.UTC), now, Resolution.DAILY)


def test_alpaca_daily_equity_stamped_at_midnight_utc_keeps_its_days(broker, fake, clock):
    body = fake.routes._history(
        {"timeframe": "1D", "start": "2024-05-01T04:00:00Z", "end": "2024-06-14T15:00:00Z"}
    )[1]
    days = pd.to_datetime(body["timestamp"], unit="s", utc=True).tz_convert("America/New_York")
    body["timestamp"] = [int(pd.Timestamp(d.date(), tz="UTC").timestamp()) for d in days]
    fake.fail(Fault(match="/portfolio/history", payload=body))
    equity = broker.equity_history(
        dt.datetime(2024, 5, 1, tzinfo=dt.UTC), clock.now, Resolution.DAILY
    )
    assert equity.index.equals(sessions(dt.date(2024, 5, 1), dt.date(2024, 6, 14)))


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


def test_alpaca_emptied_account_is_refused_naming_the_day(broker, fake, clock):
    body = fake.routes._history(
        {"timeframe": "1D", "start": "2024-05-01T00:00:00Z", "end": "2024-06-14T15:00:00Z"}
    )[1]
    emptied = body["timestamp"].index(int(pd.Timestamp("2024-06-10 04:00", tz="UTC").timestamp()))
    body["equity"][emptied:] = [0.0] * (len(body["equity"]) - emptied)
    fake.fail(Fault(match="/portfolio/history", payload=body))
    with pytest.raises(IncompleteData, match="equity is 0 from 2024-06-10 on"):
        broker.equity_history(dt.datetime(2024, 5, 1, tzinfo=dt.UTC), clock.now, Resolution.DAILY)
    body["equity"][emptied + 1 :] = [1.0] * (len(body["equity"]) - emptied - 1)  # a lone zero
    fake.fail(Fault(match="/portfolio/history", payload=body))
    with pytest.raises(IncompleteData, match="non-positive equity after the account was funded"):
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


def test_alpaca_short_sales_and_unlisted_exchanges_are_read(broker, fake):
    ts = dt.datetime(2024, 6, 13, 14, tzinfo=dt.UTC)
    fake.routes.account.add_fill(ts, "TSLA", "sell_short", 3, 180.5, "x")
    fills = broker.fills(ts - dt.timedelta(hours=1), ts + dt.timedelta(hours=1))
    assert [(f.side, f.quantity, f.price) for f in fills] == [("sell", 3.0, 180.5)]
    position = {"symbol": "TSLA", "qty": "-3", "exchange": "IEX", "asset_class": "crypto_perp",
                "market_value": "-541.5", "unrealized_pl": "0.75", "side": "short"}  # fmt: skip
    fake.fail(Fault(match="/v2/positions", payload=[position]))
    (held,) = broker.positions()
    assert (held.symbol, held.quantity, held.market_value, held.unrealized_pnl) == (
        "TSLA", -3.0, -541.5, 0.75,
    )  # fmt: skip


@pytest.mark.parametrize(
    "spoil",
    [
        {"transaction_time": None},
        {"transaction_time": "2024-06-13T14:00:00"},  # no zone
        {"order_id": None},
        {"qty": "inf"},
        {"price": "0"},
        {"side": "borrow"},
    ],
)
def test_alpaca_an_odd_field_in_a_fill_is_refused(broker, fake, spoil):
    fill = fake.routes.account.add_fill(
        dt.datetime(2024, 6, 13, 14, tzinfo=dt.UTC), "SPY", "buy", 1, 400, "x"
    )
    fake.fail(Fault(match="/activities/FILL", payload=[{**fill, **spoil}]))
    with pytest.raises(IncompleteData, match="alpaca fills"):
        broker.fills(
            dt.datetime(2024, 6, 13, tzinfo=dt.UTC), dt.datetime(2024, 6, 14, tzinfo=dt.UTC)
        )


def test_alpaca_malformed_activity_is_refused(broker, fake):
    fake.routes.account.add_fill(
        dt.datetime(2024, 6, 13, 14, tzinfo=dt.UTC), "SPY", "buy", 1, 400, "x"
    )
    del fake.routes.account.fills[0]["order_id"]
    with pytest.raises(IncompleteData, match="malformed activity"):
        broker.fills(
            dt.datetime(2024, 6, 13, tzinfo=dt.UTC), dt.datetime(2024, 6, 14, tzinfo=dt.UTC)
        )
