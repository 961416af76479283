"""The provider interface: market data and broker accounts, their records, and their errors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from data.schema import Resolution

BAR_COLUMNS = ["open", "high", "low", "close", "volume"]


class ProviderError(Exception):
    """A provider could not give a trustworthy answer; nothing from it may be written."""


class TransientError(ProviderError):
    """A failure worth retrying: 429, 5xx, a dropped connection, a timeout, a garbled body."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class MalformedResponse(TransientError):
    """The body was not the JSON the endpoint speaks (truncated, invalid, wrong shape)."""


class PermanentError(ProviderError):
    """A failure that retrying cannot fix (a bad request, an unknown symbol)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(PermanentError):
    """The provider refused our credentials (HTTP 401/403)."""


class IncompleteData(ProviderError):
    """A response parsed but is not whole: missing sessions, unfinished pagination, bad values."""


class CircuitOpenError(ProviderError):
    """The provider's circuit breaker is open: calls fail fast until it cools down."""


@dataclass(frozen=True)
class AccountInfo:
    """A broker account's identity and health, as the broker reports it now."""

    account_number: str
    status: str
    equity: float | None
    cash: float | None
    trading_blocked: bool

    @property
    def active(self) -> bool:
        """Whether the account is open and allowed to trade."""
        return self.status.upper() == "ACTIVE" and not self.trading_blocked


@dataclass(frozen=True)
class PositionInfo:
    """One open position."""

    symbol: str
    quantity: float
    market_value: float | None
    unrealized_pnl: float | None


@dataclass(frozen=True)
class Fill:
    """One execution (a fill or partial fill) reported by the broker."""

    fill_id: str
    order_id: str
    ts: dt.datetime
    symbol: str
    side: str
    quantity: float
    price: float


@runtime_checkable
class MarketData(Protocol):
    """Benchmark bars: daily ones indexed by session (midnight UTC), minute ones by bar start."""

    name: str

    def daily_bars(
        self, symbol: str, start: dt.date, end: dt.date, *, adjusted: bool = True
    ) -> pd.DataFrame:
        """Daily OHLCV for every session from `start` to `end`, complete or raising: adjusted for
        splits and dividends, or as traded (`adjusted=False`)."""
        ...

    def minute_bars(self, symbol: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Split-adjusted minute OHLCV with bar starts in [`start`, `end`]."""
        ...


@runtime_checkable
class Broker(Protocol):
    """A brokerage account: equity history, fills, positions and status."""

    name: str

    def account(self) -> AccountInfo:
        """The account's identity and status."""
        ...

    def positions(self) -> list[PositionInfo]:
        """Open positions."""
        ...

    def equity_history(
        self, start: dt.datetime, end: dt.datetime, resolution: Resolution
    ) -> pd.Series:
        """Account equity from `start` to `end` (daily: by session at midnight UTC)."""
        ...

    def fills(self, after: dt.datetime, until: dt.datetime) -> list[Fill]:
        """Every fill with a transaction time in (`after`, `until`], oldest first."""
        ...

    def client_order_ids(self, order_ids: set[str], since: dt.datetime) -> dict[str, str]:
        """The client order id of each order (submitted on or after about `since`)."""
        ...


def new_york_dates(stamps: pd.Series | pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The New York calendar date of each instant (naive stamps are UTC), at 00:00 UTC."""
    index = pd.DatetimeIndex(stamps)
    if index.tz is None:
        index = index.tz_localize("UTC")
    local = index.tz_convert("America/New_York").tz_localize(None).normalize()
    return pd.DatetimeIndex(local).tz_localize("UTC").as_unit("us")


def session_index(stamps: pd.Series | pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Map a provider's day stamps onto sessions at 00:00 UTC.

    Days are stamped at midnight New York (as UTC instants), or by some feeds at midnight UTC of
    the day itself; no day is stamped at 19:00/20:00 New York, so the two cannot be confused.
    """
    index = pd.DatetimeIndex(stamps)
    if index.tz is None:
        index = index.tz_localize("UTC")
    index = index.tz_convert("UTC")
    own_day = index.tz_localize(None).normalize().tz_localize("UTC").as_unit("us")
    return pd.DatetimeIndex(np.where(index == index.normalize(), own_day, new_york_dates(index)))


def bars_frame(rows: list[dict[str, object]], index: pd.DatetimeIndex) -> pd.DataFrame:
    """A bar frame with the standard columns from provider rows (missing values stay NaN)."""
    frame = pd.DataFrame(rows, columns=BAR_COLUMNS, index=index, dtype=float)
    frame.index.name = "ts"
    return frame
