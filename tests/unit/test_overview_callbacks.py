"""The overview's callbacks: filters, sorting, registry headers and verdicts computed in the
background, called directly inside a request of the session's real app."""

from __future__ import annotations

import time

import pandas as pd
from dash import html, no_update

from app import divergence, reads
from app.cache import cache
from app.warming import warmer
from callbacks import overview as ov
from data.metrics import METRICS
from data.schema import Role
from tests.security.test_auth import new_client, sign_in
from tests.unit.test_callbacks import COLUMNS_AT, acting


def book() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["beta", "Alpha", "gamma"],
            "style": ["trend", "carry", "macro"],
            "stage": ["live", "paper", "live"],
            "tags": [["demo", "trend"], ["demo"], ["diverging"]],
            "sharpe": [0.5, None, 1.5],
        }
    )


def test_overview_filters_by_stage_tag_and_text() -> None:
    assert list(ov.filter_book(book(), ["live"], "")["name"]) == ["beta", "gamma"]
    assert list(ov.filter_book(book(), [], "", ["trend", "diverging"])["name"]) == ["beta", "gamma"]
    assert list(ov.filter_book(book(), [], "CARRY")["name"]) == ["Alpha"]


def test_overview_sorts_by_name_or_best_number_first() -> None:
    assert list(ov.sort_book(book(), "name")["name"]) == ["Alpha", "beta", "gamma"]
    assert list(ov.sort_book(book(), "sharpe")["name"]) == ["gamma", "beta", "Alpha"]


def verdicts_shown(table: html.Table) -> dict[str, str]:
    """Strategy name -> the text of its verdict cell."""
    rows = table.children[1].children
    at = COLUMNS_AT["Verdict"]
    return {row.children[0].children.children: row.children[at].children.children for row in rows}


def test_overview_table_shows_registry_numbers_and_a_verdict_cell_per_row(web) -> None:
    with acting(web):
        table, digest = ov.update_overview_table([], "", [], "name", 0)
        research = reads.strategies().query("stage == 'research'")["name"]
    rows = table.children[1].children
    assert len(rows) >= 24 and len(rows[0].children) == len(ov.COLUMNS)
    assert digest
    shown = verdicts_shown(table)
    assert shown["Atlas Momentum"] in {"consistent", "watch", "diverging", "computing…"}
    assert {shown[name] for name in research} == {"–"}  # nothing to compare yet


def test_overview_verdicts_are_computed_in_the_background(web) -> None:
    with acting(web):
        cache.clear()
        first, _ = ov.update_overview_table([], "", [], "name", 0)  # queues every verdict
    assert "computing…" in set(verdicts_shown(first).values()) and warmer.pending() > 0
    deadline = time.monotonic() + 120
    while warmer.pending() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert warmer.pending() == 0, "the background verdicts took over 2 minutes"
    with acting(web):
        table, _digest = ov.update_overview_table([], "", [], "name", 0)
        quiet = ["backtest", "research"]  # the live feed of the shared app never touches these
        _, digest = ov.update_overview_table(quiet, "", [], "name", 0)
        again = ov.update_overview_table(quiet, "", [], "name", 1, digest)
    shown = set(verdicts_shown(table).values())
    assert "computing…" not in shown
    assert {"consistent", "diverging"} <= shown  # the demo book has both kinds
    assert again == (no_update, no_update)  # a tick with nothing new redraws nothing


def test_the_book_can_be_warmed_before_anyone_looks(web) -> None:
    with acting(web):
        cache.clear()
        queued = divergence.warm_book()
    assert queued >= 10 and warmer.pending() > 0  # the demo book's paper and live strategies
    deadline = time.monotonic() + 120
    while warmer.pending() and time.monotonic() < deadline:
        time.sleep(0.2)
    with acting(web):
        assert divergence.warm_book() == 0  # all cached now
        table, _ = ov.update_overview_table([], "", [], "name", 0)
    assert "computing…" not in set(verdicts_shown(table).values())


def test_changing_the_sort_on_a_shared_link_saves_only_the_sort(web) -> None:
    client = new_client(web)
    assert sign_in(client, web.emails[Role.TRADER]).status_code == 302
    payload = {
        "output": "overview-saved.data",
        "outputs": {"id": "overview-saved", "property": "data"},
        "inputs": [
            {"id": "overview-tag", "property": "value", "value": ["trend"]},  # from the link
            {"id": "overview-sort", "property": "value", "value": "sharpe"},
        ],
        "changedPropIds": ["overview-sort.value"],
    }
    try:
        assert client.post("/_dash-update-component", json=payload).status_code == 200
        saved = client.get("/api/v1/preferences").get_json()["preferences"]
        assert saved["overview_sort"] == "sharpe" and saved["overview_tags"] == []
    finally:
        assert client.put("/api/v1/preferences", json={"overview_sort": "name"}).status_code == 200


def test_a_failing_background_read_is_not_retried_at_once(web) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    with web.app.server.app_context():
        warmer.submit("test:broken", broken)
        deadline = time.monotonic() + 30
        while not warmer.failed("test:broken") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert warmer.failed("test:broken")
        warmer.submit("test:broken", broken)  # refused: it failed moments ago
        assert warmer.pending("test:broken") == 0


def test_overview_headers_take_their_labels_and_definitions_from_the_registry():
    table = ov.strategy_table(pd.DataFrame(columns=["id"]))
    headers = table.children[0].children.children
    titled = {
        h.children.children: h.children.title for h in headers if not isinstance(h.children, str)
    }
    assert titled == {
        METRICS[k].label: METRICS[k].definition for k in ("mtd", "ytd", "sharpe", "max_drawdown")
    }
