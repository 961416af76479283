"""Importing Parquet series and trades files: checked like CSV series, refused row by row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from data import queries
from data.db import Database
from data.importer import ImportRefused, import_files
from data.schema import Strategy, Trade
from tests.db.test_importer import ALPHA, GOOD, stored_points, stored_series, write


def _parquet(tmp_path: Path, columns: dict) -> Path:
    path = tmp_path / "series.parquet"
    pd.DataFrame(columns).to_parquet(path)
    return path


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (
            {"date": pd.to_datetime(["2024-01-02", None]), "equity": [100.0, 101.0]},
            ["row 2 (line 3): column 'date' is empty"],
        ),
        (
            {"date": pd.to_datetime(["1800-01-02", "2250-01-03"]), "equity": [100.0, 101.0]},
            [
                "row 1 (line 2): date '1800-01-02' is outside the years 1900 to 2099",
                "row 2 (line 3): date '2250-01-03' is outside the years 1900 to 2099",
            ],
        ),
        (
            {"date": pd.to_datetime(["2024-01-02", "2024-01-03"]), "equity": [True, False]},
            ["column 'equity' has the wrong type (bool): expected numbers"],
        ),
    ],
)
def test_parquet_dates_and_types_are_checked_like_csv(
    db: Database, tmp_path: Path, columns: dict, expected: list[str]
) -> None:
    with pytest.raises(ImportRefused) as refused, db.transaction() as s:
        import_files(s, _parquet(tmp_path, columns), **ALPHA, create=True)
    assert refused.value.problems == expected
    assert stored_points(db) == 0


def test_parquet_new_york_midnights_are_days(db: Database, tmp_path: Path) -> None:
    days = pd.DatetimeIndex(["2024-03-08", "2024-03-11"]).tz_localize("America/New_York")
    path = _parquet(tmp_path, {"date": days, "equity": [100.0, 101.0]})
    with db.transaction() as s:
        result = import_files(s, path, **ALPHA, create=True)
    assert result.resolution.value == "daily"
    assert list(stored_series(db).index.strftime("%Y-%m-%d %H:%M")) == [
        "2024-03-08 00:00",
        "2024-03-11 00:00",
    ]


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


TRADES = "date,symbol,side,qty,price"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            f"{TRADES}\n2024-01-02T10:00Z,AAPL,buy,1,10\n2024-01-03,AAPL,buy,1,10\n",
            [
                "column 'date' mixes time zones: row 1 (line 2) has an offset, row 2 (line 3) has none"
            ],
        ),
        (
            f"{TRADES}\n2024-01-02,AAPL,buy,1,10\n2024-01-03, ,buy,1,10\n",
            ["row 2 (line 3): column 'symbol' is empty"],
        ),
        (
            f"{TRADES},exit_ts\n2024-01-03T10:00Z,AAPL,buy,1,10,2024-01-03T09:00Z\n",
            ["row 1 (line 2): exit_ts 2024-01-03 09:00 comes before date 2024-01-03 10:00"],
        ),
        (
            f"{TRADES},fee\n2024-01-02,AAPL,buy,1,10,-5\n",
            ["row 1 (line 2): fee must not be negative, got -5"],
        ),
        (
            f"{TRADES}\n2024-01-02,AAPL,buy,1e308,1e308\n",
            ["row 1 (line 2): quantity * price (1e+308 * 1e+308) is not finite"],
        ),
        (
            f"{TRADES},id\n2024-01-02,AAPL,buy,1,10,T1\n2024-01-03,MSFT,sell,2,20,T1\n",
            [
                "row 2 (line 3): trade_key 'T1' repeats row 1 (line 2) (trades contain the same trade_key twice)"
            ],
        ),
        (
            f"{TRADES}\n2024-01-02,AAPL,buy,1,10\n2024-01-03,MSFT,buy,1,10\n2024-01-02,AAPL,buy,1,10\n",
            [
                "row 3 (line 4): the same trade as row 1 (line 2) (trades contain the same "
                "trade_key twice): add an id column if both are real"
            ],
        ),
    ],
)
def test_import_refuses_bad_trades_naming_the_row(
    db: Database, tmp_path: Path, content: str, expected: list[str]
) -> None:
    trades = write(tmp_path, content, "trades.csv")
    with pytest.raises(ImportRefused) as refused, db.transaction() as s:
        import_files(s, write(tmp_path, GOOD), **ALPHA, trades_file=trades, create=True)
    assert refused.value.problems == expected
    assert stored_points(db) == 0


def test_a_blank_trade_id_is_keyed_like_a_row_without_an_id_column(
    db: Database, tmp_path: Path
) -> None:
    rows = "2024-01-02,AAPL,buy,1,10{}\n2024-01-03,AAPL,sell,1,11{}\n"
    with_ids = write(tmp_path, f"{TRADES},id\n" + rows.format(",B7", ","), "ids.csv")
    plain = write(tmp_path, f"{TRADES}\n" + rows.format("", ""), "plain.csv")
    for slug, trades in (("ids", with_ids), ("plain", plain)):
        with db.transaction() as s:
            import_files(
                s,
                write(tmp_path, GOOD),
                strategy=slug,
                source="live",
                trades_file=trades,
                create=True,
            )
    with db.reading() as s:
        keys = s.execute(
            select(Strategy.slug, Trade.trade_key).join(Strategy).order_by(Strategy.slug, Trade.ts)
        ).all()
    (_, given), (_, blank), (_, first), (_, second) = keys
    assert given == "B7" and blank == second and len(blank) == 32 and first != second
