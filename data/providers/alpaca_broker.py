"""Alpaca paper/live accounts through `TradingClient`: equity history, fills, positions, status.

alpaca-py's TradingClient has no account-activities method (only the Broker API client does), so
fills come from its generic `get()` on /account/activities/FILL, paged with `page_token`. They and
the positions are read from the raw JSON, field by field: the library's models are the Broker
API's (a fill there must carry `account_id` and `order_status`, which the Trading API omits; a
position's exchange must be one the library lists), so a legitimate answer could fail them. Fills
carry no client order id: it is looked up on the orders, in bulk first and one by one for orders
placed before the window.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
from alpaca.common.enums import Sort
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import QueryOrderStatus
from alpaca.trading.models import Order
from alpaca.trading.requests import GetOrdersRequest, GetPortfolioHistoryRequest

from data.providers.alpaca import guard_client
from data.providers.base import AccountInfo, Fill, IncompleteData, PositionInfo, session_index
from data.providers.checks import check_sessions, check_window
from data.providers.resilience import CircuitBreaker, Guard, RetryPolicy
from data.providers.sessions import last_session_before_today
from data.schema import Resolution

T = TypeVar("T")
FILL_PAGE = 100  # the endpoint's maximum page size
ORDER_PAGE = 500  # the orders endpoint's maximum
NY = "America/New_York"


class AlpacaBroker:
    """One Alpaca trading account (the one the keys belong to)."""

    name = "alpaca"

    def __init__(
        self,
        api_key_id: str,
        secret_key: str,
        *,
        paper: bool = True,
        trading_url: str | None = None,
        timeout: float = 10.0,
        policy: RetryPolicy | None = None,
        circuit: CircuitBreaker | None = None,
    ) -> None:
        url = trading_url.rstrip("/") if trading_url else None
        self._client = TradingClient(api_key_id, secret_key, paper=paper, url_override=url)
        guard_client(self._client, Guard("alpaca-trading", policy, circuit), timeout)

    def account(self) -> AccountInfo:
        """The account's number, status, equity and cash."""
        info: Any = _parsed(self._client.get_account, "alpaca account")
        return AccountInfo(
            account_number=info.account_number,
            status=str(getattr(info.status, "value", info.status)),
            equity=_number(info.equity),
            cash=_number(info.cash),
            trading_blocked=bool(info.trading_blocked or info.account_blocked),
        )

    def positions(self) -> list[PositionInfo]:
        """Open positions."""
        found = self._client.get("/positions")
        if not isinstance(found, list):
            raise IncompleteData("alpaca positions: the answer is not a list")
        return [_position(item) for item in found]

    def equity_history(
        self, start: dt.datetime, end: dt.datetime, resolution: Resolution
    ) -> pd.Series:
        """Portfolio equity: daily by session, or minute points in market hours."""
        daily = Resolution(resolution) is Resolution.DAILY
        what = f"alpaca equity {'daily' if daily else 'intraday'}"
        if daily:  # ask from the first day's midnight in New York, where Alpaca's days begin
            start = pd.Timestamp(start.date()).tz_localize(NY).to_pydatetime()
        request = GetPortfolioHistoryRequest(
            timeframe="1D" if daily else "1Min",
            start=start,
            end=end,
            intraday_reporting=None if daily else "market_hours",
        )
        # raw JSON: the library model rejects the nulls Alpaca sends before an account is funded
        raw = self._client.get("/account/portfolio/history", request.to_request_fields())
        series = _equity(raw, what)
        if daily:  # today's point is not required: it may come only after end-of-day processing
            series.index = session_index(series.index)
            series = series.loc[pd.Timestamp(start.date(), tz="UTC") :]
            end_day = pd.Timestamp(end).tz_convert(NY).date()
            final = last_session_before_today(end)
            check_sessions(series.index, start.date(), end_day, what, late_start=True, until=final)
            return series
        check_window(series.index, start, end, what)
        return series

    def fills(self, after: dt.datetime, until: dt.datetime) -> list[Fill]:
        """Fills with a transaction time in (`after`, `until`], oldest first, every page read."""
        found: list[Fill] = []
        token: str | None = None
        while True:
            params = {
                "after": after.isoformat(),
                "until": until.isoformat(),
                "direction": "asc",
                "page_size": FILL_PAGE,
            }
            if token is not None:
                params["page_token"] = token
            page = self._client.get("/account/activities/FILL", params)
            if not isinstance(page, list):
                raise IncompleteData("alpaca fills: a page is not a list of activities")
            found += [_fill(item) for item in page]
            if len(page) < FILL_PAGE:
                break
            if page[-1].get("id") == token:
                raise IncompleteData("alpaca fills: pagination does not advance")
            token = page[-1].get("id")
        if len({f.fill_id for f in found}) != len(found):
            raise IncompleteData("alpaca fills: the same fill appeared twice across pages")
        return found

    def client_order_ids(self, order_ids: set[str], since: dt.datetime) -> dict[str, str]:
        """Client order ids by order id: orders listed since `since`, then the rest one by one."""
        found = self._list_orders(since - dt.timedelta(days=1))
        for order_id in sorted(order_ids - found.keys()):
            order: Any = _parsed(lambda oid=order_id: self._client.get_order_by_id(oid), "order")
            found[str(order.id)] = order.client_order_id
        return {k: v for k, v in found.items() if k in order_ids}

    def _list_orders(self, after: dt.datetime) -> dict[str, str]:
        found: dict[str, str] = {}
        while True:
            request = GetOrdersRequest(
                status=QueryOrderStatus.ALL, after=after, direction=Sort.ASC, limit=ORDER_PAGE
            )
            orders: list[Order] = _parsed(lambda r=request: self._client.get_orders(r), "orders")  # type: ignore[assignment]
            found.update({str(o.id): o.client_order_id for o in orders})
            if len(orders) < ORDER_PAGE:
                return found
            # `after` is exclusive: step back a hair so orders sharing the last stamp are not lost
            following = orders[-1].submitted_at - dt.timedelta(milliseconds=1)
            if following <= after:
                return found
            after = following


def _parsed(fetch: Callable[[], T], what: str) -> T:
    """Call an alpaca-py method, turning its model-validation errors into IncompleteData."""
    try:
        return fetch()
    except (ValueError, TypeError, KeyError) as error:
        raise IncompleteData(f"alpaca {what}: malformed response: {error}") from error


def _equity(raw: object, what: str) -> pd.Series:
    """Equity points; nulls/zeros before funding, trailing nulls dropped, others refused."""
    if not isinstance(raw, dict):
        raise IncompleteData(f"{what}: response is not an object")
    stamps, values = raw.get("timestamp"), raw.get("equity")
    if not isinstance(stamps, list) or not isinstance(values, list) or len(stamps) != len(values):
        raise IncompleteData(f"{what}: timestamp and equity lists do not match")
    index = pd.DatetimeIndex(pd.to_datetime(stamps, unit="s", utc=True)).as_unit("us")
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    series = pd.Series(numbers.to_numpy(float), index=index)
    funded = (series > 0).to_numpy()
    if not funded.any():
        return series.iloc[:0]
    last = len(series) - int(series.notna().to_numpy()[::-1].argmax())  # trailing nulls: not yet
    series = series.iloc[int(funded.argmax()) : last]
    emptied = (series <= 0).to_numpy()
    if emptied.any() and not series.isna().any() and emptied[int(emptied.argmax()) :].all():
        day = series.index[int(emptied.argmax())].date()
        raise IncompleteData(
            f"{what}: the account's equity is 0 from {day} on (emptied or closed); returns past "
            "that day are undefined: retire its strategy or remove the account from the mapping"
        )
    if series.isna().any() or emptied.any():
        raise IncompleteData(
            f"{what}: a missing or non-positive equity after the account was funded"
        )
    if not series.index.is_monotonic_increasing or series.index.has_duplicates:
        raise IncompleteData(f"{what}: timestamps are not sorted and unique")
    return series


SIDES = {"buy": "buy", "sell": "sell", "sell_short": "sell"}  # a short sale is a sale


def _fill(item: object) -> Fill:
    """A FILL (or partial fill) activity from its JSON; anything missing or odd is refused."""
    try:
        if not isinstance(item, dict):
            raise TypeError("not an object")
        ids = [item["id"], item["order_id"], item["symbol"]]
        if not all(isinstance(v, str) and v for v in ids):
            raise ValueError("id, order_id and symbol must be non-empty text")
        quantity, price = float(item["qty"]), float(item["price"])
        stamp = pd.Timestamp(item["transaction_time"])
        if stamp is pd.NaT or stamp.tzinfo is None:
            raise ValueError("transaction_time must be a time with its zone")
        fill = Fill(
            fill_id=item["id"],
            order_id=item["order_id"],
            ts=stamp.tz_convert("UTC").to_pydatetime(),
            symbol=item["symbol"],
            side=SIDES[str(item["side"]).lower()],
            quantity=quantity,
            price=price,
        )
    except (KeyError, ValueError, TypeError) as error:
        raise IncompleteData(
            f"alpaca fills: malformed activity {item!r:.200}: {error!r}"
        ) from error
    if not (0 < fill.quantity < math.inf and 0 < fill.price < math.inf):
        raise IncompleteData(f"alpaca fills: activity {fill.fill_id!r} has no quantity or price")
    return fill


def _position(item: object) -> PositionInfo:
    """An open position from its JSON: symbol, signed quantity, market value, unrealized P&L."""
    try:
        if not isinstance(item, dict) or not isinstance(item["symbol"], str):
            raise TypeError("not an object with a symbol")
        return PositionInfo(
            item["symbol"],
            float(item["qty"]),
            _number(item.get("market_value")),
            _number(item.get("unrealized_pl")),
        )
    except (KeyError, ValueError, TypeError) as error:
        raise IncompleteData(
            f"alpaca positions: malformed position {item!r:.200}: {error!r}"
        ) from error


def _number(value: object) -> float | None:
    return None if value in (None, "") else float(value)  # type: ignore[arg-type]
