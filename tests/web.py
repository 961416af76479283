"""The one Dash app of the test process (Dash keeps global registries), with an account per role."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import dash
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from app.api import bp as api_bp
from app.auth import init_auth
from app.factory import attach_store, create_app
from app.login import bp as login_bp
from app.settings import Settings
from app.store import Store
from data import users
from data.schema import Role

PASSWORD = "correct horse battery staple"


def bare_app(settings: Settings) -> tuple[Flask, Store]:
    """The data layer, sign-in and the API on a bare Flask app, for tests that need settings of
    their own (Dash allows one app per process: that one is `start`'s)."""
    server = Flask(__name__)
    store = attach_store(server, settings)
    server.register_blueprint(login_bp)
    server.register_blueprint(api_bp)
    init_auth(server)
    return server, store


@dataclass
class Web:
    """The running app: its URL, settings, and the email of an account for each role."""

    app: dash.Dash
    server: BaseWSGIServer
    settings: Settings
    base: str
    emails: dict[Role, str] = field(default_factory=dict)

    @property
    def store(self):
        return self.app.server.extensions["stratwatch"]


def start(data_dir: Path) -> Web:
    settings = Settings(
        database_url=f"sqlite:///{data_dir / 'stratwatch.db'}",
        secret_key="b" * 40,
        data_dir=data_dir,
        embedded=True,
        scheduler_enabled=True,
        load_demo=True,
        demo_feed_seconds=1.0,
    )
    app = create_app(settings)
    emails = {role: f"{role.value}@example.com" for role in Role}
    with app.server.extensions["stratwatch"].db.transaction() as session:
        for role, email in emails.items():
            users.create_user(session, email, role, PASSWORD)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Web(app, server, settings, f"http://127.0.0.1:{port}", emails)


def stop(web: Web) -> None:
    web.server.shutdown()
    web.app.server.extensions["stratwatch.scheduler"].stop()
    web.store.close()
