"""Downsampling in SQL: the last value per time bucket (time_bucket, date_bin, or SQLite math)."""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from data.db import Capabilities, rows_frame

NICE_WIDTHS = [60, 300, 900, 1800, 3600, 4 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400]
ORIGIN = "2000-01-03 00:00:00"  # a Monday, so weekly buckets start on Mondays


def bucket_width(start: pd.Timestamp, end: pd.Timestamp, max_points: int) -> int:
    """The smallest 'nice' bucket width, in seconds, that fits the span into `max_points`."""
    needed = math.ceil((end - start).total_seconds() / max(max_points, 1))
    for width in NICE_WIDTHS:
        if width >= needed:
            return width
    return math.ceil(needed / (30 * 86400)) * 30 * 86400


def last_per_bucket_sql(caps: Capabilities, table: str, key: str, value_columns: list[str]) -> str:
    """SQL selecting, per bucket of `:width` seconds, the last row's ts and values.

    Parameters: :key (the series/benchmark id), :lo, :hi, :width; plus any the caller's key needs.
    """
    where = f"WHERE {key} AND ts BETWEEN :lo AND :hi"
    if caps.timescale:
        values = ", ".join(f"last({c}, ts) AS {c}" for c in value_columns)
        bucket = "time_bucket(make_interval(secs => :width), ts)"
        return f"SELECT max(ts) AS ts, {values} FROM {table} {where} GROUP BY {bucket} ORDER BY 1"
    if caps.postgres:
        values = ", ".join(f"(array_agg({c} ORDER BY ts DESC))[1] AS {c}" for c in value_columns)
        bucket = f"date_bin(make_interval(secs => :width), ts, TIMESTAMPTZ '{ORIGIN}+00')"
        return f"SELECT max(ts) AS ts, {values} FROM {table} {where} GROUP BY {bucket} ORDER BY 1"
    # SQLite: with max() in the select list, bare columns come from the row holding the maximum
    values = ", ".join(value_columns)
    seconds = "CAST(strftime('%s', ts) AS INTEGER)"
    bucket = f"({seconds} - CAST(strftime('%s', '{ORIGIN}') AS INTEGER)) / :width"
    return f"SELECT max(ts) AS ts, {values} FROM {table} {where} GROUP BY {bucket} ORDER BY 1"


def read_bucketed(
    session: Session,
    caps: Capabilities,
    table: str,
    key: tuple[str, dict[str, object]],
    value_columns: list[str],
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    width: int,
) -> pd.DataFrame:
    """Run the bucketing query and return a frame indexed by UTC timestamps."""
    condition, params = key
    sql = last_per_bucket_sql(caps, table, condition, value_columns)
    bounds = _bounds(caps, lo, hi)
    rows = session.execute(text(sql), {**params, **bounds, "width": width}).all()
    frame = rows_frame(rows, ["ts", *value_columns])
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
    return frame.set_index("ts").astype(float)


def _bounds(caps: Capabilities, lo: pd.Timestamp, hi: pd.Timestamp) -> dict[str, object]:
    if caps.postgres:
        return {"lo": lo.to_pydatetime(), "hi": hi.to_pydatetime()}
    # SQLite stores naive UTC text 'YYYY-MM-DD HH:MM:SS.ffffff', which compares lexically
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    return {"lo": lo.tz_convert(None).strftime(fmt), "hi": hi.tz_convert(None).strftime(fmt)}
