"""Massive (Polygon.io until October 2025) benchmark aggregates, through the `massive` client.

The client's traps, and what this adapter does about them:
- it retries inside urllib3 (sleeping for real) and hides status and Retry-After behind
  `BadResponse(body)`: its pool is wrapped so that every page goes through our Guard instead;
- it turns an invalid JSON page into a silently short result, and stops paginating when a page
  lacks `results`: every body is parsed here first, and the last page must have no `next_url`;
- urllib3 errors escape raw: they are mapped onto TransientError.
Aggregates are split-adjusted only (`adjusted=true`); dividends come from /stocks/v1/dividends.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import urllib3
from massive import RESTClient

from data.providers.base import (
    IncompleteData,
    MalformedResponse,
    TransientError,
    bars_frame,
    session_index,
)
from data.providers.checks import adjust_for_dividends, check_bars, check_sessions, check_window
from data.providers.resilience import CircuitBreaker, Guard, RetryPolicy, http_error

DEFAULT_BASE_URL = "https://api.massive.com"
AGGS_LIMIT = 50_000  # the endpoint's maximum: ten years of daily bars in one page
MAX_PAGES = 10_000  # far beyond any real listing; a guard against a provider that never ends


class _GuardedPool:
    """Stands in for the client's urllib3 pool: one guarded request per page, its JSON checked."""

    def __init__(self, pool: urllib3.PoolManager, guard: Guard) -> None:
        self._pool, self._guard = pool, guard
        self.last_page: dict[str, Any] | None = None
        self._seen: set[str] = set()

    def start_listing(self) -> None:
        """Forget the previous listing's pages."""
        self.last_page = None
        self._seen = set()

    def request(self, method: str, url: str, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        """Send through the guard; answer only with a 200 whose body is a JSON object."""
        # the client follows next_url blindly: a provider that repeats a page would loop forever
        if url in self._seen or len(self._seen) >= MAX_PAGES:
            raise IncompleteData(f"massive: pagination repeats or runs past {MAX_PAGES} pages")
        self._seen.add(url)
        return self._guard.call(lambda: self._send(method, url, kwargs))

    def _send(self, method: str, url: str, kwargs: dict[str, Any]) -> urllib3.BaseHTTPResponse:
        try:
            response = self._pool.request(method, url, **kwargs)
        except urllib3.exceptions.HTTPError as error:  # timeouts, resets, truncated bodies
            raise TransientError(f"massive: {type(error).__name__}: {error}") from error
        if response.status != 200:
            raise http_error("massive", response.status, response.headers, response.data)
        try:
            page = json.loads(response.data)
        except ValueError as error:
            raise MalformedResponse("massive: response body is not valid JSON") from error
        if not isinstance(page, dict) or page.get("status") == "ERROR":
            raise MalformedResponse(f"massive: unexpected response body {str(page)[:120]}")
        if "results" in page and not isinstance(page["results"], list):
            raise MalformedResponse(f"massive: `results` is not a list in {str(page)[:120]}")
        self.last_page = page
        return _listing_page(response, page)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


def _listing_page(response: urllib3.BaseHTTPResponse, page: dict[str, Any]) -> Any:
    """The page as the client should read it: a page with no `results` still leads on to its
    `next_url` (the client would stop there), and a null `next_url` ends the listing (the client
    would crash on it)."""
    if "next_url" in page and not page["next_url"]:
        del page["next_url"]
    elif "results" in page or "next_url" not in page:
        return response
    page.setdefault("results", [])
    body = json.dumps(page).encode()
    return urllib3.HTTPResponse(body=body, status=200, headers=response.headers)


class MassiveMarketData:
    """Daily and minute benchmark bars from Massive."""

    name = "massive"

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 10.0,
        policy: RetryPolicy | None = None,
        circuit: CircuitBreaker | None = None,
    ) -> None:
        client = RESTClient(
            api_key=api_key,
            base=base_url.rstrip("/"),
            connect_timeout=timeout,
            read_timeout=timeout,
            retries=0,
            pagination=True,
            connection_pool_kw={"retries": False},  # no urllib3 retries: the Guard owns them
        )
        self._pool = _GuardedPool(client.client, Guard("massive", policy, circuit))
        client.client = self._pool  # type: ignore[assignment]
        self._client = client

    def daily_bars(
        self, symbol: str, start: dt.date, end: dt.date, *, adjusted: bool = True
    ) -> pd.DataFrame:
        """Daily bars, one per session (see checks.check_sessions), adjusted for splits and
        dividends, or as traded (`adjusted=False`)."""
        what = f"massive {symbol} daily"
        span = (start.isoformat(), end.isoformat())
        aggs = self._aggs(symbol, "day", *span, what, adjusted=adjusted)
        frame = check_bars(_frame(aggs, what, daily=True, no_volume=symbol.startswith("I:")), what)
        check_sessions(frame.index, start, end, what, late_start=True)
        if not adjusted or symbol.startswith("I:") or frame.empty:  # an index has no dividends
            return frame
        return adjust_for_dividends(frame, self._dividends(symbol, start, end), what)

    def minute_bars(self, symbol: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Split-adjusted minute bars whose start lies in [`start`, `end`]."""
        what = f"massive {symbol} minute"
        aggs = self._aggs(symbol, "minute", start, end, what)
        frame = check_bars(_frame(aggs, what, no_volume=symbol.startswith("I:")), what)
        check_window(frame.index, start, end, what)
        return frame

    def _aggs(
        self, symbol: str, span: str, start: object, end: object, what: str, adjusted: bool = True
    ) -> list[Any]:
        self._pool.start_listing()
        pages = self._client.list_aggs(
            symbol, 1, span, start, end, adjusted=adjusted, sort="asc", limit=AGGS_LIMIT
        )
        aggs = list(pages)
        self._require_end(what)
        return aggs

    def _dividends(
        self, symbol: str, start: dt.date, end: dt.date
    ) -> list[tuple[pd.Timestamp, float]]:
        what = f"massive {symbol} dividends"
        self._pool.start_listing()
        items = list(
            self._client.list_stocks_dividends(
                ticker=symbol,
                ex_dividend_date_gte=start.isoformat(),
                ex_dividend_date_lte=end.isoformat(),
                limit=1000,
                sort="ex_dividend_date.asc",
            )
        )
        self._require_end(what)
        dividends = []
        for item in items:
            amount = item.split_adjusted_cash_amount
            amount = item.cash_amount if amount is None else amount
            if item.ex_dividend_date is None or amount is None:
                raise IncompleteData(f"{what}: a dividend lacks its ex-date or amount")
            dividends.append((pd.Timestamp(item.ex_dividend_date, tz="UTC"), float(amount)))
        return dividends

    def _require_end(self, what: str) -> None:
        """The client stops quietly on a page without results; insist pagination really ended."""
        page = self._pool.last_page
        if page is None:
            raise IncompleteData(f"{what}: no response was received")
        if page.get("next_url"):
            raise IncompleteData(f"{what}: pagination stopped before its last page")


def _frame(
    aggs: list[Any], what: str, *, daily: bool = False, no_volume: bool = False
) -> pd.DataFrame:
    """Bars from aggregates; an index (`I:SPX`) trades no volume, so its bars carry none."""
    stamps = pd.to_datetime([a.timestamp for a in aggs], unit="ms", utc=True)
    if stamps.hasnans:
        raise IncompleteData(f"{what}: a bar has no timestamp")
    when = session_index(stamps) if daily else pd.DatetimeIndex(stamps).as_unit("us")
    rows = [
        {
            "open": a.open,
            "high": a.high,
            "low": a.low,
            "close": a.close,
            "volume": 0.0 if no_volume and a.volume is None else a.volume,
        }
        for a in aggs
    ]
    return bars_frame(rows, when)
