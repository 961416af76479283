"""Writes: validated, idempotent upserts that bump the data versions of what they touch."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.bulk import upsert_frame
from data.schema import (
    Benchmark,
    BenchmarkBar,
    BrokerAccount,
    PerformancePoint,
    Resolution,
    Series,
    Source,
    Stage,
    Strategy,
    StrategyAccount,
    Trade,
)
from data.sync_state import forget_account
from data.versions import CATALOG, Change, benchmark_scope, record, series_scope, strategy_scope

BAR_COLUMNS = ["open", "high", "low", "close", "volume"]
SYNCED = (Stage.PAPER, Stage.LIVE)  # stages whose broker accounts are synced
TRADE_COLUMNS = ["trade_key", "ts", "symbol", "side", "quantity", "price", "fee", "pnl", "exit_ts"]


SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class WriteError(ValueError):
    """A write was refused before touching the store; the message says why."""


def check_slug(slug: object) -> str:
    """`slug` if it can name a strategy in a URL path, else WriteError saying what one is."""
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        shown = repr(slug) if len(repr(slug)) <= 80 else repr(slug)[:77] + "..."
        raise WriteError(
            f"strategy slug {shown} is not valid: use 1 to 64 lowercase letters, digits, '-' or "
            "'_', starting with a letter or digit (e.g. 'atlas-momentum')"
        )
    return slug


def ensure_strategy(session: Session, slug: str, **fields: object) -> tuple[Strategy, Change]:
    """Fetch the strategy `slug`, creating it with `fields` when it does not exist."""
    strategy = session.scalar(select(Strategy).where(Strategy.slug == slug))
    if strategy is not None:
        return strategy, Change()
    check_slug(slug)
    fields.setdefault("name", slug.replace("-", " ").title())
    fields.setdefault("stage", Stage.BACKTEST)
    strategy = Strategy(slug=slug, **fields)
    session.add(strategy)
    session.flush()
    return strategy, record(session, [CATALOG, strategy_scope(strategy.id)], 1)


def ensure_benchmark(session: Session, symbol: str, **fields: object) -> tuple[Benchmark, Change]:
    """Fetch the benchmark `symbol`, creating it with `fields` when it does not exist."""
    benchmark = session.scalar(select(Benchmark).where(Benchmark.symbol == symbol))
    if benchmark is not None:
        return benchmark, Change()
    fields.setdefault("name", symbol)
    benchmark = Benchmark(symbol=symbol, **fields)
    session.add(benchmark)
    session.flush()
    return benchmark, record(session, [CATALOG, benchmark_scope(symbol)], 1)


def ensure_series(
    session: Session, strategy_id: int, source: Source | str, resolution: Resolution | str
) -> int:
    """The id of a strategy's series for `source` and `resolution`, created when missing."""
    source, resolution = Source(source).value, Resolution(resolution).value
    found = session.scalar(
        select(Series.id).where(
            Series.strategy_id == strategy_id,
            Series.source == source,
            Series.resolution == resolution,
        )
    )
    if found is not None:
        return found
    series = Series(strategy_id=strategy_id, source=source, resolution=resolution)
    session.add(series)
    session.flush()
    return series.id


def write_performance(
    session: Session,
    strategy_id: int,
    source: Source | str,
    frame: pd.DataFrame,
    resolution: Resolution | str = Resolution.DAILY,
    keep: str = "equity",
) -> Change:
    """Upsert an equity curve: `frame` indexed by UTC timestamps with `equity` and `ret` columns.

    Stored points after the frame are chained onto its last point, keeping what the data was
    given as: with keep="equity" their levels stay and the first one's return is recomputed;
    with keep="returns" their returns stay and their levels are rescaled.
    """
    if keep not in ("equity", "returns"):
        raise WriteError(f"keep must be 'equity' or 'returns', not {keep!r}")
    _require_utc_index(frame)
    _require_finite(frame, ["equity"])
    if (frame["equity"] <= 0).any():
        raise WriteError("equity must be positive on every row")
    returns = frame["ret"].to_numpy(float)
    if np.isinf(returns).any() or (returns <= -1.0).any():
        raise WriteError("a return must be finite and above -100% (or missing on a first point)")
    series_id = ensure_series(session, strategy_id, source, resolution)
    rows = pd.DataFrame(
        {
            "ts": frame.index,
            "equity": frame["equity"].to_numpy(float),
            "ret": frame["ret"].to_numpy(float),
        }
    )
    table = PerformancePoint.__table__
    count = upsert_frame(
        session, table, rows, ["series_id", "ts"], {"series_id": series_id}, time_column="ts"
    )
    frame = frame.sort_index()
    count += _rechain_after(
        session, series_id, frame.index[-1].to_pydatetime(), float(frame["equity"].iloc[-1]), keep
    )
    scopes = [strategy_scope(strategy_id), series_scope(strategy_id, Source(source).value)]
    return _recorded(session, scopes, count)


def _rechain_after(
    session: Session, series_id: int, last: dt.datetime, equity: float, keep: str
) -> int:
    """Chain the stored points after `last` onto its new `equity`; return the rows changed."""
    point = PerformancePoint
    following = session.execute(
        select(point.ts, point.equity, point.ret)
        .where(point.series_id == series_id, point.ts > last)
        .order_by(point.ts)
        .limit(1)
    ).first()
    if following is None:
        return 0
    ts, next_equity, next_ret = following
    if keep == "returns" and next_ret is not None and np.isfinite(next_ret):
        factor = equity * (1.0 + next_ret) / next_equity
        if not np.isfinite(factor) or factor <= 0:
            raise WriteError(f"the stored points from {ts:%Y-%m-%d} on cannot be rescaled to it")
        if np.isclose(factor, 1.0, rtol=1e-12, atol=0.0):
            return 0
        return session.execute(
            update(point)
            .where(point.series_id == series_id, point.ts > last)
            .values(equity=point.equity * factor)
        ).rowcount
    with np.errstate(over="ignore"):
        ret = next_equity / equity - 1.0
    if not np.isfinite(ret):
        raise WriteError(f"the return into the stored point of {ts:%Y-%m-%d} would be infinite")
    if next_ret is not None and np.isclose(ret, next_ret, rtol=1e-12, atol=1e-15):
        return 0
    return session.execute(
        update(point).where(point.series_id == series_id, point.ts == ts).values(ret=ret)
    ).rowcount


def append_equity(
    session: Session,
    strategy_id: int,
    source: Source | str,
    equity: pd.Series,
    resolution: Resolution | str = Resolution.DAILY,
) -> Change:
    """Upsert equity points, deriving each return from the stored point before the first one."""
    if equity.empty:
        return Change()
    _require_utc_index(equity.to_frame("equity"))
    equity = equity.sort_index()
    series_id = ensure_series(session, strategy_id, source, resolution)
    previous = session.scalar(
        select(PerformancePoint.equity)
        .where(
            PerformancePoint.series_id == series_id,
            PerformancePoint.ts < equity.index[0].to_pydatetime(),
        )
        .order_by(PerformancePoint.ts.desc())
        .limit(1)
    )
    chained = pd.concat([pd.Series([previous], dtype=float), equity.reset_index(drop=True)])
    ret = chained.pct_change(fill_method=None).iloc[1:].to_numpy()
    frame = pd.DataFrame({"equity": equity.to_numpy(float), "ret": ret}, index=equity.index)
    return write_performance(session, strategy_id, source, frame, resolution)


def write_bars(
    session: Session,
    benchmark: Benchmark,
    frame: pd.DataFrame,
    resolution: Resolution | str = Resolution.DAILY,
) -> Change:
    """Upsert OHLCV bars: `frame` indexed by UTC timestamps with open/high/low/close/volume."""
    _require_utc_index(frame)
    missing = [c for c in BAR_COLUMNS if c not in frame.columns]
    if missing:
        raise WriteError(f"bars are missing column(s): {', '.join(missing)}")
    _require_finite(frame, ["open", "high", "low", "close"])
    if (frame[["open", "high", "low", "close"]] <= 0).any().any():
        raise WriteError(f"{benchmark.symbol}: prices must be positive")
    rows = frame[BAR_COLUMNS].astype(float).reset_index(names="ts")
    constants = {"benchmark_id": benchmark.id, "resolution": Resolution(resolution).value}
    keys = ["benchmark_id", "resolution", "ts"]
    count = upsert_frame(session, BenchmarkBar.__table__, rows, keys, constants, time_column="ts")
    return _recorded(session, [benchmark_scope(benchmark.symbol)], count)


def write_trades(
    session: Session, strategy_id: int, source: Source | str, frame: pd.DataFrame
) -> Change:
    """Upsert trades keyed by `trade_key` (a broker id, or a hash of the row)."""
    missing = [
        c for c in ["trade_key", "ts", "symbol", "side", "quantity", "price"] if c not in frame
    ]
    if missing:
        raise WriteError(f"trades are missing column(s): {', '.join(missing)}")
    if frame["trade_key"].duplicated().any():
        raise WriteError("trades contain the same trade_key twice")
    rows = frame.reindex(columns=TRADE_COLUMNS)
    rows["fee"] = rows["fee"].fillna(0.0)
    constants = {"strategy_id": strategy_id, "source": Source(source).value}
    keys = ["strategy_id", "source", "trade_key"]
    count = upsert_frame(session, Trade.__table__, rows, keys, constants)
    return _recorded(session, [strategy_scope(strategy_id)], count)


def set_stage(session: Session, strategy: Strategy, stage: Stage) -> Change:
    """Move a strategy to `stage` (the approval flow decides whether it may).

    Entering paper or live makes its broker accounts re-read their history on the next sync:
    fills made before, matching no synced strategy then, are found and attributed.
    """
    entering = stage in SYNCED and strategy.stage not in SYNCED
    strategy.stage = stage
    session.flush()
    if entering:
        labels = session.scalars(
            select(BrokerAccount.label)
            .join(StrategyAccount, StrategyAccount.account_id == BrokerAccount.id)
            .where(StrategyAccount.strategy_id == strategy.id)
        )
        for label in labels.all():
            forget_account(session, label)
    return record(session, [CATALOG, strategy_scope(strategy.id)], 1)


def _recorded(session: Session, scopes: list[str], count: int) -> Change:
    """Bump versions only when rows really changed, so a repeated write keeps caches warm."""
    return record(session, scopes, count) if count else Change()


def _require_utc_index(frame: pd.DataFrame) -> None:
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise WriteError("rows must be indexed by tz-aware timestamps")
    if str(index.tz) != "UTC":
        raise WriteError(f"timestamps must be in UTC, not {index.tz}")
    if index.has_duplicates:
        raise WriteError(f"duplicate timestamp {index[index.duplicated()][0]}")


def _require_finite(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    for column in columns:
        values = frame[column].to_numpy(float)
        if not np.isfinite(values).all():
            raise WriteError(f"{column} must be a finite number on every row")
