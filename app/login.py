"""Sign-in and sign-out pages: server-rendered forms with a CSRF token, rate-limited per address."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_user, logout_user

from app import accounts
from app.auth import SignedIn, current_principal
from app.cache import cache, count

bp = Blueprint("login", __name__, template_folder="templates")
PER_MINUTE = 20
STYLESHEETS = ["01-bootstrap-5.3.8.min.css", "02-tokens.css", "03-app.css"]


FAILED = (
    "Wrong email or password. After 5 failures in a row from this address, the account is "
    "locked here for 15 minutes from the latest attempt."
)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the form; on POST check the token, the rate, then the credentials."""
    if request.method == "GET":
        return sign_in_page(next_path=request.args.get("next", "/"))
    _check_csrf()
    if _too_many(accounts.client_address() or "?"):
        return sign_in_page("Too many attempts from this address: wait a minute.", status=429)
    email, password = request.form.get("email", ""), request.form.get("password", "")
    principal, _reason = accounts.sign_in(email, password)
    if principal is None:
        # one message whatever the reason (recorded in the audit log): a page that said
        # "locked" only for real accounts would tell a stranger which emails exist
        return sign_in_page(FAILED, email=email)
    session.clear()  # a fresh session on sign-in: nothing from before carries over
    session.permanent = True
    login_user(SignedIn(principal))
    csrf_token()  # minted now: later parallel requests would race to write it into the cookie
    return redirect(safe_next(request.form.get("next", "/")))


@bp.post("/logout")
def logout() -> Any:
    """End this account's sessions everywhere, then show the sign-in form."""
    _check_csrf()
    who = current_principal()
    if who is not None:
        accounts.sign_out(who)
    logout_user()
    session.clear()
    return redirect(url_for("login.login"))


def csrf_token() -> str:
    """This session's token for form posts."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def sign_in_page(
    message: str = "", email: str = "", next_path: str = "/", status: int = 200
) -> Any:
    """The sign-in form with an optional message (also used by single sign-on refusals)."""
    prefix = current_app.config.get("ASSETS_URL_PATH", "/assets/")
    html = render_template(
        "login.html",
        message=message,
        email=email,
        next=safe_next(request.form.get("next", next_path)),
        csrf_token=csrf_token(),
        sso="stratwatch.oidc" in current_app.extensions,
        stylesheets=[prefix + name for name in STYLESHEETS],
    )
    return html, status


def _check_csrf() -> None:
    sent = request.form.get("csrf_token", "").encode()
    expected = str(session.get("csrf", "")).encode()  # bytes: compare_digest refuses non-ASCII str
    if not sent or not hmac.compare_digest(sent, expected):
        abort(400, "the form expired: reload the page and try again")


def _too_many(address: str) -> bool:
    """More than PER_MINUTE attempts in the last minute, as a sliding window: this minute's count
    plus the last minute's, weighted by how much of it still lies within 60 s (a fixed window
    would let 2 × PER_MINUTE through around each minute's turn)."""
    now = time.time()
    minute = int(now // 60)
    this_minute = count(f"login-rate:{address}:{minute}", 180)  # kept to be "the last minute"
    before = cache.cache.get(f"login-rate:{address}:{minute - 1}") or 0
    return this_minute + before * (1 - (now % 60) / 60) > PER_MINUTE


def safe_next(path: str) -> str:
    """Only same-site paths: never an absolute URL or a scheme-relative one (open redirect).

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so `/<tab>/evil`
    would become `//evil`: any control character, space or backslash refuses the path.
    """
    plain = path.startswith("/") and not path.startswith("//")
    if not plain or any(c.isspace() or ord(c) < 32 or c in "\\\x7f" for c in path):
        return "/"
    return path
