"""Alpaca market data (`StockHistoricalDataClient`), and the guarded session both adapters use.

The client's traps: its requests.Session has no timeout; it retries 429/504 itself with a fixed,
real `time.sleep(3)`; errors surface as `APIError(body)` without Retry-After. Its session is
replaced by one that sets a timeout, checks every body and sends each request through our Guard,
and its own retry loop is switched off.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import requests
from alpaca.common.rest import RESTClient
from alpaca.data.enums import Adjustment, DataFeed
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.requests import StockBarsRequest
from alpaca.data.timeframe import TimeFrame
from requests.adapters import HTTPAdapter

from data.providers.base import (
    IncompleteData,
    MalformedResponse,
    PermanentError,
    TransientError,
    bars_frame,
    session_index,
)
from data.providers.checks import check_bars, check_sessions, check_window
from data.providers.resilience import CircuitBreaker, Guard, RetryPolicy, http_error

RETRYABLE = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


MAX_PAGES = 10_000  # far beyond any real listing; a guard against a provider that never ends


class GuardedSession(requests.Session):
    """A requests session with a default timeout, no hidden retries, and a Guard on each call."""

    def __init__(self, guard: Guard, timeout: float) -> None:
        super().__init__()
        self._guard, self._timeout = guard, timeout
        self._tokens: set[str] = set()
        for scheme in ("http://", "https://"):
            self.mount(scheme, HTTPAdapter(max_retries=0))

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        """Send through the guard; answer only with a 2xx whose body is JSON."""
        kwargs.setdefault("timeout", self._timeout)
        self._check_pagination(kwargs.get("params"))
        return self._guard.call(lambda: self._send(method, url, args, kwargs))

    def _check_pagination(self, params: object) -> None:
        """alpaca-py follows page tokens blindly: a repeated token would loop forever."""
        token = params.get("page_token") if isinstance(params, dict) else None
        if token is None:  # a listing's first page
            self._tokens = set()
            return
        if token in self._tokens or len(self._tokens) >= MAX_PAGES:
            raise IncompleteData(
                f"{self._guard.name}: pagination repeats or runs past {MAX_PAGES} pages"
            )
        self._tokens.add(token)

    def _send(self, method: Any, url: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        name = self._guard.name
        try:
            response = super().request(method, url, *args, **kwargs)
        except RETRYABLE as error:
            raise TransientError(f"{name}: {type(error).__name__}: {error}") from error
        except requests.RequestException as error:
            raise PermanentError(f"{name}: {type(error).__name__}: {error}") from error
        if not 200 <= response.status_code < 300:
            raise http_error(name, response.status_code, response.headers, response.content)
        try:
            response.json()
        except ValueError as error:
            raise MalformedResponse(f"{name}: response body is not valid JSON") from error
        return response


def guard_client(client: RESTClient, guard: Guard, timeout: float) -> None:
    """Give an alpaca-py client our session and turn off its own retry loop."""
    client._session = GuardedSession(guard, timeout)
    client._retry = 0  # its constructor refuses 0, so set it after


class AlpacaMarketData:
    """Daily and minute benchmark bars from Alpaca, adjusted for splits and dividends."""

    name = "alpaca"

    def __init__(
        self,
        api_key_id: str,
        secret_key: str,
        *,
        data_url: str | None = None,
        feed: str | None = None,
        timeout: float = 10.0,
        policy: RetryPolicy | None = None,
        circuit: CircuitBreaker | None = None,
    ) -> None:
        url = data_url.rstrip("/") if data_url else None
        self._client = StockHistoricalDataClient(api_key_id, secret_key, url_override=url)
        guard_client(self._client, Guard("alpaca-data", policy, circuit), timeout)
        self._feed = DataFeed(feed) if feed else None
        # Daily bars come from the consolidated tape: an IEX-only day lacks sessions without an
        # IEX trade and closes at the last IEX print; settled days are readable on every plan.
        self._daily_feed = DataFeed.SIP if self._feed in (None, DataFeed.IEX) else self._feed

    def daily_bars(
        self, symbol: str, start: dt.date, end: dt.date, *, adjusted: bool = True
    ) -> pd.DataFrame:
        """Daily bars, one per session (see checks.check_sessions), adjusted for splits and
        dividends, or as traded (`adjusted=False`)."""
        what = f"alpaca {symbol} daily"
        first = dt.datetime.combine(start, dt.time(), dt.UTC)
        # daily bars are stamped at midnight New York: noon UTC takes the last one and stays in
        # the past (plans without recent SIP data refuse an `end` in the last 15 minutes)
        last = dt.datetime.combine(end, dt.time(12), dt.UTC)
        bars = self._bars(symbol, TimeFrame.Day, first, last, adjusted, feed=self._daily_feed)
        frame = check_bars(_frame(bars, what, daily=True), what)
        check_sessions(frame.index, start, end, what, late_start=True)
        return frame

    def minute_bars(self, symbol: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Adjusted minute bars whose start lies in [`start`, `end`]."""
        what = f"alpaca {symbol} minute"
        frame = check_bars(_frame(self._bars(symbol, TimeFrame.Minute, start, end), what), what)
        check_window(frame.index, start, end, what)
        return frame

    def _bars(
        self,
        symbol: str,
        timeframe: TimeFrame,
        start: dt.datetime,
        end: dt.datetime,
        adjusted: bool = True,
        *,
        feed: DataFeed | None = None,
    ) -> list[Any]:
        request = StockBarsRequest(
            symbol_or_symbols=symbol,
            timeframe=timeframe,
            start=start,
            end=end,
            adjustment=Adjustment.ALL if adjusted else Adjustment.RAW,
            feed=feed or self._feed,
        )
        try:
            barset = self._client.get_stock_bars(request)
        except (ValueError, TypeError, KeyError, AttributeError) as error:  # pydantic and shapes
            raise IncompleteData(f"alpaca {symbol}: malformed bars: {error}") from error
        return list(barset.data.get(symbol, []))  # type: ignore[union-attr]


def _frame(bars: list[Any], what: str, *, daily: bool = False) -> pd.DataFrame:
    stamps = pd.DatetimeIndex(
        [pd.Timestamp(b.timestamp) for b in bars], dtype="datetime64[us, UTC]"
    )
    if stamps.hasnans:
        raise IncompleteData(f"{what}: a bar has no timestamp")
    index = session_index(stamps) if daily else stamps
    rows = [
        {"open": b.open, "high": b.high, "low": b.low, "close": b.close, "volume": b.volume}
        for b in bars
    ]
    return bars_frame(rows, index)
