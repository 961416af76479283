"""The fake providers' world: deterministic prices, dividends, and one Alpaca account."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from data.calendar import trading_days
from data.providers.sessions import session_bounds

NY = "America/New_York"
BASES = {"SPY": 400.0, "AGG": 100.0, "I:SPX": 4000.0, "TLT": 90.0}
NAMESPACE = uuid.NAMESPACE_URL
ACCOUNT_ID = "6c1f5a6e-3f2a-4d4e-9a57-2f1d8f0c0b11"


@cache
def raw_close(symbol: str, day: pd.Timestamp) -> float:
    """Split-adjusted (not dividend-adjusted) close of `symbol` on session `day`: a known answer."""
    i = (day.tz_localize(None) - pd.Timestamp("2000-01-03")).days
    base = BASES.get(symbol, 50.0)
    return round(base * (1 + 0.0002 * i) * (1 + 0.02 * math.sin(i / 7)), 4)


@cache
def raw_bar(symbol: str, day: pd.Timestamp) -> dict[str, float]:
    """One daily bar, OHLC consistent by construction."""
    close = raw_close(symbol, day)
    opens = round(close * (1 - 0.003 * math.cos(day.day)), 4)
    return {
        "o": opens,
        "h": round(max(opens, close) * 1.004, 4),
        "l": round(min(opens, close) * 0.996, 4),
        "c": close,
        "v": 1_000_000.0 + day.day * 1000,
    }


def minute_bar(symbol: str, minute: pd.Timestamp) -> dict[str, float]:
    """One minute bar: the session's open drifting towards its close."""
    day = minute.tz_convert(NY).tz_localize(None).normalize().tz_localize("UTC")
    daily = raw_bar(symbol, day)
    opens, closes = session_bounds(day)
    t = (minute - pd.Timestamp(opens)) / (pd.Timestamp(closes) - pd.Timestamp(opens))
    price = round(daily["o"] + (daily["c"] - daily["o"]) * t + 0.01 * math.sin(minute.minute), 4)
    return {
        "o": price,
        "h": round(price * 1.0005, 4),
        "l": round(price * 0.9995, 4),
        "c": price,
        "v": 1000.0 + minute.minute,
    }


def day_stamp(day: pd.Timestamp) -> pd.Timestamp:
    """The provider's stamp of a daily bar: midnight New York, as an instant."""
    return pd.Timestamp(day.date()).tz_localize(NY).tz_convert("UTC")


@dataclass
class FakeAccount:
    """One Alpaca account: equity by session, fills, orders and positions."""

    funded: dt.date = dt.date(2024, 1, 2)
    fills: list[dict[str, object]] = field(default_factory=list)
    orders: dict[str, dict[str, object]] = field(default_factory=dict)
    status: str = "ACTIVE"

    def equity(self, day: pd.Timestamp) -> float:
        """Equity at the close of `day` (0 before the account was funded)."""
        if day.date() < self.funded:
            return 0.0
        i = (day.tz_localize(None) - pd.Timestamp(self.funded)).days
        return round(100_000 * (1 + 0.0005 * i) * (1 + 0.01 * math.sin(i / 5)), 2)

    def minute_equity(self, minute: pd.Timestamp) -> float:
        """Intraday equity: the day's close plus a small wiggle."""
        day = minute.tz_convert(NY).tz_localize(None).normalize().tz_localize("UTC")
        return round(self.equity(day) + 10 * math.sin(minute.minute / 3), 2)

    def add_fill(
        self,
        ts: dt.datetime,
        symbol: str,
        side: str,
        qty: float,
        price: float,
        client_order_id: str,
    ) -> dict[str, object]:
        """Record an order and its fill (as the activities and orders endpoints will show them)."""
        order_id = str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"order-{len(self.orders)}-{client_order_id}")
        )
        stamp = ts.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        submitted = (
            (ts - dt.timedelta(seconds=2)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        )
        self.orders[order_id] = _order(
            order_id, client_order_id, submitted, symbol, side, qty, price
        )
        fill = {
            "id": f"{ts.astimezone(dt.UTC):%Y%m%d%H%M%S%f}::{uuid.uuid5(NAMESPACE, order_id)}",
            "activity_type": "FILL",  # the Trading API's shape: no account_id, no order_status
            "transaction_time": stamp,
            "type": "fill",
            "price": str(price),
            "qty": str(qty),
            "side": side,
            "symbol": symbol,
            "leaves_qty": "0",
            "order_id": order_id,
            "cum_qty": str(qty),
        }
        self.fills.append(fill)
        return fill


def _order(
    order_id: str, client_id: str, submitted: str, symbol: str, side: str, qty: float, price: float
) -> dict[str, object]:
    return {
        "id": order_id,
        "client_order_id": client_id,
        "created_at": submitted,
        "updated_at": submitted,
        "submitted_at": submitted,
        "filled_at": submitted,
        "asset_id": str(uuid.uuid5(uuid.NAMESPACE_URL, symbol)),
        "symbol": symbol,
        "asset_class": "us_equity",
        "qty": str(qty),
        "filled_qty": str(qty),
        "filled_avg_price": str(price),
        "order_class": "",
        "order_type": "market",
        "type": "market",
        "side": side,
        "time_in_force": "day",
        "status": "filled",
        "extended_hours": False,
        "legs": None,
    }


def sessions(start: dt.date | str, end: dt.date | str) -> pd.DatetimeIndex:
    """XNYS sessions from `start` to `end`, at midnight UTC."""
    return trading_days(pd.Timestamp(start), pd.Timestamp(end))


def account_body(account: FakeAccount, today: pd.Timestamp) -> dict[str, Any]:
    """GET /v2/account."""
    equity = str(account.equity(today))
    return {
        "id": ACCOUNT_ID,
        "account_number": "PA3FAKE00001",
        "status": account.status,
        "crypto_status": "ACTIVE",
        "currency": "USD",
        "buying_power": equity,
        "cash": "1000.00",
        "portfolio_value": equity,
        "equity": equity,
        "last_equity": equity,
        "trading_blocked": False,
        "transfers_blocked": False,
        "account_blocked": False,
        "created_at": "2024-01-02T14:00:00Z",
        "trade_suspended_by_user": False,
        "multiplier": "1",
        "shorting_enabled": False,
        "long_market_value": equity,
        "short_market_value": "0",
        "initial_margin": "0",
        "maintenance_margin": "0",
        "last_maintenance_margin": "0",
        "sma": "0",
        "pattern_day_trader": False,
        "daytrade_count": 0,
        "accrued_fees": "0",
        "pending_transfer_in": "0",
    }


def position_body() -> dict[str, Any]:
    """One item of GET /v2/positions."""
    return {
        "asset_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "SPY")),
        "symbol": "SPY",
        "exchange": "ARCA",
        "asset_class": "us_equity",
        "asset_marginable": True,
        "qty": "10",
        "avg_entry_price": "400.00",
        "side": "long",
        "market_value": "4100.00",
        "cost_basis": "4000.00",
        "unrealized_pl": "100.00",
        "unrealized_plpc": "0.025",
        "unrealized_intraday_pl": "5.00",
        "unrealized_intraday_plpc": "0.0012",
        "current_price": "410.00",
        "lastday_price": "409.50",
        "change_today": "0.0012",
        "qty_available": "10",
    }
