"""Callbacks check what a hand-made request sends as a control's value: the page's banner, no 500."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest

from callbacks.overview import strategy_table
from data.schema import Role
from tests.security.test_auth import AUDIT_CALLBACK, OVERVIEW_CALLBACK, new_client, sign_in

SLUG = "atlas-momentum"
COMPARISON = {
    "output": "strategy-comparison.children",
    "outputs": {"id": "strategy-comparison", "property": "children"},
    "inputs": [{"id": "strategy-slug", "property": "data", "value": SLUG}],
    "changedPropIds": [],
}
TEARSHEET_OUTPUTS = [
    ("strategy-equity", "figure"),
    ("strategy-drawdown", "figure"),
    ("strategy-top-drawdowns", "children"),
    ("strategy-rolling", "figure"),
    ("strategy-monthly", "figure"),
    ("strategy-yearly", "figure"),
    ("strategy-distribution", "figure"),
    ("strategy-quantiles", "children"),
    ("strategy-metrics", "children"),
    ("strategy-trades", "rowData"),
    ("strategy-banner", "children"),
]
TEARSHEET_INPUTS = {
    "slug": ("strategy-slug", "data", SLUG),
    "preset": ("strategy-preset", "value", "All"),
    "start": ("strategy-dates", "start_date", None),
    "end": ("strategy-dates", "end_date", None),
    "log": ("strategy-log", "value", []),
    "source": ("strategy-source", "value", None),
}
COMPARE = {
    "output": "..compare-chart.figure...compare-relative.children...compare-metrics.children"
    "...compare-correlation.figure..",
    "outputs": [
        {"id": f"compare-{name}", "property": prop}
        for name, prop in [
            ("chart", "figure"),
            ("relative", "children"),
            ("metrics", "children"),
            ("correlation", "figure"),
        ]
    ],
    "inputs": [
        {"id": "compare-strategies", "property": "value", "value": [SLUG]},
        {"id": "compare-benchmarks", "property": "value", "value": ["SPY"]},
        {"id": "compare-preset", "property": "value", "value": "1Y"},
    ],
    "changedPropIds": [],
}
REMEMBER = {
    "output": "overview-saved.data",
    "outputs": {"id": "overview-saved", "property": "data"},
    "inputs": [
        {"id": "overview-tag", "property": "value", "value": []},
        {"id": "overview-sort", "property": "value", "value": "name"},
    ],
    "changedPropIds": ["overview-sort.value"],
}


@pytest.fixture
def as_role(web):
    def make(role: Role):
        c = new_client(web)
        assert sign_in(c, web.emails[role]).status_code == 302
        return c

    return make


def _run(client, body: dict, values: list) -> str:
    """Post `body` with its inputs set to `values`; the answer as text (it must be a 200)."""
    sent = copy.deepcopy(body)
    for item, value in zip(sent["inputs"], values, strict=True):
        item["value"] = value
    response = client.post("/_dash-update-component", json=sent)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def _tearsheet(**values) -> tuple[dict, list]:
    inputs = {name: (i, p, values.get(name, v)) for name, (i, p, v) in TEARSHEET_INPUTS.items()}
    body = {
        "output": "..{}..".format("...".join(f"{i}.{p}" for i, p in TEARSHEET_OUTPUTS)),
        "outputs": [{"id": i, "property": p} for i, p in TEARSHEET_OUTPUTS],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs.values()],
        "changedPropIds": [],
    }
    return body, [v for _, _, v in inputs.values()]


@pytest.mark.parametrize("slug", [["a"], {"a": 1}, 123])
def test_strategy_comparison_refuses_a_slug_that_is_not_text(as_role, slug) -> None:
    assert "That is not a strategy slug." in _run(as_role(Role.VIEWER), COMPARISON, [slug])


@pytest.mark.parametrize(
    ("values", "banner"),
    [
        ({"slug": ["x"]}, "These controls are not valid."),
        ({"preset": ["x"]}, "These controls are not valid."),
        ({"source": ["live"]}, "These controls are not valid."),
        ({"log": "yes"}, "These controls are not valid."),
        ({"preset": "Custom", "start": "NaT"}, "That date range is not valid."),
        ({"preset": "Custom", "end": "nan"}, "That date range is not valid."),
    ],
)
def test_tearsheet_controls_of_the_wrong_kind_get_a_banner(as_role, values, banner) -> None:
    assert banner in _run(as_role(Role.VIEWER), *_tearsheet(**values))


@pytest.mark.parametrize(
    ("position", "value", "detail"),
    [
        (1, {"a": 1}, "search and sort take text"),
        (3, ["name"], "search and sort take text"),
        (0, "live", "Stage and tag take lists of names"),
        (2, [["trend"]], "Stage and tag take lists of names"),
        (1, "x" * 1_000_000, "Search takes at most 200 characters."),
    ],
)
def test_overview_filters_of_the_wrong_kind_say_so(as_role, position, value, detail) -> None:
    values = [item["value"] for item in OVERVIEW_CALLBACK["inputs"]]
    values[position] = value
    answer = _run(as_role(Role.VIEWER), OVERVIEW_CALLBACK, values)
    assert "These filters are not valid." in answer and detail in answer
    assert "database" not in answer


@pytest.mark.parametrize(
    ("tags", "sort", "changed"),
    [([{"a": 1}], "name", "sort"), ("x", "name", "sort"), (None, {"$gt": 1}, "tag")],
)
def test_overview_view_is_not_remembered_from_values_of_the_wrong_kind(
    as_role, tags, sort, changed
) -> None:
    body = {**REMEMBER, "changedPropIds": [f"overview-{changed}.value"]}
    answer = json.loads(_run(as_role(Role.VIEWER), body, [tags, sort]))
    assert answer["response"] == {}  # no_update: nothing saved, nothing echoed


def test_overview_links_quote_the_slug() -> None:
    book = pd.DataFrame(
        [{"id": 1, "name": "Odd", "slug": "a/b?c#d", "stage": "live", "source": "live"}]
    ).assign(last_date=None, spark=None, today=None, mtd=None, ytd=None, relative=None)
    table = strategy_table(book.assign(sharpe=None, max_drawdown=None))
    link = table.children[1].children[0].children[0].children  # body, first row, first cell
    assert link.href == "/strategies/a%2Fb%3Fc%23d"


@pytest.mark.parametrize(
    "values",
    [[SLUG, None, "1Y"], [[SLUG], "SPY", "1Y"], [[SLUG], [["x"]], "1Y"], [[SLUG], ["SPY"], [1]]],
)
def test_compare_choices_of_the_wrong_kind_get_a_banner(as_role, values) -> None:
    assert "These choices are not valid." in _run(as_role(Role.VIEWER), COMPARE, values)


def test_compare_metrics_failure_shows_the_banner_and_is_logged(as_role, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise ValueError("a metric could not be computed")

    monkeypatch.setattr("callbacks.compare.compute_metrics", broken)
    answer = _run(as_role(Role.VIEWER), COMPARE, [[SLUG], ["SPY"], "1Y"])
    assert "The comparison could not be loaded." in answer
    assert any(r.exc_info and "a metric could not be" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.parametrize("action", [["import"], {"a": 1}, 5])
def test_audit_filter_of_the_wrong_kind_gets_a_banner(as_role, action) -> None:
    answer = _run(as_role(Role.ADMIN), AUDIT_CALLBACK, [action])
    assert "That action filter is not valid." in answer


def test_settings_alerts_of_the_wrong_kind_are_not_saved(as_role) -> None:
    body = {
        "output": "..settings-status.children...shell-theme.data..",
        "outputs": [
            {"id": "settings-status", "property": "children"},
            {"id": "shell-theme", "property": "data"},
        ],
        "inputs": [
            {"id": f"settings-{name}", "property": "value", "value": None}
            for name in ("theme", "benchmarks", "date-range", "panels", "decimals", "alerts")
        ]
        + [{"id": "settings-severity", "property": "value", "value": None}],
        "changedPropIds": ["settings-alerts.value"],
    }
    values = ["dark", ["SPY"], "1Y", [], 2, 5, "warning"]
    answer = _run(as_role(Role.VIEWER), body, values)
    assert "Not saved" in answer and "must be a list of alert kinds" in answer
