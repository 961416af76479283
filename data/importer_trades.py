"""The importer's rules for a trades file: one row per fill, each keyed for idempotent writes."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from data.importer_cells import dates, numbers, row_label, rows_where
from data.importer_rules import DATE_NAMES, pick

TRADE_REQUIRED = ("symbol", "side", "quantity", "price")
TRADE_OPTIONAL = ("fee", "pnl", "exit_ts", "trade_key")
TRADE_ALIASES = {
    "qty": "quantity",
    "id": "trade_key",
    "trade_id": "trade_key",
    "exit_date": "exit_ts",
}
SIDES = {"buy", "sell", "long", "short"}


def check_trades(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Validate a trades table; return (frame with write_trades' columns, problems)."""
    problems: list[str] = []
    table = table.rename(columns=TRADE_ALIASES)
    date_col = pick(table, DATE_NAMES, "date", problems, required=True)
    if missing := [c for c in TRADE_REQUIRED if c not in table]:
        problems.append(f"trades: missing column(s) {missing}")
    known = {date_col, *TRADE_REQUIRED, *TRADE_OPTIONAL, "strategy"}
    if unknown := [c for c in table.columns if c not in known]:
        problems.append(f"trades: unknown column(s) {unknown}")
    if problems or date_col is None:
        return pd.DataFrame(), problems
    ts = dates(table[date_col], date_col, problems)
    out = pd.DataFrame({"ts": pd.NaT if ts is None else ts}, index=range(len(table)))
    symbol = table["symbol"].astype(str).str.strip().str.upper()
    out["symbol"] = symbol.to_numpy()
    rows_where(
        (table["symbol"].isna() | (symbol == "")).to_numpy(bool),
        problems,
        lambda i: "column 'symbol' is empty",
    )
    out["side"] = table["side"].astype(str).str.strip().str.lower().to_numpy()
    rows_where(
        ~out["side"].isin(SIDES).to_numpy(),
        problems,
        lambda i: f"side {out['side'][i]!r} is not one of {sorted(SIDES)}",
    )
    for column in ("quantity", "price"):
        out[column] = numbers(table[column], column, problems)
        rows_where(
            out[column].to_numpy() <= 0, problems, lambda i, c=column: f"{c} must be positive"
        )
    qty, price = out["quantity"].to_numpy(), out["price"].to_numpy()
    with np.errstate(over="ignore"):
        notional = qty * price
    rows_where(
        np.isinf(notional) & np.isfinite(qty) & np.isfinite(price),
        problems,
        lambda i: f"quantity * price ({qty[i]:g} * {price[i]:g}) is not finite",
    )
    for column in ("fee", "pnl"):
        if column in table:
            out[column] = numbers(table[column], column, problems, allow_blank=True)
    if "fee" in out:
        fee = out["fee"].to_numpy()
        rows_where(fee < 0, problems, lambda i: f"fee must not be negative, got {fee[i]:g}")
    if "exit_ts" in table:
        exits = dates(table["exit_ts"], "exit_ts", problems, allow_blank=True)
        out["exit_ts"] = pd.NaT if exits is None else exits
        if exits is not None and ts is not None:
            _exits_after(exits, ts, date_col, problems)
    out["trade_key"] = _trade_keys(table, out, problems)
    return out, problems


def _exits_after(
    exits: pd.DatetimeIndex, ts: pd.DatetimeIndex, date_col: str, problems: list[str]
) -> None:
    """An exit before its entry is refused; an exit given as a day may be the entry's day."""
    same_day = (exits == exits.normalize()) & (exits == ts.normalize())
    rows_where(
        np.asarray((exits < ts) & ~same_day),
        problems,
        lambda i: (
            f"exit_ts {exits[i]:%Y-%m-%d %H:%M} comes before {date_col} {ts[i]:%Y-%m-%d %H:%M}"
        ),
    )


def _trade_keys(table: pd.DataFrame, out: pd.DataFrame, problems: list[str]) -> np.ndarray:
    """The given ids, or for a row without one a hash of the row; a repeated key is refused."""
    given = table["trade_key"] if "trade_key" in table else pd.Series(np.nan, index=out.index)
    text = given.astype(str).str.strip()
    blank = (given.isna() | (text == "")).to_numpy(bool)
    keys = text.to_numpy(object)
    if blank.any():
        keys[blank] = [_row_key(row) for row in out[blank].itertuples(index=False)]
    seen = pd.Series(keys).duplicated(keep="first").to_numpy() & (
        ~blank | out["ts"].notna().to_numpy()  # unread dates would make rows look alike
    )
    first = {key: i for i, key in reversed(list(enumerate(keys)))}
    rows_where(
        seen & ~blank,
        problems,
        lambda i: (
            f"trade_key {keys[i]!r} repeats {row_label(first[keys[i]])} "
            "(trades contain the same trade_key twice)"
        ),
    )
    rows_where(
        seen & blank,
        problems,
        lambda i: (
            f"the same trade as {row_label(first[keys[i]])} (trades contain the same "
            "trade_key twice): add an id column if both are real"
        ),
    )
    return keys


def _row_key(row: tuple) -> str:
    return hashlib.sha1(repr(tuple(row)).encode()).hexdigest()[:32]
