"""API tokens (hashed, scoped by role, revocable) and team scopes (hidden everywhere)."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from data import users
from data.schema import ApiToken, Role, Strategy, Team, team_members
from data.versions import CATALOG, record
from pages import overview as overview_page
from tests.security.test_auth import CSV, new_client, sign_in
from tests.web import PASSWORD


def test_api_tokens_are_hashed_scoped_and_revocable(web) -> None:
    with web.store.db.transaction() as session:
        owner = users.find(session, web.emails[Role.ANALYST])
        raw = users.create_token(session, owner, "script")
    with web.store.reading() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert raw not in stored and all(len(h) == 64 for h in stored)
    c = new_client(web)
    bearer = {"Authorization": f"Bearer {raw}"}
    assert c.get("/api/v1/me", headers=bearer).get_json()["role"] == "analyst"
    with web.store.reading() as session:
        first_use = session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "script"))
    assert first_use is not None  # recorded on first use, then at most once a minute
    assert c.get("/api/v1/audit", headers=bearer).status_code == 403
    with web.store.reading() as session:
        assert (
            session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "script"))
            == first_use
        )
    assert c.get("/api/v1/me", headers={"Authorization": "Bearer sw_forged"}).status_code == 401
    with web.store.db.transaction() as session:
        assert users.revoke_token(session, web.emails[Role.ANALYST], "script") == 1
    assert c.get("/api/v1/me", headers=bearer).status_code == 401


def scope_to_team(web, team_name: str | None, slugs: tuple[str, ...]) -> None:
    """Scope strategies to a team (None: no team), announcing it like the CLI does."""
    with web.app.server.app_context():
        web.store.write(lambda session: _scope(session, team_name, slugs))


def _scope(session, team_name, slugs):
    team = None
    if team_name:
        team = session.scalar(select(Team).where(Team.name == team_name)) or Team(name=team_name)
        session.add(team)
        session.flush()
    for slug in slugs:
        session.scalar(select(Strategy).where(Strategy.slug == slug)).team_id = (
            team.id if team else None
        )
    return record(session, [CATALOG, "teams"], len(slugs))


def test_team_scopes_hide_other_teams_strategies(web) -> None:
    hidden = ("cobalt-stat-arb", "drift-trend")
    with web.store.db.transaction() as session:
        member = users.create_user(session, "red@example.com", Role.VIEWER, PASSWORD)
    scope_to_team(web, "red", hidden)
    with web.store.db.transaction() as session:
        team_id = session.scalar(select(Team.id).where(Team.name == "red"))
        session.execute(team_members.insert().values(team_id=team_id, user_id=member.id))
        record(session, ["teams"], 1)
    web.store.clock.advance({"teams": 10**6})
    try:
        outsider, insider, admin = new_client(web), new_client(web), new_client(web)
        sign_in(outsider, web.emails[Role.VIEWER])
        sign_in(insider, "red@example.com")
        sign_in(admin, web.emails[Role.ADMIN])
        seen = {
            name: {s["slug"] for s in c.get("/api/v1/strategies").get_json()["strategies"]}
            for name, c in (("out", outsider), ("in", insider), ("admin", admin))
        }
        assert not set(hidden) & seen["out"]
        assert set(hidden) <= seen["in"] and seen["out"] < seen["in"] <= seen["admin"]
        imported = outsider.post(
            "/api/v1/strategies/cobalt-stat-arb/performance?source=paper",
            data=CSV,
            content_type="text/csv",
        )
        assert imported.status_code == 403  # a viewer may not import, and may not learn it exists
        with web.store.reading() as session:
            rows = session.execute(select(Strategy.slug, Strategy.tags)).all()
            viewer = users.principal(session, users.find(session, web.emails[Role.VIEWER]).id)
        open_tags = {t for slug, tags in rows if slug not in hidden for t in tags or []}
        with web.app.server.test_request_context("/"):
            g.principal = viewer
            assert set(overview_page.tag_options()) == open_tags  # hidden-only tags stay hidden
    finally:
        scope_to_team(web, None, hidden)


def test_metrics_are_scraped_with_an_admin_token(web) -> None:
    with web.store.db.transaction() as session:
        admin = users.create_token(session, users.find(session, web.emails[Role.ADMIN]), "prom")
        analyst = users.create_token(
            session, users.find(session, web.emails[Role.ANALYST]), "prom-analyst"
        )
    c = new_client(web)
    scraped = c.get("/metrics", headers={"Authorization": f"Bearer {admin}"})
    assert scraped.status_code == 200 and "stratwatch_" in scraped.get_data(as_text=True)
    assert c.get("/metrics", headers={"Authorization": f"Bearer {analyst}"}).status_code == 403
    assert c.get("/metrics", headers={"Authorization": "Bearer sw_forged"}).status_code == 401
    assert c.get("/metrics").status_code == 401
