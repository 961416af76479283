"""Importing users' files: every bad input is a clear error naming row and column; nothing lands."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from data import queries
from data.db import Database
from data.importer import ImportRefused, import_files
from data.schema import PerformancePoint, Strategy
from data.writes import ensure_strategy

ALPHA = {"strategy": "alpha", "source": "backtest"}
GOOD = "date,equity\n2024-01-02,100\n2024-01-03,101\n2024-01-04,100.5\n"


def write(tmp_path: Path, text: str, name: str = "series.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def stored_points(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(PerformancePoint))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "empty"),
        ("date,equity\n", "no rows"),
        ("day,equity\n2024-01-02,100\n", "missing date column"),
        ("date,price\n2024-01-02,100\n", "unknown column(s) ['price']"),
        ("date,equity,return\n2024-01-02,100,0.1\n", "keep one"),
        (
            "date,equity\n2024-01-02,100\n2024-13-45,101\n",
            "row 2 (line 3): cannot read '2024-13-45'",
        ),
        ("date,equity\n2024-01-02,100\n2024-01-02,101\n", "row 2 (line 3): duplicate date"),
        (
            "date,equity\n2024-01-03,100\n2024-01-02,101\n",
            "row 2 (line 3): date 2024-01-02 comes before",
        ),
        ("date,equity\n2024-01-02,100\n2024-01-03,nan\n", "row 2 (line 3): column 'equity': 'nan'"),
        ("date,equity\n2024-01-02,100\n2024-01-03,inf\n", "not finite"),
        ("date,equity\n2024-01-02,100\n2024-01-03,\n", "row 2 (line 3): column 'equity' is empty"),
        ("date,equity\n2024-01-02,100\n2024-01-03,abc\n", "'abc' is not a number"),
        (
            "date,equity\n2024-01-02,100\n2024-01-03,0\n",
            "row 2 (line 3): 'equity' must be positive",
        ),
        ("date,return\n2024-01-02,0.01\n2024-01-03,-1.5\n", "would wipe out the equity"),
        ("date,equity\n2024-01-02T00:00:00Z,100\n2024-01-03,101\n", "mixes time zones"),
        ("date,equity\n01/02/2024,100\n01/03/2024,101\n", "month-first and day-first"),
        ("date,equity\n1700-01-02,100\n1700-01-03,101\n", "outside the years 1900 to 2099"),
        ("date,equity\n2024-01-02,100\n01/03/2024,101\n", "must share one format"),
        (
            "date,equity,strategy\n2024-01-02,100,alpha\n2024-01-03,101,beta\n",
            "strategy 'beta' is not 'alpha'",
        ),
        (
            "date,equity\n2024-01-02,1e-300\n2024-01-03,1e300\n",
            "row 2 (line 3): the return from equity 1e-300 to 1e+300 is not finite",
        ),
        (
            "date,equity\n2024-01-02,100\n2024-01-03,1200\n",
            "row 2 (line 3): equity goes from 100 to 1200 (+1100%) in one period",
        ),
        (
            "date,return\n2024-01-02,0.01\n2024-01-03,1000\n",
            "row 2 (line 3): return 1000 (100000%) in one period is implausible",
        ),
        (
            "date,return\n"
            + "".join(f"{d:%Y-%m-%d},10\n" for d in pd.bdate_range("2024-01-01", periods=300)),
            "equity compounded from the returns is not finite",
        ),
        (
            'date,return\n2024-01-02,"0,5"\n',
            "row 1 (line 2): column 'return': '0,5' has a comma that is not a thousands separator",
        ),
        ('date,equity\n2024-01-02,"1.000,50"\n', "decimal commas are not supported"),
        ('date,equity\n2024-01-02,"1,00"\n', "'1,00' has a comma"),
        (
            "date,equity\n2024-01-02,100,extra\n2024-01-03,101\n",
            "row 1 (line 2): 3 fields where the header has 2",
        ),
        (
            "date,equity\n2024-01-02,100\n2024-01-03,101,x\n",
            "row 2 (line 3): 3 fields where the header has 2",
        ),
        ("date,equity\n01-02-2024,100\n01-03-2024,101\n", "month-first and day-first"),
    ],
)
def test_import_refuses_bad_series_naming_the_problem(
    db: Database, tmp_path: Path, content: str, expected: str
) -> None:
    with db.transaction() as s:
        ensure_strategy(s, "alpha")
    with pytest.raises(ImportRefused) as refused, db.transaction() as s:
        import_files(s, write(tmp_path, content), strategy="alpha", source="backtest")
    assert expected in str(refused.value)
    assert stored_points(db) == 0


def test_import_lists_every_problem_in_row_order(db: Database, tmp_path: Path) -> None:
    content = "date,equity\n2024-01-02,100\n2024-01-03,-1\n2024-13-01,5\n2024-01-05,abc\n"
    with db.transaction() as s:
        ensure_strategy(s, "alpha")
    with pytest.raises(ImportRefused) as refused, db.transaction() as s:
        import_files(s, write(tmp_path, content), strategy="alpha", source="backtest")
    rows = [p.split(" (line")[0] for p in refused.value.problems]
    assert rows == ["row 2", "row 3", "row 4"], refused.value.problems
    assert stored_points(db) == 0


@pytest.mark.parametrize(
    ("max_bytes", "said"),
    [
        (100, "2,950 bytes is over the 100 bytes limit"),
        (1024, "2.9 KiB is over the 1.0 KiB limit"),  # a binary limit in binary units
    ],
)
def test_import_refuses_a_file_over_the_size_limit(
    db: Database, tmp_path: Path, max_bytes: int, said: str
) -> None:
    with pytest.raises(ImportRefused) as refused, db.transaction() as s:
        import_files(
            s,
            write(tmp_path, GOOD * 50),
            strategy="alpha",
            source="live",
            create=True,
            max_bytes=max_bytes,
        )
    assert refused.value.problems == [f"series.csv: {said}"]


@pytest.mark.parametrize(
    ("stored", "new", "expected"),
    [
        ("1", "100", "row 1 (line 2): equity goes from 1 to 100 (+9900%) in one period"),
        (
            "1e-300",
            "1e300",
            "row 1 (line 2): the return from equity 1e-300 to 1e+300 is not finite",
        ),
    ],
)
def test_equity_is_checked_again_chained_onto_the_stored_point(
    db: Database, tmp_path: Path, stored: str, new: str, expected: str
) -> None:
    first = write(tmp_path, f"date,equity\n2024-01-02,{stored}\n")
    with db.transaction() as s:
        import_files(s, first, strategy="alpha", source="backtest", create=True)
    with pytest.raises(ImportRefused) as refused, db.transaction() as s:
        import_files(s, write(tmp_path, f"date,equity\n2024-01-03,{new}\n", "next.csv"), **ALPHA)
    assert expected in str(refused.value)
    assert stored_points(db) == 1


def test_import_refuses_an_unknown_strategy_without_create(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="unknown strategy 'ghost'"), db.transaction() as s:
        import_files(s, write(tmp_path, GOOD), strategy="ghost", source="live")
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Strategy)) == 0


def test_import_equity_then_reimport_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    with db.transaction() as s:
        first = import_files(s, path, strategy="alpha", source="backtest", create=True)
    with db.transaction() as s:
        again = import_files(s, path, strategy="alpha", source="backtest")
    assert (first.rows, first.resolution.value) == (3, "daily")
    assert again.change.rows == 0
    with db.reading() as s:
        strategy_id = s.scalar(select(Strategy.id).where(Strategy.slug == "alpha"))
        back = queries.performance(s, db.capabilities, strategy_id, "backtest")
    np.testing.assert_allclose(back["equity"], [100, 101, 100.5])
    assert np.isnan(back["ret"].iloc[0]) and back["ret"].iloc[1] == pytest.approx(0.01)


def stored_series(db: Database, slug: str = "alpha") -> pd.DataFrame:
    with db.reading() as s:
        strategy_id = s.scalar(select(Strategy.id).where(Strategy.slug == slug))
        return queries.performance(s, db.capabilities, strategy_id, "backtest")


def test_a_corrected_equity_range_rechains_the_next_stored_return(
    db: Database, tmp_path: Path
) -> None:
    base = "date,equity\n2024-01-02,100\n2024-01-03,101\n2024-01-04,102\n2024-01-05,103\n"
    with db.transaction() as s:
        import_files(s, write(tmp_path, base), strategy="alpha", source="backtest", create=True)
    with db.transaction() as s:  # a correction of one day in the middle
        import_files(s, write(tmp_path, "date,equity\n2024-01-03,90\n", "fix.csv"), **ALPHA)
    with db.transaction() as s:  # and history before the first stored day
        import_files(s, write(tmp_path, "date,equity\n2023-12-29,95\n", "pre.csv"), **ALPHA)
    stored = stored_series(db)
    assert stored["equity"].tolist() == [95, 100, 90, 102, 103]  # levels kept as given
    expected = stored["equity"].pct_change()
    np.testing.assert_allclose(stored["ret"].iloc[1:], expected.iloc[1:], rtol=1e-12)


def test_corrected_returns_keep_the_later_returns_and_rescale_their_levels(
    db: Database, tmp_path: Path
) -> None:
    base = "date,return\n2024-01-02,0.01\n2024-01-03,0.02\n2024-01-04,-0.01\n2024-01-05,0.03\n"
    with db.transaction() as s:
        import_files(s, write(tmp_path, base), strategy="alpha", source="backtest", create=True)
    with db.transaction() as s:
        import_files(s, write(tmp_path, "date,return\n2024-01-03,0.05\n", "fix.csv"), **ALPHA)
    stored = stored_series(db)
    np.testing.assert_allclose(stored["ret"], [0.01, 0.05, -0.01, 0.03], rtol=1e-12)
    np.testing.assert_allclose(stored["equity"], np.cumprod([1.01, 1.05, 0.99, 1.03]), rtol=1e-12)


def test_dates_are_read_in_one_format_and_local_midnights_are_days(
    db: Database, tmp_path: Path
) -> None:
    us = "date,equity\n12/29/2023,100\n01/02/2024,101\n01/03/2024,102\n"
    with db.transaction() as s:
        result = import_files(s, write(tmp_path, us), strategy="us", source="backtest", create=True)
    assert result.resolution.value == "daily"
    assert stored_series(db, "us").index[0] == pd.Timestamp("2023-12-29", tz="UTC")
    new_york = "date,equity\n2024-03-08T00:00:00-05:00,100\n2024-03-11T00:00:00-04:00,101\n"  # across the change to summer time
    with db.transaction() as s:
        result = import_files(
            s, write(tmp_path, new_york, "ny.csv"), strategy="ny", source="backtest", create=True
        )
    assert result.resolution.value == "daily"
    assert list(stored_series(db, "ny").index.strftime("%Y-%m-%d %H:%M")) == [
        "2024-03-08 00:00",
        "2024-03-11 00:00",
    ]


def test_dashed_day_first_dates_and_thousands_separators_are_read(
    db: Database, tmp_path: Path
) -> None:
    content = 'date,equity\n13-01-2024,"1,000.5"\n14-01-2024,"1,010.25"\n'
    with db.transaction() as s:
        result = import_files(s, write(tmp_path, content), **ALPHA, create=True)
    assert result.resolution.value == "daily"
    stored = stored_series(db)
    assert list(stored.index.strftime("%Y-%m-%d")) == ["2024-01-13", "2024-01-14"]
    assert stored["equity"].tolist() == [1000.5, 1010.25]


@pytest.mark.parametrize(
    ("first", "second", "days"),
    [
        ("2024-01-13Z", "2024-01-14Z", ["2024-01-13", "2024-01-14"]),
        ("2024-01-13T00:00-05:00", "2024-01-14T00:00-05:00", ["2024-01-13", "2024-01-14"]),
        ("2024-01-13+00:00", "2024-01-14+00:00", ["2024-01-13", "2024-01-14"]),
    ],
)
def test_dates_with_a_zone_but_no_time_are_days(
    db: Database, tmp_path: Path, first: str, second: str, days: list[str]
) -> None:
    content = f"date,equity\n{first},100\n{second},101\n"
    with db.transaction() as s:
        result = import_files(s, write(tmp_path, content), **ALPHA, create=True)
    assert result.resolution.value == "daily"
    assert list(stored_series(db).index.strftime("%Y-%m-%d")) == days
