"""The status report: how fresh each sync stream is, and each provider's circuit state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from flask import current_app

from app.cache import cache
from data import freshness
from data.schema import Role
from data.users import Principal


@dataclass(frozen=True)
class Status:
    """Freshness of every sync stream and the providers' circuit states, as of `now`."""

    now: dt.datetime
    streams: list[freshness.Freshness]
    providers: list[freshness.ProviderHealth]

    def seen_by(self, principal: Principal | None) -> Status:
        """What a principal may see: admins everything; others no account names or errors
        (an account may serve strategies of teams they are not in)."""
        if principal is not None and principal.can(Role.ADMIN):
            return self
        streams = [
            replace(s, kind="broker", subject="accounts", last_error=None)
            if s.kind == "account"
            else s
            for s in self.streams
        ]
        return replace(self, streams=streams)

    @property
    def warnings(self) -> list[str]:
        """Lines for the banner: stale streams and providers whose circuit is not closed."""
        lines = freshness.stale_warnings(self.streams)
        lines += [
            f"{p.name}: circuit {p.state.value}" + (f" ({p.detail})" if p.detail else "")
            for p in self.providers
            if p.state.value != "closed"
        ]
        return lines


@cache.memoize(timeout=10)  # ages are shown to the minute; no need to ask more often
def report() -> Status:
    """The data-freshness and provider report behind the banner and /metrics."""
    now = dt.datetime.now(dt.UTC)
    with current_app.extensions["stratwatch"].reading() as session:
        return Status(now, freshness.freshness(session, now), freshness.provider_health(session))
