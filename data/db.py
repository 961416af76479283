"""Engines, sessions, and the one place that decides which time-series features a database has."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class Capabilities:
    """What the connected database can do for time series."""

    dialect: str  # "sqlite" | "postgresql"
    timescale: bool = False

    @property
    def postgres(self) -> bool:
        """True on PostgreSQL, with or without TimescaleDB."""
        return self.dialect == "postgresql"


def detect_capabilities(conn: Connection) -> Capabilities:
    """Inspect the connection: PostgreSQL with or without TimescaleDB, or SQLite."""
    if conn.dialect.name != "postgresql":
        return Capabilities(conn.dialect.name)
    installed = conn.execute(
        text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
    ).first()
    return Capabilities("postgresql", timescale=installed is not None)


def timescale_available(conn: Connection) -> bool:
    """Whether the TimescaleDB extension can be created on this server (used by migrations)."""
    if conn.dialect.name != "postgresql":
        return False
    row = conn.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
    ).first()
    return row is not None


class QueryCounter:
    """Counts the SQL statements an engine runs (the cache is measured by it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def __call__(self, *_args: object) -> None:
        with self._lock:
            self.count += 1

    def reset(self) -> int:
        """Return the count so far and start again from zero."""
        with self._lock:
            count, self.count = self.count, 0
        return count


class Database:
    """An engine with its session factory, detected capabilities and a statement counter."""

    def __init__(self, url: str, *, echo: bool = False, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine if engine is not None else make_engine(url, echo=echo)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Writes take SQLite's write lock up front (BEGIN IMMEDIATE): a deferred transaction that
        # read first cannot wait for the lock and fails with "database is locked" instead.
        writer = self.engine.execution_options(stratwatch_write=True)
        self.write_sessions = sessionmaker(writer, expire_on_commit=False)
        self.queries = QueryCounter()
        event.listen(self.engine, "before_cursor_execute", self.queries)
        self._capabilities: Capabilities | None = None

    def bind_to(self, connection: Connection) -> None:
        """Run every session inside `connection`'s open transaction, each as a savepoint.

        Tests use it to roll back everything a test wrote; nothing else should need it.
        """
        self.sessions = self.write_sessions = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    @property
    def capabilities(self) -> Capabilities:
        """Detected once, on first use."""
        if self._capabilities is None:
            with self.engine.connect() as conn:
                self._capabilities = detect_capabilities(conn)
        return self._capabilities

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits together at the end of the block, or not at all."""
        with self.write_sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; nothing it does is committed."""
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


CONNECT_TIMEOUT = 5  # seconds; a DATABASE_URL's own ?connect_timeout= wins


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine tuned for its back end: WAL and foreign keys on SQLite, pre-ping on PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # a server that accepts but never answers must not hold a request for psycopg's minutes
        timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT}
        return create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            connect_args=timeout,
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo)
    event.listen(engine, "connect", _sqlite_pragmas)
    # pysqlite defers BEGIN on its own, which breaks SAVEPOINTs: let SQLAlchemy say when.
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("stratwatch_write", False)
    conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    dbapi_conn.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


def rows_frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    """Result rows as a DataFrame, built column by column.

    Handing SQLAlchemy rows to pandas directly costs more than the query: pandas inspects each
    row for namedtuple attributes, and every miss goes through the row's key-error path.
    """
    if not rows:
        return pd.DataFrame({column: [] for column in columns})
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True)))
