"""Is a POST to /_dash-update-component shaped like one of this app's server callbacks?

Dash answers a body it cannot map onto a callback with a 500 (a KeyError or a TypeError deep in
its dispatch). Checked first, such a request gets a 400 saying what is wrong. The renderer's
shapes: `outputs` is one {id, property} for a single output (a list of them for a single
pattern-matching ALL output), a list for several; a pattern-matching input is a list of its
matches (ALL) or one (MATCH); a property may carry `@<hash>` (allow_duplicate).
"""

from __future__ import annotations

from typing import Any

import dash
from flask import Request


def callback_problem(app: dash.Dash, request: Request) -> str | None:
    """What is wrong with this callback request, or None when its shape is the callback's own."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return "the callback request nests too deeply"
    if not isinstance(body, dict):
        return "a callback request is a JSON object"
    output = body.get("output")
    callback = app.callback_map.get(output) if isinstance(output, str) else None
    if callback is None or "callback" not in callback:  # clientside ones never reach here
        return "no server callback draws that output"
    several = isinstance(callback["output"], list)
    declared = callback["output"] if several else [callback["output"]]
    outputs = body.get("outputs")
    wanted = {
        "outputs": [o.to_dict() for o in declared] if not callback.get("no_output") else None,
        "inputs": callback["inputs"],
        "state": callback["state"],
    }
    sent = {
        "outputs": outputs if several else [outputs],
        "inputs": body.get("inputs"),
        "state": body.get("state", []),
    }
    for part, expected in wanted.items():
        if expected is not None and not _same_dependencies(sent[part], expected):
            return f"the {part} are not this callback's: {len(expected)} expected, in order"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds is a list of 'id.property' strings"
    return None


def _same_dependencies(sent: object, expected: list[dict[str, Any]]) -> bool:
    """Whether `sent` names the expected (id, property) pairs, in order."""
    if not isinstance(sent, list) or len(sent) != len(expected):
        return False
    return all(_names(item, want) for item, want in zip(sent, expected, strict=True))


def _names(item: object, want: dict[str, Any]) -> bool:
    """Whether one sent dependency is the wanted one (any match of a pattern-matching id)."""
    if want["id"].startswith("{"):  # a pattern-matching id (as JSON): its matches, as sent
        matches = item if isinstance(item, list) else [item]
        return all(isinstance(m, dict) and _property(m) == want["property"] for m in matches)
    return (
        isinstance(item, dict)
        and item.get("id") == want["id"]
        and (_property(item) == want["property"])
    )


def _property(item: dict[str, Any]) -> object:
    value = item.get("property")
    return value.split("@", 1)[0] if isinstance(value, str) else value
