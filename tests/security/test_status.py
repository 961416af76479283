"""Freshness and provider health reach the banner and /metrics (admins only)."""

from __future__ import annotations

import datetime as dt

from flask import g

from data import sync_state, users
from data.providers.resilience import BreakerState, BreakerStatus
from data.schema import Role, SyncState
from tests.security.test_auth import new_client, sign_in

BANNER_CALLBACK = {
    "output": "..shell-banner.children...shell-status-line.children..",
    "outputs": [
        {"id": "shell-banner", "property": "children"},
        {"id": "shell-status-line", "property": "children"},
    ],
    "inputs": [{"id": "shell-status-tick", "property": "n_intervals", "value": 1}],
    "changedPropIds": ["shell-status-tick.n_intervals"],
}


def test_stale_benchmark_and_open_circuit_show_in_banner_and_metrics(web) -> None:
    now = dt.datetime.now(dt.UTC)
    with web.store.db.transaction() as session:
        sync_state.mark_success(
            session, sync_state.benchmark_key("SPY", "daily"), now - dt.timedelta(minutes=3), now
        )
        sync_state.mark_success(
            session, sync_state.benchmark_key("AGG", "daily"), now - dt.timedelta(hours=5), now
        )
        sync_state.mark_failure(
            session, sync_state.benchmark_key("AGG", "daily"), now, "HTTP 503 from provider"
        )
        sync_state.record_breakers(
            session, [BreakerStatus("massive", BreakerState.OPEN, 5, now, "HTTP 503")], now
        )
    with web.app.server.app_context():
        from app.cache import cache

        cache.clear()  # the status report is cached for ten seconds
    viewer = new_client(web)
    sign_in(viewer, web.emails[Role.VIEWER])
    banner = viewer.post("/_dash-update-component", json=BANNER_CALLBACK).get_data(as_text=True)
    assert "Some data is out of date" in banner
    assert "benchmark AGG (daily) updated 5 h ago: HTTP 503 from provider" in banner
    assert "massive: circuit open (HTTP 503)" in banner and "SPY (daily)" not in banner
    assert "SPY updated 3 min ago" in banner  # the status line names every stream
    assert viewer.get("/metrics").status_code == 403
    admin = new_client(web)
    sign_in(admin, web.emails[Role.ADMIN])
    text = admin.get("/metrics").get_data(as_text=True)
    assert "# TYPE stratwatch_sync_age_seconds gauge" in text
    assert 'stratwatch_sync_stale{kind="benchmark",stream="daily",subject="AGG"} 1' in text
    assert 'stratwatch_sync_stale{kind="benchmark",stream="daily",subject="SPY"} 0' in text
    assert 'stratwatch_provider_circuit_state{provider="massive"} 2' in text
    with web.store.db.transaction() as session:  # leave the shared app healthy for other tests
        for symbol in ("SPY", "AGG"):
            sync_state.mark_success(session, sync_state.benchmark_key(symbol, "daily"), now, now)
        sync_state.record_breakers(
            session, [BreakerStatus("massive", BreakerState.CLOSED, 0, None, None)], now
        )
    with web.app.server.app_context():
        cache.clear()
    quiet = viewer.post("/_dash-update-component", json=BANNER_CALLBACK).get_json()
    assert quiet["response"]["shell-banner"]["children"] is None
    assert "massive: closed" in str(quiet["response"]["shell-status-line"]["children"])


def test_callbacks_show_a_banner_when_the_database_is_down(web, tmp_path) -> None:
    from app.cache import cache
    from app.store import Store
    from callbacks.overview import update_overview_table
    from callbacks.shell import update_status

    with web.store.reading() as session:
        viewer = users.principal(session, users.find(session, web.emails[Role.VIEWER]).id)
    down = Store(
        web.settings.with_(
            database_url="postgresql+psycopg://postgres@127.0.0.1:9/none",
            embedded=False,
            data_dir=tmp_path,
        )
    )
    server = web.app.server
    healthy = server.extensions["stratwatch"]
    server.extensions["stratwatch"] = down
    try:
        with server.test_request_context("/"):
            g.principal = viewer  # signed in before the outage
            cache.clear()
            table, digest = update_overview_table([], "", [], "name", 0)
            banner, line = update_status(1)
    finally:
        server.extensions["stratwatch"] = healthy
        down.close()
    assert "Strategies could not be loaded." in str(table.to_plotly_json()) and digest is None
    assert "The database is not answering." in str(banner.to_plotly_json())
    assert line == "Status unavailable."


def test_account_names_and_errors_reach_admins_only(web) -> None:
    now = dt.datetime.now(dt.UTC)
    key = sync_state.account_key("fund-red-secret", "daily")
    with web.store.db.transaction() as session:
        sync_state.mark_success(session, key, now - dt.timedelta(hours=3), now)
        sync_state.mark_failure(session, key, now, "account fund-red-secret: HTTP 401")
    with web.app.server.app_context():
        from app.cache import cache

        cache.clear()
    try:
        viewer, admin = new_client(web), new_client(web)
        sign_in(viewer, web.emails[Role.VIEWER])
        sign_in(admin, web.emails[Role.ADMIN])
        seen = viewer.post("/_dash-update-component", json=BANNER_CALLBACK).get_data(as_text=True)
        assert "fund-red-secret" not in seen and "HTTP 401" not in seen
        assert "broker accounts (daily) updated 3 h ago" in seen  # still warned
        full = admin.post("/_dash-update-component", json=BANNER_CALLBACK).get_data(as_text=True)
        assert "fund-red-secret (daily) updated 3 h ago: account fund-red-secret: HTTP 401" in full
    finally:
        with web.store.db.transaction() as session:
            session.delete(session.get(SyncState, key))
        with web.app.server.app_context():
            cache.clear()
