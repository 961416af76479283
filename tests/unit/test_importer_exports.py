"""Files as real tools export them: dates stamped at the close, percents, notes, other separators."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from data.importer import ImportRefused, parse_series
from data.schema import Resolution

LIMIT = 10 * 1024 * 1024


def parse(text: str | bytes, name: str = "series.csv"):
    data = text.encode() if isinstance(text, str) else text
    return parse_series(data, name, max_bytes=LIMIT)


def refused(text: str | bytes, name: str = "series.csv") -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        parse(text, name)
    return caught.value.problems


@pytest.mark.parametrize(
    "stamps",
    [
        ["2024-01-02 16:00:00", "2024-01-03 16:00:00", "2024-01-04 16:00:00"],
        ["2024-01-02T16:00:00-05:00", "2024-01-03T16:00:00-05:00", "2024-01-04T16:00:00-05:00"],
        ["2024-01-02T20:00:00-05:00", "2024-01-03T20:00:00-05:00", "2024-01-04T20:00:00-05:00"],
    ],
)
def test_one_row_a_day_stamped_at_the_close_is_daily_on_its_own_dates(stamps) -> None:
    parsed = parse("date,equity\n" + "".join(f"{s},{100 + i}\n" for i, s in enumerate(stamps)))
    assert parsed.resolution == Resolution.DAILY
    assert [d.date().isoformat() for d in parsed.frame.index] == [
        "2024-01-02",
        "2024-01-03",
        "2024-01-04",
    ]  # the local date, even where 20:00 New York is the next day in UTC


def test_several_rows_on_a_day_stay_intraday() -> None:
    parsed = parse("date,equity\n2024-01-02 10:00,100\n2024-01-02 11:00,101\n2024-01-03 10:00,99\n")
    assert parsed.resolution == Resolution.INTRADAY and parsed.frame.index[1].hour == 11


def test_percent_returns_with_the_sign_are_read_as_fractions() -> None:
    parsed = parse("date,return\n2024-01-02,1.5%\n2024-01-03,-0.5%\n2024-01-04, 2 %\n")
    np.testing.assert_allclose(parsed.frame["ret"], [0.015, -0.005, 0.02])


def test_percent_signs_on_some_rows_only_are_refused() -> None:
    problems = refused("date,return\n2024-01-02,1.5%\n2024-01-03,0.01\n")
    assert len(problems) == 1 and "mixes percents and plain numbers" in problems[0]
    assert "a percent, not a level" in refused("date,equity\n2024-01-02,100%\n")[0]


def test_daily_percents_without_the_sign_are_refused_with_the_unit_named() -> None:
    rng = np.random.default_rng(1)
    days = pd.bdate_range("2024-01-02", periods=60)
    moves = rng.normal(0.05, 1.2, len(days)).clip(-9, 9)  # MSFT's daily moves, in percent
    text = "date,return\n" + "".join(
        f"{d:%Y-%m-%d},{m:.3f}\n" for d, m in zip(days, moves, strict=True)
    )
    problems = refused(text)
    assert any("looks like percents" in p and "0.012" in p for p in problems), problems


def test_monthly_returns_of_ten_percent_are_not_mistaken_for_percents() -> None:
    months = pd.date_range("2020-01-31", periods=36, freq="ME")
    moves = np.resize([0.12, -0.11, 0.15, -0.09], len(months))
    parsed = parse(
        "date,return\n" + "".join(f"{d:%Y-%m-%d},{m}\n" for d, m in zip(months, moves, strict=True))
    )
    assert len(parsed.frame) == 36


def test_the_blank_first_return_of_pct_change_is_the_starting_point() -> None:
    series = pd.Series(
        [100.0, 101.0, 99.99], index=pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"])
    )
    buffer = io.StringIO()
    series.pct_change().rename("return").rename_axis("date").to_csv(buffer)
    parsed = parse(buffer.getvalue())
    assert np.isnan(parsed.frame["ret"].iloc[0])
    np.testing.assert_allclose(parsed.frame["ret"].iloc[1:], [0.01, -0.01])


def test_notes_blank_lines_and_excel_rows_of_commas_are_skipped_and_lines_still_named() -> None:
    text = "# Data source: a broker\ndate,equity\n2024-01-02,100\n\n,\n2024-01-03,abc\n"
    problems = refused(text)
    assert problems == ["row 2 (line 6): column 'equity': 'abc' is not a number"]
    parsed = parse("# note\ndate,equity\n2024-01-02,100\n\n2024-01-03,101\n,\n")
    assert list(parsed.frame["equity"]) == [100.0, 101.0]


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read(sep: str) -> None:
    parsed = parse(f"date{sep}equity\n2024-01-02{sep}100\n2024-01-03{sep}101.5\n")
    assert list(parsed.frame["equity"]) == [100.0, 101.5]


def test_utf16_text_from_excel_is_read() -> None:
    parsed = parse("date\tequity\r\n2024-01-02\t100\r\n2024-01-03\t101\r\n".encode("utf-16"))
    assert list(parsed.frame["equity"]) == [100.0, 101.0]


@pytest.mark.parametrize("name", [None, "Date"])
def test_parquet_from_a_date_indexed_frame_keeps_its_dates(name: str | None) -> None:
    index = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], name=name)
    buffer = io.BytesIO()
    pd.DataFrame({"equity": [100.0, 102.0]}, index=index).to_parquet(buffer)
    parsed = parse(buffer.getvalue(), "series.parquet")
    assert list(parsed.frame["equity"]) == [100.0, 102.0]
    assert parsed.frame.index[0] == pd.Timestamp("2024-01-02", tz="UTC")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (",0\n2024-01-02,100\n2024-01-03,101\n", "the first column has no name: call it 'date'"),
        ("Date,AAPL\n2024-01-02,100\n", "named 'equity' (levels, such as a close"),
        ("date,equity\n19-Jun-03,100\n20-Jun-03,101\n", "write dates as YYYY-MM-DD"),
        ("date,equity\n2024-01-02,100\n2024-01-03 junk,101\n", "dates must share one format"),
    ],
)
def test_what_cannot_be_read_says_what_to_write_instead(text: str, said: str) -> None:
    assert any(said in problem for problem in refused(text)), refused(text)
