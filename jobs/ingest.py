"""Benchmark ingestion: daily bars (backfill, then incremental from the watermark) and minute bars.

Two jobs. `ingest-benchmarks` (every 15 min, all day) keeps daily bars complete up to the last
settled session and recomputes blends. `ingest-benchmarks-intraday` (every 2 min) fetches today's
minute bars while the market trades and does nothing otherwise. Each benchmark is written in one
transaction together with its watermark, so a failure leaves the store as it was and the next run
resumes from the watermark: no gaps, no duplicates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from data.benchmarks import BenchmarkSpec, blend_levels, parse_benchmarks
from data.providers import MarketData, market_data_for
from data.providers.checks import check_continues
from data.providers.sessions import (
    active_session,
    last_settled_session,
    sessions_back,
    unfinished_session,
)
from data.schema import Resolution
from data.stored import TOLERANCE, first_bar, from_first_change, stored_bars, stored_closes
from data.sync_state import (
    benchmark_key,
    mark_success,
    watermark,
)
from data.versions import Change
from data.writes import BAR_COLUMNS, ensure_benchmark, write_bars
from jobs.context import JobConfig, JobContext, JobSpec
from jobs.each import run_each

OVERLAP_SESSIONS = 5  # re-read behind the watermark: corrections and re-adjustments show up there
DAILY, INTRADAY = Resolution.DAILY, Resolution.INTRADAY
KEPT = "kept (bars from another source; the offline demo does not overwrite them)"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class IngestError(RuntimeError):
    """Some benchmarks failed; the others were ingested. The message lists each failure."""


def job_specs(config: JobConfig) -> list[JobSpec]:
    """The daily and the intraday ingestion job."""
    return [
        JobSpec(
            "ingest-benchmarks",
            run_daily,
            "Benchmark daily bars: backfill on first run, then incremental; blends",
            {"trigger": "interval", "minutes": 15},
        ),
        JobSpec(
            "ingest-benchmarks-intraday",
            run_intraday,
            "Benchmark minute bars while the market is open",
            {"trigger": "interval", "minutes": 2},
        ),
    ]


def run_daily(ctx: JobContext) -> str:
    """Daily bars of every configured benchmark from the configured provider."""
    return ingest_daily(ctx, market_data_for(ctx.config.providers))


def run_intraday(ctx: JobContext) -> str:
    """Today's minute bars of every configured instrument, in market hours."""
    return ingest_intraday(ctx, market_data_for(ctx.config.providers))


def ingest_daily(ctx: JobContext, provider: MarketData) -> str:
    """Ingest each benchmark in turn; raise at the end if any failed."""
    specs = parse_benchmarks(ctx.config.benchmarks)
    return _each(ctx, specs, DAILY, lambda spec: _daily(ctx, provider, spec), provider.name)


def ingest_intraday(ctx: JobContext, provider: MarketData) -> str:
    """Ingest today's minute bars, or say the market is closed."""
    session = active_session(ctx.now())
    if session is None:
        return "market closed: no minute bars to fetch"
    specs = [s for s in parse_benchmarks(ctx.config.benchmarks) if not s.is_blend]
    return _each(
        ctx, specs, INTRADAY, lambda spec: _intraday(ctx, provider, spec, session), provider.name
    )


def _each(
    ctx: JobContext,
    specs: list[BenchmarkSpec],
    resolution: Resolution,
    ingest: Callable[[BenchmarkSpec], str],
    name: str,
) -> str:
    outcome = run_each(
        ctx,
        specs,
        lambda spec: f"{spec.symbol} {ingest(spec)}",
        label=lambda spec: spec.symbol,
        failure_keys=lambda spec: [benchmark_key(spec.symbol, resolution)],
    )
    summary = f"{name} {resolution.value} bars: {', '.join(outcome.done) or 'none'}"
    outcome.raise_if_failed(IngestError, summary)
    return summary


def _daily(ctx: JobContext, provider: MarketData, spec: BenchmarkSpec) -> str:
    if spec.is_blend:
        return _blend(ctx, spec)
    now, key = ctx.now(), benchmark_key(spec.symbol, DAILY)
    end, full = last_settled_session(now), _backfill_start(ctx)
    with ctx.db.reading() as session:
        mark = watermark(session, key)
    if _kept(ctx, provider, spec, mark):
        return KEPT
    start = full if mark is None else min(sessions_back(mark.date(), OVERLAP_SESSIONS), end)
    frame = provider.daily_bars(spec.symbol, start, end)
    # stored and fetched bars must join up; the adapter has checked there is no gap after that
    if mark is not None:
        check_continues(frame.index, mark, f"{provider.name} {spec.symbol} daily")
    stored = _stored(ctx, spec.symbol, DAILY, frame)
    if mark is not None and _readjusted(frame, stored):
        # a new dividend or split re-scaled the whole history: fetch and rewrite all of it
        with ctx.db.reading() as session:
            oldest = first_bar(session, spec.symbol, DAILY)
        frame = provider.daily_bars(spec.symbol, min(full, oldest.date()) if oldest else full, end)
        stored = _stored(ctx, spec.symbol, DAILY, frame)
    return _write(ctx, spec, provider.name, DAILY, frame, stored)


def _intraday(
    ctx: JobContext,
    provider: MarketData,
    spec: BenchmarkSpec,
    session: tuple[dt.datetime, dt.datetime],
) -> str:
    now, key = ctx.now(), benchmark_key(spec.symbol, INTRADAY)
    with ctx.db.reading() as reading:
        mark = watermark(reading, key)
        daily_mark = watermark(reading, benchmark_key(spec.symbol, DAILY))
    if _kept(ctx, provider, spec, daily_mark):
        return KEPT
    # re-read from the last stored bar: it may have been the still-forming minute
    start = session[0] if mark is None else max(session[0], mark)
    frame = provider.minute_bars(spec.symbol, start, min(now, session[1]))
    if mark is not None and mark >= session[0]:
        check_continues(frame.index, mark, f"{provider.name} {spec.symbol} minute")
    elif mark is not None and (tail := _rest_of_marked_session(provider, spec, mark)) is not None:
        frame = pd.concat([tail, frame])
    return _write(
        ctx, spec, provider.name, INTRADAY, frame, _stored(ctx, spec.symbol, INTRADAY, frame)
    )


def _rest_of_marked_session(
    provider: MarketData, spec: BenchmarkSpec, mark: dt.datetime
) -> pd.DataFrame | None:
    """After an outage that began mid-session, the minutes from the watermark to that close."""
    if (bounds := unfinished_session(mark)) is None:
        return None
    tail = provider.minute_bars(spec.symbol, mark, bounds[1])
    check_continues(tail.index, mark, f"{provider.name} {spec.symbol} minute")
    return tail


def _blend(ctx: JobContext, spec: BenchmarkSpec) -> str:
    weights = spec.weights or {}
    with ctx.db.reading() as session:
        closes = stored_closes(session, list(weights))
        stored = stored_bars(session, spec.symbol, DAILY, EPOCH)
    levels = blend_levels(closes, weights)
    frame = pd.DataFrame({c: levels for c in BAR_COLUMNS[:4]}).assign(volume=0.0)
    return _write(ctx, spec, "blend", DAILY, frame, stored)


def _write(
    ctx: JobContext,
    spec: BenchmarkSpec,
    provider: str,
    resolution: Resolution,
    frame: pd.DataFrame,
    stored: pd.DataFrame,
) -> str:
    """Write what changed and move the watermark, in one transaction; announce it after commit."""
    rows = from_first_change(frame, stored)
    with ctx.db.transaction() as session:
        benchmark, change = ensure_benchmark(
            session,
            spec.symbol,
            name=spec.name,
            asset_class=spec.asset_class,
            provider=provider,
            weights=spec.weights,
        )
        if len(rows):
            change |= write_bars(session, benchmark, rows, resolution)
        mark = frame.index[-1].to_pydatetime() if len(frame) else None
        mark_success(session, benchmark_key(spec.symbol, resolution), ctx.now(), mark)
    _announce(ctx, change)
    return f"+{len(rows)}"


def _kept(
    ctx: JobContext, provider: MarketData, spec: BenchmarkSpec, daily_mark: dt.datetime | None
) -> bool:
    """Whether the offline demo must leave this benchmark alone: bars that no ingestion stream
    wrote (the demo book, an import) follow another path, and mixing the two would corrupt both.
    """
    if provider.name != "demo" or daily_mark is not None:
        return False
    with ctx.db.reading() as session:
        return first_bar(session, spec.symbol, DAILY) is not None


def _stored(
    ctx: JobContext, symbol: str, resolution: Resolution, frame: pd.DataFrame
) -> pd.DataFrame:
    since = frame.index[0].to_pydatetime() if len(frame) else ctx.now()
    with ctx.db.reading() as session:
        return stored_bars(session, symbol, resolution, since)


def _readjusted(frame: pd.DataFrame, stored: pd.DataFrame) -> bool:
    """Whether stored closes in the overlap differ from the provider's: history was re-adjusted."""
    common = stored.index.intersection(frame.index)
    if common.empty:
        return False
    fresh, old = frame.loc[common, "close"].to_numpy(), stored.loc[common, "close"].to_numpy()
    return bool((abs(fresh - old) > TOLERANCE * abs(old)).any())


def _backfill_start(ctx: JobContext) -> dt.date:
    return (pd.Timestamp(ctx.now()) - pd.DateOffset(years=ctx.config.backfill_years)).date()


def _announce(ctx: JobContext, change: Change) -> None:
    if change.scopes:
        ctx.on_change(change)
