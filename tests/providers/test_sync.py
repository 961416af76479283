"""Account mapping and the account sync job, against the fake Alpaca trading API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import select

from data.accounts import apply_mapping, load_mapping, parse_mapping, sync_targets
from data.schema import PerformancePoint, Series, Stage, SyncState, Trade
from data.writes import WriteError, ensure_strategy
from jobs import sync
from jobs.context import JobConfig, JobContext
from jobs.sync import SyncError
from tests.providers.fake_server import Fault

MAPPING = """
[[accounts]]
label = "alpaca-paper"
paper = true

[[accounts.strategies]]
slug = "momentum"
order_prefix = "mom-"

[[accounts.strategies]]
slug = "carry"
order_prefix = "carry-"

[[accounts]]
label = "solo"
paper = true

[[accounts.strategies]]
slug = "trend"
"""
SOLO = '[[accounts]]\nlabel = "solo"\n[[accounts.strategies]]\nslug = "trend"\n'


def strategies(ctx: JobContext, *slugs: str, stage: Stage = Stage.PAPER) -> dict[str, int]:
    with ctx.db.transaction() as session:
        return {slug: ensure_strategy(session, slug, stage=stage)[0].id for slug in slugs}


def mapped(ctx: JobContext, text: str, tmp_path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text(text)
    with ctx.db.transaction() as session:
        apply_mapping(session, load_mapping(path))


def equity(ctx: JobContext, strategy_id: int, resolution: str = "daily") -> pd.Series:
    with ctx.db.reading() as session:
        rows = session.execute(
            select(PerformancePoint.ts, PerformancePoint.equity)
            .join(Series, Series.id == PerformancePoint.series_id)
            .where(Series.strategy_id == strategy_id, Series.resolution == resolution)
            .order_by(PerformancePoint.ts)
        ).all()
    return pd.Series([r[1] for r in rows], index=pd.DatetimeIndex([r[0] for r in rows]))


def trades(ctx: JobContext, strategy_id: int) -> list[str]:
    with ctx.db.reading() as session:
        return list(
            session.scalars(
                select(Trade.symbol).where(Trade.strategy_id == strategy_id).order_by(Trade.ts)
            )
        )


def test_mapping_file_validation():
    with pytest.raises(WriteError, match="only one"):
        parse_mapping(
            {
                "accounts": [
                    {
                        "label": "a",
                        "strategies": [{"slug": "x"}, {"slug": "y", "order_prefix": "y-"}],
                    }
                ]
            }
        )
    with pytest.raises(WriteError, match="also matches"):
        parse_mapping(
            {
                "accounts": [
                    {
                        "label": "a",
                        "strategies": [
                            {"slug": "x", "order_prefix": "m"},
                            {"slug": "y", "order_prefix": "mo"},
                        ],
                    }
                ]
            }
        )
    with pytest.raises(WriteError, match="provider"):
        parse_mapping({"accounts": [{"label": "a", "provider": "ibkr"}]})


def test_mapping_json_and_unknown_strategy(ctx, tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"accounts": [{"label": "a", "strategies": [{"slug": "ghost"}]}]}))
    with pytest.raises(WriteError, match="no strategy 'ghost'"), ctx.db.transaction() as session:
        apply_mapping(session, load_mapping(path))


def test_mapping_is_replaced_per_account_and_only_paper_or_live_are_synced(ctx, tmp_path):
    ids = strategies(ctx, "momentum", "carry", "trend")
    strategies(ctx, "research-only", stage=Stage.RESEARCH)
    mapped(ctx, MAPPING, tmp_path)
    with ctx.db.reading() as session:
        targets = {t.label: t for t in sync_targets(session)}
    assert targets["solo"].owner == ids["trend"]
    prefixes = {p: s for s, p in targets["alpaca-paper"].strategies}
    assert prefixes == {"carry-": ids["carry"], "mom-": ids["momentum"]}

    mapped(
        ctx,
        '[[accounts]]\nlabel = "alpaca-paper"\n[[accounts.strategies]]\nslug = "carry"\n',
        tmp_path,
    )
    with ctx.db.reading() as session:
        targets = {t.label: t for t in sync_targets(session)}
    assert targets["alpaca-paper"].strategies == ((ids["carry"], ""),)
    assert targets["solo"].owner == ids["trend"]  # accounts not in the file are left alone


def test_sync_owner_account_gets_equity_and_fills(ctx, fake, clock, tmp_path, changes):
    ids = strategies(ctx, "trend")
    mapped(ctx, SOLO, tmp_path)
    fake.routes.account.funded = dt.date(2024, 3, 1)
    fake.routes.account.add_fill(
        dt.datetime(2024, 6, 13, 14, 0, tzinfo=dt.UTC), "SPY", "buy", 5, 401.5, "anything"
    )
    summary = sync.run(ctx)
    assert summary.startswith("synced solo (ACTIVE, 1 positions): +")
    daily = equity(ctx, ids["trend"])
    assert daily.index[0] == pd.Timestamp("2024-03-01", tz="UTC")
    assert daily.index[-1] == pd.Timestamp("2024-06-14", tz="UTC")
    assert daily.iloc[-1] == fake.routes.account.equity(pd.Timestamp("2024-06-14", tz="UTC"))
    assert len(equity(ctx, ids["trend"], "intraday")) == 91
    assert trades(ctx, ids["trend"]) == ["SPY"]
    with ctx.db.reading() as session:
        assert session.get(SyncState, "account:solo:fills").watermark == dt.datetime(
            2024, 6, 13, 14, 0, tzinfo=dt.UTC
        )
    assert any(f"strategy:{ids['trend']}" in c.scopes for c in changes)

    announced = len(changes)
    assert sync.run(ctx).endswith("+0 equity points, +0 fills")  # idempotent
    assert len(changes) == announced


def test_sync_shared_account_attributes_fills_by_prefix(ctx, fake, tmp_path):
    ids = strategies(ctx, "momentum", "carry")
    mapped(ctx, MAPPING.split('[[accounts]]\nlabel = "solo"')[0], tmp_path)
    account = fake.routes.account
    account.add_fill(
        dt.datetime(2024, 6, 13, 14, 0, tzinfo=dt.UTC), "SPY", "buy", 5, 401.5, "mom-1"
    )
    account.add_fill(
        dt.datetime(2024, 6, 13, 14, 5, tzinfo=dt.UTC), "AGG", "sell", 3, 99.0, "carry-1"
    )
    account.add_fill(
        dt.datetime(2024, 6, 13, 14, 9, tzinfo=dt.UTC), "TLT", "buy", 1, 90.0, "manual"
    )
    summary = sync.run(ctx)
    assert "+2 fills" in summary and "1 fills matched no prefix" in summary
    assert trades(ctx, ids["momentum"]) == ["SPY"] and trades(ctx, ids["carry"]) == ["AGG"]
    assert equity(ctx, ids["momentum"]).empty  # a shared account's equity belongs to no one


def test_sync_failure_writes_nothing_and_catches_up(ctx, fake, clock, tmp_path):
    ids = strategies(ctx, "trend")
    mapped(ctx, SOLO, tmp_path)
    fake.routes.account.add_fill(
        dt.datetime(2024, 6, 13, 14, 0, tzinfo=dt.UTC), "SPY", "buy", 5, 401.5, "a"
    )
    fake.fail(Fault(match="/activities/FILL", truncate=True, times=99))
    with pytest.raises(SyncError, match="solo"):
        sync.run(ctx)
    assert equity(ctx, ids["trend"]).empty and trades(ctx, ids["trend"]) == []
    with ctx.db.reading() as session:
        assert session.get(SyncState, "account:solo:daily").last_error
    fake.faults.clear()
    clock.advance(days=3)
    sync.run(ctx)
    assert equity(ctx, ids["trend"]).index[-1] == pd.Timestamp("2024-06-17", tz="UTC")
    assert trades(ctx, ids["trend"]) == ["SPY"]


def test_sync_without_alpaca_keys_says_so(ctx, tmp_path):
    strategies(ctx, "trend")
    mapped(ctx, SOLO, tmp_path)
    bare = dataclasses.replace(ctx, config=JobConfig())
    with pytest.raises(SyncError, match="ALPACA_API_KEY_ID"):
        sync.run(bare)


def test_sync_demo_account_and_nothing_mapped(ctx, tmp_path):
    assert sync.run(ctx) == "no paper or live strategy is mapped to a broker account"
    ids = strategies(ctx, "trend", stage=Stage.LIVE)
    mapped(
        ctx,
        SOLO.replace('"solo"', '"demo"\nprovider = "demo"\npaper = false'),
        tmp_path,
    )
    assert "demo (ACTIVE, 2 positions)" in sync.run(ctx)
    assert not equity(ctx, ids["trend"]).empty


def test_an_outage_mid_session_is_caught_up_to_that_sessions_close(ctx, fake, clock, tmp_path):
    ids = strategies(ctx, "trend")
    mapped(ctx, SOLO, tmp_path)
    sync.run(ctx)  # Friday 15:00 UTC, mid-session
    clock.advance(days=3, hours=-0.5)  # Monday 14:30 UTC: the rest of Friday was never read
    sync.run(ctx)
    minutes = equity(ctx, ids["trend"], "intraday")
    friday = minutes[minutes.index.date == dt.date(2024, 6, 14)]
    assert friday.index[0].strftime("%H:%M") == "13:30" and friday.index[-1].hour == 19
    assert (friday.index.to_series().diff().dropna() == pd.Timedelta(minutes=1)).all()
    assert (minutes.index.date == dt.date(2024, 6, 17)).sum() == 61  # Monday 13:30-14:30
