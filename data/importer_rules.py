"""The importer's rules: read a table, then check it cell by cell, naming the row and column."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

DATE_NAMES = ("date", "ts", "timestamp", "datetime", "time")
EQUITY_NAMES = ("equity", "value", "nav", "balance")
RETURN_NAMES = ("return", "returns", "ret", "daily_return")
TRADE_REQUIRED = ("symbol", "side", "quantity", "price")
TRADE_OPTIONAL = ("fee", "pnl", "exit_ts", "trade_key")
TRADE_ALIASES = {
    "qty": "quantity",
    "id": "trade_key",
    "trade_id": "trade_key",
    "exit_date": "exit_ts",
}
SIDES = {"buy", "sell", "long", "short"}
AWARE = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


class ImportRefused(ValueError):
    """The file was refused and nothing was written; `problems` names each row and column."""

    def __init__(self, problems: list[str], limit: int = 20) -> None:
        self.problems = problems[:limit]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        more = f"\n  (+{len(problems) - limit} more)" if len(problems) > limit else ""
        super().__init__(f"import refused, nothing written:\n{lines}{more}")


def read_table(data: bytes, name: str, *, max_bytes: int) -> pd.DataFrame:
    """Read CSV or Parquet bytes into a frame of strings (CSV) or typed columns (Parquet)."""
    if len(data) > max_bytes:
        raise ImportRefused(
            [f"{name}: {len(data) / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit"]
        )
    if not data.strip():
        raise ImportRefused([f"{name}: the file is empty"])
    try:
        if name.lower().endswith((".parquet", ".pq")) or data[:4] == b"PAR1":
            table = pd.read_parquet(io.BytesIO(data))
        else:
            table = pd.read_csv(
                io.BytesIO(data), dtype=str, keep_default_na=False, skipinitialspace=True
            )
    except Exception as exc:  # a parser's own message is the most useful thing to show
        raise ImportRefused([f"{name}: cannot be read as CSV or Parquet ({exc})"]) from exc
    if table.empty:
        raise ImportRefused([f"{name}: the file has a header but no rows"])
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table


def check_series(table: pd.DataFrame, strategy: str | None) -> tuple[pd.DataFrame, str, list[str]]:
    """Validate a date + equity or date + return table; return (frame, given, problems)."""
    problems: list[str] = []
    date_col = _pick(table, DATE_NAMES, "date", problems, required=True)
    equity_col = _pick(table, EQUITY_NAMES, "equity", problems)
    return_col = _pick(table, RETURN_NAMES, "return", problems)
    known = {date_col, equity_col, return_col, "strategy"} - {None}
    if unknown := [c for c in table.columns if c not in known]:
        problems.append(f"unknown column(s) {unknown}: expected a date column and equity or return")
    if equity_col and return_col:
        problems.append(f"both {equity_col!r} and {return_col!r} given: keep one of them")
    elif not (equity_col or return_col):
        problems.append(
            f"no value column: add one named {EQUITY_NAMES[0]!r} or {RETURN_NAMES[0]!r}"
        )
    if "strategy" in table and strategy is not None:
        wrong = table.index[table["strategy"].astype(str).str.strip() != strategy]
        if len(wrong):
            value = table["strategy"].iloc[wrong[0]]
            problems.append(
                f"{_row(wrong[0])}: strategy {value!r} is not {strategy!r} (wrong file?)"
            )
    if problems or date_col is None:
        return pd.DataFrame(), "", problems
    index = _dates(table[date_col], date_col, problems)
    value_col = equity_col or return_col
    values = _numbers(table[value_col], value_col, problems)
    if equity_col:
        _rows_where(
            values <= 0, problems, lambda i: f"{equity_col!r} must be positive, got {values[i]:g}"
        )
    else:
        _rows_where(
            values <= -1,
            problems,
            lambda i: f"a return of {values[i]:.0%} would wipe out the equity",
        )
    if index is not None:
        _order(index, problems)
    if problems:
        return pd.DataFrame(), "", problems
    given = "equity" if equity_col else "return"
    frame = pd.DataFrame({"equity": np.nan, "ret": np.nan}, index=index)
    frame["equity" if equity_col else "ret"] = values
    return frame, given, problems


def check_trades(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Validate a trades table; return (frame with write_trades' columns, problems)."""
    problems: list[str] = []
    table = table.rename(columns=TRADE_ALIASES)
    date_col = _pick(table, DATE_NAMES, "date", problems, required=True)
    if missing := [c for c in TRADE_REQUIRED if c not in table]:
        problems.append(f"trades: missing column(s) {missing}")
    known = {date_col, *TRADE_REQUIRED, *TRADE_OPTIONAL, "strategy"}
    if unknown := [c for c in table.columns if c not in known]:
        problems.append(f"trades: unknown column(s) {unknown}")
    if problems:
        return pd.DataFrame(), problems
    out = pd.DataFrame({"ts": _dates(table[date_col], date_col, problems)})
    out["symbol"] = table["symbol"].astype(str).str.strip().str.upper().to_numpy()
    out["side"] = table["side"].astype(str).str.strip().str.lower().to_numpy()
    _rows_where(
        ~out["side"].isin(SIDES).to_numpy(),
        problems,
        lambda i: f"side {out['side'][i]!r} is not one of {sorted(SIDES)}",
    )
    for column in ("quantity", "price"):
        out[column] = _numbers(table[column], column, problems)
        _rows_where(
            out[column].to_numpy() <= 0, problems, lambda i, c=column: f"{c} must be positive"
        )
    for column in ("fee", "pnl"):
        if column in table:
            out[column] = _numbers(table[column], column, problems, allow_blank=True)
    if "exit_ts" in table:
        out["exit_ts"] = _dates(table["exit_ts"], "exit_ts", problems, allow_blank=True)
    if "trade_key" in table:
        out["trade_key"] = table["trade_key"].astype(str).str.strip().to_numpy()
    return out, problems


def _pick(
    table: pd.DataFrame,
    names: tuple[str, ...],
    what: str,
    problems: list[str],
    required: bool = False,
) -> str | None:
    found = [c for c in table.columns if c in names]
    if len(found) > 1:
        problems.append(f"several {what} columns {found}: keep one")
    if not found and required:
        problems.append(f"missing {what} column: name it one of {list(names)}")
    return found[0] if found else None


def _row(i: int) -> str:
    return f"row {i + 1} (line {i + 2})"


def _rows_where(mask: np.ndarray, problems: list[str], message: object) -> None:
    for i in np.flatnonzero(mask)[:5]:
        problems.append(f"{_row(int(i))}: {message(int(i))}")  # type: ignore[operator]


def _numbers(
    column: pd.Series, name: str, problems: list[str], allow_blank: bool = False
) -> np.ndarray:
    text = column.astype(str).str.strip()
    values = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").to_numpy(float)
    numeric = pd.api.types.is_numeric_dtype(column)
    blank = np.isnan(values) if numeric else (text == "").to_numpy()
    if not allow_blank:
        _rows_where(blank, problems, lambda i: f"column {name!r} is empty")
    _rows_where(
        np.isnan(values) & ~blank,
        problems,
        lambda i: f"column {name!r}: {text.iloc[i]!r} is not a number",
    )
    _rows_where(
        np.isinf(values), problems, lambda i: f"column {name!r}: {text.iloc[i]!r} is not finite"
    )
    return values


def _dates(
    column: pd.Series, name: str, problems: list[str], allow_blank: bool = False
) -> pd.DatetimeIndex | None:
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return pd.DatetimeIndex(column).tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(column):
        return pd.DatetimeIndex(column).tz_localize("UTC")
    text = column.astype(str).str.strip()
    blank = text.isin(["", "NaT", "nan", "None"]).to_numpy()
    aware = text.str.contains(AWARE).to_numpy() & ~blank
    if aware.any() and (~aware & ~blank).any():
        first, other = int(np.flatnonzero(aware)[0]), int(np.flatnonzero(~aware & ~blank)[0])
        problems.append(
            f"column {name!r} mixes time zones: {_row(first)} has an offset, {_row(other)} has none"
        )
        return None
    parsed = pd.to_datetime(text.where(~blank), errors="coerce", utc=True, format="mixed")
    if not allow_blank:
        _rows_where(blank, problems, lambda i: f"column {name!r} is empty")
    _rows_where(
        parsed.isna().to_numpy() & ~blank,
        problems,
        lambda i: f"cannot read {text.iloc[i]!r} as a date",
    )
    return pd.DatetimeIndex(parsed)


def _order(index: pd.DatetimeIndex, problems: list[str]) -> None:
    dup = index.duplicated(keep="first")
    _rows_where(dup, problems, lambda i: f"duplicate date {index[i]:%Y-%m-%d %H:%M}")
    steps = np.diff(index.asi8) < 0
    _rows_where(
        np.concatenate([[False], steps]),
        problems,
        lambda i: f"date {index[i]:%Y-%m-%d} comes before the row above it: sort the file by date",
    )
