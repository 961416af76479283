"""The fake providers' endpoints: request parsing, auth, pagination and response bodies."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

import pandas as pd

from data.providers.sessions import session_bounds
from tests.providers.fake_market import (
    FakeAccount,
    account_body,
    day_stamp,
    minute_bar,
    position_body,
    raw_bar,
    raw_close,
    sessions,
)

AGGS = re.compile(
    r"^/v2/aggs/ticker/(?P<ticker>[^/]+)/range/(?P<mult>\d+)/(?P<span>\w+)/(?P<lo>[^/]+)/(?P<hi>[^/]+)$"
)
Response = tuple[int, Any]


def _rid() -> str:
    return uuid.uuid4().hex


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset={offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    return int(base64.urlsafe_b64decode(cursor).decode().split("=")[1]) if cursor else 0


def _iso(ts: pd.Timestamp) -> str:
    return ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


class Routes:
    """What the fakes serve, as of `now()`; tests change the attributes to stage scenarios."""

    def __init__(self, now: Callable[[], dt.datetime], keys: tuple[str, str, str]) -> None:
        self.now = now
        self.massive_key, self.alpaca_key, self.alpaca_secret = keys
        self.base_url = ""
        self.page_size = 100
        self.dividends: dict[str, list[tuple[dt.date, float]]] = {}
        self.missing: dict[str, set[dt.date]] = {}
        self.account = FakeAccount()

    def dispatch(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Response:
        """Route one GET."""
        if path.startswith(("/v2/aggs/", "/stocks/v1/")):
            if headers.get("authorization") != f"Bearer {self.massive_key}" and (
                query.get("apiKey") != self.massive_key
            ):
                return 401, {"status": "ERROR", "request_id": _rid(), "error": "Unknown API Key"}
            return self._massive(path, query)
        if (headers.get("apca-api-key-id"), headers.get("apca-api-secret-key")) != (
            self.alpaca_key,
            self.alpaca_secret,
        ):
            return 401, {"code": 40110000, "message": "request is not authorized"}
        return self._alpaca(path, query)

    # ---- bars, as either provider computes them

    def daily(
        self, symbol: str, lo: dt.date, hi: dt.date, adjusted: bool = False
    ) -> list[tuple[pd.Timestamp, dict[str, float]]]:
        """Daily bars for sessions in [lo, hi] that have opened by now (today's is partial)."""
        skip = self.missing.get(symbol, set())
        now = pd.Timestamp(self.now())
        out = []
        for day in sessions(lo, hi):
            if day.date() in skip or (day.date() >= now.date() and _opened_after(day, now)):
                continue
            bar = raw_bar(symbol, day)
            if adjusted:
                factor = self.factor(symbol, day)
                bar = {k: (v * factor if k != "v" else v) for k, v in bar.items()}
            out.append((day, bar))
        return out

    def factor(self, symbol: str, day: pd.Timestamp) -> float:
        """Dividend adjustment of `day`'s prices, from every ex-date after it up to today."""
        factor = 1.0
        today = pd.Timestamp(self.now()).date()
        for ex_date, amount in self.dividends.get(symbol, []):
            ex = pd.Timestamp(ex_date, tz="UTC")
            if day < ex and ex_date <= today:
                prior = sessions(ex_date - dt.timedelta(days=10), ex_date - dt.timedelta(days=1))[
                    -1
                ]
                factor *= 1 - amount / raw_close(symbol, prior)
        return factor

    def minutes(
        self, symbol: str, lo: pd.Timestamp, hi: pd.Timestamp
    ) -> list[tuple[pd.Timestamp, dict[str, float]]]:
        """Minute bars with starts in [lo, hi] that have begun by now."""
        now = pd.Timestamp(self.now())
        out = []
        for day in sessions(
            lo.tz_convert("America/New_York").date(), hi.tz_convert("America/New_York").date()
        ):
            opens, closes = session_bounds(day)
            for minute in pd.date_range(opens, closes, freq="1min", inclusive="left"):
                if lo <= minute <= hi and minute <= now:
                    out.append((minute, minute_bar(symbol, minute)))
        return out

    # ---- Massive

    def _massive(self, path: str, query: dict[str, str]) -> Response:
        if path == "/stocks/v1/dividends":
            return self._massive_dividends(path, query)
        match = AGGS.match(path)
        if match is None:
            return 404, {"status": "NOT_FOUND", "request_id": _rid(), "message": "Not found"}
        ticker, span, lo, hi = match["ticker"], match["span"], match["lo"], match["hi"]
        if span == "day":
            bars = self.daily(ticker, dt.date.fromisoformat(lo), dt.date.fromisoformat(hi))
            rows = [{**b, "t": int(day_stamp(d).timestamp() * 1000), "n": 100} for d, b in bars]
        else:
            lo_ts, hi_ts = (pd.Timestamp(int(x), unit="ms", tz="UTC") for x in (lo, hi))
            bars = self.minutes(ticker, lo_ts, hi_ts)
            rows = [{**b, "t": int(m.timestamp() * 1000), "n": 10} for m, b in bars]
        if ticker.startswith("I:"):  # an index's aggregates: prices only, no volume or trades
            rows = [
                {k: v for k, v in row.items() if k in {"o", "h", "l", "c", "t"}} for row in rows
            ]
        body = self._massive_page(path, query, rows)
        body.update(ticker=ticker, queryCount=len(rows), adjusted=query.get("adjusted") == "true")
        return 200, body

    def _massive_page(
        self, path: str, query: dict[str, str], rows: list[dict[str, Any]]
    ) -> dict[str, Any]:
        offset = _offset(query.get("cursor"))
        limit = min(int(query.get("limit", 5000)), self.page_size)
        page = rows[offset : offset + limit]
        body: dict[str, Any] = {
            "status": "OK",
            "request_id": _rid(),
            "resultsCount": len(page),
            "count": len(page),
        }
        if page:
            body["results"] = page
        if offset + limit < len(rows):
            rest = {k: v for k, v in query.items() if k not in ("cursor", "apiKey")}
            extra = "".join(f"&{k}={v}" for k, v in rest.items())
            body["next_url"] = (
                f"https://api.massive.com{path}?cursor={_cursor(offset + limit)}{extra}"
            )
        return body

    def _massive_dividends(self, path: str, query: dict[str, str]) -> Response:
        ticker = query.get("ticker", "")
        lo = dt.date.fromisoformat(query.get("ex_dividend_date.gte", "1900-01-01"))
        hi = dt.date.fromisoformat(query.get("ex_dividend_date.lte", "2999-12-31"))
        rows = [
            {
                "id": f"E{ticker}{ex:%Y%m%d}",
                "ticker": ticker,
                "ex_dividend_date": ex.isoformat(),
                "declaration_date": (ex - dt.timedelta(days=14)).isoformat(),
                "record_date": ex.isoformat(),
                "pay_date": (ex + dt.timedelta(days=7)).isoformat(),
                "cash_amount": amount,
                "split_adjusted_cash_amount": amount,
                "currency": "USD",
                "frequency": 4,
                "distribution_type": "recurring",
                "historical_adjustment_factor": 1.0,
            }
            for ex, amount in sorted(self.dividends.get(ticker, []))
            if lo <= ex <= hi
        ]
        return 200, self._massive_page(path, query, rows)

    # ---- Alpaca

    def _alpaca(self, path: str, query: dict[str, str]) -> Response:
        if path == "/v2/stocks/bars":
            return self._alpaca_bars(query)
        if path == "/v2/account":
            return 200, account_body(self.account, pd.Timestamp(self.now()).normalize())
        if path == "/v2/positions":
            return 200, [position_body()]
        if path == "/v2/account/portfolio/history":
            return self._history(query)
        if path == "/v2/account/activities/FILL":
            return self._fills(query)
        if path == "/v2/orders":
            after = pd.Timestamp(query.get("after", "1970-01-01T00:00:00Z"))
            found = [o for o in self._orders() if pd.Timestamp(o["submitted_at"]) > after]
            return 200, found[: int(query.get("limit", 50))]
        if path.startswith("/v2/orders/"):
            order = self.account.orders.get(path.rsplit("/", 1)[1])
            if order is None:
                return 404, {"code": 40410000, "message": "order not found"}
            return 200, order
        return 404, {"code": 40410000, "message": "endpoint not found"}

    def _alpaca_bars(self, query: dict[str, str]) -> Response:
        symbols = query["symbols"].split(",")
        start, end = pd.Timestamp(query["start"]), pd.Timestamp(query["end"])
        adjusted = query.get("adjustment") == "all"
        result: dict[str, list[dict[str, Any]]] = {}
        rows: list[tuple[str, dict[str, Any]]] = []
        for symbol in symbols:
            if query["timeframe"] == "1Day":
                bars = [
                    (day_stamp(d), b)
                    for d, b in self.daily(symbol, start.date(), end.date(), adjusted)
                ]
            else:
                bars = self.minutes(symbol, start, end)
            rows += [(symbol, {"t": _iso(t), **b, "n": 10, "vw": b["c"]}) for t, b in bars]
        offset = _offset(query.get("page_token"))
        limit = min(int(query.get("limit", 1000)), self.page_size)
        for symbol, bar in rows[offset : offset + limit]:
            result.setdefault(symbol, []).append(bar)
        token = _cursor(offset + limit) if offset + limit < len(rows) else None
        return 200, {"bars": result, "next_page_token": token}

    def _history(self, query: dict[str, str]) -> Response:
        start, end = pd.Timestamp(query["start"]), pd.Timestamp(query["end"])
        now = pd.Timestamp(self.now())
        if query.get("timeframe") == "1D":
            days = [
                d
                for d in sessions(
                    start.tz_convert("America/New_York").date(),
                    end.tz_convert("America/New_York").date(),
                )
                if d.date() < now.date() or not _opened_after(d, now)
            ]
            points = [(day_stamp(d), self.account.equity(d)) for d in days]
        else:
            points = [
                (m, self.account.minute_equity(m)) for m, _ in self.minutes("SPY", start, end)
            ]
        equity = [p[1] for p in points]
        base = next((e for e in equity if e > 0), 0.0)
        return 200, {
            "timestamp": [int(t.timestamp()) for t, _ in points],
            "equity": equity,
            "profit_loss": [round(e - base, 2) if e else 0.0 for e in equity],
            "profit_loss_pct": [round(e / base - 1, 6) if e and base else 0.0 for e in equity],
            "base_value": base,
            "base_value_asof": start.date().isoformat(),
            "timeframe": query.get("timeframe", "1D"),
            "cashflow": {},
        }

    def _fills(self, query: dict[str, str]) -> Response:
        after, until = pd.Timestamp(query["after"]), pd.Timestamp(query["until"])
        fills = sorted(self.account.fills, key=lambda f: (f["transaction_time"], f["id"]))
        fills = [f for f in fills if after < pd.Timestamp(f["transaction_time"]) <= until]
        token = query.get("page_token")
        if token:
            ids = [f["id"] for f in fills]
            fills = fills[ids.index(token) + 1 :] if token in ids else []
        return 200, fills[: int(query.get("page_size", 100))]

    def _orders(self) -> list[dict[str, Any]]:
        return sorted(self.account.orders.values(), key=lambda o: o["submitted_at"])


def _opened_after(day: pd.Timestamp, now: pd.Timestamp) -> bool:
    return pd.Timestamp(session_bounds(day)[0]) > now
