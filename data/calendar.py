"""Trading calendars (exchange_calendars): which days an exchange was open."""

from __future__ import annotations

import warnings
from functools import lru_cache

import exchange_calendars as xcals
import pandas as pd

DEFAULT_EXCHANGE = "XNYS"


@lru_cache(maxsize=8)
def exchange_calendar(exchange: str = DEFAULT_EXCHANGE) -> xcals.ExchangeCalendar:
    """The exchange's calendar from 1990 (built once per process; every module asks here)."""
    with warnings.catch_warnings():
        # exchange_calendars 4.13 reads Series.values on tz-aware data, deprecated in pandas 3.1
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        return xcals.get_calendar(exchange, start="1990-01-01")


def trading_days(
    start: pd.Timestamp | str, end: pd.Timestamp | str, exchange: str = DEFAULT_EXCHANGE
) -> pd.DatetimeIndex:
    """Sessions from `start` to `end` inclusive, as midnight-UTC timestamps."""
    calendar = exchange_calendar(exchange)
    first = max(pd.Timestamp(start).tz_localize(None).normalize(), calendar.first_session)
    last = min(pd.Timestamp(end).tz_localize(None).normalize(), calendar.last_session)
    if first > last:
        return pd.DatetimeIndex([], tz="UTC")
    return calendar.sessions_in_range(first, last).tz_localize("UTC")


def last_trading_day(
    on_or_before: pd.Timestamp | str, exchange: str = DEFAULT_EXCHANGE
) -> pd.Timestamp:
    """The latest session on or before the given date."""
    calendar = exchange_calendar(exchange)
    day = pd.Timestamp(on_or_before).tz_localize(None).normalize()
    return calendar.date_to_session(day, direction="previous").tz_localize("UTC")


def is_open(at: pd.Timestamp, exchange: str = DEFAULT_EXCHANGE) -> bool:
    """Whether the exchange is trading at the instant `at` (tz-aware)."""
    calendar = exchange_calendar(exchange)
    return bool(calendar.is_open_on_minute(at.tz_convert("UTC"), ignore_breaks=True))
