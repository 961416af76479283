"""XNYS session times for the ingestion schedule: when a session opens, closes and has settled."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data.calendar import exchange_calendar as _calendar
from data.calendar import last_trading_day

SETTLE = dt.timedelta(minutes=30)  # a session's daily bar is final this long after its close
LATE = dt.timedelta(minutes=15)  # minute bars keep arriving (and being corrected) after the close


def session_bounds(day: dt.date | pd.Timestamp) -> tuple[dt.datetime, dt.datetime]:
    """The open and close (UTC) of the session on `day`, early closes included."""
    label = pd.Timestamp(day).tz_localize(None).normalize()
    calendar = _calendar()
    opens, closes = calendar.session_open(label), calendar.session_close(label)
    return opens.to_pydatetime().astimezone(dt.UTC), closes.to_pydatetime().astimezone(dt.UTC)


def active_session(now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """Today's session bounds while it trades (and for LATE after its close), else None."""
    today = pd.Timestamp(now).tz_convert("America/New_York").tz_localize(None).normalize()
    if not _calendar().is_session(today):
        return None
    opens, closes = session_bounds(today)
    return (opens, closes) if opens <= now <= closes + LATE else None


def last_settled_session(now: dt.datetime) -> dt.date:
    """The latest session whose close is at least SETTLE before `now`."""
    today = pd.Timestamp(now).tz_convert("America/New_York").tz_localize(None).normalize()
    day = last_trading_day(today).tz_localize(None)
    if session_bounds(day)[1] + SETTLE > now:
        day = _calendar().previous_session(day)
    return day.date()


def last_session_before_today(now: dt.datetime) -> dt.date:
    """The latest session before today's date in New York. A broker's daily account history has
    every point up to it final; today's appears while it trades, or only after the broker's
    end-of-day processing, so it is not required."""
    today = pd.Timestamp(now).tz_convert("America/New_York").tz_localize(None).normalize()
    return last_trading_day(today - pd.Timedelta(days=1)).date()


def sessions_back(day: dt.date, count: int) -> dt.date:
    """The session `count` sessions before the session on or before `day`."""
    label = last_trading_day(pd.Timestamp(day)).tz_localize(None)
    return _calendar().session_offset(label, -count).date()


def unfinished_session(mark: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """The bounds of the session a watermark fell inside (an outage began mid-session), so the
    rest of it can be read; None when the mark is not inside a session's trading hours."""
    try:
        opened, closed = session_bounds(pd.Timestamp(mark).tz_convert("America/New_York").date())
    except ValueError:  # the watermark's date is not a session: nothing was left unread
        return None
    return (opened, closed) if opened <= mark < closed else None
