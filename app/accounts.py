"""Account actions with their side effects: audit entries, version bumps, cached principals."""

from __future__ import annotations

import hashlib
import logging
import secrets

from flask import current_app, has_request_context, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cache import cache, count, versioned
from app.store import Store
from data import audit, users
from data.schema import Role, User, utcnow
from data.users import AccountError, Principal
from data.versions import Change, record

DEMO_VIEWER = "viewer@demo.local"
ADMIN_EMAIL = "admin@localhost"
log = logging.getLogger(__name__)


def user_scope(user_id: int) -> str:
    """The version scope of one account (role, state, teams)."""
    return f"user:{user_id}"


def _store() -> Store:
    return current_app.extensions["stratwatch"]


def client_address() -> str:
    """Where the acting request comes from (the proxy-corrected remote address), or 'cli'."""
    return request.remote_addr or "" if has_request_context() else "cli"


@versioned(lambda user_id: [user_scope(user_id), "teams"])
def principal(user_id: int) -> Principal | None:
    """The acting identity of an active account (cached until the account changes)."""
    with _store().reading() as session:
        return users.principal(session, user_id)


def principal_for_token(raw: str) -> Principal | None:
    """The principal owning a valid API token, or None."""
    with _store().reading() as session:
        found = users.user_for_token(session, raw)
    if found is None:
        return None
    user_id, due = found
    if due is not None:
        try:
            with _store().db.transaction() as session:
                users.touch_token(session, due)
        except Exception:  # bookkeeping: a busy database must not refuse a valid token
            log.warning("could not record the use of API token %s", due, exc_info=True)
    return principal(user_id)


def sign_in(email: str, password: str) -> tuple[Principal | None, str]:
    """Check credentials; audit the attempt; return (principal, "") or (None, reason).

    Attempts are counted per account and address (in the shared cache) until one succeeds:
    past MAX_FAILURES, that address is locked out of that account until LOCKOUT has passed
    since its latest attempt, while the owner signs in from elsewhere.
    """
    pair = _failures_key(email)
    # counted before the check, so parallel guesses from one address cannot all slip in
    address_locked = count(pair, int(users.LOCKOUT.total_seconds())) > users.MAX_FAILURES

    def attempt(session: Session) -> tuple[tuple[int | None, str], Change]:
        user, reason = users.authenticate(session, email, password, address_locked=address_locked)
        target = user or session.scalar(
            select(User).where(func.lower(User.email) == email.strip().lower())
        )
        action = "sign-in" if user else "sign-in-failed"
        audit.record(
            session,
            action,
            actor=email[:254],
            user_id=target.id if target else None,
            target_type="user",
            target_id=target.id if target else "",
            ip=client_address(),
            detail={"reason": reason} if reason else {},
        )
        change = record(session, [user_scope(target.id)], 1) if target else Change()
        return (user.id if user else None, reason), change

    user_id, reason = _store().write(attempt)
    if user_id is None:
        return None, reason
    cache.cache.delete(pair)  # a success ends the run of failures
    return principal(user_id), ""


def _failures_key(email: str) -> str:
    who = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{who}:{client_address()}"


def sign_out(who: Principal) -> None:
    """End every session of this account (cookies carry the session version)."""

    def end(session: Session) -> Change:
        session.get(User, who.id).session_version += 1
        audit.record(session, "sign-out", actor=who.email, user_id=who.id, ip=client_address())
        return record(session, [user_scope(who.id)], 1)

    _store().write(end)


def refused(who: Principal | None, what: str, needed: Role) -> None:
    """Audit a refusal (the caller then answers 403)."""

    def note(session: Session) -> Change:
        audit.record(
            session,
            "refused",
            actor=who.email if who else "anonymous",
            user_id=who.id if who else None,
            target_type="action",
            target_id=what,
            ip=client_address(),
            detail={"needed": needed.value, "had": who.role.value if who else None},
        )
        return Change()

    _store().write(note)


def demo_viewer() -> Principal:
    """The read-only account that the demo flag signs visitors in as."""

    def ensure(session: Session) -> tuple[int, Change]:
        existing = session.scalar(select(User.id).where(User.email == DEMO_VIEWER))
        if existing is not None:
            return existing, Change()
        user = User(email=DEMO_VIEWER, name="Demo viewer", role=Role.VIEWER, password_hash=None)
        session.add(user)
        session.flush()
        return user.id, record(session, [user_scope(user.id)], 1)

    return principal(_store().write(ensure))


def ensure_first_admin(store: Store) -> str | None:
    """On an empty account table, create the admin with a generated password; return it once."""
    with store.reading() as session:
        if session.scalar(select(func.count()).select_from(User).where(User.email != DEMO_VIEWER)):
            return None
    password = secrets.token_urlsafe(15)

    def create(session: Session) -> Change:
        user = users.create_user(session, ADMIN_EMAIL, Role.ADMIN, password, name="Administrator")
        audit.record(
            session,
            "user-created",
            actor="system",
            target_type="user",
            target_id=user.id,
            detail={"role": "admin"},
        )
        return record(session, [user_scope(user.id)], 1)

    store.write(create)
    return password


def administer(store: Store, actor: str, action: str, email: str, apply) -> User:
    """Run an account change (create, set role, disable...) with its audit entry, in one go."""

    def run(session: Session) -> tuple[User, Change]:
        user = apply(session)
        audit.record(
            session,
            action,
            actor=actor,
            target_type="user",
            target_id=user.id,
            detail={"email": user.email, "role": Role(user.role).value, "active": user.is_active},
        )
        return user, record(session, [user_scope(user.id), "teams"], 1)

    return store.write(run)


def sign_in_sso(
    email: str, role: Role | str, name: str = "", *, verified: bool = True
) -> tuple[Principal | None, str]:
    """Sign in a provider-vouched email: create the account or align its role; audit either way.

    An existing account with a local password is linked only when the provider says the email
    is verified (`verified`): otherwise anyone who can set that email at the provider could
    take the account over, an admin's included.
    """
    try:
        email = users.normalise_email(email)
    except AccountError:
        sso_refused(email, "email")
        return None, "email"

    def attempt(session: Session) -> tuple[tuple[int | None, str], Change]:
        user = session.scalar(select(User).where(func.lower(User.email) == email))
        if user is None:
            user = _sso_user(session, email, Role(role), name)
        elif user.password_hash is not None and not verified:
            reason = "unverified-link"
        elif user.is_active and Role(user.role) != Role(role):
            _sso_role(session, user, Role(role))
        if user.password_hash is None or verified:
            reason = "" if user.is_active else "disabled"
        if not reason:
            user.last_login_at = utcnow()
        audit.record(
            session,
            "sign-in-failed" if reason else "sign-in",
            actor=email,
            user_id=user.id,
            target_type="user",
            target_id=user.id,
            ip=client_address(),
            detail={"method": "oidc", **({"reason": reason} if reason else {})},
        )
        return (None if reason else user.id, reason), record(session, [user_scope(user.id)], 1)

    user_id, reason = _store().write(attempt)
    return (principal(user_id), "") if user_id is not None else (None, reason)


def sso_refused(email: str, reason: str, detail: dict[str, object] | None = None) -> None:
    """Audit a single sign-on refused before any account was touched."""

    def note(session: Session) -> Change:
        audit.record(
            session,
            "sign-in-failed",
            actor=email[:254] or "anonymous",
            target_type="user",
            ip=client_address(),
            detail={"method": "oidc", "reason": reason, **(detail or {})},
        )
        return Change()

    _store().write(note)


def _sso_user(session: Session, email: str, role: Role, name: str) -> User:
    """A new account without a password: it can only ever sign in through the provider."""
    user = User(email=email, name=name[:120], role=role, password_hash=None)
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user-created",
        actor="oidc",
        target_type="user",
        target_id=user.id,
        detail={"email": email, "role": role.value, "method": "oidc"},
    )
    return user


def _sso_role(session: Session, user: User, role: Role) -> None:
    """The provider's claims decide an SSO user's role; their other sessions end with the change."""
    audit.record(
        session,
        "role-changed",
        actor="oidc",
        target_type="user",
        target_id=user.id,
        detail={"email": user.email, "from": Role(user.role).value, "role": role.value},
    )
    user.role = role
    user.session_version += 1


__all__ = [
    "AccountError",
    "administer",
    "demo_viewer",
    "ensure_first_admin",
    "principal",
    "principal_for_token",
    "refused",
    "sign_in",
    "sign_in_sso",
    "sign_out",
    "sso_refused",
]
