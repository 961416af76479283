"""The offline demo provider: deterministic synthetic bars and account equity; no network, no keys.

Every value is a pure function of (symbol, session) or (account, session): each series is a seeded
random walk from a fixed anchor, so re-runs and overlapping windows always agree (idempotent).
"""

from __future__ import annotations

import datetime as dt
import zlib
from functools import lru_cache

import numpy as np
import pandas as pd

from data.calendar import trading_days
from data.providers.base import BAR_COLUMNS, AccountInfo, Fill, PositionInfo, bars_frame
from data.providers.checks import check_sessions
from data.providers.sessions import session_bounds
from data.schema import Resolution

ANCHOR = "1993-02-01"  # SPY's first full month
ACCOUNT_ANCHOR = "2022-01-03"
HORIZON = "2100-01-01"  # clipped to the calendar's last session
# daily drift, daily volatility, first close
PROFILES = {
    "SPY": (0.00035, 0.011, 44.0),
    "I:SPX": (0.00035, 0.011, 440.0),
    "AGG": (0.00012, 0.003, 100.0),
    "BND": (0.00012, 0.003, 75.0),
    "TLT": (0.00018, 0.009, 90.0),
    "IEF": (0.00014, 0.005, 95.0),
}
DEFAULT_PROFILE = (0.0003, 0.012, 50.0)


def _rng(*parts: object) -> np.random.Generator:
    """A generator per purpose, so one series never shifts another when horizons change."""
    return np.random.default_rng([zlib.crc32(str(p).encode()) for p in parts])


@lru_cache(maxsize=32)
def daily_path(symbol: str) -> pd.DataFrame:
    """Every session's bar for `symbol` since ANCHOR: a seeded random walk (already 'adjusted')."""
    sessions = trading_days(ANCHOR, HORIZON)
    n = len(sessions)
    drift, vol, first = PROFILES.get(symbol, DEFAULT_PROFILE)
    close = first * np.cumprod(1 + _rng(symbol, "ret").normal(drift, vol, n))
    opens = np.r_[first, close[:-1]] * (1 + _rng(symbol, "gap").normal(0, vol / 4, n))
    wick = np.abs(_rng(symbol, "wick").normal(0, vol / 2, (2, n)))
    rows = {
        "open": opens,
        "high": np.maximum(opens, close) * (1 + wick[0]),
        "low": np.minimum(opens, close) * (1 - wick[1]),
        "close": close,
        "volume": _rng(symbol, "vol").integers(1_000_000, 90_000_000, n).astype(float),
    }
    return _frame(rows, sessions)


def _frame(rows: dict[str, np.ndarray], index: pd.DatetimeIndex) -> pd.DataFrame:
    frame = pd.DataFrame(rows, index=index.as_unit("us"))[BAR_COLUMNS]
    frame.index.name = "ts"
    return frame


def _bridge(start: float, end: float, steps: int, vol: float, *seed: object) -> np.ndarray:
    """A Brownian bridge of `steps` + 1 points from `start` to `end`."""
    walk = np.r_[0.0, np.cumsum(_rng(*seed).normal(0, vol, steps))]
    t = np.linspace(0.0, 1.0, steps + 1)
    return start + (end - start) * t + (walk - t * walk[-1]) * start


def _minutes(label: str, day: pd.Timestamp, first: float, last: float, vol: float) -> pd.DataFrame:
    opens, closes = session_bounds(day)
    stamps = pd.date_range(opens, closes, freq="1min", inclusive="left", unit="us")
    path = _bridge(first, last, len(stamps), vol / 20, label, day.date())
    top, bottom = np.maximum(path[:-1], path[1:]), np.minimum(path[:-1], path[1:])
    volume = _rng(label, day.date(), "vol").integers(1_000, 200_000, len(stamps)).astype(float)
    rows = {"open": path[:-1], "high": top, "low": bottom, "close": path[1:], "volume": volume}
    return _frame(rows, pd.DatetimeIndex(stamps))


class DemoMarketData:
    """Synthetic daily and minute bars for any symbol."""

    name = "demo"

    def daily_bars(
        self, symbol: str, start: dt.date, end: dt.date, *, adjusted: bool = True
    ) -> pd.DataFrame:
        """Bars for every session from `start` to `end` (no corporate actions: both kinds agree)."""
        path = daily_path(symbol)
        frame = path.loc[pd.Timestamp(start, tz="UTC") : pd.Timestamp(end, tz="UTC")]
        check_sessions(frame.index, start, end, f"demo {symbol} daily", late_start=True)
        return frame.copy()

    def minute_bars(self, symbol: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Minute bars of the sessions touching [`start`, `end`], clipped to it."""
        path, vol = daily_path(symbol), PROFILES.get(symbol, DEFAULT_PROFILE)[1]
        days = trading_days(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize())
        frames = [
            _minutes(symbol, day, path.at[day, "open"], path.at[day, "close"], vol) for day in days
        ]
        minutes = pd.concat(frames) if frames else bars_frame([], pd.DatetimeIndex([], tz="UTC"))
        return minutes.loc[pd.Timestamp(start) : pd.Timestamp(end)].copy()


@lru_cache(maxsize=32)
def account_path(label: str) -> pd.Series:
    """Daily equity of demo account `label`: $100k at ACCOUNT_ANCHOR, then a seeded walk."""
    sessions = trading_days(ACCOUNT_ANCHOR, HORIZON)
    returns = _rng(label, "equity").normal(0.0004, 0.008, len(sessions))
    return pd.Series(100_000 * np.cumprod(1 + returns), index=sessions, name="equity")


DEMO_HOLDINGS = {"SPY": 0.6, "AGG": 0.3}  # the rest is cash


class DemoBroker:
    """A synthetic account: equity, a 60/30 SPY/AGG book with 10 % cash, and no fills."""

    name = "demo"

    def __init__(self, label: str) -> None:
        self.label = label

    def _today(self) -> tuple[float, pd.Timestamp]:
        path = account_path(self.label)
        now = pd.Timestamp.now(tz="UTC")
        known = path.loc[:now]
        return (float(known.iloc[-1]), known.index[-1]) if len(known) else (100_000.0, now)

    def account(self) -> AccountInfo:
        """Always active; equity as of the last session, 10 % of it in cash."""
        equity, _day = self._today()
        cash = round(equity * (1 - sum(DEMO_HOLDINGS.values())), 2)
        return AccountInfo(f"DEMO-{self.label}", "ACTIVE", round(equity, 2), cash, False)

    def positions(self) -> list[PositionInfo]:
        """Whole shares of the demo book at the last session's closes."""
        equity, day = self._today()
        held = []
        for symbol, weight in DEMO_HOLDINGS.items():
            close = float(daily_path(symbol)["close"].loc[:day].iloc[-1])
            quantity = float(int(equity * weight / close))
            held.append(PositionInfo(symbol, quantity, round(quantity * close, 2), None))
        return held

    def equity_history(
        self, start: dt.datetime, end: dt.datetime, resolution: Resolution
    ) -> pd.Series:
        """Daily equity by session, or minute equity bridging each session's close to the next."""
        path = account_path(self.label)
        if Resolution(resolution) is Resolution.DAILY:
            first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
            return path.loc[first:last].copy()
        days = trading_days(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize())
        parts = []
        for day in days:
            previous = path.iloc[max(path.index.get_loc(day) - 1, 0)]
            parts.append(_minutes(self.label, day, previous, path.at[day], 0.008)["close"])
        empty = pd.Series([], index=pd.DatetimeIndex([], tz="UTC"), dtype=float)
        series = pd.concat(parts) if parts else empty
        return series.loc[pd.Timestamp(start) : pd.Timestamp(end)].rename("equity")

    def fills(self, after: dt.datetime, until: dt.datetime) -> list[Fill]:
        """None."""
        return []

    def client_order_ids(self, order_ids: set[str], since: dt.datetime) -> dict[str, str]:
        """None."""
        return {}
