"""The TimescaleDB read path, run on PostgreSQL with SQL stand-ins for the extension's functions.

TimescaleDB cannot be installed here. The query it gets (time_bucket + last) is otherwise never
run, so a typo in it would first show on a customer's server. Two plain-SQL functions with
TimescaleDB's documented semantics stand in for the extension — time_bucket(interval,
timestamptz), buckets aligned on 2000-01-03 (a Monday), and last(value, time), the value at the
latest time — and the query must give the same points as the date_bin path and as an
independent pandas computation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from data import queries
from data.bucketing import NICE_WIDTHS, read_bucketed
from data.db import Capabilities, Database
from data.writes import ensure_strategy, write_performance
from tests.db.test_queries import expected_last_per_bucket

STAND_INS = """
CREATE SCHEMA timescale_stand_in;
CREATE FUNCTION timescale_stand_in.time_bucket(width interval, ts timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE
AS $$ SELECT date_bin(width, ts, TIMESTAMPTZ '2000-01-03 00:00:00+00') $$;
CREATE TYPE timescale_stand_in.last_state AS (value double precision, at timestamptz);
CREATE FUNCTION timescale_stand_in.last_step(
    state timescale_stand_in.last_state, value double precision, at timestamptz
) RETURNS timescale_stand_in.last_state LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN (state).at IS NULL OR at >= (state).at
             THEN ROW(value, at)::timescale_stand_in.last_state ELSE state END $$;
CREATE FUNCTION timescale_stand_in.last_value_of(state timescale_stand_in.last_state)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT (state).value $$;
CREATE AGGREGATE timescale_stand_in.last(double precision, timestamptz) (
    SFUNC = timescale_stand_in.last_step,
    STYPE = timescale_stand_in.last_state,
    FINALFUNC = timescale_stand_in.last_value_of
);
SET LOCAL search_path = public, timescale_stand_in;
"""


@pytest.fixture
def backend() -> str:
    """PostgreSQL only: the stand-ins are PostgreSQL functions."""
    return "postgresql"


@pytest.fixture
def irregular(db: Database) -> tuple[int, pd.Series]:
    """Intraday points at irregular times over three weeks, stored for one strategy."""
    rng = np.random.default_rng(7)
    start = pd.Timestamp("2024-03-01 14:30", tz="UTC")
    steps = np.cumsum(rng.integers(1, 600, 4000))  # 1 s to 10 min apart
    index = start + pd.to_timedelta(steps, unit="s")
    ret = rng.normal(0.0, 0.001, len(index))
    frame = pd.DataFrame({"equity": 100.0 * np.cumprod(1 + ret), "ret": ret}, index=index)
    with db.transaction() as s:
        strategy, _ = ensure_strategy(s, "tick")
        write_performance(s, strategy.id, "live", frame, "intraday")
        series_id = s.execute(text("SELECT max(id) FROM series")).scalar_one()
        s.execute(text(STAND_INS))
    return series_id, frame["equity"]


@pytest.mark.parametrize("width", NICE_WIDTHS[:8])
def test_time_bucket_query_matches_date_bin_and_pandas(db, irregular, width: int) -> None:
    series_id, equity = irregular
    key = ("series_id = :series_id", {"series_id": series_id})
    lo, hi = equity.index[0], equity.index[-1]
    with db.reading() as s:
        timescale = read_bucketed(
            s,
            Capabilities("postgresql", timescale=True),
            "performance",
            key,
            ["equity"],
            lo,
            hi,
            width,
        )
        plain = read_bucketed(
            s, Capabilities("postgresql"), "performance", key, ["equity"], lo, hi, width
        )
    pd.testing.assert_frame_equal(timescale, plain)
    expected = expected_last_per_bucket(equity, width)
    assert (timescale.index == expected.index).all()
    np.testing.assert_allclose(timescale["equity"].to_numpy(), expected.to_numpy())


def test_a_long_read_through_the_timescale_path(db, irregular) -> None:
    _, equity = irregular
    with db.reading() as s:
        strategy = s.execute(text("SELECT id FROM strategies WHERE slug = 'tick'")).scalar_one()
        read = {
            timescale: queries.performance(
                s,
                Capabilities("postgresql", timescale),
                strategy,
                "live",
                "intraday",
                max_points=300,
            )
            for timescale in (True, False)
        }
    points = read[True]
    assert 50 <= len(points) <= 300
    assert points.index[-1] == equity.index[-1] and points["equity"].iloc[-1] == equity.iloc[-1]
    pd.testing.assert_frame_equal(points, read[False])
