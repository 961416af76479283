"""Shared accounts: equity rebuilt from each strategy's fills; the account's state and positions."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from data.account_state import strategy_account
from data.accounts import parse_mapping
from data.schema import Stage, Strategy, SyncState
from data.writes import WriteError, set_stage
from jobs import sync
from jobs.sync import SyncError
from tests.providers.fake_market import raw_close
from tests.providers.fake_server import ALPACA_KEY, ALPACA_SECRET
from tests.providers.test_sync import MAPPING, equity, mapped, strategies, trades

SHARED = (  # the shared account of test_sync, momentum with a capital
    MAPPING.split('[[accounts]]\nlabel = "solo"')[0].replace(
        'order_prefix = "mom-"', 'order_prefix = "mom-"\ncapital = 50000'
    )
)
THURSDAY, FRIDAY = (pd.Timestamp(d, tz="UTC") for d in ("2024-06-13", "2024-06-14"))


def fill(fake, day: int, hour: int, symbol: str, side: str, qty: float, price: float, cid: str):
    at = dt.datetime(2024, 6, day, hour, 0, tzinfo=dt.UTC)
    fake.routes.account.add_fill(at, symbol, side, qty, price, cid)


def test_a_sharing_strategy_with_capital_gets_its_fills_marked_to_market(
    ctx, fake, clock, tmp_path
):
    ids = strategies(ctx, "momentum", "carry")
    mapped(ctx, SHARED, tmp_path)
    fake.routes.dividends["SPY"] = [(dt.date(2024, 6, 14), 1.5)]  # ex on Friday: adjusts Thursday
    fill(fake, 13, 14, "SPY", "buy", 5, 401.5, "mom-1")
    fill(fake, 13, 15, "AGG", "sell", 3, 99.0, "carry-1")
    clock.advance(days=3)  # Monday: Friday's session has settled
    summary = sync.run(ctx)
    assert "+2 fills" in summary

    rebuilt = equity(ctx, ids["momentum"])
    assert rebuilt.index.tolist() == [THURSDAY, FRIDAY]  # Monday's session has not closed
    factor = 1 - 1.5 / raw_close("SPY", THURSDAY)  # Thursday's adjusted close = raw * factor
    units = 5 * raw_close("SPY", THURSDAY) / (raw_close("SPY", THURSDAY) * factor)
    assert rebuilt.iloc[0] == pytest.approx(50_000 - 5 * 401.5 + 5 * raw_close("SPY", THURSDAY))
    assert rebuilt.iloc[1] == pytest.approx(50_000 - 5 * 401.5 + units * raw_close("SPY", FRIDAY))
    assert equity(ctx, ids["carry"]).empty  # no capital: fills only
    requested = {r.query.get("adjusted") for r in fake.requests_to("/v2/aggs/ticker/SPY")}
    assert requested == {"true", "false"}  # closes as traded and adjusted

    asked = len(fake.requests_to("/v2/aggs/ticker/SPY"))
    assert sync.run(ctx).endswith("+0 equity points, +0 fills")  # nothing new: no price reads
    assert len(fake.requests_to("/v2/aggs/ticker/SPY")) == asked
    with ctx.db.reading() as session:
        daily = session.get(SyncState, "account:alpaca-paper:daily")
        assert daily.watermark == FRIDAY.to_pydatetime() and daily.last_error is None


def test_a_new_fill_rebuilds_from_its_day_and_todays_fills_wait_for_the_close(
    ctx, fake, clock, tmp_path
):
    ids = strategies(ctx, "momentum", "carry")
    mapped(ctx, SHARED, tmp_path)
    fill(fake, 13, 14, "SPY", "buy", 5, 401.5, "mom-1")
    sync.run(ctx)  # Friday 15:00 UTC: Thursday is the last settled session
    assert equity(ctx, ids["momentum"]).index.tolist() == [THURSDAY]
    fill(fake, 14, 14, "SPY", "sell", 5, 405.0, "mom-2")  # today: not marked before the close
    sync.run(ctx)
    assert equity(ctx, ids["momentum"]).index.tolist() == [THURSDAY]
    assert len(trades(ctx, ids["momentum"])) == 2
    clock.advance(hours=6)  # Friday 21:00 UTC: settled
    sync.run(ctx)
    final = equity(ctx, ids["momentum"])
    assert final.index.tolist() == [THURSDAY, FRIDAY]
    assert final.iloc[-1] == pytest.approx(50_000 + 5 * (405.0 - 401.5))  # flat: cash only


def test_capital_too_small_fails_the_job_by_name_but_keeps_the_fills(ctx, fake, clock, tmp_path):
    ids = strategies(ctx, "momentum", "carry")
    mapped(ctx, SHARED.replace("capital = 50000", "capital = 1000"), tmp_path)
    fill(fake, 13, 14, "SPY", "sell", 100, 300.0, "mom-1")  # short far below the market
    with pytest.raises(SyncError, match="capital is too small"):
        sync.run(ctx)
    assert trades(ctx, ids["momentum"]) == ["SPY"] and equity(ctx, ids["momentum"]).empty
    with ctx.db.reading() as session:
        assert "too small" in session.get(SyncState, "account:alpaca-paper:daily").last_error


def test_the_account_state_and_positions_are_kept_and_follow_the_broker(ctx, fake, tmp_path):
    ids = strategies(ctx, "momentum", "carry")
    mapped(ctx, SHARED, tmp_path)
    sync.run(ctx)
    with ctx.db.reading() as session:
        state = strategy_account(session, ids["carry"])
    assert (state["label"], state["status"], state["account_number"]) == (
        "alpaca-paper",
        "ACTIVE",
        "PA3FAKE00001",
    )
    assert state["order_prefix"] == "carry-" and state["capital"] is None
    assert state["equity"] == fake.routes.account.equity(FRIDAY) and state["cash"] == 1000.0
    assert [p["symbol"] for p in state["positions"]] == ["SPY"]
    assert state["positions"][0]["quantity"] == 10.0

    fake.routes.account.status = "ACCOUNT_CLOSED"
    assert "(ACCOUNT_CLOSED, trading blocked, 1 positions)" in sync.run(ctx)
    with ctx.db.reading() as session:
        assert strategy_account(session, ids["carry"])["status"] == "ACCOUNT_CLOSED"
        assert strategy_account(session, ids["momentum"])["capital"] == 50_000


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        ({"slug": "x", "order_prefix": "x-", "capital": -5}, "positive"),
        ({"slug": "x", "order_prefix": "x-", "capital": "lots"}, "must be a number"),
        ({"slug": "x", "order_prefix": "x-", "capital": float("inf")}, "positive"),
        ({"slug": "x", "capital": 1000}, "a whole account's equity is the account's own"),
        ({"order_prefix": "x-"}, "needs a slug"),
    ],
)
def test_capital_in_the_mapping_is_validated(strategy, message):
    with pytest.raises(WriteError, match=message):
        parse_mapping({"accounts": [{"label": "a", "strategies": [strategy]}]})


LIVE = '[[accounts]]\nlabel = "fund-live"\npaper = false\n{extra}\n[[accounts.strategies]]\nslug = "trend"\n'


def test_a_live_account_with_its_own_named_keys_syncs_beside_the_paper_default(ctx, fake, tmp_path):
    strategies(ctx, "trend", stage=Stage.LIVE)
    mapped(ctx, LIVE.format(extra=""), tmp_path)
    with pytest.raises(SyncError, match="fund-live is live; the default Alpaca keys"):
        sync.run(ctx)  # the default pair is a paper pair (ALPACA_PAPER)
    mapped(ctx, LIVE.format(extra='credentials = "fund_live"'), tmp_path)  # names are upper-cased
    with pytest.raises(SyncError, match="set ALPACA_API_KEY_ID__FUND_LIVE and"):
        sync.run(ctx)
    providers = dataclasses.replace(
        ctx.config.providers,
        alpaca_api_key_id="not-this-one",  # the default pair would be refused by the fake
        alpaca_credentials=(("FUND_LIVE", ALPACA_KEY, ALPACA_SECRET),),
    )
    named = dataclasses.replace(ctx, config=dataclasses.replace(ctx.config, providers=providers))
    assert sync.run(named).startswith("synced fund-live (ACTIVE")
    keys = {r.headers["apca-api-key-id"] for r in fake.requests_to("/v2/account")}
    assert keys == {ALPACA_KEY}


def test_credentials_in_the_mapping_are_validated():
    with pytest.raises(WriteError, match="credentials name a key pair"):
        parse_mapping({"accounts": [{"label": "a", "credentials": "fund-2"}]})


def test_fills_passed_over_are_found_when_their_strategy_is_mapped_or_promoted(
    ctx, fake, clock, tmp_path
):
    ids = strategies(ctx, "momentum")
    mapped(ctx, SHARED.split('[[accounts.strategies]]\nslug = "carry"')[0], tmp_path)
    fill(fake, 3, 14, "AGG", "sell", 3, 99.0, "carry-1")  # carry's, before carry is mapped
    fill(fake, 13, 14, "SPY", "buy", 5, 401.5, "mom-1")
    assert "1 fills matched no prefix" in sync.run(ctx)
    clock.advance(days=3)
    sync.run(ctx)  # the fills watermark moves on past carry's fill

    ids |= strategies(ctx, "carry", stage=Stage.BACKTEST)
    mapped(ctx, SHARED, tmp_path)  # carry mapped, but not synced while in backtest
    sync.run(ctx)
    assert trades(ctx, ids["carry"]) == []
    with ctx.db.transaction() as session:
        set_stage(session, session.get(Strategy, ids["carry"]), Stage.PAPER)
    sync.run(ctx)
    assert trades(ctx, ids["carry"]) == ["AGG"]  # found on the re-read after the promotion
    assert trades(ctx, ids["momentum"]) == ["SPY"]  # and nothing doubled
