"""User accounts: roles, scrypt password hashes, lockout after failures, hashed API tokens."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.schema import ApiToken, Role, Team, User, utcnow

ROLE_ORDER = [Role.VIEWER, Role.ANALYST, Role.TRADER, Role.ADMIN]
MAX_FAILURES = 5  # failures in a row from one address lock that address out of the account
ACCOUNT_MAX_FAILURES = 50  # failures in a row from anywhere lock the account itself
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 12
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # ~50 ms and 32 MiB per hash on this class of machine
EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+$")


class AccountError(ValueError):
    """An account operation was refused; the message says why."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: enough to authorise and audit without touching the database again."""

    id: int
    email: str
    role: Role
    session_version: int
    teams: frozenset[int]

    def can(self, needed: Role) -> bool:
        """Whether this role includes `needed`."""
        return permits(self.role, needed)


def permits(role: Role | str, needed: Role | str) -> bool:
    """Roles are ordered: each includes every one before it."""
    return ROLE_ORDER.index(Role(role)) >= ROLE_ORDER.index(Role(needed))


def hash_password(password: str) -> str:
    """A salted scrypt hash, self-describing: scrypt$n$r$p$salt$hash."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, maxmem=2**26, dklen=32, **SCRYPT)
    parts = [str(SCRYPT[k]) for k in "nrp"] + [_b64(salt), _b64(digest)]
    return "scrypt$" + "$".join(parts)


def check_password(stored: str | None, password: str) -> bool:
    """Constant-time check of `password` against a stored hash."""
    try:
        _, n, r, p, salt, digest = (stored or "").split("$")
        candidate = hashlib.scrypt(
            password.encode(),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=2**26,
            dklen=32,
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate, _unb64(digest))


def create_user(
    session: Session, email: str, role: Role | str, password: str, name: str = ""
) -> User:
    """A new active account; the email must be new and the password long enough."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters long")
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise AccountError(f"an account for {email} exists already")
    user = User(email=email, name=name, role=Role(role), password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def find(session: Session, email: str) -> User:
    """The account for `email`, or AccountError."""
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None:
        raise AccountError(f"no account for {email}")
    return user


def set_role(session: Session, email: str, role: Role | str) -> User:
    """Change a role; the user's sessions end so the new role applies at once."""
    user = find(session, email)
    user.role = Role(role)
    user.session_version += 1
    return user


def set_active(session: Session, email: str, active: bool) -> User:
    """Disable (ending every session and revoking every API token: re-enabling brings none of
    them back) or re-enable an account, which also lifts a lockout."""
    user = find(session, email)
    user.is_active = active
    user.session_version += 1
    if active:
        user.failed_logins, user.locked_until = 0, None
    else:
        for token in session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ):
            token.revoked_at = utcnow()
    return user


def authenticate(
    session: Session,
    email: str,
    password: str,
    now: dt.datetime | None = None,
    *,
    address_locked: bool = False,
) -> tuple[User | None, str]:
    """Check a sign-in; returns (user, "") or (None, reason).

    The password is always hashed once, whatever the outcome, so the time taken tells nothing
    of whether the account exists, is locked, disabled or has no password. `address_locked`
    refuses an address that has failed MAX_FAILURES times for this account (the caller counts
    per address, so a stranger cannot lock the owner out); ACCOUNT_MAX_FAILURES failures in a
    row from anywhere lock the account itself for LOCKOUT (a guessing attack spread over many
    addresses).
    """
    now = now or utcnow()
    # the row is locked until commit, so parallel guesses cannot overwrite each other's count
    # (SQLite serialises write transactions anyway and ignores FOR UPDATE)
    user = session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower()).with_for_update()
    )
    stored = user.password_hash if user is not None and user.password_hash else None
    right = check_password(stored or _dummy_hash(), password) and stored is not None
    if user is None:
        return None, "unknown"
    if address_locked or (user.locked_until is not None and user.locked_until > now):
        return None, "locked"
    if not user.is_active:
        return None, "disabled"
    if not right:
        user.failed_logins += 1
        if user.failed_logins >= ACCOUNT_MAX_FAILURES:
            user.locked_until, user.failed_logins = now + LOCKOUT, 0
            return None, "locked"
        return None, "password"
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    return user, ""


def principal(session: Session, user_id: int) -> Principal | None:
    """The acting identity of an active user, with their teams."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    teams = frozenset(session.scalars(select(Team.id).where(Team.members.any(User.id == user_id))))
    return Principal(user.id, user.email, Role(user.role), user.session_version, teams)


def create_token(session: Session, user: User, name: str) -> str:
    """A new personal API token; only its hash is stored, so the value is shown once."""
    raw = "sw_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name[:80], token_hash=_token_hash(raw)))
    session.flush()
    return raw


TOKEN_TOUCH = dt.timedelta(minutes=1)


def user_for_token(session: Session, raw: str) -> tuple[int, int | None] | None:
    """(user id, token id if its last use is due to be recorded) for an unrevoked token, or None.

    A read: recording the use is a separate, occasional write (`touch_token`), so checking a
    token never queues behind the database's writers.
    """
    row = session.execute(
        select(ApiToken.id, ApiToken.user_id, ApiToken.last_used_at).where(
            ApiToken.token_hash == _token_hash(raw), ApiToken.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    due = row.last_used_at is None or utcnow() - row.last_used_at > TOKEN_TOUCH
    return row.user_id, row.id if due else None


def touch_token(session: Session, token_id: int) -> None:
    """Record that a token was used now (to the minute)."""
    token = session.get(ApiToken, token_id)
    if token is not None:
        token.last_used_at = utcnow()


def revoke_token(session: Session, email: str, name: str) -> int:
    """Revoke a user's tokens called `name`; returns how many."""
    user = find(session, email)
    tokens = session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    ).all()
    for token in tokens:
        token.revoked_at = utcnow()
    return len(tokens)


def normalise_email(email: str) -> str:
    """Trimmed, lower-case, and shaped like an address."""
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address")
    return email


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()  # tokens are random: no salt or KDF needed


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode())


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(8))
