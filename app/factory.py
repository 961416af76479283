"""The application factory: the one place that knows every part and puts them together."""

from __future__ import annotations

import atexit
import logging
from pathlib import Path
from types import ModuleType
from typing import Any

import dash
from dash.exceptions import DependencyException
from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app import accounts, bootstrap, divergence
from app.api import bp as api_bp
from app.api import refuse_unknown_paths
from app.auth import init_auth, json_error
from app.cache import cache, cache_config
from app.callback_requests import callback_problem
from app.health import bp as health_bp
from app.login import bp as login_bp
from app.observability import bp as observability_bp
from app.oidc import init_oidc
from app.security import init_security
from app.settings import Settings
from app.shell import layout as shell_layout
from app.store import Store
from data.schema import Role

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def behind_proxies(server: Flask, count: int) -> None:
    """Believe the X-Forwarded-For/-Proto/-Host of `count` reverse proxies in front (0: none),
    so sign-in limits and the audit log see the client's address, not the proxy's."""
    if count:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


def create_app(settings: Settings | None = None, *, scheduler: bool | None = None) -> dash.Dash:
    """Build the Dash app (Flask server: `.server`). One per process: Dash has global registries."""
    settings = settings or Settings.from_env()
    server = Flask("stratwatch")
    behind_proxies(server, settings.trusted_proxies)
    store = attach_store(server, settings)
    server.register_blueprint(health_bp)
    server.register_blueprint(login_bp)
    server.register_blueprint(api_bp)
    server.register_blueprint(observability_bp)
    init_auth(server)
    init_oidc(server, settings)
    app = dash.Dash(
        "stratwatch",
        server=server,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ROOT / "assets"),
        title="Stratwatch",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    _register_pages()
    app.layout = shell_layout
    refuse_malformed_requests(server, app)
    init_security(server, app, settings)
    if settings.scheduler_enabled if scheduler is None else scheduler:
        _start_scheduler(server, store)
    if settings.warm_on_start:
        with server.app_context():
            divergence.warm_book()
    return app


def attach_store(server: Flask, settings: Settings) -> Store:
    """Give a Flask app its store and cache (the data layer without any UI); returns the store."""
    server.config.update(
        SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_upload_bytes
    )
    store = Store(settings)
    server.extensions["stratwatch"] = store
    if password := bootstrap.prepare_database(store, first_admin=True):
        log.warning(
            "\n  First start: sign in as %s with password %s\n  (shown once; "
            "`stratwatch users set-password %s` changes it)\n",
            accounts.ADMIN_EMAIL,
            password,
            accounts.ADMIN_EMAIL,
        )
    cache.init_app(server, config=cache_config(settings))
    return store


def refuse_malformed_requests(server: Flask, app: dash.Dash) -> None:
    """4xx JSON, not a 500, for requests Dash would crash on: a callback body that is not one
    of this app's callbacks, a /api/v1 path no route serves, a component file not registered.
    Registered after the sign-in gate, so strangers still get its 401."""

    def check_callback_body() -> Any:
        if request.method != "POST" or request.path != "/_dash-update-component":
            return None
        problem = callback_problem(app, request)
        return json_error(400, problem) if problem else None

    server.before_request(check_callback_body)
    server.before_request(refuse_unknown_paths)
    server.register_error_handler(DependencyException, lambda _: json_error(404, "no such file"))


def _register_pages() -> None:
    """Pages live outside the app package, so Dash is told about each one (pages_folder="")."""
    from callbacks import admin_audit as admin_audit_callbacks
    from callbacks import compare as compare_callbacks
    from callbacks import overview as overview_callbacks
    from callbacks import settings as settings_callbacks
    from callbacks import shell as shell_callbacks
    from callbacks import strategy as strategy_callbacks
    from pages import admin_audit, compare, not_found_404, overview, settings, strategy

    # Importing a callbacks module is what registers its @callback functions with Dash.
    registered = (
        admin_audit_callbacks,
        compare_callbacks,
        overview_callbacks,
        settings_callbacks,
        shell_callbacks,
        strategy_callbacks,
    )
    log.debug("callbacks from %s", ", ".join(m.__name__ for m in registered))

    modules: list[tuple[ModuleType, bool]] = [
        (overview, True),
        (compare, True),
        (settings, True),
        (admin_audit, True),
        (strategy, False),
        (not_found_404, False),
    ]
    for order, (module, in_nav) in enumerate(modules):
        # a path with variables (/strategies/<slug>) is a template to Dash
        route = "path_template" if "<" in module.PATH else "path"
        dash.register_page(
            module.__name__,
            **{route: module.PATH},
            name=module.NAME,
            title=module.TITLE,
            layout=module.layout,
            order=order,
            nav=in_nav,
            role=getattr(module, "ROLE", Role.VIEWER),
        )


def _start_scheduler(server: Flask, store: Store) -> None:
    service = bootstrap.scheduler_service(store)
    service.start()
    server.extensions["stratwatch.scheduler"] = service
    atexit.register(service.stop)
