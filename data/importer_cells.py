"""The importer's cell readers: numbers and dates column by column, each problem named by row."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

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


def row_label(i: int) -> str:
    """'row 1 (line 2)' for the first row under the header."""
    return f"row {i + 1} (line {i + 2})"


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
    column: pd.Series, name: str, problems: list[str], allow_blank: bool = False
) -> np.ndarray:
    """Floats; blanks, words, decimal commas, infinities and wrong types are reported."""
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
    values = pd.to_numeric(plain, errors="coerce").to_numpy(float)
    numeric = pd.api.types.is_numeric_dtype(column)
    blank = np.isnan(values) if numeric else (text == "").to_numpy(bool)
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
        np.isnan(values) & ~blank & ~decimal_comma,
        problems,
        lambda i: f"column {name!r}: {text.iloc[i]!r} is not a number",
    )
    rows_where(
        np.isinf(values), problems, lambda i: f"column {name!r}: {text.iloc[i]!r} is not finite"
    )
    return values


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
        rows_where(
            parsed.isna().to_numpy() & ~blank,
            problems,
            lambda i: f"cannot read {text.iloc[i]!r} as a date (dates must share one format)",
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
    """A datetime column (Parquet) in UTC, by the same day rule as text with offsets."""
    if column.dt.tz is None:
        return column.dt.tz_localize("UTC")
    local = column.dt.tz_localize(None)
    return local.dt.tz_localize("UTC") if _midnights(local) else column.dt.tz_convert("UTC")


def _midnights(local: pd.Series) -> bool:
    """Rows all at midnight in their own offset are days (a New York daily file is daily)."""
    read = local.dropna()
    return not read.empty and bool((read == read.dt.normalize()).all())


def _parse(values: pd.Series, aware: bool, name: str, problems: list[str]) -> pd.Series | None:
    """UTC timestamps in one format for the whole column (never guessed row by row).

    With offsets, rows that are all midnight in their own offset are days, else instants.
    Without, ISO 8601 is tried first, then the format of the first row, month-first and
    day-first; when both read every row differently the column is ambiguous and refused.
    """
    if aware:
        local = pd.to_datetime(
            values.str.replace(ZONE, "", regex=True), errors="coerce", format="ISO8601"
        )
        if _midnights(local):
            return local.dt.tz_localize("UTC")
        return pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    given = int(values.notna().sum())
    iso = pd.to_datetime(values, errors="coerce", format="ISO8601")
    if given == 0 or int(iso.notna().sum()) == given:
        return iso.dt.tz_localize("UTC")
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
    return tried[best].dt.tz_localize("UTC")


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
