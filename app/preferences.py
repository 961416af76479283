"""The signed-in user's preferences: a cached read per user and the one validated write."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context
from sqlalchemy.orm import Session

from app import accounts
from app.auth import current_principal
from app.cache import versioned
from data import audit, preferences
from data.preferences import DEFAULTS, PreferencesRefused
from data.versions import Change

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


def update(user_id: int, changes: dict[str, object], *, audited: bool = True) -> dict[str, Any]:
    """Validate and save `changes` (PreferencesRefused lists every problem); the new whole.

    Only values that differ from the saved ones are written (a form that posts itself whole when
    it appears changes nothing, bumps no version and records nothing). Saved settings are
    audited; a remembered view (the overview's sort or tags) is not.
    """
    saved = of_user(user_id)
    changes = unsaved(saved, changes)
    if not changes:
        return saved
    store = current_app.extensions["stratwatch"]

    def save(session: Session) -> Change:
        change = preferences.save(session, user_id, changes)
        if audited:
            who = current_principal() if has_request_context() else None
            audit.record(
                session,
                "preferences-saved",
                actor=who.email if who else "",
                user_id=user_id,
                target_type="user",
                target_id=user_id,
                ip=accounts.client_address(),
                detail={"fields": sorted(changes)},
            )
        return change

    store.write(save)
    return of_user(user_id)


def unsaved(saved: dict[str, Any], changes: dict[str, object]) -> dict[str, object]:
    """The part of `changes` that differs from `saved` (the user's whole preferences)."""
    return {k: v for k, v in changes.items() if not _same(saved.get(k), v)}


def _same(saved: object, given: object) -> bool:
    """Equal and of one type: True is not the decimals 1, so it still meets validation."""
    return type(saved) is type(given) and saved == given
