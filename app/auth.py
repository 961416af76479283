"""Who is asking, and may they: sign-in state, the request gate, and the one `requires` decorator.

Every request passes the gate: pages redirect to /login, Dash and API endpoints answer 401.
Every callback or API route that reads restricted data or changes state is wrapped in
`requires(role)`, which refuses (403, audited) on the server whatever the page showed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, jsonify, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user

from app import accounts
from data.schema import Role
from data.users import Principal

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)
TOKEN_PATHS = ("/api", "/metrics")
# each public path and everything below it (whole segments: /login/oidc is public, /loginx not)
PUBLIC = (
    "/login",
    "/healthz",
    "/assets",
    "/_dash-component-suites",
    "/_favicon.ico",
    "/favicon.ico",
)
login_manager = LoginManager()


class SignedIn(UserMixin):
    """Flask-Login's view of a principal; the id carries the session version that must match."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    def get_id(self) -> str:
        return f"{self.principal.id}:{self.principal.session_version}"


@login_manager.user_loader
def _load(session_id: str) -> SignedIn | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    principal = accounts.principal(int(user_id))
    if principal is None or principal.session_version != int(version):
        return None  # signed out everywhere, disabled, or role changed since
    return SignedIn(principal)


def init_auth(server: Flask) -> None:
    """Install Flask-Login and the gate in front of every request."""
    login_manager.init_app(server)
    login_manager.session_protection = "basic"
    server.before_request(_gate)


def current_principal() -> Principal | None:
    """The principal behind this request (session or API token), or None."""
    if "principal" in g:
        return g.principal
    return current_user.principal if current_user.is_authenticated else None


def requires(role: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Refuse (403, audited) unless the caller's role includes `role`."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            principal = current_principal()
            if principal is None or not principal.can(role):
                try:
                    accounts.refused(principal, fn.__name__, role)
                except Exception:  # the refusal stands even when it cannot be recorded
                    log.exception("could not audit a refusal of %s", fn.__name__)
                abort(403)
            return fn(*args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _gate() -> Any:
    path = request.path
    if {".", ".."} & set(path.split("/")):  # browsers resolve these; /login/../api is not public
        return json_error(404, "no such path")
    if _under(path, PUBLIC):
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin():
        return json_error(403, "cross-origin request refused")
    if _under(path, TOKEN_PATHS):  # machine clients (scripts, Prometheus) send a token
        return _api_identity()
    if current_user.is_authenticated:
        return None
    if current_app.extensions["stratwatch"].settings.demo_viewer:
        login_user(SignedIn(accounts.demo_viewer()))
        return None
    if path.startswith("/_dash") or path.startswith("/_reload"):
        return json_error(401, "sign in first")
    return redirect(url_for("login.login", next=request.full_path.rstrip("?")))


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    """Whether `path` is one of `prefixes` or below one, matched by whole path segments."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)


def _api_identity() -> Any:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        principal = accounts.principal_for_token(header.removeprefix("Bearer ").strip())
        if principal is None:
            return json_error(401, "invalid or revoked token")
        g.principal = principal
        return None
    if current_user.is_authenticated:
        return None
    return json_error(401, "send a bearer token or sign in")


def _same_origin() -> bool:
    """Browsers send Origin on cross-site POSTs; SameSite=Lax cookies are the other half."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def json_error(status: int, message: str) -> Any:
    """A JSON error body {error, status} with that status."""
    response = jsonify(error=message, status=status)
    response.status_code = status
    return response
