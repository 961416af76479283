"""The read API: performance with metrics, benchmarks, validation (4xx) and the OpenAPI document."""

from __future__ import annotations

import pytest

from data.metrics import METRICS
from data.schema import Role
from tests.security.test_auth import audit_actions, new_client, sign_in
from tests.security.test_tokens_and_teams import scope_to_team

SLUG = "atlas-momentum"


@pytest.fixture
def analyst(web):
    c = new_client(web)
    assert sign_in(c, web.emails[Role.ANALYST]).status_code == 302
    return c


def test_performance_returns_the_series_and_registry_metrics(analyst) -> None:
    body = analyst.get(
        f"/api/v1/strategies/{SLUG}/performance?source=backtest&start=2025-01-01&end=2025-06-30"
    ).get_json()
    assert body["strategy"] == SLUG and body["source"] == "backtest" and body["benchmark"] == "SPY"
    stamps = [p["ts"] for p in body["series"]]
    assert stamps[0] >= "2025-01-01" and stamps[-1] <= "2025-06-30T23:59" and len(stamps) > 100
    assert {"ts", "equity", "ret"} == set(body["series"][0])
    assert set(body["metrics"]) <= set(METRICS) and "sharpe" in body["metrics"]
    assert body["metrics"]["observations"] == len(stamps)
    assert body["metrics"]["start_date"].startswith(stamps[0][:10])


def test_performance_defaults_to_the_primary_source_and_buckets(analyst) -> None:
    body = analyst.get(f"/api/v1/strategies/{SLUG}/performance?max_points=50").get_json()
    assert body["source"] == "live" and body["resolution"] == "daily"
    assert 2 <= len(body["series"]) <= 50
    whole = analyst.get(f"/api/v1/strategies/{SLUG}/performance?source=backtest").get_json()
    assert len(whole["series"]) <= 2000


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("source=futures", "source must be"),
        ("resolution=weekly", "resolution must be"),
        ("start=yesterday", "start must be an ISO date"),
        ("start=2025-02-01&end=2025-01-01", "start must not be after end"),
        ("max_points=1", "max_points must be"),
        ("max_points=lots", "max_points must be"),
    ],
)
def test_bad_parameters_are_clear_400s(analyst, query, fragment) -> None:
    response = analyst.get(f"/api/v1/strategies/{SLUG}/performance?{query}")
    assert response.status_code == 400
    assert fragment in response.get_json()["error"] and response.get_json()["status"] == 400


def test_unknown_and_hidden_strategies_are_404(web, analyst) -> None:
    assert analyst.get("/api/v1/strategies/nope/performance").status_code == 404
    assert analyst.get("/api/v1/strategies/drift-trend/performance").status_code == 200  # cached
    scope_to_team(web, "blue", ("drift-trend",))
    web.store.clock.advance({"catalog": 10**7})
    try:
        hidden = analyst.get("/api/v1/strategies/drift-trend/performance")
        assert hidden.status_code == 404 and "drift-trend" in hidden.get_json()["error"]
    finally:
        scope_to_team(web, None, ("drift-trend",))


def test_anonymous_callers_are_refused(web) -> None:
    assert new_client(web).get(f"/api/v1/strategies/{SLUG}/performance").status_code == 401


def test_benchmarks_list_and_closes(analyst) -> None:
    listed = analyst.get("/api/v1/benchmarks").get_json()["benchmarks"]
    assert {"SPY", "AGG"} <= {b["symbol"] for b in listed}
    closes = analyst.get("/api/v1/benchmarks/SPY?start=2025-01-01&max_points=100").get_json()
    assert closes["symbol"] == "SPY" and 2 <= len(closes["series"]) <= 100
    assert closes["series"][0]["close"] > 0
    assert analyst.get("/api/v1/benchmarks/NOPE").status_code == 404
    assert analyst.get("/api/v1/benchmarks/SPY?end=junk").status_code == 400


def test_openapi_document_describes_every_read_route(web, analyst) -> None:
    doc = analyst.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
        for rule in web.app.server.url_map.iter_rules()
        if rule.rule.startswith("/api/v1") and "GET" in rule.methods
    }
    assert routes <= set(doc["paths"])
    performance = doc["paths"]["/strategies/{slug}/performance"]["get"]
    assert {"start", "end", "max_points", "source", "resolution"} <= {
        p["name"] for p in performance["parameters"]
    }
    assert {"400", "404"} <= set(performance["responses"])


def test_preferences_round_trip_per_user(web, analyst) -> None:
    assert analyst.get("/api/v1/preferences").get_json()["preferences"]["theme"] == "light"
    saved = analyst.put("/api/v1/preferences", json={"theme": "dark", "decimals": 1})
    assert saved.status_code == 200 and saved.get_json()["preferences"]["decimals"] == 1
    again = new_client(web)
    sign_in(again, web.emails[Role.ANALYST])
    assert again.get("/api/v1/preferences").get_json()["preferences"]["theme"] == "dark"
    viewer = new_client(web)
    sign_in(viewer, web.emails[Role.VIEWER])
    assert viewer.get("/api/v1/preferences").get_json()["preferences"]["theme"] == "light"
    assert analyst.put("/api/v1/preferences", json={"theme": "light"}).status_code == 200
    saves = [
        e for e in audit_actions(web, "preferences-saved") if e.actor == web.emails[Role.ANALYST]
    ]
    assert [e.detail["fields"] for e in saves][-2:] == [["decimals", "theme"], ["theme"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"theme": "purple"}, "theme"),
        ({"decimals": 9}, "decimals"),
        ({"decimals": True}, "decimals"),
        ({"panels": []}, "panels"),
        ({"panels": ["equity", "equity"]}, "panels"),
        ({"benchmarks": ["SPY", ""]}, "benchmarks"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_preferences_are_422_and_change_nothing(analyst, body, field) -> None:
    before = analyst.get("/api/v1/preferences").get_json()["preferences"]
    refused = analyst.put("/api/v1/preferences", json={"decimals": 3, **body})
    assert refused.status_code == 422 and set(refused.get_json()["problems"]) == {field}
    assert analyst.get("/api/v1/preferences").get_json()["preferences"] == before


def test_preferences_need_a_json_object(analyst) -> None:
    response = analyst.put("/api/v1/preferences", data="dark", content_type="text/plain")
    assert response.status_code == 400 and "JSON object" in response.get_json()["error"]
