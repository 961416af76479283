"""Single sign-on: only a verified ID token from the configured provider signs anyone in."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.api import bp as api_bp
from app.auth import init_auth
from app.factory import attach_store
from app.login import bp as login_bp
from app.oidc import init_oidc, role_for
from app.settings import Settings, SettingsError
from app.store import Store
from data import users
from data.schema import AuditEntry, Role, User
from tests.security.fake_oidc import FakeProvider, rsa_key

CLIENT_ID, CLIENT_SECRET = "stratwatch", "s3cret-for-tests"
ROLE_MAP = (("stratwatch-admins", "admin"), ("quants", "analyst"), ("ops", "trader"))
QUANT = {
    "sub": "user-1",
    "email": "Quant@Example.com",
    "email_verified": True,
    "name": "Quinn Quant",
    "groups": ["quants", "unrelated"],
}


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProvider]:
    with FakeProvider(CLIENT_ID, CLIENT_SECRET) as fake:
        yield fake


@pytest.fixture(autouse=True)
def reset(provider: FakeProvider) -> None:
    provider.user = dict(QUANT)
    provider.id_token_claims = {}
    provider.mangle = lambda token: token
    provider.signing_key = provider.key


@pytest.fixture
def make_app(tmp_path: Path, provider: FakeProvider) -> Iterator[Callable[..., Flask]]:
    """The data layer, sign-in, OIDC and the API on a bare Flask app (Dash: one app per process)."""
    stores: list[Store] = []

    def make(**changes: object) -> Flask:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'oidc.db'}",
            secret_key="o" * 40,
            data_dir=tmp_path,
            scheduler_enabled=False,
            load_demo=False,
            oidc_issuer=provider.issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_role_map=ROLE_MAP,
        ).with_(**changes)
        server = Flask(__name__)
        stores.append(attach_store(server, settings))
        server.register_blueprint(login_bp)
        server.register_blueprint(api_bp)
        init_auth(server)
        init_oidc(server, settings)
        return server

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def server(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


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


def test_oidc_is_off_without_an_issuer_and_the_link_shows_only_when_on(
    server: Flask, make_app: Callable[..., Flask]
) -> None:
    assert "Sign in with single sign-on" in server.test_client().get("/login").get_data(True)
    bare = Settings(database_url="sqlite://", secret_key="x" * 40)
    assert not init_oidc(Flask(__name__), bare)
    with pytest.raises(SettingsError, match="https"):
        init_oidc(Flask(__name__), bare.with_(oidc_issuer="http://idp.example", oidc_client_id="c"))
    plain = Flask(__name__)
    store = attach_store(plain, server.extensions["stratwatch"].settings)
    plain.register_blueprint(login_bp)
    try:
        assert "single sign-on" not in plain.test_client().get("/login").get_data(True)
    finally:
        store.close()


def test_oidc_sign_in_creates_the_user_with_the_mapped_role(server: Flask) -> None:
    client = server.test_client()
    before = client.get("/login").headers
    signed_in = sso(client, next_path="/strategies/atlas")
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/strategies/atlas"
    assert me(client) == {"email": "quant@example.com", "role": "analyst", "teams": []}
    assert before != signed_in.headers
    with server.extensions["stratwatch"].reading() as session:
        user = session.scalar(select(User).where(User.email == "quant@example.com"))
        assert user.password_hash is None and user.name == "Quinn Quant"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "sign-in")).one()
    assert entry.detail == {"method": "oidc"} and entry.user_id == user.id


def test_oidc_claims_change_the_role_and_end_older_sessions(
    server: Flask, provider: FakeProvider
) -> None:
    provider.user["groups"] = ["stratwatch-admins"]
    first = server.test_client()
    sso(first)
    assert me(first)["role"] == "admin"
    provider.user["groups"] = "quants"  # a single string is a one-value claim
    second = server.test_client()
    sso(second)
    assert me(second)["role"] == "analyst"
    assert me(first) is None  # the admin session ended with the role change
    with server.extensions["stratwatch"].reading() as session:
        change = session.scalars(select(AuditEntry).where(AuditEntry.action == "role-changed"))
        assert [e.detail["role"] for e in change] == ["analyst"]


@pytest.mark.parametrize(
    ("groups", "default", "expected"),
    [
        (["quants", "stratwatch-admins"], None, "admin"),
        (["ops", "quants"], None, "trader"),
        ("quants", None, "analyst"),
        (["nobody"], "viewer", "viewer"),
        (None, None, None),
        ({"quants": True}, None, None),
    ],
)
def test_oidc_role_is_the_highest_mapped_value(groups, default, expected) -> None:
    settings = Settings(
        database_url="sqlite://",
        secret_key="x" * 40,
        oidc_role_map=ROLE_MAP,
        oidc_default_role=default,
    )
    assert role_for({"groups": groups}, settings) == expected


def test_oidc_role_claim_may_be_a_dotted_path() -> None:
    settings = Settings(
        database_url="sqlite://",
        secret_key="x" * 40,
        oidc_role_claim="realm_access.roles",
        oidc_role_map=ROLE_MAP,
    )
    assert role_for({"realm_access": {"roles": ["ops"]}}, settings) == "trader"
    assert role_for({"realm_access": ["ops"]}, settings) is None


def test_oidc_unmapped_claims_without_a_default_are_refused_and_audited(
    server: Flask, provider: FakeProvider
) -> None:
    provider.user["groups"] = ["marketing"]
    client = server.test_client()
    refused = sso(client)
    assert refused.status_code == 403 and "no Stratwatch role" in refused.get_data(True)
    assert me(client) is None
    [entry] = failures(server, "no-role")
    assert entry.actor == "Quant@Example.com" and entry.detail["method"] == "oidc"
    with server.extensions["stratwatch"].reading() as session:
        assert session.scalar(select(User).where(User.email == "quant@example.com")) is None


def test_oidc_unmapped_claims_get_the_default_role(
    make_app: Callable[..., Flask], provider: FakeProvider
) -> None:
    provider.user["groups"] = ["marketing"]
    client = make_app(oidc_default_role="viewer").test_client()
    sso(client)
    assert me(client)["role"] == "viewer"


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["groups"] = ["stratwatch-admins"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


BAD_TOKENS = {
    "tampered": {"mangle": _tamper},
    "foreign-key": {"signing_key": "other"},
    "wrong-audience": {"claims": {"aud": "another-app", "azp": CLIENT_ID}},
    "extra-audience-only": {"claims": {"aud": ["another-app"]}},
    "wrong-issuer": {"claims": {"iss": "http://127.0.0.1:1"}},
    "wrong-nonce": {"claims": {"nonce": "replayed"}},
    "no-nonce": {"claims": {"nonce": None}},
    "expired": {"claims": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}},
}


@pytest.mark.parametrize("case", BAD_TOKENS)
def test_oidc_refuses_an_id_token_that_does_not_verify(
    server: Flask, provider: FakeProvider, case: str
) -> None:
    bad = BAD_TOKENS[case]
    provider.id_token_claims = bad.get("claims", {})
    provider.mangle = bad.get("mangle", provider.mangle)
    if bad.get("signing_key"):
        provider.signing_key = rsa_key(kid=provider.key.kid)  # same kid, different key
    client = server.test_client()
    refused = sso(client)
    assert refused.status_code == 401, refused.get_data(True)
    assert "identity token is not valid" in refused.get_data(True)
    [entry] = failures(server, "id-token")
    assert me(client) is None and entry.detail["cause"]


def test_oidc_refuses_a_mismatched_or_missing_state(server: Flask) -> None:
    client = server.test_client()
    refused = sso(client, state="forged-state")
    assert refused.status_code == 400 and "expired" in refused.get_data(True)
    unsolicited = server.test_client().get("/login/oidc/callback?code=abc&state=xyz")
    assert unsolicited.status_code == 400
    assert me(client) is None and len(failures(server, "state")) == 2


def test_oidc_refuses_a_pending_sign_in_older_than_an_hour(server: Flask) -> None:
    client = server.test_client()
    query = authorize(client)
    with client.session_transaction() as session:
        key = "_state_oidc_" + query["state"]
        session[key] = {**session[key], "exp": time.time() - 1}
    refused = client.get("/login/oidc/callback", query_string=query)
    assert refused.status_code == 400 and me(client) is None


def test_oidc_keeps_one_pending_sign_in_per_session(server: Flask) -> None:
    client = server.test_client()
    first = authorize(client)
    second = authorize(client)
    assert client.get("/login/oidc/callback", query_string=first).status_code == 400
    assert client.get("/login/oidc/callback", query_string=second).status_code == 302


def test_oidc_reports_a_provider_error_without_a_traceback(server: Flask) -> None:
    client = server.test_client()
    client.get("/login/oidc")
    refused = client.get("/login/oidc/callback?error=access_denied&state=whatever")
    assert refused.status_code == 400 and "access_denied" in refused.get_data(True)
    [entry] = failures(server, "provider-error")
    assert entry.detail["cause"] == "access_denied"


@pytest.mark.parametrize("verified", [False, "false"])
def test_oidc_refuses_an_unverified_email(
    server: Flask, provider: FakeProvider, verified: object
) -> None:
    provider.user["email_verified"] = verified
    client = server.test_client()
    refused = sso(client)
    assert refused.status_code == 401 and "not verified" in refused.get_data(True)
    assert me(client) is None and len(failures(server, "unverified")) == 1


def test_oidc_refuses_a_disabled_user(server: Flask) -> None:
    with server.extensions["stratwatch"].db.transaction() as session:
        users.create_user(session, "quant@example.com", Role.VIEWER, "a-long-password-1")
        users.set_active(session, "quant@example.com", False)
    client = server.test_client()
    refused = sso(client)
    assert refused.status_code == 403 and "disabled" in refused.get_data(True)
    assert me(client) is None and len(failures(server, "disabled")) == 1


def test_oidc_ignores_an_off_site_next(server: Flask) -> None:
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        assert sso(server.test_client(), next_path=evil).headers["Location"] == "/"


def test_oidc_takes_the_email_from_userinfo_for_the_same_subject_only(
    server: Flask, provider: FakeProvider
) -> None:
    provider.id_token_claims = {"email": None, "email_verified": None, "groups": None}
    client = server.test_client()
    sso(client)
    assert me(client)["email"] == "quant@example.com"
    provider.user["sub"] = "someone-else"
    provider.id_token_claims["sub"] = "user-1"
    other = server.test_client()
    assert sso(other).status_code == 401 and me(other) is None
