"""The callback-shape check lets every request the renderer sends through, and nothing else."""

from __future__ import annotations

import json

import pytest

from app.callback_requests import callback_problem


def renderer_body(key: str, spec: dict) -> dict:
    """A body shaped as Dash's renderer sends it for this callback (values left empty)."""

    def sent(dep: dict) -> object:
        if dep["id"].startswith("{"):
            return []  # a pattern-matching ALL with no matches on the page
        return {**dep, "value": None}

    outputs = spec["output"]
    shaped = [o.to_dict() for o in outputs] if isinstance(outputs, list) else outputs.to_dict()
    return {
        "output": key,
        "outputs": shaped,
        "inputs": [sent(d) for d in spec["inputs"]],
        "state": [sent(d) for d in spec["state"]],
        "changedPropIds": [],
    }


def problem(web, body: object) -> str | None:
    with web.app.server.test_request_context(
        "/_dash-update-component", method="POST", data=json.dumps(body),
        content_type="application/json",
    ):  # fmt: skip
        from flask import request

        return callback_problem(web.app, request)


def server_callbacks(web) -> list[tuple[str, dict]]:
    web.app.server.test_client().get("/login")  # Dash fills its callback map on a first request
    return [(k, v) for k, v in web.app.callback_map.items() if "callback" in v]


def test_every_server_callback_in_its_renderer_shape_passes(web) -> None:
    found = server_callbacks(web)
    assert len(found) >= 10  # the pages' callbacks and Dash pages' own routing
    for key, spec in found:
        assert problem(web, renderer_body(key, spec)) is None, key


def test_duplicate_outputs_and_pattern_matches_are_the_renderers_too(web) -> None:
    key, spec = server_callbacks(web)[0]
    body = renderer_body(key, spec)
    first = body["outputs"][0] if isinstance(body["outputs"], list) else body["outputs"]
    first["property"] += "@0a1b2c"  # allow_duplicate=True marks the property so
    assert problem(web, body) is None


@pytest.mark.parametrize(
    "spoil",
    [
        lambda b: b.update(output="nope.children"),
        lambda b: b.update(inputs=b["inputs"][:-1]),
        lambda b: b.update(inputs=[{"id": "x", "property": "value"}] * len(b["inputs"])),
        lambda b: b.update(changedPropIds="everything"),
    ],
)
def test_a_body_that_is_not_the_callbacks_is_refused(web, spoil) -> None:
    key, spec = next((k, v) for k, v in server_callbacks(web) if v["inputs"])
    body = renderer_body(key, spec)
    spoil(body)
    assert problem(web, body) is not None
