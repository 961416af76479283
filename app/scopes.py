"""Team scopes: which strategies a principal may see (applied to every read that lists them)."""

from __future__ import annotations

import pandas as pd

from data.schema import Role
from data.users import Principal


def visible(book: pd.DataFrame, principal: Principal | None) -> pd.DataFrame:
    """Rows of `book` (with a team_id column) this principal may see.

    Strategies without a team are open to every signed-in user; a team's strategies only to its
    members; admins see everything.
    """
    if principal is None:
        return book.iloc[0:0]
    if principal.can(Role.ADMIN):
        return book
    team = book["team_id"]
    return book[team.isna() | team.isin(list(principal.teams))]


def can_see(strategy: dict[str, object] | None, principal: Principal | None) -> bool:
    """Whether one strategy is visible (a hidden one is reported as not found)."""
    if strategy is None or principal is None:
        return False
    team = strategy.get("team_id")
    return principal.can(Role.ADMIN) or team is None or team in principal.teams
