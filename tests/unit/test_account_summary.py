"""The strategy page's account line: what an owner and a sharing strategy show."""

from __future__ import annotations

from typing import Any

from pages.strategy import account_summary


def text(component: Any) -> str:
    """Every string in a Dash component tree, in order."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return "".join(text(c) for c in component)
    return text(getattr(component, "children", None))


ACCOUNT = {
    "provider": "alpaca",
    "paper": True,
    "label": "<b>fund</b>",
    "account_number": "PA3FAKE00001",
    "status": "ACTIVE",
    "trading_blocked": False,
    "equity": 101_234.5,
    "cash": 1_000.0,
    "order_prefix": "",
    "capital": None,
    "positions": [
        {"symbol": "SPY", "quantity": 10.0, "market_value": 5_000.0, "unrealized_pnl": -12.5}
    ],
}


def test_an_owner_sees_the_accounts_equity_cash_and_positions():
    shown = text(account_summary(ACCOUNT))
    assert "Alpaca paper account <b>fund</b> (PA3FAKE00001) · ACTIVE" in shown  # text, not HTML
    assert "equity $101,234.50 · cash $1,000.00" in shown
    assert "1 open positions" in shown and "SPY" in shown and "-12.50" in shown


def test_a_sharing_strategy_sees_only_the_status_its_prefix_and_capital():
    shared = {**ACCOUNT, "order_prefix": "mom-", "capital": 50_000.0, "trading_blocked": True}
    shown = text(account_summary(shared))
    assert "trading blocked" in shown and "'mom-'" in shown
    assert "capital $50,000.00, equity rebuilt from its fills" in shown
    assert "SPY" not in shown and "101,234" not in shown  # the account's, not the strategy's
    bare = text(account_summary({**shared, "capital": None, "status": None}))
    assert "not synced yet" in bare and "no capital set: fills only" in bare
    assert account_summary(None) is None
