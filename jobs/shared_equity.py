"""Daily equity of strategies sharing a broker account, rebuilt from their own fills.

A sharing strategy with a `capital` in the mapping gets its equity from data.ledger: its fills
marked to each session's close. The whole series is rebuilt when the strategy has new fills or a
session has settled since its last point; the write keeps only what changed. Closes come from the
market-data provider that serves the benchmarks, as traded and adjusted, once per symbol per run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from data.accounts import SyncTarget
from data.calendar import trading_days
from data.ledger import LedgerError, fill_sessions, marked_equity
from data.providers import MarketData
from data.providers.base import new_york_dates
from data.providers.sessions import last_settled_session
from data.schema import Resolution, Source
from data.stored import FILL_COLUMNS, last_point, stored_fills, stored_trade_keys
from jobs.context import JobContext


@dataclass
class Rebuilt:
    """Equity series to write, by strategy id, and why others could not be rebuilt."""

    equity: dict[int, pd.Series] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def rebuild(
    ctx: JobContext,
    market: Callable[[], MarketData],
    target: SyncTarget,
    new_fills: dict[int, pd.DataFrame],
    source: Source,
    now: dt.datetime,
) -> Rebuilt:
    """The equity of each of the target's sharing strategies that has a capital and needs it.

    `new_fills` are this run's fills by strategy (some may be stored already). Provider errors
    propagate (the account's sync fails and is retried); a ledger that cannot be built (capital
    too small, a symbol without closes) is reported in `problems` and leaves that strategy alone.
    """
    settled = pd.Timestamp(last_settled_session(now), tz="UTC")
    due: dict[int, tuple[float, pd.DataFrame]] = {}
    with ctx.db.reading() as session:
        for strategy_id, capital in target.capitals:
            fresh = new_fills.get(strategy_id, pd.DataFrame(columns=FILL_COLUMNS))
            known = stored_trade_keys(session, strategy_id, source.value, set(fresh["trade_key"]))
            fresh = fresh[~fresh["trade_key"].isin(known)][FILL_COLUMNS]
            last = last_point(session, strategy_id, source.value, Resolution.DAILY)
            behind = last is None or pd.Timestamp(last) < settled
            if not (len(fresh) or behind):
                continue  # the usual run: nothing new, so the fills are not read back
            stored = stored_fills(session, strategy_id, source.value)
            fills = pd.concat([stored, fresh], ignore_index=True) if len(fresh) else stored
            if len(fills) and _first_day(fills) <= settled:  # today's fills wait for the close
                due[strategy_id] = (capital, fills)
    rebuilt = Rebuilt()
    if not due:
        return rebuilt
    closes = _closes(market(), due, settled)
    for strategy_id, (capital, fills) in due.items():
        sessions = trading_days(_first_day(fills), settled)
        settled_fills = fills[fill_sessions(fills["ts"], sessions) >= 0]
        try:
            rebuilt.equity[strategy_id] = marked_equity(
                settled_fills, closes[False], closes[True], sessions, capital
            )
        except LedgerError as error:
            rebuilt.problems.append(f"strategy {strategy_id}: {error}")
    return rebuilt


def _first_day(fills: pd.DataFrame) -> pd.Timestamp:
    return new_york_dates(fills["ts"]).min()


def _closes(
    market: MarketData, due: dict[int, tuple[float, pd.DataFrame]], settled: pd.Timestamp
) -> dict[bool, dict[str, pd.Series]]:
    """Closes as traded (False) and adjusted (True) per symbol, from its first fill on."""
    starts: dict[str, pd.Timestamp] = {}
    for _capital, fills in due.values():
        for symbol, group in fills.groupby("symbol"):
            first = _first_day(group)
            starts[str(symbol)] = min(starts.get(str(symbol), first), first)
    found: dict[bool, dict[str, pd.Series]] = {False: {}, True: {}}
    for symbol, start in sorted(starts.items()):
        if start > settled:
            continue
        for adjusted in (False, True):
            bars = market.daily_bars(symbol, start.date(), settled.date(), adjusted=adjusted)
            found[adjusted][symbol] = bars["close"]
    return found
