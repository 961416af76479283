"""Data versions: a counter per scope, bumped in the same transaction as the write it describes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.schema import DataVersion

CATALOG = "catalog"


def strategy_scope(strategy_id: int) -> str:
    """The scope of everything stored for one strategy."""
    return f"strategy:{strategy_id}"


def series_scope(strategy_id: int, source: str) -> str:
    """The scope of one source's performance (every resolution) of a strategy, bumped with the
    strategy's own scope: a live tick leaves reads of its backtest cached. 'strategy:*' covers it.
    """
    return f"strategy:{strategy_id}:{source}"


def account_scope(account_id: int) -> str:
    """The scope of a broker account's reported state and positions."""
    return f"account:{account_id}"


def benchmark_scope(symbol: str) -> str:
    """The scope of one benchmark's bars."""
    return f"benchmark:{symbol}"


@dataclass(frozen=True)
class Change:
    """What a write touched: the scopes whose versions it bumped, and how many rows it wrote."""

    scopes: frozenset[str] = field(default_factory=frozenset)
    rows: int = 0
    versions: dict[str, int] = field(default_factory=dict, compare=False)

    def __or__(self, other: Change) -> Change:
        return Change(
            self.scopes | other.scopes,
            self.rows + other.rows,
            {**self.versions, **other.versions},
        )


def bump(session: Session, scopes: Iterable[str]) -> dict[str, int]:
    """Increment each scope's version (creating it at 1) and return the new versions."""
    result: dict[str, int] = {}
    for scope in sorted(set(scopes)):  # a fixed order: two writers never deadlock on these rows
        updated = session.execute(
            update(DataVersion)
            .where(DataVersion.scope == scope)
            .values(version=DataVersion.version + 1)
            .returning(DataVersion.version)
        ).scalar()
        if updated is None:
            session.add(DataVersion(scope=scope, version=1))
            session.flush()
            updated = 1
        result[scope] = int(updated)
    return result


def record(session: Session, scopes: Iterable[str], rows: int) -> Change:
    """Bump `scopes` and describe the write as a Change."""
    scopes = frozenset(scopes)
    return Change(scopes, rows, bump(session, scopes))


def read_all(session: Session) -> dict[str, int]:
    """Every scope's current version."""
    rows = session.execute(select(DataVersion.scope, DataVersion.version)).all()
    return {scope: int(version) for scope, version in rows}
