"""Single sign-on refusals: forged or stale tokens, bad state, unverified or disabled users,
provider errors and off-site redirects; each audited, none a traceback."""

from __future__ import annotations

import base64
import json
import time

import pytest
from flask import Flask

from data import users
from data.schema import Role
from tests.security.fake_oidc import FakeProvider, rsa_key
from tests.security.oidc.harness import CLIENT_ID, authorize, failures, me, sso


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
