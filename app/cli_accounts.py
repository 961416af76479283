"""`stratwatch users ...` and `stratwatch teams ...`: accounts, roles, tokens and team scopes."""

from __future__ import annotations

import secrets
import sys

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import accounts
from app.cli import cli_actor, friendly, store_for
from data import audit
from data import users as users_data
from data.schema import Role, Strategy, Team, User
from data.versions import CATALOG, record, strategy_scope

ROLES = click.Choice([r.value for r in Role])


def _password(generate: bool) -> tuple[str, bool]:
    """From stdin when piped (never from argv: it would land in shell history), else generated."""
    if not generate and not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
        if password:
            return password, False
    return secrets.token_urlsafe(15), True


@click.group()
def users() -> None:
    """User accounts and API tokens."""


@users.command("list")
@click.pass_context
@friendly
def users_list(ctx: click.Context) -> None:
    """Every account: email, role, state."""
    with store_for(ctx).reading() as session:
        for email, role, active in session.execute(
            select(User.email, User.role, User.is_active).order_by(User.email)
        ):
            click.echo(f"{email}\t{Role(role).value}\t{'active' if active else 'disabled'}")


@users.command("create")
@click.argument("email")
@click.option("--role", type=ROLES, required=True)
@click.option("--generate", is_flag=True, help="Generate the password even when stdin is piped.")
@click.pass_context
@friendly
def users_create(ctx: click.Context, email: str, role: str, generate: bool) -> None:
    """Create an account; the password is read from stdin, or generated and printed once."""
    password, generated = _password(generate)
    user = accounts.administer(
        store_for(ctx),
        cli_actor(),
        "user-created",
        email,
        lambda s: users_data.create_user(s, email, role, password),
    )
    click.echo(f"created {user.email} ({role})" + (f"; password: {password}" if generated else ""))


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLES)
@click.pass_context
@friendly
def users_set_role(ctx: click.Context, email: str, role: str) -> None:
    """Change a role (the account's sessions end)."""
    accounts.administer(
        store_for(ctx),
        cli_actor(),
        "role-changed",
        email,
        lambda s: users_data.set_role(s, email, role),
    )
    click.echo(f"{email} is now {role}")


@users.command("disable")
@click.argument("email")
@click.pass_context
@friendly
def users_disable(ctx: click.Context, email: str) -> None:
    """Disable an account and end its sessions."""
    accounts.administer(
        store_for(ctx),
        cli_actor(),
        "user-disabled",
        email,
        lambda s: users_data.set_active(s, email, False),
    )
    click.echo(f"{email} disabled")


@users.command("enable")
@click.argument("email")
@click.pass_context
@friendly
def users_enable(ctx: click.Context, email: str) -> None:
    """Re-enable an account."""
    accounts.administer(
        store_for(ctx),
        cli_actor(),
        "user-enabled",
        email,
        lambda s: users_data.set_active(s, email, True),
    )
    click.echo(f"{email} enabled")


@users.command("set-password")
@click.argument("email")
@click.option("--generate", is_flag=True, help="Generate the password even when stdin is piped.")
@click.pass_context
@friendly
def users_set_password(ctx: click.Context, email: str, generate: bool) -> None:
    """Set a password (stdin, or generated and printed once); the account's sessions end."""
    password, generated = _password(generate)

    def apply(session: Session) -> User:
        if len(password) < users_data.MIN_PASSWORD:
            raise users_data.AccountError(
                f"the password must be at least {users_data.MIN_PASSWORD} characters long"
            )
        user = users_data.find(session, email)
        user.password_hash = users_data.hash_password(password)
        user.session_version += 1
        user.failed_logins, user.locked_until = 0, None
        return user

    accounts.administer(store_for(ctx), cli_actor(), "password-changed", email, apply)
    click.echo(f"password set for {email}" + (f": {password}" if generated else ""))


@users.command("token")
@click.argument("email")
@click.option("--name", required=True, help="A label, e.g. the script that uses it.")
@click.option("--revoke", is_flag=True, help="Revoke the tokens with this name instead.")
@click.pass_context
@friendly
def users_token(ctx: click.Context, email: str, name: str, revoke: bool) -> None:
    """Create a personal API token (printed once), or revoke one by name."""
    made: list[str] = []

    def apply(session: Session) -> User:
        user = users_data.find(session, email)
        if revoke:
            made.append(str(users_data.revoke_token(session, email, name)))
        else:
            made.append(users_data.create_token(session, user, name))
        return user

    accounts.administer(
        store_for(ctx), cli_actor(), "token-revoked" if revoke else "token-created", email, apply
    )
    click.echo(
        f"revoked {made[0]} token(s)" if revoke else f"token for {email} ({name}): {made[0]}"
    )


@click.group()
def teams() -> None:
    """Team scopes: members see their teams' strategies (and those without a team)."""


@teams.command("add")
@click.argument("team")
@click.argument("emails", nargs=-1, required=True)
@click.pass_context
@friendly
def teams_add(ctx: click.Context, team: str, emails: tuple[str, ...]) -> None:
    """Add users to TEAM (created when new)."""

    def apply(session: Session):
        group = _team(session, team)
        for email in emails:
            user = users_data.find(session, email)
            if user not in group.members:
                group.members.append(user)
        _audit_team(session, team, {"added": sorted(emails)})
        return record(
            session, ["teams", *(accounts.user_scope(m.id) for m in group.members)], len(emails)
        )

    store_for(ctx).write(apply)
    click.echo(f"{', '.join(emails)} in team {team}")


@teams.command("assign")
@click.argument("team")
@click.argument("slugs", nargs=-1, required=True)
@click.pass_context
@friendly
def teams_assign(ctx: click.Context, team: str, slugs: tuple[str, ...]) -> None:
    """Scope strategies to TEAM ('-' for no team: visible to everyone)."""

    def apply(session: Session):
        team_id = None if team == "-" else _team(session, team).id
        found = session.scalars(select(Strategy).where(Strategy.slug.in_(slugs))).all()
        if missing := set(slugs) - {s.slug for s in found}:
            raise users_data.AccountError(f"no strategy {', '.join(sorted(missing))}")
        for strategy in found:
            strategy.team_id = team_id
        _audit_team(session, team, {"strategies": sorted(slugs)})
        return record(session, [CATALOG, *(strategy_scope(s.id) for s in found)], len(found))

    store_for(ctx).write(apply)
    click.echo(f"{len(slugs)} strategies scoped to {team}")


def _audit_team(session: Session, team: str, detail: dict[str, object]) -> None:
    audit.record(
        session,
        "team-changed",
        actor=cli_actor(),
        target_type="team",
        target_id=team,
        ip="cli",
        detail=detail,
    )


def _team(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team
