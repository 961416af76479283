"""The API's query parameters (a clear 400 for a bad one) and its JSON bodies."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from flask import abort, current_app, request

WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII only: str.isdigit() also accepts '²' and '١'


def date_arg(name: str) -> pd.Timestamp | None:
    text = request.args.get(name)
    if not text:
        return None
    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        stamp = pd.NaT
    if stamp is pd.NaT:  # 'NaT' and 'nan' parse, to no date at all
        abort(400, f"{name} must be an ISO date such as 2024-01-31, not {text!r}")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def int_arg(name: str, default: int, lo: int, hi: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    if not WHOLE_NUMBER.fullmatch(text) or not lo <= int(text) <= hi:
        abort(400, f"{name} must be a whole number from {lo} to {hi}")
    return int(text)


def points(frame: pd.DataFrame) -> list[dict[str, object]]:
    """[{"ts": ISO-8601 UTC, column: value or null, ...}], built column-wise."""
    index = pd.DatetimeIndex(frame.index)
    naive = (index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index).as_unit(
        "us"
    )
    whole = bool((naive.microsecond == 0).all())  # seconds, unless some point needs more
    stamps = np.datetime_as_string(naive.to_numpy(), unit="s" if whole else "us")
    columns = {
        str(name): [None if v != v else v for v in frame[name].astype(float).round(8).tolist()]
        for name in frame.columns
    }
    return [
        {"ts": f"{ts}+00:00", **{name: values[i] for name, values in columns.items()}}
        for i, ts in enumerate(stamps.tolist())
    ]


def as_json(**fields: object) -> str:
    return current_app.json.dumps(fields, separators=(",", ":"))
