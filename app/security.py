"""Security headers and cookie flags: scripts and styles from self, no framing, no sniffing."""

from __future__ import annotations

import datetime as dt

import dash
from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

from app.settings import Settings


def init_security(server: Flask, app: dash.Dash | None, settings: Settings) -> None:
    """Cookies HttpOnly + SameSite=Lax (+ Secure behind HTTPS); headers on every response."""
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
        # the cookie is written only when the session changes: otherwise every response rewrites
        # it, and a slow request finishing after sign-out would put the old session back
        SESSION_REFRESH_EACH_REQUEST=False,
    )

    server.session_interface = _SessionCookies()

    @server.after_request
    def headers(response: Response) -> Response:
        if not request.path.startswith(STATIC) and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"  # P&L stays out of shared caches
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        response.headers["Content-Security-Policy"] = policy(app)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        return response


STATIC = ("/assets/", "/_dash-component-suites/", "/static/")  # versioned files: cacheable


class _SessionCookies(SecureCookieSessionInterface):
    """The session cookie is Secure when configured, and whenever the request came over HTTPS
    (directly, or through a trusted proxy's X-Forwarded-Proto)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def policy(app: dash.Dash | None) -> str:
    """The CSP: Dash's own inline scripts are allowed by hash, nothing else inline runs."""
    hashes = " ".join(app.csp_hashes()) if app is not None else ""  # already quoted
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {hashes}".strip(),
            "style-src 'self' 'unsafe-inline'",  # Dash and Plotly set style attributes
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
