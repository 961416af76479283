"""Import of users' own results: a CSV or Parquet series (and trades), validated before writing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.importer_cells import lines_of
from data.importer_rules import (
    ImportRefused,
    check_series,
    equity_problems,
    over_limit,
    read_table,
    return_problems,
)
from data.importer_trades import check_trades
from data.metrics.frequency import period_noun, periods_per_year
from data.schema import PerformancePoint, Resolution, Series, Source, Strategy
from data.versions import Change
from data.writes import ensure_strategy, write_performance, write_trades


@dataclass(frozen=True)
class ParsedSeries:
    """A validated series: equity and returns on UTC timestamps, and its resolution."""

    frame: pd.DataFrame  # columns: equity (may be NaN when returns were given), ret
    given: str  # "equity" | "return"
    resolution: Resolution


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    strategy: str
    source: Source
    resolution: Resolution
    rows: int
    trades: int
    first: pd.Timestamp
    last: pd.Timestamp
    change: Change
    periods: float = 252.0  # periods per year read from the dates (12: monthly)
    created: bool = False  # the strategy was made by this import (one of change.rows)

    def describe(self) -> str:
        """'60 points, one a month (2015-01-31 to 2019-12-31)…', as the CLI reports it."""
        spacing = (
            "intraday"
            if self.resolution is Resolution.INTRADAY
            else f"one a {period_noun(self.periods)}"
        )
        made = ", a new strategy" if self.created else ""
        return (
            f"imported {self.rows} points, {spacing} ({self.first:%Y-%m-%d} to "
            f"{self.last:%Y-%m-%d}), and {self.trades} trades into {self.strategy}/"
            f"{self.source.value}; {self.change.rows} rows new or changed{made}"
        )


def parse_series(
    data: bytes,
    name: str,
    *,
    max_bytes: int,
    strategy: str | None = None,
    max_rows: int | None = None,
) -> ParsedSeries:
    """Parse and validate a series file; raise ImportRefused listing every problem found.

    `max_rows` bounds the rows (a compressed Parquet file can hold millions in a few MB): more
    are refused before any row is checked.
    """
    if max_rows is not None and (rows := _parquet_rows(data, name)) is not None:
        _check_rows(rows, max_rows, name)  # from the file's footer: before reading a row
    table = read_table(data, name, max_bytes=max_bytes)
    if max_rows is not None:
        _check_rows(len(table), max_rows, name)
    with lines_of(table):
        frame, given, problems = check_series(table, strategy)
    if problems:
        raise ImportRefused(problems)
    midnight = (frame.index == frame.index.normalize()).all()
    return ParsedSeries(frame, given, Resolution.DAILY if midnight else Resolution.INTRADAY)


def _check_rows(rows: int, max_rows: int, name: str) -> None:
    if rows > max_rows:
        raise ImportRefused(
            [f"{name}: {rows:,} rows is over the {max_rows:,} rows limit of one upload"]
        )


def _parquet_rows(data: bytes, name: str) -> int | None:
    """The row count a Parquet file's footer declares (None: not Parquet, or unreadable)."""
    if not name.endswith(".parquet"):
        return None
    try:
        return pq.ParquetFile(io.BytesIO(data)).metadata.num_rows
    except (OSError, ValueError):  # read_table says what is wrong with it
        return None


def parse_trades(data: bytes, name: str, *, max_bytes: int) -> pd.DataFrame:
    """Parse and validate a trades file into the columns data.writes.write_trades takes."""
    table = read_table(data, name, max_bytes=max_bytes)
    with lines_of(table):
        frame, problems = check_trades(table)
    if problems:
        raise ImportRefused(problems)
    return frame


def import_files(
    session: Session,
    series_file: Path,
    *,
    strategy: str,
    source: Source | str,
    trades_file: Path | None = None,
    create: bool = False,
    max_bytes: int = 50 * 1024 * 1024,
) -> ImportResult:
    """Validate both files completely, then write them in the caller's single transaction."""
    parsed = parse_series(
        _read(series_file, max_bytes), series_file.name, max_bytes=max_bytes, strategy=strategy
    )
    trades = (
        parse_trades(_read(trades_file, max_bytes), trades_file.name, max_bytes=max_bytes)
        if trades_file
        else None
    )
    return store(
        session, parsed, strategy=strategy, source=Source(source), trades=trades, create=create
    )


def store(
    session: Session,
    parsed: ParsedSeries,
    *,
    strategy: str,
    source: Source,
    trades: pd.DataFrame | None = None,
    create: bool = False,
) -> ImportResult:
    """Write a parsed series (and trades) for `strategy`; returns are chained onto stored equity."""
    found = session.scalar(select(Strategy).where(Strategy.slug == strategy))
    if found is None and not create:
        raise ImportRefused([f"unknown strategy {strategy!r}: create it first, or pass --create"])
    target, change = ensure_strategy(session, strategy)
    created = found is None
    frame = _with_equity(session, target.id, source, parsed)
    keep = "returns" if parsed.given == "return" else "equity"
    change |= write_performance(session, target.id, source, frame, parsed.resolution, keep)
    if trades is not None:
        change |= write_trades(session, target.id, source, trades)
    return ImportResult(
        strategy,
        source,
        parsed.resolution,
        len(frame),
        0 if trades is None else len(trades),
        frame.index[0],
        frame.index[-1],
        change,
        periods_per_year(frame.index),
        created,
    )


def _with_equity(
    session: Session, strategy_id: int, source: Source, parsed: ParsedSeries
) -> pd.DataFrame:
    """Complete equity or returns, chaining onto the stored point before the file's first date.

    The file's own rows were checked; chained onto stored equity they are checked again.
    """
    frame = parsed.frame
    previous = session.scalar(
        select(PerformancePoint.equity)
        .join(Series, Series.id == PerformancePoint.series_id)
        .where(
            Series.strategy_id == strategy_id,
            Series.source == source.value,
            Series.resolution == parsed.resolution.value,
            PerformancePoint.ts < frame.index[0].to_pydatetime(),
        )
        .order_by(PerformancePoint.ts.desc())
        .limit(1)
    )
    if parsed.given == "return":
        ret = frame["ret"].to_numpy()
        with np.errstate(over="ignore"):  # a first row without a return is the starting level
            equity = (previous or 1.0) * np.cumprod(1.0 + np.nan_to_num(ret, nan=0.0))
        if problems := return_problems(ret, equity):
            raise ImportRefused(problems)
        return frame.assign(equity=equity)
    equity = frame["equity"].to_numpy()
    before = np.concatenate([[previous if previous else np.nan], equity[:-1]])
    ret, problems = equity_problems(before, equity)
    if problems:
        raise ImportRefused(problems)
    return frame.assign(ret=ret)


def _read(path: Path, max_bytes: int) -> bytes:
    if not path.exists():
        raise ImportRefused([f"{path}: no such file"])
    if not path.is_file():
        raise ImportRefused([f"{path}: not a file"])
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportRefused([f"{path.name}: {over_limit(size, max_bytes)}"])
    return path.read_bytes()
