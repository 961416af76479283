"""A broker account's equity as the sync reads it: daily by session, minutes in market hours.

Both re-read from their watermark and must reach back to it, so stored and fetched points join
up; after an outage that began mid-session the rest of that session's minutes are read too.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data.providers import Broker, IncompleteData
from data.providers.checks import check_continues
from data.providers.sessions import (
    active_session,
    last_session_before_today,
    sessions_back,
    unfinished_session,
)
from data.schema import Resolution
from jobs.context import JobContext

OVERLAP_SESSIONS = 3  # daily equity re-read behind the watermark (the last point may have moved)


def daily_equity(
    ctx: JobContext, broker: Broker, mark: dt.datetime | None, now: dt.datetime
) -> pd.Series:
    if mark is None:
        start = (pd.Timestamp(now) - pd.DateOffset(years=ctx.config.backfill_years)).date()
    else:
        start = sessions_back(mark.date(), OVERLAP_SESSIONS)
    first = dt.datetime.combine(start, dt.time(), dt.UTC)
    series = broker.equity_history(first, now, Resolution.DAILY)
    what = f"{broker.name} daily equity"
    if mark is not None:  # stored and fetched points must join up, with no gap (adapter-checked)
        check_continues(series.index, mark, what)
    if series.empty:
        return series
    if series.index[-1].date() < last_session_before_today(now):
        raise IncompleteData(f"{what} ends {series.index[-1].date()}: later sessions are missing")
    return series


def intraday_equity(broker: Broker, mark: dt.datetime | None, now: dt.datetime) -> pd.Series | None:
    """Today's minute equity from the watermark on; after an outage that began mid-session, the
    rest of that session too. Either must reach back to the watermark (no silent gap)."""
    session = active_session(now)
    what = f"{broker.name} intraday equity"
    tail = None
    if mark is not None and (session is None or mark < session[0]):
        tail = _rest_of_marked_session(broker, mark, what)
    if session is None:
        return tail
    start = session[0] if mark is None else max(session[0], mark)
    series = broker.equity_history(start, min(now, session[1]), Resolution.INTRADAY)
    if mark is not None and mark >= session[0]:
        check_continues(series.index, mark, what)
    return series if tail is None else pd.concat([tail, series])


def _rest_of_marked_session(broker: Broker, mark: dt.datetime, what: str) -> pd.Series | None:
    if (bounds := unfinished_session(mark)) is None:
        return None
    tail = broker.equity_history(mark, bounds[1], Resolution.INTRADAY)
    check_continues(tail.index, mark, what)
    return tail
