"""The demo live feed: every few seconds, a new intraday point for each live demo strategy."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from data.calendar import last_trading_day
from data.schema import PerformancePoint, Resolution, Series, Source, Stage, Strategy
from data.versions import Change
from data.writes import append_equity
from jobs.context import JobConfig, JobContext, JobSpec

JOB_ID = "demo-feed"
DEMO_TAG = "demo"
PULL = 0.001  # per tick, the walk is pulled back towards the session's opening level
TICK_VOL = 0.00045  # with PULL, a stationary spread of about 1% of equity around that level
KEEP_INTRADAY = pd.Timedelta(days=7)


def job_specs(config: JobConfig) -> list[JobSpec]:
    """The feed runs every `demo_feed_seconds`."""
    return [
        JobSpec(
            JOB_ID,
            run,
            "Demo live feed: intraday points for live demo strategies",
            {"trigger": "interval", "seconds": config.demo_feed_seconds},
        )
    ]


def run(ctx: JobContext) -> str:
    """Append one point per live demo strategy (intraday at now, and today's daily point)."""
    now = pd.Timestamp(ctx.now()).floor("s")
    session_day = last_trading_day(now)  # the demo market never closes: weekends move Friday
    rng = np.random.default_rng()
    change = Change()
    with ctx.db.transaction() as session:
        for strategy_id in _live_demo_strategies(session):
            change |= _tick(session, strategy_id, now, session_day, rng)
        session.execute(
            delete(PerformancePoint).where(
                PerformancePoint.series_id.in_(
                    select(Series.id).where(Series.resolution == Resolution.INTRADAY.value)
                ),
                PerformancePoint.ts < (now - KEEP_INTRADAY).to_pydatetime(),
            )
        )
    ctx.on_change(change)
    ticked = sum(1 for scope in change.scopes if scope.count(":") == 1)  # 'strategy:<id>'
    return f"{ticked} strategies ticked at {now:%H:%M:%S}"


def _live_demo_strategies(session: Session) -> list[int]:
    rows = session.execute(select(Strategy.id, Strategy.tags).where(Strategy.stage == Stage.LIVE))
    return [sid for sid, tags in rows if DEMO_TAG in (tags or [])]


def _tick(
    session: Session,
    strategy_id: int,
    now: pd.Timestamp,
    day: pd.Timestamp,
    rng: np.random.Generator,
) -> Change:
    opening = _last_equity(session, strategy_id, Resolution.DAILY, before=day)
    if opening is None:
        return Change()
    current = (
        _last_equity(
            session,
            strategy_id,
            Resolution.INTRADAY,
            before=now + pd.Timedelta(seconds=1),
            since=day,
        )
        or opening
    )
    new = current + PULL * (opening - current) + TICK_VOL * opening * rng.standard_normal()
    point = pd.Series([max(new, opening * 0.5)], index=pd.DatetimeIndex([now]))
    change = append_equity(session, strategy_id, Source.LIVE, point, Resolution.INTRADAY)
    daily = pd.Series(point.to_numpy(), index=pd.DatetimeIndex([day]))
    return change | append_equity(session, strategy_id, Source.LIVE, daily, Resolution.DAILY)


def _last_equity(
    session: Session,
    strategy_id: int,
    resolution: Resolution,
    before: pd.Timestamp,
    since: pd.Timestamp | None = None,
) -> float | None:
    stmt = (
        select(PerformancePoint.equity)
        .join(Series, Series.id == PerformancePoint.series_id)
        .where(
            Series.strategy_id == strategy_id,
            Series.source == Source.LIVE.value,
            Series.resolution == resolution.value,
            PerformancePoint.ts < before.to_pydatetime(),
        )
        .order_by(PerformancePoint.ts.desc())
        .limit(1)
    )
    if since is not None:
        stmt = stmt.where(PerformancePoint.ts >= since.to_pydatetime())
    return session.scalar(stmt)
