"""Broker accounts and the strategies trading in them: set from a TOML/JSON file, read by the sync.

A strategy maps onto an account with a client-order-id prefix. An empty prefix means the whole
account is that strategy's: it then receives the account's equity and every fill, and must be the
account's only strategy. Strategies sharing an account get the fills whose client order id starts
with their prefix (and no equity: account equity cannot be split between them).

    [[accounts]]
    label = "alpaca-paper"          # unique; provider "alpaca" (default) or "demo"
    paper = true
    credentials = "FUND2"           # optional: keys ALPACA_API_KEY_ID__FUND2 / ..SECRET_KEY__FUND2
    [[accounts.strategies]]
    slug = "momentum-us"
    order_prefix = "mom-"
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from data.schema import BrokerAccount, Strategy, StrategyAccount
from data.sync_state import forget_account
from data.versions import CATALOG, Change, record, strategy_scope
from data.writes import SYNCED, WriteError

PROVIDERS = ("alpaca", "demo")


@dataclass(frozen=True)
class StrategyMapping:
    """A strategy on an account, and the client-order-id prefix of its orders."""

    slug: str
    order_prefix: str = ""
    capital: float | None = None


@dataclass(frozen=True)
class AccountMapping:
    """A broker account and the strategies mapped onto it."""

    label: str
    provider: str = "alpaca"
    paper: bool = True
    strategies: tuple[StrategyMapping, ...] = ()
    credentials: str | None = None


@dataclass(frozen=True)
class SyncTarget:
    """An account to sync, with its (strategy id, order prefix) pairs in paper or live."""

    account_id: int
    label: str
    provider: str
    paper: bool
    strategies: tuple[tuple[int, str], ...]
    capitals: tuple[tuple[int, float], ...] = ()  # sharing strategies whose equity is rebuilt
    credentials: str | None = None  # the name of the account's key pair; None: the default

    @property
    def owner(self) -> int | None:
        """The strategy owning the whole account (empty prefix), if any."""
        return next((sid for sid, prefix in self.strategies if prefix == ""), None)


def load_mapping(path: str | Path) -> list[AccountMapping]:
    """Read and validate a mapping file (`.toml` or `.json`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:  # UnicodeDecodeError is a ValueError
        raise WriteError(
            f"{path}: not valid {path.suffix.lstrip('.') or 'TOML'}: {error}"
        ) from None
    return parse_mapping(document)


def parse_mapping(document: dict[str, Any]) -> list[AccountMapping]:
    """Validate a mapping document: unique labels, known providers, unambiguous prefixes."""
    if not isinstance(document, dict) or not isinstance(document.get("accounts", []), list):
        raise WriteError("the mapping is an object whose `accounts` is a list of accounts")
    accounts = [_account(_table(item, "every account")) for item in document.get("accounts", [])]
    labels = [a.label for a in accounts]
    if len(set(labels)) != len(labels):
        raise WriteError("account labels must be unique in the mapping file")
    owners = [s.slug for a in accounts for s in a.strategies if s.order_prefix == ""]
    if len(set(owners)) != len(owners):
        raise WriteError("a strategy can own (empty prefix) at most one account")
    return accounts


def _account(item: dict[str, Any]) -> AccountMapping:
    label = str(item.get("label", "")).strip()
    provider = str(item.get("provider", "alpaca"))
    if not label or len(label) > 80:
        raise WriteError("every account needs a label of 1 to 80 characters")
    if provider not in PROVIDERS:
        raise WriteError(f"account {label}: provider must be one of {PROVIDERS}, not {provider!r}")
    if not isinstance(item.get("paper", True), bool):
        raise WriteError(f"account {label}: paper must be true or false")
    listed = item.get("strategies", [])
    if not isinstance(listed, list):
        raise WriteError(f"account {label}: strategies must be a list")
    strategies = tuple(
        _strategy(label, _table(s, f"account {label}: every strategy")) for s in listed
    )
    _check_prefixes(label, strategies)
    credentials = item.get("credentials")
    if credentials is not None:
        credentials = str(credentials).upper()
        if not re.fullmatch(r"[A-Z0-9_]{1,32}", credentials):
            raise WriteError(
                f"account {label}: credentials name a key pair with 1-32 letters, digits or "
                f"underscores (ALPACA_API_KEY_ID__<NAME>), not {item['credentials']!r}"
            )
    return AccountMapping(label, provider, item.get("paper", True), strategies, credentials)


def _table(item: object, what: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise WriteError(f"{what} must be a table of fields, not {item!r:.60}")
    return item


def _strategy(label: str, item: dict[str, Any]) -> StrategyMapping:
    slug, prefix, capital = str(item.get("slug", "")), str(item.get("order_prefix", "")), None
    if not slug:
        raise WriteError(f"account {label}: every strategy needs a slug")
    if "capital" in item:
        value = item["capital"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WriteError(f"account {label}, {slug}: capital must be a number, not {value!r}")
        if not math.isfinite(value) or value <= 0:
            raise WriteError(f"account {label}, {slug}: capital must be a positive amount")
        if prefix == "":
            raise WriteError(
                f"account {label}, {slug}: capital is for strategies sharing an account; "
                "a whole account's equity is the account's own"
            )
        capital = float(value)
    return StrategyMapping(slug, prefix, capital)


def _check_prefixes(label: str, strategies: tuple[StrategyMapping, ...]) -> None:
    slugs = [s.slug for s in strategies]
    if len(set(slugs)) != len(slugs):
        raise WriteError(f"account {label}: a strategy is listed twice")
    prefixes = [s.order_prefix for s in strategies]
    if "" in prefixes and len(prefixes) > 1:
        raise WriteError(f"account {label}: an empty prefix (whole account) must be the only one")
    for i, a in enumerate(prefixes):
        for j, b in enumerate(prefixes):
            if i != j and b.startswith(a):
                raise WriteError(f"account {label}: prefix {a!r} also matches {b!r}")
    if any(len(p) > 32 for p in prefixes):
        raise WriteError(f"account {label}: order prefixes are at most 32 characters")


def apply_mapping(session: Session, accounts: list[AccountMapping]) -> Change:
    """Upsert the accounts and replace each listed account's strategy mappings."""
    touched: set[int] = set()
    for mapping in accounts:
        account = session.scalar(select(BrokerAccount).where(BrokerAccount.label == mapping.label))
        account = account or BrokerAccount(label=mapping.label)
        was_paper = account.paper
        account.provider, account.paper = mapping.provider, mapping.paper
        account.credentials = mapping.credentials
        session.add(account)
        session.flush()
        rows = session.execute(
            select(StrategyAccount.strategy_id, StrategyAccount.order_prefix).where(
                StrategyAccount.account_id == account.id
            )
        )
        previous = {(sid, prefix) for sid, prefix in rows}
        touched.update(sid for sid, _prefix in previous)
        session.execute(delete(StrategyAccount).where(StrategyAccount.account_id == account.id))
        ids = [_strategy_id(session, s.slug) for s in mapping.strategies]
        wanted = {(sid, s.order_prefix) for sid, s in zip(ids, mapping.strategies, strict=True)}
        if wanted != previous or was_paper != mapping.paper:
            forget_account(session, mapping.label)  # fills passed over before may be theirs now
        for strategy_id, item in zip(ids, mapping.strategies, strict=True):
            session.add(
                StrategyAccount(
                    strategy_id=strategy_id,
                    account_id=account.id,
                    order_prefix=item.order_prefix,
                    capital=item.capital,
                )
            )
            touched.add(strategy_id)
    session.flush()
    scopes = [CATALOG, *(strategy_scope(sid) for sid in touched)]
    return record(session, scopes, sum(len(a.strategies) for a in accounts))


def _strategy_id(session: Session, slug: str) -> int:
    found = session.scalar(select(Strategy.id).where(Strategy.slug == slug))
    if found is None:
        raise WriteError(f"no strategy {slug!r}: create it before mapping it to an account")
    return found


def sync_targets(session: Session) -> list[SyncTarget]:
    """Accounts with at least one strategy in paper or live, and those strategies."""
    rows = session.execute(
        select(
            BrokerAccount,
            StrategyAccount.strategy_id,
            StrategyAccount.order_prefix,
            StrategyAccount.capital,
        )
        .join(StrategyAccount, StrategyAccount.account_id == BrokerAccount.id)
        .join(Strategy, Strategy.id == StrategyAccount.strategy_id)
        .where(Strategy.stage.in_(SYNCED))
        .order_by(BrokerAccount.label, StrategyAccount.order_prefix)
    ).all()
    grouped: dict[int, tuple[BrokerAccount, list[tuple[int, str]], list[tuple[int, float]]]] = {}
    for account, strategy_id, prefix, capital in rows:
        _, pairs, capitals = grouped.setdefault(account.id, (account, [], []))
        pairs.append((strategy_id, prefix))
        if capital is not None and prefix != "":
            capitals.append((strategy_id, capital))
    return [
        SyncTarget(a.id, a.label, a.provider, a.paper, tuple(pairs), tuple(capitals), a.credentials)
        for a, pairs, capitals in grouped.values()
    ]


def attribute(client_order_id: str | None, target: SyncTarget) -> int | None:
    """The strategy a fill belongs to: the account's owner, or the one whose prefix matches."""
    if target.owner is not None:
        return target.owner
    for strategy_id, prefix in target.strategies:
        if client_order_id and client_order_id.startswith(prefix):
            return strategy_id
    return None
