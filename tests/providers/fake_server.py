"""A local fake of the Massive and Alpaca REST APIs that speaks their real JSON.

Endpoints (paths, parameters, auth headers, pagination and error bodies as the real services):
- Massive: /v2/aggs/ticker/{t}/range/{m}/{span}/{from}/{to} (next_url, cursor),
  /stocks/v1/dividends;
  auth by `Authorization: Bearer KEY` or `?apiKey=KEY`.
- Alpaca data: /v2/stocks/bars (next_page_token); trading: /v2/account, /v2/positions,
  /v2/account/portfolio/history, /v2/account/activities/FILL (page_token), /v2/orders[/{id}];
  auth by APCA-API-KEY-ID / APCA-API-SECRET-KEY.
Faults are queued per path and consumed in order: a status with a body and Retry-After, a delay,
a truncated or invalid body, a dropped connection.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.providers.fake_routes import Routes

MASSIVE_KEY = "massive-test-key"
ALPACA_KEY, ALPACA_SECRET = "PKTESTKEY", "alpaca-test-secret"


@dataclass
class Fault:
    """One injected misbehaviour for requests whose path contains `match`."""

    match: str = "/"
    status: int = 0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate: bool = False
    invalid: bool = False
    drop: bool = False
    payload: Any = None  # replace the whole successful body
    times: int = 1
    skip: int = 0  # matching requests to let through first (e.g. to fail the second page)


@dataclass
class Seen:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float


class FakeProviders:
    """Both fake services on one local port; `routes` holds the data they serve."""

    def __init__(self, routes: Routes) -> None:
        self.routes = routes
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        routes.base_url = self.url

    @property
    def url(self) -> str:
        """The base URL of both fakes, e.g. http://127.0.0.1:54321."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeProviders:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def fail(self, fault: Fault) -> None:
        """Queue a fault."""
        with self._lock:
            self.faults.append(fault)

    def requests_to(self, part: str) -> list[Seen]:
        """Requests whose path contains `part`."""
        with self._lock:
            return [s for s in self.seen if part in s.path]

    def take_fault(self, path: str) -> Fault | None:
        """The first queued fault matching `path`, consumed once."""
        with self._lock:
            for fault in self.faults:
                if fault.match in path and fault.skip > 0:
                    fault.skip -= 1
                    return None
                if fault.match in path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def record(self, seen: Seen) -> None:
        """Log a request."""
        with self._lock:
            self.seen.append(seen)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that timed out and hung up is part of the scenario, not an error."""
        error = sys.exc_info()[1]
        if not isinstance(error, (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def _handler(fake: FakeProviders) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake.record(Seen("GET", parts.path, query, headers, time.monotonic()))
            fault = fake.take_fault(parts.path)
            if fault is not None and fault.delay:
                time.sleep(fault.delay)
            if fault is not None and fault.drop:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault is not None and fault.status:
                return self._send(fault.status, fault.body, fault.headers)
            status, body = fake.routes.dispatch(parts.path, query, headers)
            if fault is not None and fault.payload is not None and status == 200:
                body = fault.payload
            self._send(status, body, {}, fault)

        def _send(
            self, status: int, body: Any, headers: dict[str, str], fault: Fault | None = None
        ) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            length = len(data)
            if fault is not None and fault.invalid:
                data = data.replace(b'"', b"'", 3)
                length = len(data)
            if fault is not None and fault.truncate:
                data = data[: len(data) // 2]  # the header promises more than is sent
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(length))
            for name, value in headers.items():
                self.send_header(name, value)
            if fault is not None and fault.truncate:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)

    return Handler
