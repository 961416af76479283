"""Accounts and roles: every route and callback checks on the server; refusals are audited."""

from __future__ import annotations

import itertools
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from data import users
from data.schema import AuditEntry, Role, User
from tests.web import PASSWORD

AUDIT_CALLBACK = {
    "output": "audit-table.children",
    "outputs": {"id": "audit-table", "property": "children"},
    "inputs": [{"id": "audit-action", "property": "value", "value": None}],
    "changedPropIds": ["audit-action.value"],
}
OVERVIEW_CALLBACK = {
    "output": "..overview-table.children...overview-drawn.data..",
    "outputs": [
        {"id": "overview-table", "property": "children"},
        {"id": "overview-drawn", "property": "data"},
    ],
    "inputs": [
        {"id": "overview-stage", "property": "value", "value": []},
        {"id": "overview-search", "property": "value", "value": ""},
        {"id": "overview-tag", "property": "value", "value": []},
        {"id": "overview-sort", "property": "value", "value": "name"},
        {"id": "overview-tick", "property": "n_intervals", "value": 0},
    ],
    "state": [{"id": "overview-drawn", "property": "data", "value": None}],
    "changedPropIds": [],
}
CSV = b"date,equity\n2024-01-02,100\n2024-01-03,101\n"


ADDRESSES = itertools.count(1)


def new_client(web) -> FlaskClient:
    """A client from an address of its own, so the per-address sign-in limit stays per test."""
    c = web.app.server.test_client()
    n = next(ADDRESSES) + 1  # unique for 16 million clients (the limiter counts per minute)
    c.environ_base["REMOTE_ADDR"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    return c


def csrf(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf(client)}
    )


@pytest.fixture
def client(web) -> FlaskClient:
    return new_client(web)


@pytest.fixture
def as_role(web):
    def make(role: Role) -> FlaskClient:
        c = new_client(web)
        assert sign_in(c, web.emails[role]).status_code == 302
        return c

    return make


def audit_actions(web, action: str) -> list[AuditEntry]:
    with web.store.reading() as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_anonymous_requests_are_sent_to_sign_in_or_refused(client: FlaskClient) -> None:
    assert client.get("/").status_code == 302 and "/login" in client.get("/").headers["Location"]
    assert client.post("/_dash-update-component", json=OVERVIEW_CALLBACK).status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/api/v1/strategies").status_code == 401
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("role", "audit_view", "api_import", "api_audit"),
    [
        (Role.VIEWER, 403, 403, 403),
        (Role.ANALYST, 403, 201, 403),
        (Role.TRADER, 403, 201, 403),
        (Role.ADMIN, 200, 201, 200),
    ],
)
def test_role_action_matrix_through_callbacks_and_api(
    web, as_role, role, audit_view, api_import, api_audit
) -> None:
    c = as_role(role)
    assert c.post("/_dash-update-component", json=OVERVIEW_CALLBACK).status_code == 200
    assert c.post("/_dash-update-component", json=AUDIT_CALLBACK).status_code == audit_view
    slug = web.store.settings and "atlas-momentum"
    imported = c.post(
        f"/api/v1/strategies/{slug}/performance?source=paper", data=CSV, content_type="text/csv"
    )
    assert imported.status_code == api_import, imported.get_json()
    assert c.get("/api/v1/audit").status_code == api_audit
    assert c.get("/api/v1/me").get_json()["role"] == role.value


def test_a_refused_callback_changes_nothing_and_is_audited(web, as_role) -> None:
    before = len(audit_actions(web, "refused"))
    viewer = as_role(Role.VIEWER)
    refused = viewer.post(
        "/api/v1/strategies/atlas-momentum/performance?source=live",
        data=b"date,equity\n2030-01-02,5\n",
        content_type="text/csv",
    )
    assert refused.status_code == 403 and refused.get_json()["status"] == 403
    entries = audit_actions(web, "refused")
    assert len(entries) == before + 1 and entries[-1].actor == web.emails[Role.VIEWER]
    admin = as_role(Role.ADMIN)
    series = admin.get("/api/v1/strategies").get_json()["strategies"]
    assert any(s["slug"] == "atlas-momentum" for s in series)


def test_sign_in_renews_the_session_and_logout_ends_it(web) -> None:
    c = new_client(web)
    token = csrf(c)
    before = c.get_cookie("session").value
    c.post(
        "/login",
        data={"email": web.emails[Role.ANALYST], "password": PASSWORD, "csrf_token": token},
    )
    after = c.get_cookie("session").value
    assert after != before
    planted = new_client(web)
    planted.set_cookie("session", before)  # an attacker's pre-login cookie gains nothing
    assert planted.get("/").status_code == 302
    stolen = new_client(web)
    stolen.set_cookie("session", after)
    assert stolen.get("/").status_code == 200
    menu = c.get("/_dash-layout").get_data(as_text=True)
    logout_token = re.search(r'"value":"([^"]+)","type":"hidden","name":"csrf_token"', menu)
    assert logout_token, "the navbar carries the sign-out form"
    assert c.post("/logout", data={}).status_code == 400  # no token, no sign-out
    assert c.post("/logout", data={"csrf_token": logout_token.group(1)}).status_code == 302
    assert stolen.get("/").status_code == 302  # a copied cookie dies with the sign-out


def test_disabling_an_account_revokes_its_api_tokens(web) -> None:
    with web.store.db.transaction() as session:
        owner = users.create_user(session, "tok@example.com", Role.ANALYST, PASSWORD)
        raw = users.create_token(session, owner, "ci")
    bearer = {"Authorization": f"Bearer {raw}"}
    client = new_client(web)
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    with web.store.db.transaction() as session:
        users.set_active(session, "tok@example.com", False)
        users.set_active(session, "tok@example.com", True)
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_login_form_needs_its_csrf_token_and_redirects_only_on_site(web) -> None:
    c = new_client(web)
    no_token = c.post("/login", data={"email": web.emails[Role.VIEWER], "password": PASSWORD})
    assert no_token.status_code == 400
    token = csrf(c)
    for target in ("//evil.example/", "/\t/evil.example", "/\\evil.example", "/\n/x", "https://x"):
        fresh = new_client(web)
        evil = fresh.post(
            "/login",
            data={
                "email": web.emails[Role.VIEWER],
                "password": PASSWORD,
                "csrf_token": csrf(fresh),
                "next": target,
            },
        )
        assert evil.status_code == 302 and evil.headers["Location"] == "/", target
    kept = c.post(
        "/login",
        data={
            "email": web.emails[Role.VIEWER],
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/strategies/x?range=1Y",
        },
    )
    assert kept.headers["Location"] == "/strategies/x?range=1Y"


def test_cross_origin_posts_are_refused(as_role) -> None:
    c = as_role(Role.ADMIN)
    hostile = c.post(
        "/_dash-update-component", json=AUDIT_CALLBACK, headers={"Origin": "http://evil.example"}
    )
    assert hostile.status_code == 403
    assert (
        c.post(
            "/_dash-update-component", json=AUDIT_CALLBACK, headers={"Origin": "http://localhost"}
        ).status_code
        == 200
    )


def test_security_headers_on_pages_and_sign_in(client: FlaskClient, as_role) -> None:
    for response in (client.get("/login"), as_role(Role.VIEWER).get("/")):
        csp = response.headers["Content-Security-Policy"]
        assert (
            "frame-ancestors 'none'" in csp
            and "script-src 'self'" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    cookie = as_role(Role.VIEWER).get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    viewer = as_role(Role.VIEWER)
    for private in (viewer.get("/"), viewer.get("/api/v1/strategies"), client.get("/login")):
        assert private.headers["Cache-Control"] == "no-store"  # P&L kept out of shared caches
    asset = client.get("/assets/02-tokens.css")
    assert asset.status_code == 200 and "no-store" not in asset.headers.get("Cache-Control", "")
    asset.close()  # a file response: release its handle
    assert "Strict-Transport-Security" not in private.headers


def test_over_https_the_cookie_is_secure_and_hsts_is_sent(web) -> None:
    # behind a TLS proxy (X-Forwarded-Proto through STRATWATCH_TRUSTED_PROXIES) or direct
    c = new_client(web)
    page = c.get("/login", base_url="https://localhost")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    form = {"email": web.emails[Role.VIEWER], "password": PASSWORD, "csrf_token": token.group(1)}
    signed = c.post("/login", data=form, base_url="https://localhost")
    assert signed.status_code == 302 and "Secure" in signed.headers["Set-Cookie"]
    assert signed.headers["Strict-Transport-Security"].startswith("max-age=")


def test_disabled_accounts_lose_their_sessions(web, as_role) -> None:
    with web.store.db.transaction() as session:
        users.create_user(session, "leaver@example.com", Role.ANALYST, PASSWORD)
    c = new_client(web)
    sign_in(c, "leaver@example.com")
    assert c.get("/").status_code == 200
    from app import accounts

    with web.app.server.app_context():
        accounts.administer(
            web.store,
            "test",
            "user-disabled",
            "leaver@example.com",
            lambda s: users.set_active(s, "leaver@example.com", False),
        )
    assert c.get("/").status_code == 302
    assert "Wrong email" in sign_in(c, "leaver@example.com").get_data(as_text=True)
    with web.store.reading() as session:
        assert (
            session.scalar(select(User.is_active).where(User.email == "leaver@example.com"))
            is False
        )
