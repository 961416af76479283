"""The importer's cell readers: numbers and dates column by column, each problem named by row."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

EARLIEST = pd.Timestamp("1900-01-01", tz="UTC")
LATEST = pd.Timestamp("2100-01-01", tz="UTC")  # outside [1900, 2100): a typo or a bad epoch
ZONE = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
CLOCK = re.compile(r"T\d|\d:\d")
BARE_OFFSET = re.compile(r"[+-]\d{4}$")  # an offset without a colon, or the year of D-M-YYYY
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?$")


class Problem(str):
    """A problem's text, and the row (0-based, under the header) it is about: None for the file."""

    row: int | None = None


_LINES: ContextVar[np.ndarray | None] = ContextVar("import_lines", default=None)


@contextmanager
def lines_of(table: pd.DataFrame) -> Iterator[None]:
    """Within: row labels name each row's line in the file (read_table kept them)."""
    token = _LINES.set(table.attrs.get("lines"))
    try:
        yield
    finally:
        _LINES.reset(token)


def row_label(i: int) -> str:
    """'row 1 (line 2)' for the first row under the header (blank lines and notes skipped)."""
    lines = _LINES.get()
    line = int(lines[i]) if lines is not None and 0 <= i < len(lines) else i + 2
    return f"row {i + 1} (line {line})"


def at_row(i: int, text: str) -> Problem:
    """'row 1 (line 2): text', remembering the row so that problems list in row order."""
    problem = Problem(f"{row_label(i)}: {text}")
    problem.row = i
    return problem


def rows_where(mask: np.ndarray, problems: list[str], message: Callable[[int], str]) -> None:
    """Report the first few rows where `mask` holds."""
    for i in np.flatnonzero(mask)[:5]:
        problems.append(at_row(int(i), message(int(i))))


def numbers(
    column: pd.Series,
    name: str,
    problems: list[str],
    allow_blank: bool = False,
    percent: bool = False,
) -> np.ndarray:
    """Floats; blanks, words, decimal commas, infinities and wrong types are reported.

    With `percent`, '1.2%' reads as 0.012 — when every value of the column carries the sign.
    """
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        problems.append(f"column {name!r} has the wrong type ({column.dtype}): expected numbers")
        return np.full(len(column), np.nan)
    text = column.astype(str).str.strip()
    comma = text.str.contains(",", regex=False).to_numpy(bool)
    decimal_comma = np.zeros(len(text), bool)
    plain = text
    if comma.any():  # 1,234.5 is read; 0,5 and 1.000,50 are refused, never guessed
        decimal_comma[comma] = ~text[comma].str.match(THOUSANDS).to_numpy(bool)
        plain = text.str.replace(",", "", regex=False).mask(decimal_comma, "")
    signed = plain.str.endswith("%").to_numpy(bool)
    if signed.any():
        plain = plain.str.removesuffix("%").str.strip()
    values = pd.to_numeric(plain, errors="coerce").to_numpy(float, copy=True)
    numeric = pd.api.types.is_numeric_dtype(column)
    blank = np.isnan(values) if numeric else (text == "").to_numpy(bool)
    if signed.any():
        _percents(values, signed, blank, text, name, percent, problems)
    if not allow_blank:
        rows_where(blank, problems, lambda i: f"column {name!r} is empty")
    rows_where(
        decimal_comma,
        problems,
        lambda i: (
            f"column {name!r}: {text.iloc[i]!r} has a comma that is not a thousands "
            "separator (decimal commas are not supported: write 0.5, not 0,5)"
        ),
    )
    rows_where(
        np.isnan(values) & ~blank & ~decimal_comma & ~signed,  # percents: reported above
        problems,
        lambda i: f"column {name!r}: {text.iloc[i]!r} is not a number",
    )
    rows_where(
        np.isinf(values), problems, lambda i: f"column {name!r}: {text.iloc[i]!r} is not finite"
    )
    return values


def _percents(values, signed, blank, text, name: str, allowed: bool, problems: list[str]) -> None:
    """Read '1.2%' as 0.012 in place, or report why not (a level, or signs on some rows only)."""
    bare = ~signed & ~blank
    if not allowed:
        values[signed] = np.nan
        first = int(np.flatnonzero(signed)[0])
        problems.append(
            at_row(first, f"column {name!r}: {text.iloc[first]!r} is a percent, not a level")
        )
    elif bare.any():
        values[signed] = np.nan
        one, other = int(np.flatnonzero(signed)[0]), int(np.flatnonzero(bare)[0])
        problems.append(
            f"column {name!r} mixes percents and plain numbers ({row_label(one)} is "
            f"{text.iloc[one]!r}, {row_label(other)} is {text.iloc[other]!r}): write every "
            "return one way, 1.2% or 0.012"
        )
    else:
        values[signed] /= 100.0


def dates(
    column: pd.Series, name: str, problems: list[str], allow_blank: bool = False
) -> pd.DatetimeIndex | None:
    """UTC timestamps (None when the column cannot be read as a whole), each row checked."""
    column = column.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(column):
        parsed = _typed(column)
        text = column.astype(str)
        blank = parsed.isna().to_numpy()
    else:
        text = column.astype(str).str.strip()
        blank = text.isin(["", "NaT", "nan", "None"]).to_numpy(bool)
        aware = text.str.contains(ZONE).to_numpy(bool) & ~blank
        if aware.any():  # a bare ±HHMM only after a time: 13-01-2024 ends in -2024, not a zone
            bare = text[aware].str.contains(BARE_OFFSET)
            clock = text[aware].str.replace(ZONE, "", regex=True).str.contains(CLOCK)
            aware[aware] = (~bare | clock).to_numpy(bool)
        if aware.any() and (~aware & ~blank).any():
            first, other = int(np.flatnonzero(aware)[0]), int(np.flatnonzero(~aware & ~blank)[0])
            problems.append(
                f"column {name!r} mixes time zones: "
                f"{row_label(first)} has an offset, {row_label(other)} has none"
            )
            return None
        parsed = _parse(text.where(~blank), aware.any(), name, problems)
        if parsed is None:
            return None
        unread = parsed.isna().to_numpy() & ~blank
        hint = (  # some rows read: the others differ; none read: the format itself is unknown
            "dates must share one format"
            if unread.sum() < (~blank).sum()
            else "write dates as YYYY-MM-DD, optionally with a time"
        )
        rows_where(
            unread,
            problems,
            lambda i: f"cannot read {text.iloc[i]!r} as a date ({hint})",
        )
    if not allow_blank:
        rows_where(blank, problems, lambda i: f"column {name!r} is empty")
    rows_where(
        ((parsed < EARLIEST) | (parsed >= LATEST)).to_numpy(),
        problems,
        lambda i: f"date {text.iloc[i]!r} is outside the years 1900 to 2099",
    )
    return pd.DatetimeIndex(parsed)


def _typed(column: pd.Series) -> pd.Series:
    """A datetime column (Parquet) in UTC, by the same day rule as text."""
    local = column.dt.tz_localize(None) if column.dt.tz is not None else column
    if _days(local):
        return local.dt.normalize().dt.tz_localize("UTC")
    return column.dt.tz_convert("UTC") if column.dt.tz is not None else column.dt.tz_localize("UTC")


def _days(local: pd.Series) -> bool:
    """Whether stamps, in their own offset, are days: all at midnight (a New York daily file is
    daily), or several rows and none sharing a date (closes stamped 16:00 are still one a day)."""
    read = local.dropna()
    if read.empty:
        return False
    days = read.dt.normalize()
    return bool((read == days).all()) or (len(read) > 1 and not days.duplicated().any())


def _as_days(stamps: pd.Series) -> pd.Series:
    """Naive stamps as UTC; as their dates when they are days."""
    return (stamps.dt.normalize() if _days(stamps) else stamps).dt.tz_localize("UTC")


def _parse(values: pd.Series, aware: bool, name: str, problems: list[str]) -> pd.Series | None:
    """UTC timestamps in one format for the whole column (never guessed row by row).

    Rows that are days in their own offset (_days) are stored as those dates, else instants.
    Without, ISO 8601 is tried first, then the format of the first row, month-first and
    day-first; when both read every row differently the column is ambiguous and refused.
    """
    if aware:
        local = pd.to_datetime(
            values.str.replace(ZONE, "", regex=True), errors="coerce", format="ISO8601"
        )
        if _days(local):
            return local.dt.normalize().dt.tz_localize("UTC")
        return pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    given = int(values.notna().sum())
    iso = pd.to_datetime(values, errors="coerce", format="ISO8601")
    if given == 0 or int(iso.notna().sum()) == given:
        return _as_days(iso)
    first = str(values.dropna().iloc[0])
    tried = {}
    for dayfirst in (False, True):
        with warnings.catch_warnings():  # pandas warns when day-first cannot apply
            warnings.simplefilter("ignore", UserWarning)
            fmt = guess_datetime_format(first, dayfirst=dayfirst)
        if fmt:
            tried[fmt] = pd.to_datetime(values, errors="coerce", format=fmt)
    if not tried:
        return iso.dt.tz_localize("UTC")  # every unreadable row is reported
    whole = [f for f, r in tried.items() if int(r.notna().sum()) == given]
    if len(whole) > 1 and not tried[whole[0]].equals(tried[whole[1]]):
        problems.append(
            f"column {name!r}: dates like {first!r} read both month-first and day-first: "
            "write them as YYYY-MM-DD"
        )
        return None
    best = max(tried, key=lambda f: int(tried[f].notna().sum()))
    return _as_days(tried[best])


def order(index: pd.DatetimeIndex, problems: list[str]) -> None:
    """Duplicate and unsorted dates, among the rows whose date was read (others are reported)."""
    read = ~index.isna()
    dup = index.duplicated(keep="first") & read
    rows_where(dup, problems, lambda i: f"duplicate date {index[i]:%Y-%m-%d %H:%M}")
    at = np.flatnonzero(read)
    earlier = np.zeros(len(index), bool)
    earlier[at[1:]] = np.diff(index.asi8[at]) < 0  # each against the last row read above it
    rows_where(
        earlier,
        problems,
        lambda i: f"date {index[i]:%Y-%m-%d} comes before the row above it: sort the file by date",
    )
