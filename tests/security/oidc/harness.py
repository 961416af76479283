"""What the OIDC tests share: the provider's client, the role map, a quant's claims, and the
round trip through the fake provider."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from data.schema import AuditEntry

CLIENT_ID, CLIENT_SECRET = "stratwatch", "s3cret-for-tests"
ROLE_MAP = (("stratwatch-admins", "admin"), ("quants", "analyst"), ("ops", "trader"))
QUANT = {
    "sub": "user-1",
    "email": "Quant@Example.com",
    "email_verified": True,
    "name": "Quinn Quant",
    "groups": ["quants", "unrelated"],
}


def authorize(client: FlaskClient, next_path: str = "/") -> dict[str, str]:
    """Start at /login/oidc and let the provider answer: the query it sends back to the app."""
    start = client.get("/login/oidc", query_string={"next": next_path})
    assert start.status_code == 302, start.get_data(as_text=True)
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/login/oidc/callback"
    return {k: v[0] for k, v in parse_qs(back.query).items()}


def sso(client: FlaskClient, next_path: str = "/", state: str | None = None) -> TestResponse:
    """The whole round trip, optionally with the state changed on the way back."""
    query = authorize(client, next_path)
    if state is not None:
        query["state"] = state
    return client.get("/login/oidc/callback", query_string=query)


def me(client: FlaskClient) -> dict | None:
    response = client.get("/api/v1/me")
    return response.get_json() if response.status_code == 200 else None


def failures(server: Flask, reason: str) -> list[AuditEntry]:
    with server.extensions["stratwatch"].reading() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "sign-in-failed"))
        return [e for e in entries if e.detail.get("reason") == reason]
