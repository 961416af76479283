"""`stratwatch users`, `teams` and `brokers`: each changes what it says, once, and is audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select

from app.cli import cli
from data import migrate, users
from data.db import Database
from data.schema import AuditEntry, BrokerAccount, Role, Strategy, User
from data.writes import ensure_strategy


@pytest.fixture
def run(fresh_url: str, tmp_path: Path):
    engine = create_engine(fresh_url)
    migrate.upgrade(engine)
    engine.dispose()
    env = {
        "DATABASE_URL": fresh_url,
        "STRATWATCH_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "k" * 40,
        "STRATWATCH_DEMO": "0",
        "REDIS_URL": "",
    }

    def invoke(*args: str, stdin: str | None = None):
        return CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)

    invoke.db = Database(fresh_url)
    yield invoke
    invoke.db.dispose()


def audited(db: Database, action: str) -> list[AuditEntry]:
    with db.reading() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_users_create_set_role_and_disable(run) -> None:
    made = run("users", "create", "ana@example.com", "--role", "analyst", "--generate")
    assert made.exit_code == 0 and "created ana@example.com (analyst); password: " in made.output
    password = made.output.rsplit("password: ", 1)[1].strip()
    with run.db.reading() as session:
        user, reason = users.authenticate(session, "ana@example.com", password)
    assert user is not None and reason == "" and user.role == Role.ANALYST
    again = run("users", "create", "ana@example.com", "--role", "viewer", "--generate")
    assert again.exit_code == 1 and "already" in again.output

    assert run("users", "set-role", "ana@example.com", "trader").exit_code == 0
    assert run("users", "disable", "ana@example.com").exit_code == 0
    with run.db.reading() as session:
        stored = session.scalar(select(User).where(User.email == "ana@example.com"))
        assert stored.role == Role.TRADER and not stored.is_active
        assert users.authenticate(session, "ana@example.com", password) == (None, "disabled")
    unknown = run("users", "set-role", "ghost@example.com", "admin")
    assert unknown.exit_code == 1 and "ghost@example.com" in unknown.output
    bad_role = run("users", "set-role", "ana@example.com", "emperor")
    assert bad_role.exit_code == 2
    for action in ("user-created", "role-changed", "user-disabled"):
        assert [e.actor.startswith("cli:") for e in audited(run.db, action)] == [True]


def test_teams_and_broker_mappings_are_audited(run, tmp_path: Path) -> None:
    run("users", "create", "t@example.com", "--role", "viewer", "--generate")
    with run.db.transaction() as session:
        ensure_strategy(session, "alpha", stage="paper")
    assert run("teams", "add", "desk", "t@example.com").exit_code == 0
    assert run("teams", "assign", "desk", "alpha").exit_code == 0
    changes = audited(run.db, "team-changed")
    assert [e.detail for e in changes] == [{"added": ["t@example.com"]}, {"strategies": ["alpha"]}]
    mapping = tmp_path / "accounts.toml"
    mapping.write_text(
        '[[accounts]]\nlabel = "demo"\nprovider = "demo"\n[[accounts.strategies]]\nslug = "alpha"\n'
    )
    assert run("brokers", "load", str(mapping)).exit_code == 0
    assert audited(run.db, "brokers-mapped")[0].detail == {"accounts": ["demo"]}
    with run.db.reading() as session:
        assert session.scalar(select(BrokerAccount.label)) == "demo"
        assert session.scalar(select(Strategy.team_id)) is not None


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ("[1]", "`accounts` is a list"),
        ('{"accounts": [1]}', "every account must be a table"),
        ('{"accounts": [{"label": "a", "strategies": ["x"]}]}', "every strategy must be a table"),
        ('{"accounts": [{"label": "a", "strategies": {"x": 1}}]}', "strategies must be a list"),
    ],
)
def test_malformed_broker_mappings_are_refused_by_name(run, tmp_path: Path, document, says) -> None:
    mapping = tmp_path / "accounts.json"
    mapping.write_text(document)
    result = run("brokers", "load", str(mapping))
    assert result.exit_code == 1 and says in result.output
    with run.db.reading() as session:
        assert session.scalars(select(BrokerAccount)).all() == []


def test_bad_arguments_are_a_message_and_change_nothing(run, tmp_path: Path) -> None:
    downgrade = run("db", "downgrade", "zzz")
    assert downgrade.exit_code == 1 and "Can't locate revision" in downgrade.output
    assert migrate.is_current(run.db.engine)
    seed = run("demo", "load", "--seed", "-1")
    assert seed.exit_code == 2 and "--seed" in seed.output
    binary = tmp_path / "accounts.toml"
    binary.write_bytes(b"\xff\xfe[[accounts]]")
    assert "not valid toml" in run("brokers", "load", str(binary)).output
    series = tmp_path / "r.csv"
    series.write_text("date,return\n2024-01-02,0.01\n2024-01-03,0.02\n")
    for slug in ("a/b", "Big Name", "x" * 65, ""):
        made = run("import", str(series), "--strategy", slug, "--source", "backtest", "--create")
        assert made.exit_code == 1 and "slug" in made.output, slug
    with run.db.reading() as session:
        assert session.scalars(select(Strategy)).all() == []
