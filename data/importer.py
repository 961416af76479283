"""Import of users' own results: a CSV or Parquet series (and trades), validated before writing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.importer_rules import ImportRefused, check_series, check_trades, read_table
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


def parse_series(
    data: bytes, name: str, *, max_bytes: int, strategy: str | None = None
) -> ParsedSeries:
    """Parse and validate a series file; raise ImportRefused listing every problem found."""
    table = read_table(data, name, max_bytes=max_bytes)
    frame, given, problems = check_series(table, strategy)
    if problems:
        raise ImportRefused(problems)
    midnight = (frame.index == frame.index.normalize()).all()
    return ParsedSeries(frame, given, Resolution.DAILY if midnight else Resolution.INTRADAY)


def parse_trades(data: bytes, name: str, *, max_bytes: int) -> pd.DataFrame:
    """Parse and validate a trades file into the columns data.writes.write_trades takes."""
    table = read_table(data, name, max_bytes=max_bytes)
    frame, problems = check_trades(table)
    if problems:
        raise ImportRefused(problems)
    if "trade_key" not in frame:
        frame = frame.assign(trade_key=[_row_key(row) for row in frame.itertuples(index=False)])
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
    frame = _with_equity(session, target.id, source, parsed)
    change |= write_performance(session, target.id, source, frame, parsed.resolution)
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
    )


def _with_equity(
    session: Session, strategy_id: int, source: Source, parsed: ParsedSeries
) -> pd.DataFrame:
    """Complete equity or returns, chaining onto the stored point before the file's first date."""
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
        equity = (previous or 1.0) * np.cumprod(1.0 + frame["ret"].to_numpy())
        return frame.assign(equity=equity)
    chained = np.concatenate([[previous if previous else np.nan], frame["equity"].to_numpy()])
    return frame.assign(ret=chained[1:] / chained[:-1] - 1.0)


def _read(path: Path, max_bytes: int) -> bytes:
    if not path.exists():
        raise ImportRefused([f"{path}: no such file"])
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportRefused(
            [f"{path.name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit"]
        )
    return path.read_bytes()


def _row_key(row: tuple) -> str:
    return hashlib.sha1(repr(tuple(row)).encode()).hexdigest()[:32]
