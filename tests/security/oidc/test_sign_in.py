"""Single sign-on: a verified ID token signs in with the role its claims map to; an existing
local account is linked only on a verified email."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from app.factory import attach_store
from app.login import bp as login_bp
from app.oidc import init_oidc, role_for
from app.settings import Settings, SettingsError
from data import users
from data.schema import AuditEntry, Role, User
from tests.security.fake_oidc import FakeProvider
from tests.security.oidc.harness import ROLE_MAP, failures, me, sso


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


@pytest.mark.parametrize("verified", [None, True])
def test_a_local_account_is_linked_only_on_a_verified_email(
    server: Flask, provider: FakeProvider, verified: object
) -> None:
    with server.extensions["stratwatch"].db.transaction() as session:
        users.create_user(session, "quant@example.com", Role.ADMIN, "a-long-password-1")
    if verified is None:
        provider.user.pop("email_verified")  # some providers never say
    client = server.test_client()
    answer = sso(client)
    if verified:
        assert answer.status_code == 302 and me(client)["role"] == "analyst"  # the claims decide
        return
    assert answer.status_code == 403 and "ask an administrator" in answer.get_data(True)
    assert me(client) is None and len(failures(server, "unverified-link")) == 1


def test_an_unstated_verification_still_signs_in_a_new_account(
    server: Flask, provider: FakeProvider
) -> None:
    provider.user.pop("email_verified")
    client = server.test_client()
    assert sso(client).status_code == 302 and me(client)["email"] == "quant@example.com"
