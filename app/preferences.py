"""The signed-in user's preferences: a cached read per user and the one validated write."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context

from app.auth import current_principal
from app.cache import versioned
from data import preferences
from data.preferences import DEFAULTS, PreferencesRefused

__all__ = ["DEFAULTS", "PreferencesRefused", "current", "of_user", "update"]


@versioned(lambda user_id: [preferences.preferences_scope(user_id)])
def of_user(user_id: int) -> dict[str, Any]:
    """One user's preferences over the defaults (cached until they change)."""
    with current_app.extensions["stratwatch"].reading() as session:
        return preferences.load(session, user_id)


def current() -> dict[str, Any]:
    """The caller's preferences; the defaults when nobody is signed in (or outside a request)."""
    principal = current_principal() if has_request_context() else None
    return dict(DEFAULTS) if principal is None else of_user(principal.id)


def update(user_id: int, changes: dict[str, object]) -> dict[str, Any]:
    """Validate and save `changes` (PreferencesRefused lists every problem); the new whole."""
    store = current_app.extensions["stratwatch"]
    store.write(lambda session: preferences.save(session, user_id, changes))
    return of_user(user_id)
