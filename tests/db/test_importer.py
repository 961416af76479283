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
from data.schema import PerformancePoint, Strategy, Trade
from data.writes import ensure_strategy

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
        (
            "date,equity,strategy\n2024-01-02,100,alpha\n2024-01-03,101,beta\n",
            "strategy 'beta' is not 'alpha'",
        ),
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


def test_import_refuses_a_file_over_the_size_limit(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="over the"), db.transaction() as s:
        import_files(
            s,
            write(tmp_path, GOOD * 50),
            strategy="alpha",
            source="live",
            create=True,
            max_bytes=100,
        )


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


def test_import_returns_from_parquet_compounds_equity(db: Database, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]),
            "Return": [0.01, -0.02, 0.03],
        }
    )
    path = tmp_path / "series.parquet"
    frame.to_parquet(path)
    with db.transaction() as s:
        result = import_files(s, path, strategy="beta", source="paper", create=True)
        back = queries.performance(
            s, db.capabilities, result.change and s.scalar(select(Strategy.id)), "paper"
        )
    np.testing.assert_allclose(back["equity"], np.cumprod([1.01, 0.98, 1.03]))
    np.testing.assert_allclose(back["ret"], [0.01, -0.02, 0.03])


def test_import_with_trades_lands_together_or_not_at_all(db: Database, tmp_path: Path) -> None:
    series = write(tmp_path, GOOD)
    good = write(
        tmp_path,
        "date,symbol,side,qty,price,pnl\n2024-01-02,aapl,buy,10,190,\n2024-01-03,msft,sell,5,370,12.5\n",
        "t.csv",
    )
    bad = write(tmp_path, "date,symbol,side,qty,price\n2024-01-02,AAPL,hold,10,190\n", "bad.csv")
    with pytest.raises(ImportRefused, match="side 'hold'"), db.transaction() as s:
        import_files(s, series, strategy="alpha", source="live", trades_file=bad, create=True)
    assert stored_points(db) == 0
    with db.transaction() as s:
        result = import_files(
            s, series, strategy="alpha", source="live", trades_file=good, create=True
        )
    with db.reading() as s:
        symbols = sorted(s.scalars(select(Trade.symbol)).all())
    assert result.trades == 2 and symbols == ["AAPL", "MSFT"]
