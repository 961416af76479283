"""A broker account's state as last synced (status, equity, cash, positions), kept and read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from data.providers.base import AccountInfo, PositionInfo
from data.schema import AccountPosition, BrokerAccount, StrategyAccount
from data.versions import Change, account_scope, record


def record_account_state(
    session: Session, account_id: int, info: AccountInfo, positions: list[PositionInfo]
) -> Change:
    """Keep the account's reported status and replace its positions (within the sync's write);
    the version moves only when something the dashboard shows has changed. Its age is the sync
    stream's (SyncState), not kept here."""
    account = session.get(BrokerAccount, account_id)
    if account is None:  # the mapping was replaced while the sync ran: nothing to keep
        return Change()
    reported = {
        "account_number": info.account_number[:64],
        "status": info.status[:32],
        "trading_blocked": info.trading_blocked,
        "equity": info.equity,
        "cash": info.cash,
    }
    held: dict[str, tuple[float, float | None, float | None]] = {}
    for p in positions:  # one row per symbol, should a broker list one twice
        was = held.get(p.symbol[:32], (0.0, 0.0, 0.0))
        held[p.symbol[:32]] = (
            was[0] + p.quantity,
            _add(was[1], p.market_value),
            _add(was[2], p.unrealized_pnl),
        )
    unchanged = all(getattr(account, k) == v for k, v in reported.items())
    if unchanged and held == _held(session, account_id):
        return Change()
    for name, value in reported.items():
        setattr(account, name, value)
    session.execute(delete(AccountPosition).where(AccountPosition.account_id == account_id))
    session.add_all(
        AccountPosition(
            account_id=account_id, symbol=s, quantity=q, market_value=v, unrealized_pnl=u
        )
        for s, (q, v, u) in held.items()
    )
    session.flush()
    return record(session, [account_scope(account_id)], len(held) + 1)


def _add(x: float | None, y: float | None) -> float | None:
    return None if x is None or y is None else x + y


def _held(session: Session, account_id: int) -> dict[str, tuple[float, float | None, float | None]]:
    rows = session.execute(
        select(
            AccountPosition.symbol,
            AccountPosition.quantity,
            AccountPosition.market_value,
            AccountPosition.unrealized_pnl,
        ).where(AccountPosition.account_id == account_id)
    ).all()
    return {symbol: (q, v, u) for symbol, q, v, u in rows}


def strategy_account(session: Session, strategy_id: int) -> dict[str, Any] | None:
    """The account a strategy trades in, its last reported state and open positions; or None."""
    row = session.execute(
        select(BrokerAccount, StrategyAccount.order_prefix, StrategyAccount.capital)
        .join(StrategyAccount, StrategyAccount.account_id == BrokerAccount.id)
        .where(StrategyAccount.strategy_id == strategy_id)
    ).first()
    if row is None:
        return None
    account, prefix, capital = row
    held = _held(session, account.id)
    return {
        "id": account.id,
        "label": account.label,
        "provider": account.provider,
        "paper": account.paper,
        "account_number": account.account_number,
        "status": account.status,
        "trading_blocked": account.trading_blocked,
        "equity": account.equity,
        "cash": account.cash,
        "order_prefix": prefix,
        "capital": capital,
        "positions": [
            {"symbol": s, "quantity": q, "market_value": v, "unrealized_pnl": u}
            for s, (q, v, u) in sorted(held.items())
        ],
    }
