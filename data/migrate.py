"""Schema migrations (Alembic) as plain functions: upgrade, downgrade, current revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def include_object(
    obj: object, name: str | None, kind: str, reflected: bool, _other: object
) -> bool:
    """Autogenerate ignores what migrations add per back end (BRIN indexes, hypertable indexes)."""
    return not (kind == "index" and reflected and name and name.endswith(("_brin", "_ts_idx")))


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at our migrations, without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


class MigrationRefused(ValueError):
    """A migration that cannot run as asked (an unknown revision, a wrong direction)."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` in one transaction."""
    _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to `revision` ("base" drops everything)."""
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step, revision: str) -> None:
    config = alembic_config(engine)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            step(config, revision)
    except CommandError as error:  # nothing ran: the transaction is rolled back
        known = ", ".join(s.revision for s in ScriptDirectory.from_config(config).walk_revisions())
        raise MigrationRefused(f"{error} (revisions: {known}, head, base)") from None


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def is_current(engine: Engine) -> bool:
    """Whether the database is at the code's head revision."""
    return current_revision(engine) == head_revision(engine)
