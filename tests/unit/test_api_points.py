"""The API's series encoding: ISO-8601 UTC stamps, seconds unless a point needs microseconds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.api_args import points as _points


def test_points_are_utc_iso_stamps_with_nulls_for_missing_values() -> None:
    index = pd.DatetimeIndex(["2024-01-02 14:30", "2024-01-03 14:30"], tz="America/New_York")
    frame = pd.DataFrame({"equity": [100.0, 101.123456789], "ret": [np.nan, 0.01123456789]}, index)
    assert _points(frame) == [
        {"ts": "2024-01-02T19:30:00+00:00", "equity": 100.0, "ret": None},
        {"ts": "2024-01-03T19:30:00+00:00", "equity": 101.12345679, "ret": 0.01123457},
    ]


def test_sub_second_points_keep_their_microseconds() -> None:
    index = pd.DatetimeIndex(["2024-01-02 14:30:00", "2024-01-02 14:30:00.250"], tz="UTC")
    stamps = [p["ts"] for p in _points(pd.DataFrame({"close": [1.0, 2.0]}, index))]
    assert stamps == ["2024-01-02T14:30:00.000000+00:00", "2024-01-02T14:30:00.250000+00:00"]
    assert _points(pd.DataFrame({"close": []}, pd.DatetimeIndex([], tz="UTC"))) == []
