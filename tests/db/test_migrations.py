"""Migrations build the whole schema on SQLite and PostgreSQL, and round-trip."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from data import migrate
from data.db import make_engine
from data.migrate import include_object
from data.schema import Base


def test_migrations_upgrade_builds_every_table(fresh_url: str) -> None:
    engine = create_engine(fresh_url)
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert migrate.is_current(engine)
    engine.dispose()


def test_migrations_match_the_models(fresh_url: str) -> None:
    engine = create_engine(fresh_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_downgrade_then_upgrade_round_trip(fresh_url: str) -> None:
    engine = create_engine(fresh_url)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_migrations_index_time_on_postgres_without_timescale(fresh_url: str, backend: str) -> None:
    engine = make_engine(fresh_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        if backend == "sqlite":
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            return
        timescale = conn.execute(
            text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
        ).first()
        brin = (
            conn.execute(
                text("SELECT indexname FROM pg_indexes WHERE indexdef ILIKE '%USING brin%'")
            )
            .scalars()
            .all()
        )
    engine.dispose()
    if timescale is None:
        assert sorted(brin) == ["ix_benchmark_bars_ts_brin", "ix_performance_ts_brin"]
