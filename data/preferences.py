"""User preferences: one validated JSON document per user, merged over documented defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.schema import Preference
from data.versions import Change, record

THEMES = ("light", "dark")
RANGES = ("1M", "3M", "YTD", "1Y", "3Y", "5Y", "All")
PANELS = (
    "equity",
    "drawdown",
    "drawdowns",
    "rolling",
    "monthly",
    "yearly",
    "distribution",
    "quantiles",
    "comparison",
    "metrics",
    "trades",
)
SEVERITIES = ("info", "warning", "critical")
SORTS = ("name", "today", "mtd", "ytd", "relative", "sharpe", "max_drawdown")
DEFAULTS: dict[str, Any] = {
    "theme": "light",
    "benchmarks": ["SPY", "AGG"],
    "date_range": "1Y",
    "panels": list(PANELS),
    "decimals": 2,
    "alerts_in_app": True,
    "alerts_email": False,
    "alert_severity": "warning",
    "overview_sort": "name",
    "overview_tags": [],
}


class PreferencesRefused(ValueError):
    """Some values were invalid; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def preferences_scope(user_id: int) -> str:
    """The version scope of one user's preferences."""
    return f"prefs:{user_id}"


def _choice(options: tuple[str, ...]):
    def check(value: object) -> str | None:
        return None if value in options else f"must be one of {', '.join(options)}"

    return check


def _flag(value: object) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _decimals(value: object) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 4
    return None if ok else "must be a whole number from 0 to 4"


def _subset(options: tuple[str, ...] | None, *, ordered: bool = False, at_least: int = 0):
    def check(value: object) -> str | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "must be a list of names"
        if len(set(value)) != len(value):
            return "must not repeat a name"
        if options is not None and (bad := [v for v in value if v not in options]):
            return f"unknown: {', '.join(bad)} (choose from {', '.join(options)})"
        if len(value) < at_least:
            return f"choose at least {at_least}"
        return None if ordered or len(value) <= 50 else "too many"

    return check


def _symbols(value: object) -> str | None:
    problem = _subset(None, at_least=1)(value)
    if problem is None and any(not (0 < len(v) <= 16) or not v.isprintable() for v in value):
        problem = "symbols are 1 to 16 printable characters"
    return problem


def _tags(value: object) -> str | None:
    problem = _subset(None)(value)
    if problem is None and any(not (0 < len(v) <= 64) or not v.isprintable() for v in value):
        problem = "tags are 1 to 64 printable characters"
    return problem


CHECKS = {
    "theme": _choice(THEMES),
    "benchmarks": _symbols,
    "date_range": _choice(RANGES),
    "panels": _subset(PANELS, ordered=True, at_least=1),
    "decimals": _decimals,
    "alerts_in_app": _flag,
    "alerts_email": _flag,
    "alert_severity": _choice(SEVERITIES),
    "overview_sort": _choice(SORTS),
    "overview_tags": _tags,
}


def validate(changes: Mapping[str, object]) -> dict[str, Any]:
    """The changes if every field is known and valid; else PreferencesRefused with every problem."""
    if not isinstance(changes, Mapping):
        raise PreferencesRefused({"": "preferences are a JSON object"})
    problems = {k: "unknown preference" for k in changes if k not in CHECKS}
    problems |= {
        k: p for k, v in changes.items() if k in CHECKS and (p := CHECKS[k](v)) is not None
    }
    if problems:
        raise PreferencesRefused(problems)
    return dict(changes)


def load(session: Session, user_id: int) -> dict[str, Any]:
    """A user's preferences: the defaults overlaid with what they saved (still-valid keys only)."""
    saved = session.scalar(select(Preference.prefs).where(Preference.user_id == user_id)) or {}
    kept = {k: v for k, v in saved.items() if k in CHECKS and CHECKS[k](v) is None}
    return {**DEFAULTS, **kept}


def save(session: Session, user_id: int, changes: Mapping[str, object]) -> Change:
    """Validate `changes` and merge them into the user's saved preferences (all or nothing)."""
    clean = validate(changes)
    row = session.get(Preference, user_id)
    if row is None:
        session.add(Preference(user_id=user_id, prefs=clean))
    else:
        row.prefs = {**(row.prefs or {}), **clean}
    session.flush()
    return record(session, [preferences_scope(user_id)], 1)
