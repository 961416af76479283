"""The importer's rules: read a table, then check it cell by cell, naming the row and column."""

from __future__ import annotations

import csv
import io
import warnings

import numpy as np
import pandas as pd

from data.importer_cells import at_row, dates, numbers, order, rows_where
from data.metrics.frequency import TRADING_DAYS, periods_per_year

DATE_NAMES = ("date", "ts", "timestamp", "datetime", "time")
EQUITY_NAMES = ("equity", "value", "nav", "balance")
RETURN_NAMES = ("return", "returns", "ret", "daily_return")
MAX_RETURN = 10.0  # +1000% in one period: a percent written as a fraction, or a wrong unit
MAX_TYPICAL_DAILY = 0.1  # a median daily move over 10%: percents written as plain numbers


class ImportRefused(ValueError):
    """The file was refused and nothing was written; `problems` names each row and column."""

    def __init__(self, problems: list[str], limit: int = 20) -> None:
        problems = sorted(problems, key=_row_order)  # the file's first, then by row (stable)
        self.problems = problems[:limit]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        more = f"\n  (+{len(problems) - limit} more)" if len(problems) > limit else ""
        super().__init__(f"import refused, nothing written:\n{lines}{more}")


def _row_order(problem: str) -> tuple[bool, int]:
    row = getattr(problem, "row", None)
    return (row is not None, row or 0)


def over_limit(size: int, limit: int) -> str:
    """'12.3 MiB is over the 10.0 MiB limit', in units that show both numbers."""
    binary = limit % 1024 == 0  # settings give limits in MiB
    base, units = (1024, ("bytes", "KiB", "MiB")) if binary else (1000, ("bytes", "kB", "MB"))
    power = 2 if limit >= base**2 else 1 if limit >= base else 0
    scale, unit, digits = base**power, units[power], 1 if power else 0
    return f"{size / scale:,.{digits}f} {unit} is over the {limit / scale:,.{digits}f} {unit} limit"


def read_table(data: bytes, name: str, *, max_bytes: int) -> pd.DataFrame:
    """Read CSV or Parquet bytes into a frame of strings (CSV) or typed columns (Parquet)."""
    if len(data) > max_bytes:
        raise ImportRefused([f"{name}: {over_limit(len(data), max_bytes)}"])
    if not data.strip():
        raise ImportRefused([f"{name}: the file is empty"])
    lines = None
    try:
        if name.lower().endswith((".parquet", ".pq")) or data[:4] == b"PAR1":
            table = _dated_index_as_column(pd.read_parquet(io.BytesIO(data)))
        else:
            text, skipped, sep = _csv_text(data)
            table = _read_csv(text, sep)
            blank = table.eq("").all(axis=1).to_numpy(bool)  # '' and ',,' rows (after spaces)
            lines = np.flatnonzero(~blank) + 2 + skipped  # blank lines are skipped, not counted
            table = table[~blank]
    except ImportRefused:
        raise
    except Exception as exc:  # a parser's own message is the most useful thing to show
        raise ImportRefused([f"{name}: cannot be read as CSV or Parquet ({exc})"]) from exc
    if table.empty:
        raise ImportRefused([f"{name}: the file has a header but no rows"])
    table.columns = [str(c).strip().lower() for c in table.columns]
    table = table.reset_index(drop=True)  # rows by position, whatever index Parquet kept
    table.attrs["lines"] = lines  # each row's line in the file (row_label names it)
    return table


def _dated_index_as_column(table: pd.DataFrame) -> pd.DataFrame:
    """A Parquet file written from a date-indexed frame (df.to_parquet()) keeps its dates."""
    index = table.index
    if isinstance(index, pd.DatetimeIndex) or str(index.name).strip().lower() in DATE_NAMES:
        return table.reset_index(names=index.name or "date")
    return table


def _csv_text(data: bytes) -> tuple[bytes, int, str]:
    """(UTF-8 text, comment lines skipped above the header, separator) of a CSV file.

    UTF-16 (Excel's "Unicode text") is re-encoded; '#' lines above the header (a source
    note, as Yahoo's exports carry) are skipped; a header with no comma but semicolons or tabs
    gives the separator.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        data = data.decode("utf-16").encode("utf-8")
    start, skipped = 0, 0  # only the lines above the header are looked at, not the whole file
    while data[start:].lstrip(b"\xef\xbb\xbf \t").startswith(b"#") and b"\n" in data[start:]:
        start, skipped = data.index(b"\n", start) + 1, skipped + 1
    data = data[start:]
    header = data.split(b"\n", 1)[0]
    sep = ","
    if b"," not in header:
        sep = next((s for s in (";", "\t") if s.encode() in header), ",")
    return data, skipped, sep


def _read_csv(data: bytes, sep: str = ",", **options: object) -> pd.DataFrame:
    """Strings, one column per header field; a row with extra values is refused, never shifted."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # pandas' "loss of data"
        try:
            return pd.read_csv(
                io.BytesIO(data),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
                skip_blank_lines=False,
                index_col=False,
                **options,
            )
        except (pd.errors.ParserWarning, pd.errors.ParserError):
            if options:
                raise
    width, long = _long_rows(data, sep)
    if long:
        raise ImportRefused(long)
    return _read_csv(data, sep, usecols=range(width))  # only empty fields past the header's


def _long_rows(data: bytes, sep: str) -> tuple[int, list[str]]:
    """The header's width, and the rows with a value in a field past it."""
    text = io.StringIO(data.decode("utf-8-sig", "replace"))
    rows = csv.reader(text, delimiter=sep, skipinitialspace=True)
    width, problems = len(next(rows, [])), []
    for i, fields in enumerate(r for r in rows if any(f.strip() for f in r)):
        if any(f.strip() for f in fields[width:]):
            problems.append(
                at_row(
                    i,
                    f"{len(fields)} fields where the header has {width} "
                    "(remove the extra values, or quote a value that holds a comma)",
                )
            )
    return width, problems


def check_series(table: pd.DataFrame, strategy: str | None) -> tuple[pd.DataFrame, str, list[str]]:
    """Validate a date + equity or date + return table; return (frame, given, problems)."""
    problems: list[str] = []
    if str(table.columns[0]).startswith("unnamed:") or not str(table.columns[0]).strip():
        problems.append(  # an index written without its name (Series.to_csv())
            "the first column has no name: call it 'date' (and the value column 'equity' or "
            "'return')"
        )
        return pd.DataFrame(), "", problems
    date_col = pick(table, DATE_NAMES, "date", problems, required=True)
    equity_col = pick(table, EQUITY_NAMES, "equity", problems)
    return_col = pick(table, RETURN_NAMES, "return", problems)
    known = {date_col, equity_col, return_col, "strategy"} - {None}
    if unknown := [c for c in table.columns if c not in known]:
        problems.append(
            f"unknown column(s) {unknown}: keep a date column and one value column, named "
            f"{EQUITY_NAMES[0]!r} (levels, such as a close or a net asset value) or "
            f"{RETURN_NAMES[0]!r} (fractions: 1.2% is 0.012)"
        )
    if equity_col and return_col:
        problems.append(f"both {equity_col!r} and {return_col!r} given: keep one of them")
    elif not (equity_col or return_col):
        problems.append(
            f"no value column: add one named {EQUITY_NAMES[0]!r} or {RETURN_NAMES[0]!r}"
        )
    if "strategy" in table and strategy is not None:
        wrong = np.flatnonzero(table["strategy"].astype(str).str.strip() != strategy)
        if len(wrong):
            value = table["strategy"].iloc[wrong[0]]
            problems.append(
                at_row(wrong[0], f"strategy {value!r} is not {strategy!r} (wrong file?)")
            )
    if problems or date_col is None:
        return pd.DataFrame(), "", problems
    index = dates(table[date_col], date_col, problems)
    value_col = equity_col or return_col
    first = table[return_col].iloc[0] if return_col is not None else 0
    first_blank = return_col is not None and (pd.isna(first) or not str(first).strip())
    if first_blank:  # a first row with no return (pct_change().to_csv()) is where it starts
        table = table.assign(**{return_col: table[return_col].mask(table.index == 0, "0")})
    values = numbers(table[value_col], value_col, problems, percent=return_col is not None)
    if equity_col:
        rows_where(
            values <= 0, problems, lambda i: f"{equity_col!r} must be positive, got {values[i]:g}"
        )
        usable = (values > 0) & np.isfinite(values)  # a bad row is reported once, above
        level = np.where(usable, values, np.nan)
        problems += equity_problems(np.concatenate([[np.nan], level[:-1]]), level)[1]
    else:
        rows_where(
            values <= -1,
            problems,
            lambda i: (
                f"a return of {values[i]:.0%} would wipe out the equity (returns are "
                f"fractions: {values[i]:g} means {values[i]:.0%}; {values[i]:g}% is "
                f"{values[i] / 100:g})"
            ),
        )
        usable = np.where((values > -1) & (values <= MAX_RETURN), values, 0.0)
        with np.errstate(over="ignore"):
            problems += return_problems(values, np.cumprod(1.0 + usable))
        if index is not None:
            problems += percent_problems(values, index, return_col)
    if index is not None:
        order(index, problems)
    if problems:
        return pd.DataFrame(), "", problems
    given = "equity" if equity_col else "return"
    frame = pd.DataFrame({"equity": np.nan, "ret": np.nan}, index=index)
    frame["equity" if equity_col else "ret"] = values
    if first_blank:
        frame.iloc[0, frame.columns.get_loc("ret")] = np.nan  # the start: no return of its own
    return frame, given, problems


def percent_problems(values: np.ndarray, index: pd.DatetimeIndex, name: str) -> list[str]:
    """Daily returns written as percents without the sign: 0.5 for half a percent, not 50%."""
    read = np.isfinite(values) & ~index.isna()
    if read.sum() < 5 or periods_per_year(index[read]) < TRADING_DAYS:
        return []
    typical = float(np.median(np.abs(values[read])))
    if typical <= MAX_TYPICAL_DAILY:
        return []
    return [
        f"column {name!r}: the typical daily return is {typical:g} ({typical:.0%}), which "
        "looks like percents: returns are fractions, so write 1.2% as 0.012 (or as '1.2%')"
    ]


def equity_problems(before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Returns from each level to the next, and those not finite or implausibly large."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ret = after / before - 1.0
    problems: list[str] = []
    rows_where(
        np.isinf(ret),
        problems,
        lambda i: (
            f"the return from equity {before[i]:g} to {after[i]:g} is not finite: check the units"
        ),
    )
    rows_where(
        np.isfinite(ret) & (ret > MAX_RETURN),
        problems,
        lambda i: (
            f"equity goes from {before[i]:g} to {after[i]:g} ({ret[i] * 100:+.6g}%) in one "
            "period, which is implausible: check the units"
        ),
    )
    return ret, problems


def return_problems(ret: np.ndarray, equity: np.ndarray) -> list[str]:
    """Returns implausibly large, and equity compounded from them past the largest float."""
    problems: list[str] = []
    rows_where(
        ret > MAX_RETURN,
        problems,
        lambda i: (
            f"return {ret[i]:g} ({ret[i] * 100:.6g}%) in one period is implausible; "
            "check the units: returns are fractions, so 5% is 0.05"
        ),
    )
    overflow = ~np.isfinite(equity)
    overflow[np.argmax(overflow) + 1 :] = False  # only the first such row
    rows_where(overflow, problems, lambda i: "equity compounded from the returns is not finite")
    return problems


def pick(
    table: pd.DataFrame,
    names: tuple[str, ...],
    what: str,
    problems: list[str],
    required: bool = False,
) -> str | None:
    """The one column named any of `names` (several, or a required one missing, is a problem)."""
    found = [c for c in table.columns if c in names]
    if len(found) > 1:
        problems.append(f"several {what} columns {found}: keep one")
    if not found and required:
        problems.append(f"missing {what} column: name it one of {list(names)}")
    return found[0] if found else None
