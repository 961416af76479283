"""Optional single sign-on with any OpenID Connect provider; its claims decide the role."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from authlib.integrations.flask_client.apps import FlaskOAuth2App
from flask import Blueprint, Flask, current_app, redirect, request, session, url_for
from flask_login import login_user
from joserfc.errors import JoseError

from app import accounts
from app.auth import SignedIn
from app.login import csrf_token, safe_next, sign_in_page
from app.settings import ROLES, Settings, SettingsError

bp = Blueprint("oidc", __name__)
EXTENSION = "stratwatch.oidc"
NEXT = "oidc_next"
TIMEOUT = 10  # seconds for each call to the provider
FAILED = "Single sign-on failed: "
STATE_PREFIX = "_state_oidc_"  # where Authlib keeps a pending sign-in in the session
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
log = logging.getLogger(__name__)


class Refused(Exception):
    """A sign-in the provider's answer does not allow; carries the reason, message and status."""

    def __init__(
        self, reason: str, message: str, status: int, email: str = "", cause: object = ""
    ) -> None:
        super().__init__(message)
        self.reason, self.message, self.status, self.email = reason, message, status, email
        self.cause = str(cause)[:200]


def init_oidc(server: Flask, settings: Settings) -> bool:
    """Register the provider and the /login/oidc routes when OIDC is configured; say whether."""
    if not (settings.oidc_issuer and settings.oidc_client_id):
        return False
    issuer = urlsplit(settings.oidc_issuer)
    if issuer.scheme != "https" and issuer.hostname not in LOOPBACK:
        raise SettingsError("OIDC_ISSUER must be an https:// URL (its keys come from there).")
    oauth = OAuth(server)
    server.extensions[EXTENSION] = oauth.register(
        "oidc",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": (
                "client_secret_basic" if settings.oidc_client_secret else "none"
            ),
            "default_timeout": TIMEOUT,
        },
    )
    server.register_blueprint(bp)
    return True


def role_for(claims: dict[str, Any], settings: Settings) -> str | None:
    """The highest role any value of the role claim maps to, else the default (None: refuse)."""
    values = _claim(claims, settings.oidc_role_claim)
    values = [values] if isinstance(values, str) else values if isinstance(values, list) else []
    mapped = [role for value, role in settings.oidc_role_map if value in values]
    return max(mapped, key=ROLES.index) if mapped else settings.oidc_default_role


@bp.get("/login/oidc")
def start() -> Any:
    """Send the browser to the provider (state, nonce and PKCE kept in this session)."""
    for key in [k for k in session if k.startswith(STATE_PREFIX)]:
        session.pop(key)  # one pending sign-in per session: the cookie stays small
    session[NEXT] = safe_next(request.args.get("next", "/"))
    try:
        return _client().authorize_redirect(url_for("oidc.callback", _external=True))
    except (requests.RequestException, ValueError, RuntimeError):
        return _refused(Refused("unreachable", FAILED + "the provider cannot be reached.", 502))


SSO_REASONS = {
    "disabled": "this account is disabled.",
    "unverified-link": (
        "a local account uses this email, and the provider does not say the email is "
        "verified: ask an administrator."
    ),
}


@bp.get("/login/oidc/callback")
def callback() -> Any:
    """Verify the provider's answer, map its claims to a role, then sign in like the form does."""
    try:
        claims = _verified_claims()
        email, role = _email(claims), role_for(claims, _settings())
        if role is None:
            raise Refused("no-role", FAILED + "your account has no Stratwatch role.", 403, email)
    except Refused as refusal:
        return _refused(refusal)
    vouched = str(claims.get("email_verified", "")).lower() == "true"
    principal, reason = accounts.sign_in_sso(
        email, role, str(claims.get("name") or ""), verified=vouched
    )
    if principal is None:
        return sign_in_page(FAILED + SSO_REASONS.get(reason, "the email is invalid."), status=403)
    next_path = session.get(NEXT, "/")
    session.clear()  # a fresh session on sign-in: nothing from before carries over
    session.permanent = True
    login_user(SignedIn(principal))
    csrf_token()
    return redirect(safe_next(next_path))


def _verified_claims() -> dict[str, Any]:
    """The ID token's claims (signature, iss, aud, exp and nonce checked), plus userinfo's."""
    if error := request.args.get("error"):
        message = FAILED + f"the provider answered {error[:64]!r}."
        raise Refused("provider-error", message, 400, cause=error)
    pending = session.get(STATE_PREFIX + request.args.get("state", ""), {})
    if pending.get("exp", 0) < time.time():  # Authlib keeps a state until used, however old
        raise Refused("state", FAILED + "the sign-in expired; start again.", 400)
    client = _client()
    try:
        token = client.authorize_access_token(claims_options=_claims_options(client))
    except OAuthError as exc:
        raise Refused("token", FAILED + "the provider refused the code.", 401, cause=exc) from None
    except JoseError as exc:
        message = FAILED + "the identity token is not valid."
        raise Refused("id-token", message, 401, cause=exc) from None
    except (requests.RequestException, ValueError) as exc:
        message = FAILED + "the provider cannot be reached."
        raise Refused("unreachable", message, 502, cause=exc) from None
    if "userinfo" not in token:
        raise Refused("id-token", FAILED + "the provider sent no identity token.", 401)
    claims = dict(token["userinfo"])
    if "email" in claims and _claim(claims, _settings().oidc_role_claim) is not None:
        return claims
    return _with_userinfo(client, claims)


def _with_userinfo(client: FlaskOAuth2App, claims: dict[str, Any]) -> dict[str, Any]:
    """Some providers keep email or groups out of the ID token: ask userinfo, for this subject."""
    try:
        extra = dict(client.userinfo())
    except (OAuthError, requests.RequestException, ValueError):
        raise Refused("userinfo", FAILED + "the provider's userinfo failed.", 502) from None
    if extra.get("sub") != claims.get("sub"):
        raise Refused("userinfo", FAILED + "userinfo is for another subject.", 401)
    return {**extra, **claims}


def _claim(claims: dict[str, Any], name: str) -> Any:
    """A claim by name, or by dotted path into nested objects (Keycloak's realm_access.roles)."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _email(claims: dict[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise Refused("email", FAILED + "the provider sent no email address.", 401)
    if str(claims.get("email_verified", True)).lower() == "false":  # some send "false"
        raise Refused("unverified", FAILED + "the email is not verified.", 401, email)
    return email  # a missing email_verified is not a yes: sign_in_sso will not link on it


def _claims_options(client: FlaskOAuth2App) -> dict[str, Any]:
    """Authlib checks iss only; the audience must be this client, whatever `azp` says."""
    issuer = client.load_server_metadata().get("issuer", "")
    if issuer.rstrip("/") != str(_settings().oidc_issuer).rstrip("/"):
        raise Refused("issuer", FAILED + "the provider's issuer does not match.", 502)
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client.client_id},
    }


def _refused(refusal: Refused) -> Any:
    log.warning("single sign-on refused (%s): %s", refusal.reason, refusal.cause or "-")
    accounts.sso_refused(
        refusal.email, refusal.reason, {"cause": refusal.cause} if refusal.cause else None
    )
    return sign_in_page(refusal.message, status=refusal.status)


def _client() -> FlaskOAuth2App:
    return current_app.extensions[EXTENSION]


def _settings() -> Settings:
    return current_app.extensions["stratwatch"].settings
