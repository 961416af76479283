"""Account sync: equity and fills of paper and live strategies from their broker accounts.

`sync-accounts` runs every 3 minutes. Per account, everything is fetched and checked first, then
written in one transaction with the watermarks; a failure writes nothing and the next run resumes
from the watermarks. Equity goes to the strategy owning the whole account (empty order prefix);
fills go to the strategy whose prefix starts their client order id, and a sharing strategy with
a capital gets a daily equity rebuilt from its fills (jobs.shared_equity). The account's status
and open positions are kept as the broker last reported them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.orm import Session

from data.account_state import record_account_state
from data.accounts import SyncTarget, attribute, sync_targets
from data.providers import (
    AccountInfo,
    Broker,
    Fill,
    IncompleteData,
    MarketData,
    PositionInfo,
    broker_for,
    market_data_for,
)
from data.schema import Resolution, Source
from data.stored import from_first_change, stored_equity, stored_trade_keys
from data.sync_state import (
    ACCOUNT_STREAMS,
    account_key,
    mark_success,
    watermark,
)
from data.versions import Change
from data.writes import append_equity, write_trades
from jobs.account_equity import daily_equity, intraday_equity
from jobs.context import JobConfig, JobContext, JobSpec
from jobs.each import run_each
from jobs.shared_equity import Rebuilt, rebuild

FILL_OVERLAP = dt.timedelta(days=1)  # late-posted fills are re-read; trade keys dedupe them


class SyncError(RuntimeError):
    """Some accounts failed to sync; the others were synced. The message lists each failure."""


@dataclass
class Fetched:
    """One account's checked answers, ready to write."""

    daily: pd.Series | None = None
    intraday: pd.Series | None = None
    trades: dict[int, pd.DataFrame] = field(default_factory=dict)
    fills_mark: dt.datetime | None = None
    unattributed: int = 0
    shared: Rebuilt = field(default_factory=Rebuilt)
    info: AccountInfo | None = None
    positions: list[PositionInfo] = field(default_factory=list)


def job_specs(config: JobConfig) -> list[JobSpec]:
    """The account sync job."""
    return [
        JobSpec(
            "sync-accounts",
            run,
            "Paper/live equity and fills from the mapped broker accounts",
            {"trigger": "interval", "minutes": 3},
        )
    ]


def run(ctx: JobContext) -> str:
    """Sync every mapped account with the configured broker credentials."""
    settings = ctx.config.providers
    return sync_accounts(
        ctx,
        lambda t: broker_for(t.provider, t.label, t.paper, settings, credentials=t.credentials),
    )


def sync_accounts(
    ctx: JobContext,
    brokers: Callable[[SyncTarget], Broker],
    market: Callable[[], MarketData] | None = None,
) -> str:
    """Sync each account in turn; raise at the end if any failed. `market` gives the closes that
    sharing strategies' equity is rebuilt from (made only when one needs them)."""
    settings = ctx.config.providers
    market = market or (lambda: market_data_for(settings))
    with ctx.db.reading() as session:
        targets = sync_targets(session)
    if not targets:
        return "no paper or live strategy is mapped to a broker account"
    outcome = run_each(
        ctx,
        targets,
        lambda target: _sync(ctx, brokers(target), market, target),
        label=lambda target: target.label,
        failure_keys=lambda target: [account_key(target.label, s) for s in _streams(target)],
    )
    summary = f"synced {'; '.join(outcome.done) or 'no account'}"
    outcome.raise_if_failed(SyncError, summary)
    return summary


def _streams(target: SyncTarget) -> tuple[str, ...]:
    if target.owner is not None:
        return ACCOUNT_STREAMS
    return ("daily", "fills") if target.capitals else ("fills",)


def _sync(
    ctx: JobContext, broker: Broker, market: Callable[[], MarketData], target: SyncTarget
) -> str:
    now = ctx.now()
    with ctx.db.reading() as session:
        marks = {s: watermark(session, account_key(target.label, s)) for s in ACCOUNT_STREAMS}
    fetched = Fetched(info=broker.account(), positions=broker.positions())
    if target.owner is not None:
        fetched.daily = daily_equity(ctx, broker, marks["daily"], now)
        fetched.intraday = intraday_equity(broker, marks["intraday"], now)
    _fetch_fills(ctx, broker, target, marks["fills"], now, fetched)
    if target.capitals:
        source = Source.PAPER if target.paper else Source.LIVE
        fetched.shared = rebuild(ctx, market, target, fetched.trades, source, now)
    written = _write(ctx, target, fetched, now)
    info = fetched.info
    state = info.status if info.active else f"{info.status}, trading blocked"
    extra = f", {fetched.unattributed} fills matched no prefix" if fetched.unattributed else ""
    summary = f"{target.label} ({state}, {len(fetched.positions)} positions): {written}{extra}"
    if fetched.shared.problems:  # written all the rest; the job still fails, naming the problem
        raise IncompleteData(f"{summary}; equity not rebuilt: {'; '.join(fetched.shared.problems)}")
    return summary


def _fetch_fills(
    ctx: JobContext,
    broker: Broker,
    target: SyncTarget,
    mark: dt.datetime | None,
    now: dt.datetime,
    fetched: Fetched,
) -> None:
    years = pd.DateOffset(years=ctx.config.backfill_years)
    after = (pd.Timestamp(now) - years).to_pydatetime() if mark is None else mark - FILL_OVERLAP
    fills = broker.fills(after, now)
    if not fills:  # nothing new: the next run reads from here (less the overlap), not years back
        fetched.fills_mark = now
        return
    fetched.fills_mark = max(f.ts for f in fills)
    orders = {}
    if target.owner is None:  # shared account: attribution needs each order's client order id
        orders = broker.client_order_ids({f.order_id for f in fills}, min(f.ts for f in fills))
    grouped: dict[int, list[Fill]] = {}
    for fill in fills:
        strategy_id = attribute(orders.get(fill.order_id), target)
        if strategy_id is None:
            fetched.unattributed += 1
        else:
            grouped.setdefault(strategy_id, []).append(fill)
    fetched.trades = {sid: _trades_frame(items) for sid, items in grouped.items()}


def _trades_frame(fills: list[Fill]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trade_key": [f.fill_id for f in fills],
            "ts": pd.to_datetime([f.ts for f in fills], utc=True),
            "symbol": [f.symbol for f in fills],
            "side": [f.side for f in fills],
            "quantity": [f.quantity for f in fills],
            "price": [f.price for f in fills],
            "fee": 0.0,
        }
    )


def _write(ctx: JobContext, target: SyncTarget, fetched: Fetched, now: dt.datetime) -> str:
    """Write what is new and move the watermarks, in one transaction; announce after commit."""
    source = Source.PAPER if target.paper else Source.LIVE
    with ctx.db.transaction() as session:
        change, points = _write_equity(session, target, fetched, source, now)
        written, fills = _write_trades(session, fetched, source)
        mark_success(session, account_key(target.label, "fills"), now, fetched.fills_mark)
        if fetched.info is not None:
            change |= record_account_state(
                session, target.account_id, fetched.info, fetched.positions
            )
    change |= written
    if change.scopes:
        ctx.on_change(change)
    return f"+{points} equity points, +{fills} fills"


def _write_equity(
    session: Session, target: SyncTarget, fetched: Fetched, source: Source, now: dt.datetime
) -> tuple[Change, int]:
    change, points = Change(), 0
    streams = {
        "daily": (Resolution.DAILY, fetched.daily),
        "intraday": (Resolution.INTRADAY, fetched.intraday),
    }
    for stream, (resolution, series) in streams.items():
        if series is None or target.owner is None:
            continue
        new = _new_equity(session, target.owner, source, resolution, series)
        if len(new):
            change |= append_equity(session, target.owner, source, new, resolution)
            points += len(new)
        mark = series.index[-1].to_pydatetime() if len(series) else None
        mark_success(session, account_key(target.label, stream), now, mark)
    for strategy_id, series in fetched.shared.equity.items():
        new = _new_equity(session, strategy_id, source, Resolution.DAILY, series)
        if len(new):
            change |= append_equity(session, strategy_id, source, new, Resolution.DAILY)
            points += len(new)
    if target.owner is None and target.capitals and not fetched.shared.problems:
        mark = max((s.index[-1] for s in fetched.shared.equity.values() if len(s)), default=None)
        daily = account_key(target.label, "daily")
        mark_success(session, daily, now, mark.to_pydatetime() if mark is not None else None)
    return change, points


def _write_trades(session: Session, fetched: Fetched, source: Source) -> tuple[Change, int]:
    change, fills = Change(), 0
    for strategy_id, frame in fetched.trades.items():
        known = stored_trade_keys(session, strategy_id, source.value, set(frame["trade_key"]))
        new = frame[~frame["trade_key"].isin(known)]
        if len(new):  # fills never change once made: only unseen trade keys are written
            change |= write_trades(session, strategy_id, source, new)
            fills += len(new)
    return change, fills


def _new_equity(
    session: Session, strategy_id: int, source: Source, resolution: Resolution, series: pd.Series
) -> pd.Series:
    if series.empty:
        return series
    since = series.index[0].to_pydatetime()
    stored = stored_equity(session, strategy_id, source.value, resolution, since)
    fresh = series.rename("equity").to_frame()
    return from_first_change(fresh, stored.to_frame())["equity"]
